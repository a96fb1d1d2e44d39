// What every fuzz harness shares: the libFuzzer entry points, and views of the input.
//
// Each harness is one file, <name>_fuzz.cpp, defining LLVMFuzzerTestOneInput (and
// LLVMFuzzerInitialize where it needs a fixed key or a validator). Built with clang and
// -fsanitize=fuzzer it is a libFuzzer binary; built with any compiler and replay_main.cpp
// it replays a corpus, so that every build runs the committed inputs (tests/fuzz/README).
// A harness asserts the parser's contract, not just that it returns: a failed invariant
// is an abort(), which both drivers report as a crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <string_view>

#include "core/crypto/keys.h"
#include "core/crypto/secret_bytes.h"
#include "core/shamir/io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
// Optional; libFuzzer and replay_main.cpp call it once, before the first input.
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace leea::fuzz {

inline std::span<const uint8_t> bytes(const uint8_t* data, size_t size) { return {data, size}; }

inline std::string_view text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Aborts with a message when an invariant of the code under test does not hold.
inline void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz invariant failed: %s\n", what);
    std::abort();
  }
}

// The input split at its first byte: a selector and the rest.
struct Selected {
  uint8_t selector = 0;
  std::span<const uint8_t> rest;
};
inline Selected select(const uint8_t* data, size_t size) {
  if (size == 0) return {};
  return {data[0], {data + 1, size - 1}};
}

// Header names in lower case, as the server hands them to handlers.
template <typename Map>
Map lower_names(const Map& headers) {
  Map out;
  for (const auto& [name, value] : headers) {
    std::string n = name;
    for (auto& c : n) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    out[n] = value;
  }
  return out;
}

// An order for the sim evidence kind that the sim producer's evidence satisfies.
inline constexpr const char* kSimOrderYaml = R"(version: 1
id: fuzz-order
tee: sim
reference:
  digests:
    sim.launch_measurement: "sha384:9c109f17c252c9149c19ae76eb9a3218648d3cf2990fafb13747f19e2a5d92c3a34eb48d25d582695fe015707cf52110"
  allowed:
    sim.platform: [leea-sim]
)";

// Share text collected in a string: the harnesses' inputs are not secrets.
class StringSink final : public shamir::TextSink {
 public:
  Result<void> write(std::span<const char> piece) override {
    text.append(piece.data(), piece.size());
    return {};
  }
  std::string text;
};

// Fixed P-256 keys, for fuzzing only, so that inputs signed by a harness stay valid in the
// committed corpus from one run to the next. Key 0 signs tokens and operator requests, key 1
// is a VM's ephemeral key.
inline constexpr const char* kTestKeys[2] = {
    R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgJPnEH0oudfFwjj7M
JzLdzBp6aREpdEFLWIXZOKsbPiShRANCAATVYCgvfezAZ2YLVqKIGI8HWIuDqgdK
lZMa41bYJ1pKjU3mkCeNIuvP7rzU1Cv5mvXDwsnOxK/B6kjkdVuUrsVO
-----END PRIVATE KEY-----
)",
    R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgtxkZXkwO1S1DvDsX
1uOGBWUzH9HBu3NVgZyloEtd1FChRANCAAToWUARZB+8rUzrXGv9nROerLfiCNwk
z91UrKmOdRN5FBnzpPKYMXLik+xa/tw6WBNaRluuhjqpUSM0ieKZ/a+k
-----END PRIVATE KEY-----
)",
};

inline crypto::PrivateKey test_key(int which) {
  std::string_view pem = kTestKeys[which];
  auto key = crypto::PrivateKey::from_pem(
      crypto::SecretBytes::copy_of({reinterpret_cast<const uint8_t*>(pem.data()), pem.size()}),
      "fuzz test key");
  require(key.has_value(), "a fixed test key does not load");
  return std::move(*key);
}

// When LEEA_FUZZ_WRITE_SEEDS names a directory, writes content there as name: how a harness
// whose valid inputs need its own keys (signed tokens, requests) makes its seed corpus
// (tests/fuzz/make-seeds).
inline void write_seed(const std::string& name, std::string_view content) {
  const char* dir = std::getenv("LEEA_FUZZ_WRITE_SEEDS");
  if (dir == nullptr || *dir == 0) return;
  std::ofstream out(std::filesystem::path(dir) / name, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  require(out.good(), "cannot write a seed");
}

}  // namespace leea::fuzz
