// Runs the built leea binary: exit codes, stdout and stderr of `leea key split/combine`.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <csignal>
#include <filesystem>

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
        BadInput{"InputIsADirectory",
                 {"key", "split", "-k", "2", "-n", "3", "--in", "/"},
                 "",
                 1,
                 "leea: error: key split: /: Is a directory\n"},
        BadInput{"EmptyOutDir",
                 {"key", "split", "-k", "2", "-n", "3", "--out-dir", ""},
                 "x",
                 2,
                 "leea: error: --out-dir: DIR must not be empty (run 'leea --help')\n"},
        BadInput{"EmptyOut",
                 {"key", "combine", "--out", ""},
                 "",
                 2,
                 "leea: error: --out: FILE must not be empty (run 'leea --help')\n"},
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

TEST(KeyCli, CombineRefusesMoreInputsThanASplitCanHaveBeforeOpeningThem) {
  // Each input gets a locked buffer; a file repeating one line must not make thousands.
  auto shares = lines(leea({"key", "split", "-k", "2", "-n", "3"}, "secret").out);
  std::string many;
  for (int i = 0; i < 256; ++i) many += shares[0] + "\n";
  auto r = leea({"key", "combine"}, many);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err,
            "leea: error: key combine: more than 255 shares given; a split makes at most 255\n");
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

TEST(KeyCli, ParseErrorsAreOneLineAndAUsageError) {
  auto r = leea({"key", "split", "-k", "2", "-n", "3", "--thresold"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "leea: error: The following argument was not expected: --thresold (run 'leea "
            "--help')\n");
  auto missing = leea({"key", "split", "-n", "3"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(missing.err, "leea: error: --threshold is required (run 'leea --help')\n");
}

// Valid shares of "secret" on files in dir, for the output tests.
std::vector<std::string> share_files(const TempDir& dir) {
  auto r =
      leea({"key", "split", "-k", "2", "-n", "2", "--out-dir", (dir / "s").string()}, "secret");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return {(dir / "s/share-1").string(), (dir / "s/share-2").string()};
}

TEST(KeyCli, OutputNeverReplacesAFifoADirectoryADeviceOrASymlink) {
  TempDir dir;
  auto shares = share_files(dir);
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0600), 0);
  std::filesystem::create_directory(dir / "dir");
  write_file(dir / "target", "keep");
  std::filesystem::create_symlink(dir / "target", dir / "link");
  for (std::string path : {(dir / "fifo").string(), (dir / "dir").string(), (dir / "link").string(),
                           std::string("/dev/null")}) {
    for (bool force : {false, true}) {
      std::vector<std::string> args = {"key", "combine", "--out", path, shares[0], shares[1]};
      if (force) args.push_back("--force");
      auto r = leea(args);
      EXPECT_EQ(r.exit_code, 1) << path;
      EXPECT_EQ(r.err, "leea: error: key combine: " + path +
                           ": not a regular file; refusing to replace it\n");
    }
  }
  EXPECT_TRUE(std::filesystem::is_fifo(dir / "fifo"));
  EXPECT_TRUE(std::filesystem::is_symlink(dir / "link"));
  EXPECT_EQ(read_file(dir / "target"), "keep");
}

TEST(KeyCli, SplitWithForceNeverReplacesAShareFileThatIsNotARegularFile) {
  TempDir dir;
  std::filesystem::create_directory(dir / "s");
  ASSERT_EQ(::mkfifo((dir / "s/share-2").c_str(), 0600), 0);
  auto r =
      leea({"key", "split", "-k", "2", "-n", "3", "--out-dir", (dir / "s").string(), "--force"},
           "secret");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "leea: error: key split: " + (dir / "s/share-2").string() +
                       ": not a regular file; refusing to replace it\n");
  EXPECT_TRUE(std::filesystem::is_fifo(dir / "s/share-2"));
  EXPECT_FALSE(std::filesystem::exists(dir / "s/share-1"));
}

TEST(KeyCli, CombineRefusesAnExistingOutFileBeforeReadingAnyShare) {
  TempDir dir;
  write_file(dir / "disk.key", "old");
  auto r = leea({"key", "combine", "--out", (dir / "disk.key").string()}, "not a share\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "leea: error: key combine: " + (dir / "disk.key").string() +
                       ": already exists (use --force to replace)\n");
  auto shares = share_files(dir);
  auto forced = leea(
      {"key", "combine", "--force", "--out", (dir / "disk.key").string(), shares[0], shares[1]});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(read_file(dir / "disk.key"), "secret");
}

TEST(KeyCli, CombineOutDashIsStandardOutput) {
  TempDir dir;
  auto shares = share_files(dir);
  auto r = leea({"key", "combine", "--out", "-", shares[1], shares[0]});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "secret");
  EXPECT_FALSE(std::filesystem::exists("-"));
}

TEST(KeyCli, SplitRemovesTheShareDirectoryItCreatedWhenItFails) {
  TempDir dir;
  auto r = leea({"key", "split", "-k", "2", "-n", "3", "--out-dir", (dir / "new").string()}, "");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "leea: error: key split: the secret is empty\n");
  EXPECT_FALSE(std::filesystem::exists(dir / "new"));
  auto kept = leea({"key", "split", "-k", "2", "-n", "3", "--out-dir", dir.path().string()}, "");
  EXPECT_EQ(kept.exit_code, 2);
  EXPECT_TRUE(std::filesystem::is_directory(dir.path()));
}

// The test harness itself: children run as a shell would run them.
TEST(KeyCliHarness, ChildrenGetTheDefaultSigpipeAction) {
  auto r = test::run({"/bin/sh", "-c", "kill -PIPE $$"});
  EXPECT_EQ(r.exit_code, 128 + SIGPIPE);
}

TEST(KeyCliHarness, LargeInputAndOutputTogetherDoNotDeadlock) {
  // The child writes 1 MiB before reading its 1 MiB of input.
  std::string input(1u << 20, 'i');
  auto r = test::run({"/bin/sh", "-c", "head -c 1048576 /dev/zero; wc -c"}, input);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.size(), (1u << 20) + 8);
  EXPECT_EQ(r.out.substr(1u << 20), "1048576\n");
}

}  // namespace
}  // namespace leea
