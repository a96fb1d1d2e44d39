// Share manifests and sealed shares (core/attest/manifest.h, seal.h). Selector 0: a signed
// manifest document, verified with the operator key; one that verifies signs and verifies
// again to the same manifest. 1: a sealed share's text, opened with the VM key under the
// release context and the registration context.
#include <string>

#include "core/attest/manifest.h"
#include "core/attest/seal.h"
#include "core/crypto/secret_bytes.h"
#include "core/util/json.h"
#include "tests/fuzz/fuzz.h"

namespace {

using namespace leea;

struct Fixture {
  crypto::PrivateKey op = fuzz::test_key(0);
  crypto::PrivateKey vm = fuzz::test_key(1);
};

const Fixture& fixture() {
  static const Fixture f;
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const auto& f = fixture();
  attest::ShareManifest m;
  m.order = "fuzz-order";
  m.threshold = 2;
  m.split_id = "0123456789abcdef";
  m.key_check = "0123456789abcdef0123456789abcdef";
  for (int x = 1; x <= 3; ++x) {
    auto line = crypto::SecretBytes::copy_of(json::text_bytes("share line " + std::to_string(x)));
    m.entries.push_back({"v" + std::to_string(x), x, attest::share_hash(line)});
  }
  auto signed_doc = attest::sign_manifest(f.op, m);
  fuzz::require(signed_doc.has_value(), "cannot sign the seed manifest");
  fuzz::write_seed("manifest", std::string(1, '\0') + *signed_doc);
  auto plain = crypto::SecretBytes::copy_of(json::text_bytes("share line 1"));
  auto aad = attest::share_seal_context("fuzz-order", "v1");
  fuzz::require(aad.has_value(), "no seal context");
  auto blob = attest::seal_share(f.vm.public_key(), plain, *aad);
  fuzz::require(blob.has_value(), "cannot seal the seed share");
  fuzz::write_seed("sealed", std::string(1, '\1') + attest::sealed_share_text(*blob));
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& f = fixture();
  auto in = fuzz::select(data, size);
  auto t = fuzz::text(in.rest.data(), in.rest.size());
  if ((in.selector & 1) == 0) {
    auto m = attest::verify_manifest(t, f.op.public_key());
    if (!m) return 0;
    fuzz::require(attest::validate_manifest(*m).has_value(), "a verified manifest is invalid");
    auto again = attest::sign_manifest(f.op, *m);
    fuzz::require(again.has_value(), "a verified manifest cannot be signed");
    auto back = attest::verify_manifest(*again, f.op.public_key());
    fuzz::require(back.has_value() && *back == *m, "a re-signed manifest differs");
    return 0;
  }
  auto blob = attest::sealed_share_from_text(t);
  if (!blob) return 0;
  for (auto aad : {attest::share_seal_context("fuzz-order", "v1"),
                   attest::share_registration_context("fuzz-order", "v1")}) {
    fuzz::require(aad.has_value(), "no seal context");
    (void)attest::open_share(f.vm, *blob, *aad);
  }
  return 0;
}
