#include "core/boot/cpio.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/support/process.h"
#include "tests/support/swtpm.h"
#include "tests/support/temp_dir.h"

namespace leea::boot {
namespace {

std::vector<uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

CpioBuilder sample(bool reversed) {
  CpioBuilder c;
  auto add = [&c](int which) {
    switch (which) {
      case 0:
        EXPECT_TRUE(c.add_file("bin/tool", bytes("#!/bin/sh\necho hi\n"), 0755));
        break;
      case 1:
        EXPECT_TRUE(c.add_symlink("bin/sh", "tool"));
        break;
      case 2:
        EXPECT_TRUE(c.add_file("etc/leea/order", bytes("web\n")));
        break;
      case 3:
        EXPECT_TRUE(c.add_directory("dev"));
        break;
    }
  };
  for (int i = 0; i < 4; ++i) add(reversed ? 3 - i : i);
  return c;
}

std::string text(const std::vector<uint8_t>& b) { return {b.begin(), b.end()}; }

TEST(Cpio, SameEntriesInAnyOrderGiveTheSameBytes) {
  EXPECT_EQ(sample(false).finish(1700000000), sample(true).finish(1700000000));
  EXPECT_NE(sample(false).finish(1700000000), sample(false).finish(1700000001));
}

TEST(Cpio, HeaderFieldsAreFixedAndEntriesSorted) {
  auto a = text(sample(false).finish(0x65000000));
  // First entry: the implied directory "bin", inode 1, mode 040755, owner 0:0, nlink 2.
  EXPECT_EQ(a.substr(0, 6 + 8 * 6),
            "070701"
            "00000001"
            "000041ED"
            "00000000"
            "00000000"
            "00000002"
            "65000000");
  EXPECT_NE(a.find("TRAILER!!!"), std::string::npos);
  EXPECT_EQ(a.size() % 4, 0u);
  EXPECT_LT(a.find("bin/sh"), a.find("bin/tool"));
  EXPECT_LT(a.find("bin/tool"), a.find("dev"));
  EXPECT_LT(a.find("etc/leea"), a.find("etc/leea/order"));
}

TEST(Cpio, RefusesBadPathsAndKindConflicts) {
  CpioBuilder c;
  EXPECT_FALSE(c.add_file("/abs", {}));
  EXPECT_FALSE(c.add_file("a/../b", {}));
  EXPECT_FALSE(c.add_file("a//b", {}));
  EXPECT_FALSE(c.add_file("", {}));
  ASSERT_TRUE(c.add_file("a", {}));
  EXPECT_FALSE(c.add_file("a/b", {}));  // a is a file
  EXPECT_FALSE(c.add_file("a", {}));    // twice
  EXPECT_FALSE(c.add_symlink("l", ""));
}

// GNU cpio, an independent reader, lists and extracts what the builder wrote.
TEST(Cpio, GnuCpioExtractsIt) {
  if (!test::have_program("cpio")) GTEST_SKIP() << "cpio not installed";
  test::TempDir dir;
  test::write_file(dir / "a.cpio", text(sample(false).finish(1700000000)));
  auto list = test::run_with_stdin_file({"/bin/cpio", "-t", "--quiet"}, dir / "a.cpio");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out, "bin\nbin/sh\nbin/tool\ndev\netc\netc/leea\netc/leea/order\n");
  std::filesystem::create_directories(dir / "x");
  auto x = test::run_with_stdin_file(
      {"/bin/sh", "-c", "cd '" + (dir / "x").string() + "' && cpio -idm --quiet"}, dir / "a.cpio");
  ASSERT_EQ(x.exit_code, 0) << x.err;
  EXPECT_EQ(test::read_file(dir / "x/etc/leea/order"), "web\n");
  EXPECT_EQ(test::read_file(dir / "x/bin/tool"), "#!/bin/sh\necho hi\n");
  EXPECT_EQ(std::filesystem::read_symlink(dir / "x/bin/sh"), "tool");
  auto perms = std::filesystem::status(dir / "x/bin/tool").permissions();
  EXPECT_EQ(perms & std::filesystem::perms::owner_exec, std::filesystem::perms::owner_exec);
}

}  // namespace
}  // namespace leea::boot
