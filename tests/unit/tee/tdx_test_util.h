// Helpers shared by the TDX unit tests: the real quotes and collateral of shared/testdata,
// their pinned verification times (from each PROVENANCE.md), and check look-up.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/tee/evidence.h"
#include "tests/support/temp_dir.h"

namespace leea::tee::tdx::test {

inline const std::string kTdx = std::string(LEEA_TESTDATA_DIR) + "/tdx/";

// Unix seconds of the times the PROVENANCE.md files give.
inline constexpr int64_t k2023_07_01_0100 = 1688173200;  // gtg-v4-spr (upstream's pinned time)
inline constexpr int64_t k2025_01_01 = 1735689600;
inline constexpr int64_t k2025_07_01 = 1751328000;  // phala-v4-uptodate
inline constexpr int64_t k2025_11_01 = 1761955200;  // trustee quote 6
inline constexpr int64_t k2026_03_01 = 1772323200;  // phala-v5-no-tcb-match
inline constexpr int64_t k2026_11_25 = 1795564800;  // the real date these tests were written

inline std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline std::string read_text(const std::string& path) {
  auto b = read_bytes(path);
  return {b.begin(), b.end()};
}

// The check with this name, or nullptr.
inline const Check* find_check(const Verification& v, const std::string& name) {
  for (const auto& c : v.checks) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

inline ::testing::AssertionResult passed(const Verification& v, const std::string& name) {
  const Check* c = find_check(v, name);
  if (c == nullptr) return ::testing::AssertionFailure() << name << " was not made";
  if (!c->ok) return ::testing::AssertionFailure() << name << " failed: " << c->detail;
  return ::testing::AssertionSuccess();
}

inline ::testing::AssertionResult failed(const Verification& v, const std::string& name) {
  const Check* c = find_check(v, name);
  if (c == nullptr) return ::testing::AssertionFailure() << name << " was not made";
  if (c->ok) return ::testing::AssertionFailure() << name << " passed";
  return ::testing::AssertionSuccess();
}

}  // namespace leea::tee::tdx::test
