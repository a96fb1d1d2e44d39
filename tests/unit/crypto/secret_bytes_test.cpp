#include "core/crypto/secret_bytes.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <type_traits>

#include "tests/support/temp_dir.h"
#include "tests/unit/crypto/test_bytes.h"

namespace leea::crypto {
namespace {

using test::as_bytes;

static_assert(!std::is_copy_constructible_v<SecretBytes>);
static_assert(!std::is_copy_assignable_v<SecretBytes>);
static_assert(std::is_nothrow_move_constructible_v<SecretBytes>);

bool all_zero(std::span<const uint8_t> s) {
  for (uint8_t b : s) {
    if (b != 0) {
      return false;
    }
  }
  return true;
}

TEST(SecretBytes, NewBufferIsZeroFilled) {
  SecretBytes s(100);
  EXPECT_EQ(s.size(), 100u);
  EXPECT_FALSE(s.empty());
  EXPECT_TRUE(all_zero(s.reveal()));
}

TEST(SecretBytes, DefaultIsEmpty) {
  SecretBytes s;
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.reveal().size(), 0u);
}

TEST(SecretBytes, MoveLeavesSourceEmpty) {
  SecretBytes a = SecretBytes::copy_of(as_bytes("key"));
  SecretBytes b = std::move(a);
  EXPECT_TRUE(a.empty());  // NOLINT: moved-from state is specified
  EXPECT_TRUE(b.equals(as_bytes("key")));
  SecretBytes c;
  c = std::move(b);
  EXPECT_TRUE(b.empty());  // NOLINT
  EXPECT_TRUE(c.equals(as_bytes("key")));
}

TEST(SecretBytes, CopyOfHoldsTheSameBytes) {
  SecretBytes s = SecretBytes::copy_of(as_bytes("secret"));
  EXPECT_EQ(std::string(s.reveal().begin(), s.reveal().end()), "secret");
}

TEST(SecretBytes, EqualsComparesContentAndSize) {
  SecretBytes a = SecretBytes::copy_of(as_bytes("abcd"));
  EXPECT_TRUE(a.equals(SecretBytes::copy_of(as_bytes("abcd"))));
  EXPECT_FALSE(a.equals(SecretBytes::copy_of(as_bytes("abce"))));
  EXPECT_FALSE(a.equals(SecretBytes::copy_of(as_bytes("abc"))));
  EXPECT_FALSE(a.equals(as_bytes("abcde")));
  EXPECT_TRUE(SecretBytes().equals(SecretBytes()));
}

TEST(SecretBytes, PrefixCopiesTheFirstBytes) {
  SecretBytes a = SecretBytes::copy_of(as_bytes("abcdef"));
  SecretBytes p = a.prefix(3);
  EXPECT_TRUE(p.equals(as_bytes("abc")));
  EXPECT_TRUE(a.equals(as_bytes("abcdef")));
  EXPECT_TRUE(a.prefix(0).empty());
}

TEST(ScopedCleanse, WipesTheRegionAtScopeExit) {
  std::array<uint8_t, 32> buf;
  buf.fill(0xAA);
  {
    ScopedCleanse guard{std::span<uint8_t>(buf)};
    EXPECT_EQ(buf[0], 0xAA);
  }
  EXPECT_TRUE(all_zero(buf));
}

TEST(ScopedCleanse, AcceptsEmptyRegions) {
  cleanse(nullptr, 0);
  ScopedCleanse guard(nullptr, 0);
}

TEST(ReadSecret, ReadsTheWholeFile) {
  test::TempDir dir;
  test::write_file(dir / "s", "hunter2");
  auto s = read_secret((dir / "s").c_str(), 1024);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_TRUE(s->equals(as_bytes("hunter2")));
}

TEST(ReadSecret, ReadsFilesLargerThanItsFirstBuffer) {
  test::TempDir dir;
  std::string content(10000, 'x');
  content[9999] = 'y';
  test::write_file(dir / "s", content);
  auto s = read_secret((dir / "s").c_str(), 20000);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_TRUE(s->equals(as_bytes(content)));
}

TEST(ReadSecret, AcceptsAFileOfExactlyTheLimit) {
  test::TempDir dir;
  test::write_file(dir / "s", std::string(4096, 'k'));
  auto s = read_secret((dir / "s").c_str(), 4096);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->size(), 4096u);
}

TEST(ReadSecret, RefusesFilesOverTheLimitNamingTheFile) {
  test::TempDir dir;
  test::write_file(dir / "big", std::string(101, 'k'));
  auto s = read_secret((dir / "big").c_str(), 100);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::invalid_data);
  EXPECT_EQ(s.error().message, (dir / "big").string() + ": larger than 100 bytes");
}

TEST(ReadSecret, ReportsMissingFileAsIoErrorNamingIt) {
  test::TempDir dir;
  auto s = read_secret((dir / "missing").c_str(), 100);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::io);
  EXPECT_EQ(s.error().message, (dir / "missing").string() + ": No such file or directory");
}

TEST(ReadSecret, ReadsAnEmptyFileAsAnEmptySecret) {
  test::TempDir dir;
  test::write_file(dir / "e", "");
  auto s = read_secret((dir / "e").c_str(), 100);
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->empty());
}

}  // namespace
}  // namespace leea::crypto
