#include "core/disk/encrypt.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/disk/luks.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/disk/luks_check.h"

namespace leea::disk {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

// A plaintext where every 512-byte block differs from every other.
std::string plaintext(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131) ^ (i >> 9) ^ (i >> 17));
  return s;
}

struct Encrypted {
  Result<EncryptReport> report;
  std::vector<uint8_t> secret;
};

Encrypted encrypt(const fs::path& in, const fs::path& out, uint32_t sector, unsigned threads = 2,
                  bool replace = false) {
  EncryptOptions o;
  o.input = in;
  o.output = out;
  o.sector_size = sector;
  o.threads = threads;
  o.replace = replace;
  Encrypted e{make_error(Errc::internal, "not run"), {}};
  auto enc = ImageEncryptor::prepare(o);
  if (!enc) {
    e.report = enc.error();
    return e;
  }
  e.report = enc->run([&](const crypto::SecretBytes& s) -> Result<void> {
    e.secret.assign(s.reveal().begin(), s.reveal().end());
    return {};
  });
  return e;
}

class ImageEncryptTest : public ::testing::TestWithParam<uint32_t> {
 protected:
  TempDir dir_;
};

TEST_P(ImageEncryptTest, LibcryptsetupOpensItAndSectorsDecryptToThePlaintext) {
  const uint32_t sector = GetParam();
  // Several chunks per thread and a size that is not a multiple of the chunk.
  const std::string plain = plaintext((5u << 20) + 3 * 4096);
  test::write_file(dir_ / "in.raw", plain);
  auto e = encrypt(dir_ / "in.raw", dir_ / "out.luks", sector, 3);
  ASSERT_TRUE(e.report) << e.report.error().message;
  ASSERT_EQ(e.secret.size(), kPoolSecretSize);
  EXPECT_EQ(e.report->plan.padding, 0u);
  EXPECT_EQ(fs::file_size(dir_ / "out.luks"), kLuksDataOffset + plain.size());

  auto luks = test::open_luks(dir_ / "out.luks", e.secret);
  ASSERT_EQ(luks.error, "");
  EXPECT_EQ(luks.cipher, "aes");
  EXPECT_EQ(luks.mode, "xts-plain64");
  EXPECT_EQ(luks.volume_key.size(), 64u);
  EXPECT_EQ(luks.data_offset, kLuksDataOffset);
  EXPECT_EQ(luks.sector_size, static_cast<int>(sector));
  const uint64_t sectors = plain.size() / sector;
  for (uint64_t s : {uint64_t{0}, uint64_t{1}, uint64_t{7}, sectors / 2, sectors / 2 + 1,
                     uint64_t{(1u << 20) / sector}, sectors - 1}) {
    auto pt = test::decrypt_sector(dir_ / "out.luks", luks, s);
    ASSERT_EQ(pt.size(), sector) << "sector " << s;
    EXPECT_EQ(std::string(pt.begin(), pt.end()), plain.substr(s * sector, sector))
        << "sector " << s;
  }
}

TEST_P(ImageEncryptTest, PadsTheLastSectorWithZeros) {
  const uint32_t sector = GetParam();
  const std::string plain = plaintext(3 * 4096 + 100);
  test::write_file(dir_ / "in.raw", plain);
  auto e = encrypt(dir_ / "in.raw", dir_ / "out.luks", sector);
  ASSERT_TRUE(e.report) << e.report.error().message;
  const uint64_t padded = (plain.size() + sector - 1) / sector * sector;
  EXPECT_EQ(e.report->plan.padding, padded - plain.size());
  EXPECT_EQ(e.report->plan.payload_bytes, padded);
  auto luks = test::open_luks(dir_ / "out.luks", e.secret);
  ASSERT_EQ(luks.error, "");
  auto last = test::decrypt_sector(dir_ / "out.luks", luks, padded / sector - 1);
  std::string expect = plain.substr(padded - sector);
  expect.resize(sector, '\0');
  EXPECT_EQ(std::string(last.begin(), last.end()), expect);
}

INSTANTIATE_TEST_SUITE_P(SectorSizes, ImageEncryptTest, ::testing::Values(512u, 4096u));

TEST(ImageEncrypt, AHandlerErrorLeavesNoOutput) {
  TempDir dir;
  test::write_file(dir / "in.raw", plaintext(8192));
  EncryptOptions o;
  o.input = dir / "in.raw";
  o.output = dir / "out.luks";
  auto enc = ImageEncryptor::prepare(o);
  ASSERT_TRUE(enc);
  auto r = enc->run([](const crypto::SecretBytes&) -> Result<void> {
    return make_error(Errc::unavailable, "v3: unreachable");
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::unavailable);
  EXPECT_EQ(r.error().message, "v3: unreachable");
  EXPECT_EQ(std::vector<fs::path>(fs::directory_iterator(dir.path()), {}).size(), 1u)
      << "only the input is left";
}

TEST(ImageEncrypt, RefusesAnExistingOutputUnlessReplacing) {
  TempDir dir;
  test::write_file(dir / "in.raw", plaintext(8192));
  test::write_file(dir / "out.luks", "keep me");
  auto e = encrypt(dir / "in.raw", dir / "out.luks", 4096);
  ASSERT_FALSE(e.report);
  EXPECT_EQ(e.report.error().message,
            (dir / "out.luks").string() + ": already exists (use --force to replace)");
  EXPECT_EQ(test::read_file(dir / "out.luks"), "keep me");
  EXPECT_TRUE(e.secret.empty());

  auto f = encrypt(dir / "in.raw", dir / "out.luks", 4096, 1, /*replace=*/true);
  ASSERT_TRUE(f.report) << f.report.error().message;
  EXPECT_EQ(test::open_luks(dir / "out.luks", f.secret).error, "");
}

TEST(ImageEncrypt, RefusesMissingEmptyAndBadInputs) {
  TempDir dir;
  auto missing = encrypt(dir / "nope.raw", dir / "out.luks", 4096);
  ASSERT_FALSE(missing.report);
  EXPECT_EQ(missing.report.error().code, Errc::io);
  EXPECT_EQ(missing.report.error().message,
            (dir / "nope.raw").string() + ": No such file or directory");

  test::write_file(dir / "empty.raw", "");
  auto empty = encrypt(dir / "empty.raw", dir / "out.luks", 4096);
  ASSERT_FALSE(empty.report);
  EXPECT_EQ(empty.report.error().message, (dir / "empty.raw").string() + ": the image is empty");

  test::write_file(dir / "in.raw", plaintext(4096));
  auto sector = encrypt(dir / "in.raw", dir / "out.luks", 1024);
  ASSERT_FALSE(sector.report);
  EXPECT_EQ(sector.report.error().message, "--sector-size must be 512 or 4096, not 1024");
  EXPECT_FALSE(fs::exists(dir / "out.luks"));
}

TEST(ImageEncrypt, EachImageGetsItsOwnSecretAndVolumeKey) {
  TempDir dir;
  test::write_file(dir / "in.raw", plaintext(8192));
  auto a = encrypt(dir / "in.raw", dir / "a.luks", 4096);
  auto b = encrypt(dir / "in.raw", dir / "b.luks", 4096);
  ASSERT_TRUE(a.report && b.report);
  EXPECT_NE(a.secret, b.secret);
  auto la = test::open_luks(dir / "a.luks", a.secret);
  auto lb = test::open_luks(dir / "b.luks", b.secret);
  EXPECT_NE(la.volume_key, lb.volume_key);
  EXPECT_NE(test::open_luks(dir / "a.luks", b.secret).error, "") << "b's secret opens a";
}

}  // namespace
}  // namespace leea::disk
