// Helpers for the stream tests of core/shamir: split into strings, combine from strings,
// forge a share with a valid check.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/shamir/stream.h"
#include "core/util/crc32c.h"
#include "core/util/encoding.h"
#include "tests/support/seeded_random.h"

namespace leea::shamir::test_helpers {

using Bytes = std::vector<uint8_t>;

inline std::shared_ptr<const crypto::SecretBytes> wiped(std::string_view s) {
  return std::make_shared<const crypto::SecretBytes>(crypto::SecretBytes::copy_of(
      std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size())));
}

class StringSink final : public TextSink {
 public:
  Result<void> write(std::span<const char> t) override {
    text.append(t.data(), t.size());
    return {};
  }
  std::string text;
};

// Records what reaches it; can_discard chooses whether combine must verify first.
class RecordingSink final : public SecretSink {
 public:
  explicit RecordingSink(bool discard) : discard_(discard) {}
  Result<void> write(std::span<const uint8_t> b) override {
    bytes.insert(bytes.end(), b.begin(), b.end());
    return {};
  }
  bool can_discard() const override { return discard_; }
  Bytes bytes;

 private:
  bool discard_;
};

inline std::vector<std::string> split_text(const Bytes& secret, SplitParams p,
                                           ShareFormat f = ShareFormat::leea, uint64_t seed = 1) {
  test::SeededRandom rng(seed);
  auto src = memory_source(
      wiped(std::string_view(reinterpret_cast<const char*>(secret.data()), secret.size())), 0,
      secret.size());
  std::vector<StringSink> sinks(static_cast<size_t>(p.shares));
  std::vector<TextSink*> ptrs;
  for (auto& s : sinks) ptrs.push_back(&s);
  SplitOptions options;
  options.params = p;
  options.format = f;
  auto r = split_stream(*src, options, ptrs, rng);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  std::vector<std::string> out;
  for (auto& s : sinks) out.push_back(s.text);
  return out;
}

inline std::vector<ShareInput> inputs(
    const std::vector<std::pair<std::string, std::string>>& named) {
  std::vector<ShareInput> in;
  for (const auto& [name, text] : named) {
    auto buf = wiped(text);
    in.push_back({name, memory_source(buf, 0, buf->size())});
  }
  return in;
}

inline Result<Bytes> combine(const std::vector<std::pair<std::string, std::string>>& named,
                             ShareFormat f = ShareFormat::leea, bool discard = true) {
  auto in = inputs(named);
  RecordingSink sink(discard);
  auto r = combine_stream(in, f, sink);
  if (!r) return std::move(r).error();
  return sink.bytes;
}

// Replaces the payload byte at index i with v and recomputes the check, as a forger who
// knows the format (but not the other shares) would.
inline std::string forge(const std::string& share, size_t i, uint8_t v) {
  size_t p1 = 0;
  for (int dots = 0; dots < 4; ++dots) p1 = share.find('.', p1) + 1;
  size_t p2 = share.find('.', p1);
  Bytes payload = *base64url_decode(share.substr(p1, p2 - p1));
  payload[i] = v;
  std::string header = share.substr(0, p1);
  uint32_t crc = crc32c(payload, crc32c(header));
  char check[9];
  std::snprintf(check, sizeof check, "%08x", crc);
  return header + base64url_encode(payload) + "." + check + "\n";
}

// Flips bits of payload byte i (mask != 0) and recomputes the check.
inline std::string forge_xor(const std::string& share, size_t i, uint8_t mask) {
  size_t p1 = 0;
  for (int dots = 0; dots < 4; ++dots) p1 = share.find('.', p1) + 1;
  size_t p2 = share.find('.', p1);
  Bytes payload = *base64url_decode(share.substr(p1, p2 - p1));
  return forge(share, i, static_cast<uint8_t>(payload[i] ^ mask));
}

// Named shares "s1".."sN" for combine().
inline std::vector<std::pair<std::string, std::string>> named(
    const std::vector<std::string>& shares) {
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i < shares.size(); ++i)
    out.push_back({"s" + std::to_string(i + 1), shares[i]});
  return out;
}

}  // namespace leea::shamir::test_helpers
