#include "core/disk/tar.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <string>

namespace leea::disk {
namespace {

// A ustar header built field by field from POSIX.1-2001's table (octal, NUL-terminated),
// with the checksum computed last over the block with its checksum field as spaces.
std::array<uint8_t, kTarBlock> header(const std::string& name, char type, unsigned mode,
                                      unsigned uid, unsigned size) {
  std::array<uint8_t, kTarBlock> b{};
  auto put = [&](size_t off, const std::string& s) {
    std::memcpy(b.data() + off, s.data(), s.size());
  };
  auto oct = [](unsigned long v, int width) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%0*lo", width - 1, v);
    return std::string(buf);
  };
  put(0, name);
  put(100, oct(mode, 8));
  put(108, oct(uid, 8));
  put(116, oct(7, 8));
  put(124, oct(size, 12));
  put(136, oct(1600000000, 12));
  b[156] = static_cast<uint8_t>(type);
  put(257, std::string("ustar\0", 6));
  put(263, "00");
  put(329, oct(1, 8));
  put(337, oct(3, 8));
  std::memset(b.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (uint8_t c : b) sum += c;
  char chk[8];
  std::snprintf(chk, sizeof chk, "%06o", sum);
  std::memcpy(b.data() + 148, chk, 7);
  return b;
}

TEST(TarHeader, ParsesEveryField) {
  auto h = parse_tar_header(header("./dev/null", '3', 0666, 1000, 0), "t");
  ASSERT_TRUE(h) << h.error().message;
  ASSERT_TRUE(h->has_value());
  const TarEntry& e = **h;
  EXPECT_EQ(e.path, "./dev/null");
  EXPECT_EQ(e.type, '3');
  EXPECT_EQ(e.mode, 0666u);
  EXPECT_EQ(e.uid, 1000u);
  EXPECT_EQ(e.gid, 7u);
  EXPECT_EQ(e.mtime, 1600000000);
  EXPECT_EQ(e.dev_major, 1u);
  EXPECT_EQ(e.dev_minor, 3u);
}

TEST(TarHeader, AllZeroBlockEndsTheArchive) {
  std::array<uint8_t, kTarBlock> zero{};
  auto h = parse_tar_header(zero, "t");
  ASSERT_TRUE(h);
  EXPECT_FALSE(h->has_value());
}

TEST(TarHeader, ChangingAnyByteBreaksTheChecksum) {
  const auto good = header("etc/passwd", '0', 0644, 0, 12);
  for (size_t i : {size_t{0}, size_t{100}, size_t{108}, size_t{124}, size_t{156}, size_t{300}}) {
    auto b = good;
    b[i] ^= 0x01;
    auto h = parse_tar_header(b, "t: entry 1");
    ASSERT_FALSE(h) << "byte " << i;
    EXPECT_EQ(h.error().message, "t: entry 1: chksum: does not match the header");
  }
}

TEST(TarHeader, NamesABadNumericField) {
  auto b = header("f", '0', 0644, 0, 12);
  b[125] = '9';  // size
  // Keep the checksum right so that the field check itself is reached.
  std::memset(b.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (uint8_t c : b) sum += c;
  char chk[8];
  std::snprintf(chk, sizeof chk, "%06o", sum);
  std::memcpy(b.data() + 148, chk, 7);
  auto h = parse_tar_header(b, "t");
  ASSERT_FALSE(h);
  EXPECT_EQ(h.error().message, "t: size: not an octal number");
}

TEST(PaxRecords, AppliesKnownKeysAndRefusesBadLengths) {
  PaxRecords p;
  ASSERT_TRUE(parse_pax_records("20 path=a/long/name\n12 uid=4242\n18 mtime=123.4567\n", "t", &p));
  EXPECT_EQ(p.path, "a/long/name");
  EXPECT_EQ(p.uid, 4242u);
  EXPECT_EQ(p.mtime, 123);
  PaxRecords q;
  auto r = parse_pax_records("99 path=x\n", "t", &q);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "t: pax: record length past its end");
  EXPECT_FALSE(parse_pax_records("path=x\n", "t", &q));
  EXPECT_FALSE(parse_pax_records("12 uid=12a4\n", "t", &q));
}

TEST(TarPath, SanitizesAndRefusesEscapes) {
  struct Case {
    std::string in, out;
  };
  for (const auto& c : std::vector<Case>{{"./etc/passwd", "etc/passwd"},
                                         {"/abs/path", "abs/path"},
                                         {"a//b/./c/", "a/b/c"},
                                         {"./", ""},
                                         {".", ""}}) {
    auto r = sanitize_tar_path(c.in, "t");
    ASSERT_TRUE(r) << c.in;
    EXPECT_EQ(*r, c.out) << c.in;
  }
  for (const char* bad : {"../x", "a/../../x", "a/\"b", "a\nb"}) {
    EXPECT_FALSE(sanitize_tar_path(bad, "t")) << bad;
  }
  EXPECT_EQ(sanitize_tar_path("a/../b", "t: entry 2").error().message,
            "t: entry 2: path: '..' is not allowed");
}

// An archive whose last file's data is cut off is refused when it is listed, naming the
// entry, not later while its data is copied (a fuzzer found the listing accepted it).
TEST(ReadTar, RefusesAnArchiveThatEndsInsideAFile) {
  auto listing = [](size_t data_bytes) {
    int fd = memfd_create("t.tar", MFD_CLOEXEC);
    auto h = header("etc/hostname", '0', 0644, 0, 700);
    EXPECT_EQ(write(fd, h.data(), h.size()), static_cast<ssize_t>(h.size()));
    std::string data(data_bytes, 'x');
    EXPECT_EQ(write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
    auto r = read_tar(fd, "t.tar");
    close(fd);
    return r;
  };
  auto whole = listing(1024);  // 700 bytes of data, padded to two blocks
  ASSERT_TRUE(whole) << whole.error().message;
  EXPECT_EQ(whole->entries.size(), 1u);
  EXPECT_EQ(whole->data_offsets[0], kTarBlock);
  for (size_t cut : {size_t{0}, size_t{512}, size_t{699}}) {
    auto r = listing(cut);
    ASSERT_FALSE(r) << cut;
    EXPECT_EQ(r.error().code, Errc::invalid_data);
    EXPECT_EQ(r.error().message,
              "t.tar: entry 1: data: truncated: the archive ends inside this file's 700 bytes");
  }
  EXPECT_TRUE(listing(700));  // the last block's padding may be missing
}

}  // namespace
}  // namespace leea::disk
