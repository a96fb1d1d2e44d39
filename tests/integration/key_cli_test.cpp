// Runs the built leea binary: exit codes, stdout and stderr of `leea key split/combine`.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace leea {
namespace {

using test::leea;
using test::read_file;
using test::TempDir;
using test::write_file;

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

std::string random_bytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

unsigned mode_of(const std::filesystem::path& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return st.st_mode & 07777;
}

TEST(KeyCli, SplitPrintsOneShareALineAndAnyThresholdCombines) {
  std::string secret = random_bytes(32, 1);
  secret[3] = '\0';
  auto split = leea({"key", "split", "--threshold", "3", "--shares", "5"}, secret);
  ASSERT_EQ(split.exit_code, 0) << split.err;
  EXPECT_EQ(split.err, "");
  auto shares = lines(split.out);
  ASSERT_EQ(shares.size(), 5u);
  for (size_t i = 0; i < shares.size(); ++i) {
    EXPECT_EQ(shares[i].rfind("leea1.k3.x" + std::to_string(i + 1) + ".", 0), 0u);
  }
  auto combine = leea({"key", "combine"}, shares[4] + "\n" + shares[1] + "\n" + shares[2] + "\n");
  ASSERT_EQ(combine.exit_code, 0) << combine.err;
  EXPECT_EQ(combine.out, secret);
  EXPECT_EQ(combine.err, "");
}

TEST(KeyCli, SplitToFilesAndCombineToAFileKeepMode0600) {
  TempDir dir;
  std::string secret = random_bytes(300000, 2);
  write_file(dir / "secret", secret);
  auto split = leea({"key", "split", "-k", "2", "-n", "3", "--in", (dir / "secret").string(),
                     "--out-dir", (dir / "shares").string()});
  ASSERT_EQ(split.exit_code, 0) << split.err;
  EXPECT_EQ(split.out, "");
  for (int x = 1; x <= 3; ++x) {
    EXPECT_EQ(mode_of(dir / "shares" / ("share-" + std::to_string(x))), 0600u);
  }
  EXPECT_EQ(mode_of(dir / "shares"), 0700u);
  auto combine = leea({"key", "combine", "--out", (dir / "back").string(),
                       (dir / "shares/share-3").string(), (dir / "shares/share-1").string()});
  ASSERT_EQ(combine.exit_code, 0) << combine.err;
  EXPECT_EQ(read_file(dir / "back"), secret);
  EXPECT_EQ(mode_of(dir / "back"), 0600u);
}

// Writes n pseudo-random bytes to p in 1 MiB pieces, so the test itself stays small.
void write_random_file(const std::filesystem::path& p, size_t n, unsigned seed) {
  std::ofstream f(p, std::ios::binary);
  for (size_t done = 0; done < n; done += 1u << 20) {
    std::string piece = random_bytes(std::min<size_t>(1u << 20, n - done), seed++);
    f.write(piece.data(), static_cast<std::streamsize>(piece.size()));
  }
}

bool same_files(const std::filesystem::path& a, const std::filesystem::path& b) {
  std::ifstream fa(a, std::ios::binary), fb(b, std::ios::binary);
  std::vector<char> ba(1u << 20), bb(1u << 20);
  for (;;) {
    fa.read(ba.data(), static_cast<std::streamsize>(ba.size()));
    fb.read(bb.data(), static_cast<std::streamsize>(bb.size()));
    if (fa.gcount() != fb.gcount()) return false;
    if (fa.gcount() == 0) return true;
    if (!std::equal(ba.begin(), ba.begin() + fa.gcount(), bb.begin())) return false;
  }
}

TEST(KeyCli, LargeSecretsStreamInBoundedMemory) {
  // 96 MiB through split and combine: the peak resident size stays far below the secret.
#if defined(__SANITIZE_ADDRESS__)
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

TEST(KeyCli, PrintingSharesOfAHugeSecretAsksForOutDir) {
  TempDir dir;
  write_random_file(dir / "big", (64u << 20) + 1, 5);
  auto r = leea({"key", "split", "-k", "2", "-n", "2", "--in", (dir / "big").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty());
  EXPECT_EQ(r.err,
            "leea: error: key split: the secret is larger than 64.0 MiB; use --out-dir "
            "DIR to write its shares to files\n");
}

TEST(KeyCli, SplitRefusesToOverwriteShareFilesWithoutForce) {
  TempDir dir;
  write_file(dir / "secret", "s3cret");
  std::vector<std::string> args = {"key",       "split",
                                   "-k",        "2",
                                   "-n",        "2",
                                   "--in",      (dir / "secret").string(),
                                   "--out-dir", dir.path().string()};
  ASSERT_EQ(leea(args).exit_code, 0);
  std::string before = read_file(dir / "share-1");
  auto again = leea(args);
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_EQ(again.err, "leea: error: key split: " + (dir / "share-1").string() +
                           ": already exists (use --force to replace)\n");
  EXPECT_EQ(read_file(dir / "share-1"), before);
  args.push_back("--force");
  EXPECT_EQ(leea(args).exit_code, 0);
  EXPECT_NE(read_file(dir / "share-1"), before);
}

TEST(KeyCli, JsonSummaryNamesFilesButNeverShares) {
  TempDir dir;
  auto r = leea({"key", "split", "-k", "2", "-n", "3", "--out-dir", dir.path().string(), "--json"},
                "secret");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"split_id\""), std::string::npos);
  EXPECT_NE(r.out.find("share-3"), std::string::npos);
  EXPECT_EQ(r.out.find("leea1."), std::string::npos);
}

struct BadInput {
  std::string name;
  std::vector<std::string> args;
  std::string input;
  int exit_code;
  std::string err;
};

void PrintTo(const BadInput& c, std::ostream* os) { *os << c.name; }

class KeyCliRefuses : public ::testing::TestWithParam<BadInput> {};

TEST_P(KeyCliRefuses, WithOneLineAndItsExitCode) {
  const auto& c = GetParam();
  auto r = leea(c.args, c.input);
  EXPECT_EQ(r.exit_code, c.exit_code) << r.err;
  EXPECT_EQ(r.err, c.err);
  EXPECT_EQ(r.out, "");
}

INSTANTIATE_TEST_SUITE_P(
    Cases, KeyCliRefuses,
    ::testing::Values(
        BadInput{"EmptySecret",
                 {"key", "split", "-k", "2", "-n", "3"},
                 "",
                 2,
                 "leea: error: key split: the secret is empty\n"},
        BadInput{"ThresholdOne",
                 {"key", "split", "-k", "1", "-n", "3"},
                 "x",
                 2,
                 "leea: error: key split: threshold must be at least 2 (a threshold of 1 would "
                 "copy the secret)\n"},
        BadInput{"ThresholdAboveShares",
                 {"key", "split", "-k", "4", "-n", "3"},
                 "x",
                 2,
                 "leea: error: key split: threshold 4 is larger than the number of shares 3\n"},
        BadInput{"TooManyShares",
                 {"key", "split", "-k", "2", "-n", "256"},
                 "x",
                 2,
                 "leea: error: key split: at most 255 shares (GF(2^8) has 255 non-zero x)\n"},
        BadInput{"MissingInput",
                 {"key", "split", "-k", "2", "-n", "3", "--in", "/nonexistent"},
                 "",
                 1,
                 "leea: error: key split: /nonexistent: No such file or directory\n"},
        BadInput{"UnknownFormat",
                 {"key", "split", "-k", "2", "-n", "3", "--format", "pem"},
                 "x",
                 2,
                 "leea: error: key split: unknown share format 'pem' (expected leea or vault)\n"},
        BadInput{"BinaryShare",
                 {"key", "combine"},
                 std::string("\x7f"
                             "ELF\x02\x01\x00",
                             7),
                 3,
                 "leea: error: key combine: stdin:1: not a leea share (leea shares start with "
                 "'leea1.'; Vault unseal keys need --format vault)\n"},
        BadInput{
            "NoShares", {"key", "combine"}, "", 3, "leea: error: key combine: no shares given\n"},
        BadInput{"MissingShareFile",
                 {"key", "combine", "/nonexistent/share-1"},
                 "",
                 1,
                 "leea: error: key combine: /nonexistent/share-1: No such file or directory\n"}),
    [](const auto& p) { return p.param.name; });

TEST(KeyCli, CombineRefusesAZeroByteShareFile) {
  TempDir dir;
  write_file(dir / "empty", "");
  auto r = leea({"key", "combine", (dir / "empty").string()});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "leea: error: key combine: " + (dir / "empty").string() +
                       ": empty file, not a share\n");
}

TEST(KeyCli, CombineRefusesFewerThanThresholdShares) {
  auto split = leea({"key", "split", "-k", "3", "-n", "5"}, "secret");
  auto shares = lines(split.out);
  auto r = leea({"key", "combine"}, shares[0] + "\n" + shares[1] + "\n");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("need 3 shares of split "), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(KeyCli, CombineNamesTheLineWithAMistypedShare) {
  auto shares = lines(leea({"key", "split", "-k", "2", "-n", "3"}, "secret").out);
  // A typo in the payload, then one in the split id: both are reported as the typo.
  for (size_t at : {shares[1].size() - 12, size_t{20}}) {
    std::string typo = shares[1];
    typo[at] = typo[at] == 'a' ? 'b' : 'a';
    auto r = leea({"key", "combine"}, shares[0] + "\n" + typo + "\n");
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_EQ(r.err,
              "leea: error: key combine: stdin:2: bad checksum (share mistyped, "
              "truncated or altered)\n");
    EXPECT_EQ(r.out, "");
  }
}

TEST(KeyCli, CombineReadsVaultUnsealKeys) {
  auto r = leea({"key", "combine", "--format", "vault"},
                "67442ef838a57cbc3063a487d7ca861cf490b9026f5f3a41be\n"
                "9ef082cd4f3456dc4bf161460a7cd5f580ed1fd426fa3ff5d7\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "SayHelloToMyLittleFriend");
}

TEST(KeyCli, VaultSplitRoundTrips) {
  auto split = leea({"key", "split", "-k", "2", "-n", "4", "--format", "vault"}, "unseal-me");
  ASSERT_EQ(split.exit_code, 0) << split.err;
  auto shares = lines(split.out);
  ASSERT_EQ(shares.size(), 4u);
  auto r = leea({"key", "combine", "--format", "vault"}, shares[3] + "\n" + shares[0] + "\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "unseal-me");
}

TEST(KeyCli, HelpTeachesByExampleAndExitsZero) {
  auto r = leea({"key", "split", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("Examples:"), std::string::npos);
  EXPECT_NE(r.out.find("--threshold"), std::string::npos);
  auto top = leea({"--help"});
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_NE(top.out.find("key"), std::string::npos);
}

TEST(KeyCli, VersionPrintsTheVersion) {
  auto r = leea({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("leea ", 0), 0u);
}

TEST(KeyCli, UnknownFlagIsAUsageError) {
  auto r = leea({"key", "split", "--thresold", "3"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.rfind("leea: error: ", 0), 0u) << r.err;
}

}  // namespace
}  // namespace leea
