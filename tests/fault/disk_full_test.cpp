// A validator whose files cannot grow (a file-size limit set on the running process, as a
// full disk would leave it): writes fail with clear errors, the registration is refused by
// name and given back everywhere, honest VMs still unlock the orders already stored, nothing
// on disk is corrupt, and once space returns the same process takes registrations again and
// restarts on the same files.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>

#include "core/crypto/random.h"
#include "tests/integration/pool_fixture.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace leea::test {
namespace {

crypto::SecretBytes random_key() { return *crypto::random_secret(32); }

// `leea attest --key-out` for order; the key written, or "" on failure (reason in err).
std::string unlock(const Pool& pool, const std::string& order, std::string* err) {
  TempDir out;
  auto r = leea({"attest", "--pool", pool.pool_file(), "--order", order, "--tee", "sim",
                 "--key-out", (out / "key").string(), "--timeout-ms", "3000"});
  *err = r.err;
  return r.exit_code == 0 ? read_file(out / "key") : "";
}

std::string text_of(const crypto::SecretBytes& k) {
  return std::string(k.reveal().begin(), k.reveal().end());
}

TEST(DiskFull, AValidatorThatCannotWriteRefusesClearlyLosesNothingAndRecovers) {
  auto pool = Pool::up(3);
  ASSERT_NE(pool, nullptr);
  auto before = random_key();
  ASSERT_EQ(pool->register_order(Pool::sim_order("before"), before), "");
  const int v1 = pool->pid(1);
  ASSERT_GT(v1, 0);
  const std::string data = (pool->dir() / "v1" / "data").string();

  // No file of v1 may grow past 10 bytes beyond the end of its audit log: the next record
  // is cut short there (and must not stay behind), and the store's next write fails too.
  const auto audit_size = std::filesystem::file_size(data + "/audit.log");
  auto limit = run({"/usr/bin/prlimit", "--pid", std::to_string(v1),
                    "--fsize=" + std::to_string(audit_size + 10) + ":unlimited"});
  ASSERT_EQ(limit.exit_code, 0) << limit.err;

  std::string refused = pool->register_order(Pool::sim_order("during"), random_key());
  // The first write is the operator request's replay record.
  EXPECT_NE(refused.find("v1: 500: operator: store: remember request: disk I/O error"),
            std::string::npos)
      << refused;
  EXPECT_EQ(refused.find("what()"), std::string::npos) << refused;
  EXPECT_EQ(::kill(v1, 0), 0) << "the validator died";
  for (size_t i = 1; i < 3; ++i) {  // given back by the others: all or nothing
    EXPECT_EQ(pool->call(i, "POST", "/v1/challenge", R"({"order":"during"})").status, 404);
  }
  std::string err;
  EXPECT_EQ(unlock(*pool, "before", &err), text_of(before)) << err;

  // Space returns: the same process takes the order, and its files are whole.
  limit = run({"/usr/bin/prlimit", "--pid", std::to_string(v1), "--fsize=unlimited:unlimited"});
  ASSERT_EQ(limit.exit_code, 0) << limit.err;
  auto after = random_key();
  ASSERT_EQ(pool->register_order(Pool::sim_order("after"), after), "");
  auto integrity =
      run({"/usr/bin/sqlite3", "-readonly", data + "/store.db", "PRAGMA integrity_check"});
  EXPECT_EQ(integrity.out, "ok\n") << integrity.err;
  auto audit = leea({"validator", "audit", "verify", data + "/audit.log"});
  EXPECT_EQ(audit.exit_code, 0) << audit.err;

  // And it restarts on them.
  pool->stop(1);
  pool->start(1);
  EXPECT_EQ(unlock(*pool, "after", &err), text_of(after)) << err;
  EXPECT_EQ(unlock(*pool, "before", &err), text_of(before)) << err;
}

}  // namespace
}  // namespace leea::test
