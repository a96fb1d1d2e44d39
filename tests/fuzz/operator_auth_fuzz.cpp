// Operator request signatures (core/attest/operator_auth.h). The input is a request:
//   <selector byte> METHOD SP PATH LF, header lines "name: value" LF, an empty line, the body.
// Selector 0 verifies the headers as given; 1 signs the method, path and body with the
// trusted operator's key, checks that the untouched signature verifies, then lets the given
// headers override the signed ones and verifies again: a tampered request that keeps the
// signature and still verifies must be the same signed request.
#include <map>
#include <optional>
#include <string>

#include "core/attest/operator_auth.h"
#include "core/crypto/keys.h"
#include "tests/fuzz/fuzz.h"

namespace {

using namespace leea;
constexpr int64_t kNow = 1767225600;

struct Request {
  std::string method, path, body;
  std::map<std::string, std::string> headers;
};

Request parse(std::string_view t) {
  Request r;
  auto line = [&]() {
    size_t nl = t.find('\n');
    std::string_view l = t.substr(0, nl);
    t = nl == std::string_view::npos ? std::string_view{} : t.substr(nl + 1);
    return l;
  };
  auto first = line();
  size_t sp = first.find(' ');
  r.method = std::string(first.substr(0, sp));
  if (sp != std::string_view::npos) r.path = std::string(first.substr(sp + 1));
  while (!t.empty()) {
    auto h = line();
    if (h.empty()) break;
    size_t colon = h.find(": ");
    if (colon == std::string_view::npos) continue;
    r.headers[std::string(h.substr(0, colon))] = std::string(h.substr(colon + 2));
  }
  r.body = std::string(t);
  return r;
}

struct Fixture {
  crypto::PrivateKey key;
  std::vector<attest::TrustedOperator> operators;
};

const Fixture& fixture() {
  static const Fixture f = [] {
    auto key = fuzz::test_key(0);
    std::vector<attest::TrustedOperator> ops{{"ops", key.public_key()}};
    return Fixture{std::move(key), std::move(ops)};
  }();
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const auto& f = fixture();
  const std::string body = R"({"order":"id: fuzz-order\n"})";
  for (const char* method : {"PUT", "DELETE"}) {
    auto h = attest::sign_operator_request(f.key, "ops", "v1", method, "/v1/orders/fuzz-order",
                                           body, kNow);
    fuzz::require(h.has_value(), "cannot sign the seed request");
    std::string text = std::string(method) + " /v1/orders/fuzz-order\n";
    for (const auto& [name, value] : fuzz::lower_names(*h)) text += name + ": " + value + "\n";
    text += "\n" + body;
    fuzz::write_seed(std::string("signed-") + method, std::string(1, '\0') + text);
    fuzz::write_seed(std::string("sign-") + method, std::string(1, '\1') + text);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& f = fixture();
  auto in = fuzz::select(data, size);
  Request r = parse(fuzz::text(in.rest.data(), in.rest.size()));
  if ((in.selector & 1) == 0) {
    (void)attest::verify_operator_request(r.headers, "v1", r.method, r.path, r.body, f.operators,
                                          kNow);
    return 0;
  }
  auto signed_mixed =
      attest::sign_operator_request(f.key, "ops", "v1", r.method, r.path, r.body, kNow);
  if (!signed_mixed) return 0;
  auto signed_headers = std::optional(fuzz::lower_names(*signed_mixed));
  auto good = attest::verify_operator_request(*signed_headers, "v1", r.method, r.path, r.body,
                                              f.operators, kNow);
  fuzz::require(good.has_value(), "a request signed here does not verify");
  auto elsewhere = attest::verify_operator_request(*signed_headers, "v2", r.method, r.path, r.body,
                                                   f.operators, kNow);
  fuzz::require(!elsewhere.has_value(), "a request signed for v1 verifies at v2");
  auto tampered = *signed_headers;
  for (const auto& [name, value] : r.headers) tampered[name] = value;
  auto t =
      attest::verify_operator_request(tampered, "v1", r.method, r.path, r.body, f.operators, kNow);
  // Whatever else was changed, a request that keeps this signature and still verifies is
  // the request that was signed: the replay cache keys on request_hash, so two verifying
  // forms of one signature must share it. (Inputs carrying another genuine signature, as the
  // seeds do, verify as the request that signature was made for.)
  bool same_signature = tampered["x-leea-signature"] == (*signed_headers)["x-leea-signature"];
  fuzz::require(
      !t || !same_signature || (t->request_hash == good->request_hash && t->operator_id == "ops"),
      "a tampered request verifies as a different request");
  return 0;
}
