// Runs the built leea binary on large secrets and many shares: the limits on printed
// shares, and memory that stays bounded whatever the size.
#include <gtest/gtest.h>

#include <string>

#include "tests/integration/key_cli_helpers.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace leea {
namespace {

using test::leea;
using test::read_file;
using test::TempDir;
using test::write_file;
using namespace test;  // NOLINT: key_cli_helpers.h is this test's vocabulary

TEST(KeyCli, LargeSecretsStreamInBoundedMemory) {
  // 96 MiB through split and combine: the peak resident size stays far below the secret.
#if defined(LEEA_SANITIZED)
  GTEST_SKIP() << "peak RSS is not meaningful under AddressSanitizer (shadow memory)";
#endif
  TempDir dir;
  write_random_file(dir / "big", 96u << 20, 4);
  auto split = leea({"key", "split", "-k", "3", "-n", "5", "--in", (dir / "big").string(),
                     "--out-dir", (dir / "s").string()});
  ASSERT_EQ(split.exit_code, 0) << split.err;
  EXPECT_LT(split.max_rss_kib, 40 * 1024);
  auto combine =
      leea({"key", "combine", "--out", (dir / "back").string(), (dir / "s/share-2").string(),
            (dir / "s/share-4").string(), (dir / "s/share-5").string()});
  ASSERT_EQ(combine.exit_code, 0) << combine.err;
  EXPECT_LT(combine.max_rss_kib, 40 * 1024);
  EXPECT_TRUE(same_files(dir / "big", dir / "back"));
}

// The bytes `leea key split -k K -n N` prints for a secret of s bytes (see share_text.h).
uint64_t printed_size(uint64_t s, int k, int n) {
  uint64_t total = 0;
  for (int x = 1; x <= n; ++x) {
    // "leea1." "kK." "xX." 16 hex digits "." payload "." 8 hex digits "\n"
    uint64_t header = 6 + std::to_string(k).size() + 2 + std::to_string(x).size() + 2 + 17;
    total += header + (4 * s + 2) / 3 + 10;
  }
  return total;
}

constexpr uint64_t kPrintLimit = 64u << 20;

// The longest secret whose printed shares stay within the limit.
uint64_t largest_printable_secret(int k, int n) {
  uint64_t lo = 1, hi = kPrintLimit;
  while (lo < hi) {
    uint64_t mid = (lo + hi + 1) / 2;
    if (printed_size(mid, k, n) <= kPrintLimit) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo;
}

const std::string kTooLargeToPrint =
    "leea: error: key split: the shares are larger than 64 MiB in all; use --out-dir DIR to "
    "write them to files\n";

TEST(KeyCli, PrintingSharesOfAHugeSecretAsksForOutDir) {
  TempDir dir;
  write_random_file(dir / "big", (64u << 20) + 1, 5);
  auto r = leea({"key", "split", "-k", "2", "-n", "2", "--in", (dir / "big").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty());
  EXPECT_EQ(r.err, kTooLargeToPrint);
}

TEST(KeyCli, WhateverSplitPrintsCombineReadsBack) {
  TempDir dir;
  const uint64_t most = largest_printable_secret(3, 5);  // about 9.6 MiB
  write_random_file(dir / "secret", most, 6);
  auto split = leea({"key", "split", "-k", "3", "-n", "5", "--in", (dir / "secret").string()});
  ASSERT_EQ(split.exit_code, 0) << split.err;
  ASSERT_EQ(split.out.size(), printed_size(most, 3, 5));
  // `head -n 3`, as a file, as a regular file on stdin, and all five through a pipe.
  write_file(dir / "three", split.out.substr(0, split.out.size() / 5 * 3));
  auto from_file =
      leea({"key", "combine", "--out", (dir / "a").string(), (dir / "three").string()});
  ASSERT_EQ(from_file.exit_code, 0) << from_file.err;
  EXPECT_TRUE(same_files(dir / "secret", dir / "a"));
  auto from_stdin =
      test::leea_with_stdin_file({"key", "combine", "--out", (dir / "b").string()}, dir / "three");
  ASSERT_EQ(from_stdin.exit_code, 0) << from_stdin.err;
  EXPECT_TRUE(same_files(dir / "secret", dir / "b"));
  auto from_pipe = leea({"key", "combine", "--out", (dir / "c").string()}, split.out);
  ASSERT_EQ(from_pipe.exit_code, 0) << from_pipe.err;
  EXPECT_TRUE(same_files(dir / "secret", dir / "c"));
  // One byte more and the shares no longer fit.
  write_random_file(dir / "secret", most + 1, 6);
  auto over = leea({"key", "split", "-k", "3", "-n", "5", "--in", (dir / "secret").string()});
  EXPECT_EQ(over.exit_code, 2);
  EXPECT_EQ(over.out, "");
  EXPECT_EQ(over.err, kTooLargeToPrint);
}

TEST(KeyCli, PrintingSharesOfAnEndlessInputStopsAtTheLimit) {
  auto r = leea({"key", "split", "-k", "2", "-n", "3", "--in", "/dev/zero"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, kTooLargeToPrint);
}

TEST(KeyCli, PrintingManySharesStaysWithinTheLimitInMemory) {
#if defined(LEEA_SANITIZED)
  GTEST_SKIP() << "peak RSS is not meaningful under AddressSanitizer (shadow memory)";
#endif
  // 255 shares of a secret just over the limit: refused, holding at most the 64 MiB of
  // text and 16 MiB of share rows.
  std::string secret = random_bytes(largest_printable_secret(2, 255) + 1, 7);
  auto r = leea({"key", "split", "-k", "2", "-n", "255"}, secret);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, kTooLargeToPrint);
  EXPECT_LT(r.max_rss_kib, 100 * 1024);
}

TEST(KeyCli, SplittingIntoManyShareFilesStaysSmallInMemory) {
#if defined(LEEA_SANITIZED)
  GTEST_SKIP() << "peak RSS is not meaningful under AddressSanitizer (shadow memory)";
#endif
  TempDir dir;
  auto r = leea({"key", "split", "-k", "2", "-n", "255", "--out-dir", dir.path().string()},
                random_bytes(300000, 8));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LT(r.max_rss_kib, 40 * 1024);
}

TEST(KeyCli, ShareFilesOfAnySizeCombineOneShareALineInBoundedMemory) {
#if defined(LEEA_SANITIZED)
  GTEST_SKIP() << "peak RSS is not meaningful under AddressSanitizer (shadow memory)";
#endif
  // Five share lines of about 27 MiB in one file (a 20 MiB secret at 3-of-5), and the
  // first three of them (`head -n 3`).
  TempDir dir;
  write_random_file(dir / "secret", 20u << 20, 9);
  auto split = leea({"key", "split", "-k", "3", "-n", "5", "--in", (dir / "secret").string(),
                     "--out-dir", (dir / "s").string()});
  ASSERT_EQ(split.exit_code, 0) << split.err;
  std::string all;
  for (int x = 1; x <= 5; ++x) {
    all += read_file(dir / "s" / ("share-" + std::to_string(x)));
    if (x == 3) write_file(dir / "three", all);
  }
  write_file(dir / "all", all);
  std::string().swap(all);  // out of this process's memory, which leea's peak includes
  int n = 0;
  for (const char* name : {"three", "all"}) {
    std::string out = (dir / ("back-" + std::to_string(++n))).string();
    auto r = leea({"key", "combine", "--out", out, (dir / name).string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_LT(r.max_rss_kib, 40 * 1024) << name;
    EXPECT_TRUE(same_files(dir / "secret", out)) << name;
  }
  auto r = test::leea_with_stdin_file({"key", "combine", "--out", (dir / "back-3").string()},
                                      dir / "all");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LT(r.max_rss_kib, 40 * 1024);
  EXPECT_TRUE(same_files(dir / "secret", dir / "back-3"));
}

TEST(KeyCli, SharesOnAPipeBeyondTheLimitAskForShareFiles) {
  std::string text(kPrintLimit + 1, '\n');
  auto r = leea({"key", "combine"}, text);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err,
            "leea: error: key combine: standard input: share text larger than 64 MiB; pass "
            "share files instead\n");
}

}  // namespace
}  // namespace leea
