#include "core/boot/elf.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "tests/support/process.h"
#include "tests/support/swtpm.h"
#include "tests/support/temp_dir.h"

namespace leea::boot {
namespace {

// ldd (the loader itself) is the independent check: leea's resolution of its own binary
// must name exactly the libraries the loader maps.
TEST(ResolveLibraries, MatchesTheDynamicLoaderForLeea) {
#ifdef LEEA_SANITIZED
  GTEST_SKIP() << "the sanitized leea binary is larger than the 256 MiB an ELF file may be";
#endif
  if (!test::have_program("ldd")) GTEST_SKIP() << "ldd not installed";
  auto ldd = test::run({"/usr/bin/ldd", LEEA_BINARY});
  ASSERT_EQ(ldd.exit_code, 0) << ldd.err;
  std::set<std::string> expected;
  std::istringstream lines(ldd.out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.find("linux-vdso") != std::string::npos) continue;
    auto arrow = line.find("=> ");
    std::string path = arrow != std::string::npos ? line.substr(arrow + 3) : line;
    path = path.substr(path.find_first_not_of(" \t"));
    path = path.substr(0, path.find(" ("));
    expected.insert(std::filesystem::canonical(path).string());
  }
  std::vector<std::filesystem::path> files = {LEEA_BINARY};
  auto libs = resolve_libraries(files);
  ASSERT_TRUE(libs) << libs.error().message;
  std::set<std::string> got;
  for (const auto& l : *libs) got.insert(std::filesystem::canonical(l.path).string());
  EXPECT_EQ(got, expected);
}

TEST(ReadElf, StaticBusyboxHasNoInterpreter) {
  if (!std::filesystem::exists("/bin/busybox")) GTEST_SKIP() << "busybox-static not installed";
  auto text = test::read_file("/bin/busybox");
  auto info =
      read_elf(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()), "busybox");
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->interpreter, "");
  EXPECT_TRUE(info->needed.empty());
}

TEST(ReadElf, RefusesTruncatedAndForeignFiles) {
  auto text = test::read_file(LEEA_BINARY);
  std::vector<uint8_t> b(text.begin(), text.begin() + 64);
  EXPECT_FALSE(read_elf(b, "leea"));  // program headers cut off
  std::vector<uint8_t> script = {'#', '!', '/', 'b', 'i', 'n'};
  auto r = read_elf(script, "init");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("init: not a usable ELF64 file"), std::string::npos);
}

TEST(ResolveLibraries, NamesTheMissingLibraryAndWhoNeedsIt) {
#ifdef LEEA_SANITIZED
  GTEST_SKIP() << "the sanitized leea binary is larger than the 256 MiB an ELF file may be";
#endif
  std::vector<std::filesystem::path> files = {LEEA_BINARY};
  test::TempDir empty;
  auto r = resolve_libraries(files, {empty.path().string()});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::io);
  EXPECT_NE(r.error().message.find("(needed by leea): not found in"), std::string::npos)
      << r.error().message;
}

}  // namespace
}  // namespace leea::boot
