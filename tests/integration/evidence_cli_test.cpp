// `leea evidence collect`, `leea order reference` and `leea attest` measuring a fixture
// tree: the built binary, its exit codes, stdout and stderr; then a learned order appraised
// by real validators.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/config/order.h"
#include "core/crypto/digest.h"
#include "core/crypto/random.h"
#include "core/evidence/event_log.h"
#include "core/util/encoding.h"
#include "tests/integration/pool_fixture.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace leea::test {
namespace {

std::string sha256_tag(const std::string& s) { return "sha256:" + hex_encode(crypto::sha256(s)); }

// A minimal measured system: a kernel command line, a release and a config file.
struct Tree {
  TempDir dir;
  Tree() { set_cmdline("root=/dev/vda1 ro"); }
  std::string root() const { return dir.path().string(); }
  void put(const std::string& guest, const std::string& text) const {
    std::filesystem::create_directories((dir.path() / guest.substr(1)).parent_path());
    write_file(dir.path() / guest.substr(1), text);
  }
  void set_cmdline(const std::string& c) const {
    put("/proc/cmdline", c + "\n");
    put("/proc/sys/kernel/osrelease", "6.1.0\n");
    put("/etc/leea/extra.conf", "x=1\n");
  }
};

TEST(EvidenceCli, CollectPrintsTheCanonicalLogWithJson) {
  Tree t;
  auto r = leea({"evidence", "collect", "--root", t.root(), "--config-file", "/etc/leea/extra.conf",
                 "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto log = evidence::EventLog::from_json(r.out);
  ASSERT_TRUE(log) << log.error().message;
  EXPECT_EQ(log->to_json() + "\n", r.out);
  ASSERT_NE(log->find("kernel.cmdline"), nullptr);
  EXPECT_EQ(log->find("kernel.cmdline")->digest, sha256_tag("root=/dev/vda1 ro"));
  ASSERT_NE(log->find("config./etc/leea/extra.conf"), nullptr);
  EXPECT_EQ(log->find("config./etc/leea/extra.conf")->digest, sha256_tag("x=1\n"));
  EXPECT_NE(r.err.find("leea: note: no TPM PCR banks"), std::string::npos) << r.err;
}

TEST(EvidenceCli, CollectPrintsATableByDefault) {
  Tree t;
  auto r = leea({"evidence", "collect", "--root", t.root()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // One line per event: name, padding, digest, value.
  size_t at = r.out.find("\nkernel.cmdline ");
  ASSERT_NE(at, std::string::npos) << r.out;
  std::string line = r.out.substr(at + 1, r.out.find('\n', at + 1) - at - 1);
  EXPECT_NE(line.find(" " + sha256_tag("root=/dev/vda1 ro") + "  root=/dev/vda1 ro"),
            std::string::npos)
      << line;
}

TEST(EvidenceCli, RelativeConfigFileIsAUsageError) {
  Tree t;
  auto r = leea({"evidence", "collect", "--root", t.root(), "--config-file", "etc/x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(
      r.err.rfind("leea: error: evidence collect: config file 'etc/x' must be an absolute", 0), 0u)
      << r.err;
}

TEST(EvidenceCli, OrderReferenceLearnsWritesAValidOrderAndRefusesToOverwrite) {
  Tree t;
  TempDir d;
  auto c = leea({"evidence", "collect", "--root", t.root(), "--json"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  write_file(d / "good.json", c.out);
  write_file(d / "order.yaml", Pool::sim_order("learned"));
  write_file(d / "kernel.img", "kernel bytes");
  std::vector<std::string> args = {"order",
                                   "reference",
                                   "--order",
                                   (d / "order.yaml").string(),
                                   "--from-evidence",
                                   (d / "good.json").string(),
                                   "--name",
                                   "kernel.*",
                                   "--artifact",
                                   "kernel.image=" + (d / "kernel.img").string(),
                                   "-o",
                                   (d / "out.yaml").string()};
  auto r = leea(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto order = config::load_order_file(d / "out.yaml");
  ASSERT_TRUE(order) << order.error().message;
  EXPECT_EQ(config::format_tagged_digest(order->reference.digests.at("kernel.cmdline")),
            sha256_tag("root=/dev/vda1 ro"));
  EXPECT_EQ(config::format_tagged_digest(order->reference.digests.at("kernel.image")),
            sha256_tag("kernel bytes"));
  EXPECT_EQ(order->id, "learned");

  auto again = leea(args);
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already exists (use --force to replace)"), std::string::npos)
      << again.err;
  args.push_back("--force");
  EXPECT_EQ(leea(args).exit_code, 0);

  auto time = leea({"order", "reference", "--order", (d / "order.yaml").string(), "--from-evidence",
                    (d / "good.json").string(), "--name", "time.boot"});
  EXPECT_EQ(time.exit_code, 2);
  EXPECT_NE(time.err.find("time event"), std::string::npos) << time.err;
}

TEST(EvidenceCli, AttestSendsTheLogAndALearnedOrderNamesTheChangedEntry) {
  auto pool = Pool::up(3);
  ASSERT_NE(pool, nullptr);
  Tree t;
  TempDir d;
  auto c = leea({"evidence", "collect", "--root", t.root(), "--json"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  write_file(d / "good.json", c.out);
  write_file(d / "order.yaml", Pool::sim_order("learned"));
  auto r = leea({"order", "reference", "--order", (d / "order.yaml").string(), "--from-evidence",
                 (d / "good.json").string(), "--name", "kernel.*"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto secret = *crypto::random_secret(32);
  ASSERT_EQ(pool->register_order(r.out, secret), "");

  std::vector<std::string> attest = {"attest",
                                     "--pool",
                                     pool->pool_file(),
                                     "--order",
                                     "learned",
                                     "--tee",
                                     "sim",
                                     "--root",
                                     t.root(),
                                     "--token-out",
                                     (d / "token").string()};
  auto ok = leea(attest);
  EXPECT_EQ(ok.exit_code, 0) << ok.err;

  t.set_cmdline("root=/dev/vda1 ro init=/bin/sh");
  attest.back() = (d / "token2").string();
  auto refused = leea(attest);
  EXPECT_EQ(refused.exit_code, 3) << refused.err;
  EXPECT_NE(refused.err.find("reference.kernel.cmdline"), std::string::npos) << refused.err;
}

}  // namespace
}  // namespace leea::test
