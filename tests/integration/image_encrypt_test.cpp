// `leea image encrypt` end to end: the built binary writes the image, and everything that
// checks it is independent of leea's disk code: cryptsetup luksDump reads the header,
// libcryptsetup opens it with the secret, OpenSSL EVP decrypts sampled sectors, and with a
// real pool the secret comes back through `leea attest`.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/integration/pool_fixture.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/disk/luks_check.h"

namespace leea::test {
namespace {

namespace fs = std::filesystem;

const std::string kOrder = std::string(LEEA_SOURCE_DIR) + "/configs/order-sim.yaml";
const std::string kExamplePool = std::string(LEEA_SOURCE_DIR) + "/configs/pool.example.yaml";

std::string plaintext(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 151) ^ (i >> 9) ^ (i >> 15));
  return s;
}

std::vector<uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

// The absolute path of a system tool (the test runner spawns without a PATH search), or ""
// when it is not installed.
std::string tool(const std::string& name) {
  for (const char* dir : {"/usr/sbin", "/usr/bin", "/sbin", "/bin"}) {
    fs::path p = fs::path(dir) / name;
    if (fs::exists(p)) return p.string();
  }
  return "";
}

// Every sampled sector of the image decrypts to the plaintext.
void expect_sectors_match(const fs::path& image, const std::vector<uint8_t>& secret,
                          const std::string& plain, int sector_size) {
  auto luks = open_luks(image, secret);
  ASSERT_EQ(luks.error, "");
  ASSERT_EQ(luks.sector_size, sector_size);
  const uint64_t sectors = (plain.size() + sector_size - 1) / sector_size;
  for (uint64_t s : {uint64_t{0}, uint64_t{3}, sectors / 3, sectors / 2, sectors - 1}) {
    if (s >= sectors) continue;
    auto pt = decrypt_sector(image, luks, s);
    std::string expect = plain.substr(s * sector_size, sector_size);
    expect.resize(sector_size, '\0');
    EXPECT_EQ(std::string(pt.begin(), pt.end()), expect) << "sector " << s;
  }
}

class ImageEncryptCli : public ::testing::TestWithParam<int> {
 protected:
  RunResult encrypt_no_register(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"image",
                                     "encrypt",
                                     "--in",
                                     (dir_ / "in.raw").string(),
                                     "-o",
                                     (dir_ / "out.luks").string(),
                                     "--order",
                                     kOrder,
                                     "--pool",
                                     kExamplePool,
                                     "--no-register",
                                     "--sector-size",
                                     std::to_string(GetParam())};
    args.insert(args.end(), extra.begin(), extra.end());
    return leea(args);
  }
  TempDir dir_;
};

TEST_P(ImageEncryptCli, SharesOnStdoutOpenTheImageAndSectorsDecrypt) {
  const std::string plain = plaintext(3u << 20);
  write_file(dir_ / "in.raw", plain);
  auto r = encrypt_no_register();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // One share per validator of the pool file, threshold 3 (the example pool's).
  size_t lines = 0;
  for (size_t p = r.out.find("leea1.k3."); p != std::string::npos;
       p = r.out.find("\nleea1.k3.", p + 1)) {
    ++lines;
  }
  EXPECT_EQ(lines, 5u) << "one share per validator of the pool, one a line";
  // Any three shares rebuild the secret, which is the keyslot passphrase itself.
  std::string three;
  size_t pos = 0;
  for (int i = 0; i < 3; ++i) {
    size_t nl = r.out.find('\n', pos);
    three += r.out.substr(pos, nl + 1 - pos);
    pos = nl + 1;
  }
  auto secret = leea({"key", "combine"}, three);
  ASSERT_EQ(secret.exit_code, 0) << secret.err;
  ASSERT_EQ(secret.out.size(), 32u);
  expect_sectors_match(dir_ / "out.luks", bytes_of(secret.out), plain, GetParam());

  // Break-glass with stock tools, as the man page says.
  write_file(dir_ / "three", three);
  auto stock =
      run({"/bin/sh", "-c",
           "'" + std::string(LEEA_BINARY) + "' key combine < '" + (dir_ / "three").string() +
               "' | cryptsetup open --test-passphrase --key-file - '" +
               (dir_ / "out.luks").string() + "'"});
  EXPECT_EQ(stock.exit_code, 0) << stock.err;
}

TEST_P(ImageEncryptCli, LuksDumpShowsCipherKeySizeSectorSizeAndOneKeyslot) {
  write_file(dir_ / "in.raw", plaintext(64 * 1024));
  auto r = encrypt_no_register();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  if (tool("cryptsetup").empty()) GTEST_SKIP() << "cryptsetup not installed";
  auto dump = run({tool("cryptsetup"), "luksDump", (dir_ / "out.luks").string()});
  ASSERT_EQ(dump.exit_code, 0) << dump.err;
  const std::string& d = dump.out;
  EXPECT_NE(d.find("Version:       \t2"), std::string::npos) << d;
  EXPECT_NE(d.find("cipher: aes-xts-plain64"), std::string::npos) << d;
  EXPECT_NE(d.find("sector: " + std::to_string(GetParam()) + " [bytes]"), std::string::npos) << d;
  EXPECT_NE(d.find("offset: 16777216 [bytes]"), std::string::npos) << d;
  EXPECT_NE(d.find("Key:        512 bits"), std::string::npos) << d;
  EXPECT_NE(d.find("PBKDF:      pbkdf2"), std::string::npos) << d;
  EXPECT_NE(d.find("  0: luks2"), std::string::npos) << d;
  EXPECT_EQ(d.find("  1: luks2"), std::string::npos) << "a second keyslot: " << d;
  EXPECT_EQ(fs::file_size(dir_ / "out.luks"), 16777216u + 64 * 1024);
}

TEST_P(ImageEncryptCli, InputThatIsNotWholeSectorsIsPaddedAndSaid) {
  const std::string plain = plaintext(10000);
  write_file(dir_ / "in.raw", plain);
  auto r = encrypt_no_register();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const int s = GetParam();
  const int padding = (s - 10000 % s) % s;
  EXPECT_NE(r.err.find("in.raw: 10000 bytes are not a multiple of the " + std::to_string(s) +
                       "-byte sector; padded with " + std::to_string(padding) + " zero bytes"),
            std::string::npos)
      << r.err;
  auto secret = leea({"key", "combine"}, r.out);
  ASSERT_EQ(secret.exit_code, 0) << secret.err;
  expect_sectors_match(dir_ / "out.luks", bytes_of(secret.out), plain, s);
}

INSTANTIATE_TEST_SUITE_P(SectorSizes, ImageEncryptCli, ::testing::Values(512, 4096));

class ImageEncryptErrors : public ::testing::Test {
 protected:
  std::vector<std::string> args(const std::string& in, const std::string& out) {
    return {"image",   "encrypt", "--in",   in,           "-o",           out,
            "--order", kOrder,    "--pool", kExamplePool, "--no-register"};
  }
  TempDir dir_;
};

TEST_F(ImageEncryptErrors, MissingInputIsNamed) {
  auto r = leea(args((dir_ / "nope.raw").string(), (dir_ / "out.luks").string()));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "leea: error: image encrypt: " + (dir_ / "nope.raw").string() +
                       ": No such file or directory\n");
  EXPECT_EQ(r.out, "");
  EXPECT_FALSE(fs::exists(dir_ / "out.luks"));
}

TEST_F(ImageEncryptErrors, ExistingOutputIsRefusedUnlessForced) {
  write_file(dir_ / "in.raw", plaintext(8192));
  write_file(dir_ / "out.luks", "precious");
  auto r = leea(args((dir_ / "in.raw").string(), (dir_ / "out.luks").string()));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "leea: error: image encrypt: " + (dir_ / "out.luks").string() +
                       ": already exists (use --force to replace)\n");
  EXPECT_EQ(r.out, "") << "no shares for an image that was not written";
  EXPECT_EQ(read_file(dir_ / "out.luks"), "precious");
  auto a = args((dir_ / "in.raw").string(), (dir_ / "out.luks").string());
  a.push_back("--force");
  auto f = leea(a);
  EXPECT_EQ(f.exit_code, 0) << f.err;
  EXPECT_EQ(fs::file_size(dir_ / "out.luks"), 16777216u + 8192);
}

TEST_F(ImageEncryptErrors, FullDiskFailsClearlyAndLeavesNoOutput) {
  // A file size limit below the image's size stands in for a full disk: write(2) and
  // fallocate(2) fail with EFBIG just as they fail with ENOSPC.
  write_file(dir_ / "in.raw", plaintext(1u << 20));
  if (tool("prlimit").empty()) GTEST_SKIP() << "prlimit not installed";
  std::vector<std::string> a = {tool("prlimit"), "--fsize=8388608", LEEA_BINARY};
  auto rest = args((dir_ / "in.raw").string(), (dir_ / "out.luks").string());
  a.insert(a.end(), rest.begin(), rest.end());
  auto r = run(a);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.err,
            "leea: error: image encrypt: " + (dir_ / "out.luks").string() + ": File too large\n");
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(std::vector<fs::path>(fs::directory_iterator(dir_.path()), {}).size(), 1u)
      << "only the input is left";
}

TEST_F(ImageEncryptErrors, RunsUnprivileged) {
  if (::getuid() != 0 || tool("setpriv").empty()) {
    GTEST_SKIP() << "needs root (to drop to nobody) and setpriv";
  }
  const std::string plain = plaintext(1u << 20);
  fs::permissions(dir_.path(), fs::perms::all);
  write_file(dir_ / "in.raw", plain);
  fs::permissions(dir_ / "in.raw", fs::perms(0644));
  std::vector<std::string> a = {tool("setpriv"), "--reuid=65534", "--regid=65534", "--clear-groups",
                                LEEA_BINARY};
  auto rest = args((dir_ / "in.raw").string(), (dir_ / "out.luks").string());
  a.insert(a.end(), rest.begin(), rest.end());
  auto r = run(a);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto secret = leea({"key", "combine"}, r.out);
  ASSERT_EQ(secret.exit_code, 0) << secret.err;
  expect_sectors_match(dir_ / "out.luks", bytes_of(secret.out), plain, 4096);
}

TEST_F(ImageEncryptErrors, RegistrationNeedsAnOperatorKey) {
  write_file(dir_ / "in.raw", plaintext(8192));
  auto a = args((dir_ / "in.raw").string(), (dir_ / "out.luks").string());
  a.pop_back();  // --no-register
  auto r = leea(a);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "leea: error: image encrypt: --operator-key is required unless --no-register is "
            "given\n");
}

// With five real validators: encrypt registers the order and shares, and a VM attesting
// with sim evidence gets back the secret that opens the image.
class ImageEncryptPool : public ::testing::Test {
 protected:
  void SetUp() override {
    pool_ = Pool::up(5);
    ASSERT_NE(pool_, nullptr);
  }
  RunResult encrypt(const fs::path& in, const fs::path& out) {
    return leea({"image", "encrypt", "--in", in.string(), "-o", out.string(), "--order", kOrder,
                 "--pool", pool_->pool_file(), "--operator-key",
                 (pool_->dir() / "operator.key").string()});
  }
  std::unique_ptr<Pool> pool_;
  TempDir dir_;
};

TEST_F(ImageEncryptPool, AttestedVmGetsTheSecretThatOpensTheImage) {
  const std::string plain = plaintext((2u << 20) + 4096);
  write_file(dir_ / "in.raw", plain);
  auto r = encrypt(dir_ / "in.raw", dir_ / "out.luks");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("order demo-sim registered with 5 validators (threshold 3)"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("leea1."), std::string::npos) << "a share on stdout";

  auto a = leea({"attest", "--pool", pool_->pool_file(), "--order", "demo-sim", "--tee", "sim",
                 "--key-out", (dir_ / "key").string()});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  std::string key = read_file(dir_ / "key");
  ASSERT_EQ(key.size(), 32u);
  expect_sectors_match(dir_ / "out.luks", bytes_of(key), plain, 4096);
}

TEST_F(ImageEncryptPool, UnreachableValidatorIsAClearErrorBeforeAnyWork) {
  write_file(dir_ / "in.raw", plaintext(8192));
  pool_->stop(3);
  auto r = encrypt(dir_ / "in.raw", dir_ / "out.luks");
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_EQ(r.err.rfind("leea: error: image encrypt: 1 of 5 validators unreachable, nothing was "
                        "written: v3",
                        0),
            0u)
      << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "out.luks"));
}

TEST_F(ImageEncryptPool, RefusedRegistrationRemovesTheImage) {
  write_file(dir_ / "in.raw", plaintext(8192));
  // A key the validators do not know: every PUT is refused after the image was written.
  ASSERT_NE(tool("openssl"), "");
  auto k = run({tool("openssl"), "genpkey", "-algorithm", "EC", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-out", (dir_ / "stranger.key").string()});
  ASSERT_EQ(k.exit_code, 0) << k.err;
  auto r = leea({"image", "encrypt", "--in", (dir_ / "in.raw").string(), "-o",
                 (dir_ / "out.luks").string(), "--order", kOrder, "--pool", pool_->pool_file(),
                 "--operator-key", (dir_ / "stranger.key").string()});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("validators did not accept the order"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "out.luks"));
}

}  // namespace
}  // namespace leea::test
