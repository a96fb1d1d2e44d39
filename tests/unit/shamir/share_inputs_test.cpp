// Share files and standard input turned into one input per share line.
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "core/shamir/io.h"
#include "tests/support/temp_dir.h"

namespace leea::shamir {
namespace {

// Everything a source yields, read in small pieces.
std::string drain(ByteSource& s) {
  std::string out;
  uint8_t buf[7];
  for (;;) {
    auto n = s.read(buf);
    EXPECT_TRUE(n);
    if (!n || *n == 0) return out;
    out.append(reinterpret_cast<const char*>(buf), *n);
  }
}

struct Line {
  std::string name;
  std::string text;
};

std::vector<Line> open_lines(const std::vector<std::string>& paths) {
  auto inputs = open_share_inputs(paths);
  EXPECT_TRUE(inputs) << inputs.error().message;
  std::vector<Line> out;
  for (auto& in : *inputs) out.push_back({in.name, drain(*in.source)});
  return out;
}

TEST(ShareInputs, GivesOneInputPerNonBlankLineNamedByLine) {
  test::TempDir dir;
  const std::string f = (dir / "shares.txt").string();
  test::write_file(f, "leea1.a\n\n  \t\nleea1.b\r\nleea1.c");
  auto lines = open_lines({f});
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].name, f + ":1");
  EXPECT_EQ(lines[0].text, "leea1.a");
  EXPECT_EQ(lines[1].name, f + ":4");
  EXPECT_EQ(lines[1].text, "leea1.b\r");
  EXPECT_EQ(lines[2].name, f + ":5");
  EXPECT_EQ(lines[2].text, "leea1.c");
}

TEST(ShareInputs, NamesAOneShareFileAfterTheFile) {
  test::TempDir dir;
  const std::string f = (dir / "share-1").string();
  test::write_file(f, "\nleea1.only\n\n");
  auto lines = open_lines({f});
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].name, f);
  EXPECT_EQ(lines[0].text, "leea1.only");
}

TEST(ShareInputs, ReadsLinesLongerThanItsScanBufferInPlaceAndRewinds) {
  test::TempDir dir;
  const std::string f = (dir / "long").string();
  std::string a(200000, 'a'), b(70000, 'b');
  a[65535] = 'X';  // around the scan buffer's edge
  test::write_file(f, a + "\n" + b + "\n");
  auto inputs = open_share_inputs({f});
  ASSERT_TRUE(inputs);
  ASSERT_EQ(inputs->size(), 2u);
  EXPECT_EQ(drain(*(*inputs)[0].source), a);
  EXPECT_EQ(drain(*(*inputs)[1].source), b);
  ASSERT_TRUE((*inputs)[0].source->rewind());
  EXPECT_EQ(drain(*(*inputs)[0].source), a);
}

TEST(ShareInputs, RefusesAnEmptyOrBlankFileAndADirectory) {
  test::TempDir dir;
  test::write_file(dir / "empty", "");
  test::write_file(dir / "blank", "\n \n\t\r\n");
  for (auto [name, code, want] : std::vector<std::tuple<std::string, Errc, std::string>>{
           {"empty", Errc::invalid_data, ": empty file, not a share"},
           {"blank", Errc::invalid_data, ": holds no share (only blank lines)"},
           {"", Errc::io, ": Is a directory"},
       }) {
    const std::string path = name.empty() ? dir.path().string() : (dir / name).string();
    auto r = open_share_inputs({path});
    ASSERT_FALSE(r) << name;
    EXPECT_EQ(r.error().code, code);
    EXPECT_EQ(r.error().message, path + want);
  }
}

}  // namespace
}  // namespace leea::shamir
