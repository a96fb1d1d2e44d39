#include "core/validator/store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/temp_dir.h"

namespace leea::validator {
namespace {

namespace fs = std::filesystem;
using crypto::SecretBytes;

SecretBytes key_of(uint8_t fill) {
  std::vector<uint8_t> k(32, fill);
  return SecretBytes::copy_of(k);
}

SecretBytes secret(std::string_view text) {
  return SecretBytes::copy_of(
      std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

const std::string kDoc = "id: demo\ntee: sim\n";
const std::string kManifest = R"({"order":"demo","threshold":3})";
const std::string kShare = "leea-share-1-of-5:0123456789abcdef-in-clear";

Store open_store(const fs::path& path, uint8_t key_fill = 0x11) {
  auto s = Store::open(path, key_of(key_fill));
  EXPECT_TRUE(s) << s.error().message;
  return std::move(s).value();
}

// A second, plain connection, for what the store's API cannot do: look at or tamper with
// the rows as an attacker with the file would.
class RawDb {
 public:
  explicit RawDb(const fs::path& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
    sqlite3_busy_timeout(db_, 5000);
  }
  ~RawDb() { sqlite3_close(db_); }
  void exec(const std::string& sql) {
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << err;
    sqlite3_free(err);
  }
  std::string text(const std::string& sql) {
    std::vector<uint8_t> b = blob(sql);
    return std::string(b.begin(), b.end());
  }
  std::vector<uint8_t> blob(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr), SQLITE_OK);
    std::vector<uint8_t> out;
    if (sqlite3_step(st) == SQLITE_ROW) {
      const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(st, 0));
      out.assign(p, p + sqlite3_column_bytes(st, 0));
    }
    sqlite3_finalize(st);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

bool file_contains(const fs::path& p, const std::vector<uint8_t>& needle) {
  if (!fs::exists(p)) {
    return false;
  }
  std::string hay = test::read_file(p);
  return hay.find(std::string(needle.begin(), needle.end())) != std::string::npos;
}

bool file_contains(const fs::path& p, std::string_view needle) {
  return file_contains(p, std::vector<uint8_t>(needle.begin(), needle.end()));
}

fs::path wal_of(const fs::path& db) { return fs::path(db.string() + "-wal"); }

TEST(Store, PutOrderThenGetOrderReturnsItWithoutTheShare) {
  test::TempDir dir;
  Store store = open_store(dir / "v.db");
  ASSERT_TRUE(store.put_order("demo", kDoc, kManifest, secret(kShare)));
  auto rec = store.get_order("demo");
  ASSERT_TRUE(rec) << rec.error().message;
  ASSERT_TRUE(rec->has_value());
  EXPECT_EQ((*rec)->id, "demo");
  EXPECT_EQ((*rec)->order_doc, kDoc);
  EXPECT_EQ((*rec)->manifest, kManifest);
  EXPECT_GT((*rec)->created_at, 0);
  EXPECT_EQ((*rec)->created_at, (*rec)->updated_at);
}

TEST(Store, GetShareReturnsTheShareThatWasPut) {
  test::TempDir dir;
  Store store = open_store(dir / "v.db");
  ASSERT_TRUE(store.put_order("demo", kDoc, kManifest, secret(kShare)));
  auto share = store.get_share("demo");
  ASSERT_TRUE(share) << share.error().message;
  EXPECT_TRUE(share->equals(secret(kShare)));
}

TEST(Store, AnAbsentOrderIsNulloptAndHasNoShare) {
  test::TempDir dir;
  Store store = open_store(dir / "v.db");
  auto rec = store.get_order("nope");
  ASSERT_TRUE(rec);
  EXPECT_FALSE(rec->has_value());
  auto share = store.get_share("nope");
  ASSERT_FALSE(share);
  EXPECT_EQ(share.error().code, Errc::invalid_argument);
  EXPECT_EQ(share.error().message, "store: get share nope: no such order");
}

TEST(Store, PutOrderReplacesAnOrderAndKeepsItsCreationTime) {
  test::TempDir dir;
  Store store = open_store(dir / "v.db");
  ASSERT_TRUE(store.put_order("demo", kDoc, kManifest, secret(kShare)));
  auto first = store.get_order("demo");
  ASSERT_TRUE(first && first->has_value());
  ASSERT_TRUE(store.put_order("demo", "id: demo\n# v2\n", "{}", secret("second share")));
  auto second = store.get_order("demo");
  ASSERT_TRUE(second && second->has_value());
  EXPECT_EQ((*second)->order_doc, "id: demo\n# v2\n");
  EXPECT_EQ((*second)->manifest, "{}");
  EXPECT_EQ((*second)->created_at, (*first)->created_at);
  EXPECT_GE((*second)->updated_at, (*first)->updated_at);
  auto share = store.get_share("demo");
  ASSERT_TRUE(share);
  EXPECT_TRUE(share->equals(secret("second share")));
  EXPECT_EQ(*store.list_orders(), std::vector<std::string>{"demo"});
}

TEST(Store, ListOrdersReturnsEveryIdInOrder) {
  test::TempDir dir;
  Store store = open_store(dir / "v.db");
  for (const char* id : {"zeta", "alpha", "m-1", "M.2"}) {
    ASSERT_TRUE(store.put_order(id, kDoc, kManifest, secret(kShare)));
  }
  auto ids = store.list_orders();
  ASSERT_TRUE(ids);
  EXPECT_EQ(*ids, (std::vector<std::string>{"M.2", "alpha", "m-1", "zeta"}));
}

TEST(Store, DeleteOrderRemovesItAndSaysWhetherItExisted) {
  test::TempDir dir;
  Store store = open_store(dir / "v.db");
  ASSERT_TRUE(store.put_order("demo", kDoc, kManifest, secret(kShare)));
  ASSERT_TRUE(store.put_order("keep", kDoc, kManifest, secret(kShare)));
  auto deleted = store.delete_order("demo");
  ASSERT_TRUE(deleted) << deleted.error().message;
  EXPECT_TRUE(*deleted);
  EXPECT_FALSE(store.get_order("demo")->has_value());
  EXPECT_FALSE(store.get_share("demo"));
  EXPECT_FALSE(*store.delete_order("demo"));
  EXPECT_EQ(*store.list_orders(), std::vector<std::string>{"keep"});
}

TEST(Store, DeletedSharesLeaveNoBytesInTheDatabaseOrItsLog) {
  test::TempDir dir;
  const fs::path db = dir / "v.db";
  Store store = open_store(db);
  const std::string marker = "order-document-marker-7f3a";
  ASSERT_TRUE(store.put_order("demo", marker, kManifest, secret(kShare)));
  ASSERT_TRUE(store.put_order("keep", kDoc, kManifest, secret(kShare)));
  std::vector<uint8_t> sealed = RawDb(db).blob("SELECT sealed_share FROM orders WHERE id='demo'");
  ASSERT_GT(sealed.size(), 28u);
  ASSERT_TRUE(file_contains(db, sealed) || file_contains(wal_of(db), sealed));

  ASSERT_TRUE(*store.delete_order("demo"));
  EXPECT_FALSE(file_contains(db, sealed));
  EXPECT_FALSE(file_contains(wal_of(db), sealed));
  EXPECT_FALSE(file_contains(db, marker));
  EXPECT_FALSE(file_contains(wal_of(db), marker));
}

TEST(Store, SharesAreNeverStoredInClear) {
  test::TempDir dir;
  const fs::path db = dir / "v.db";
  {
    Store store = open_store(db);
    ASSERT_TRUE(store.put_order("demo", kDoc, kManifest, secret(kShare)));
    EXPECT_FALSE(file_contains(db, kShare));
    EXPECT_FALSE(file_contains(wal_of(db), kShare));
  }
  EXPECT_FALSE(file_contains(db, kShare));
}

TEST(Store, AcknowledgedOrdersSurviveCloseAndReopen) {
  test::TempDir dir;
  const fs::path db = dir / "v.db";
  {
    Store store = open_store(db);
    ASSERT_TRUE(store.put_order("demo", kDoc, kManifest, secret(kShare)));
    ASSERT_TRUE(store.put_order("other", kDoc, kManifest, secret("other share")));
    ASSERT_TRUE(store.delete_order("other"));
  }
  Store store = open_store(db);
  EXPECT_EQ(*store.list_orders(), std::vector<std::string>{"demo"});
  auto share = store.get_share("demo");
  ASSERT_TRUE(share) << share.error().message;
  EXPECT_TRUE(share->equals(secret(kShare)));
  EXPECT_EQ((*store.get_order("demo"))->manifest, kManifest);
}

TEST(Store, AcknowledgedOrdersSurviveSigkillRightAfterPutOrder) {
  test::TempDir dir;
  const fs::path db = dir / "v.db";
  constexpr int kOrders = 10;
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // The child reports each acknowledged put, then waits to be killed mid-life: no
    // destructor, no close, no checkpoint runs.
    ::close(ready[0]);
    auto store = Store::open(db, key_of(0x11));
    char ok = '1';
    for (int i = 0; store && i < kOrders; ++i) {
      if (!store->put_order("order-" + std::to_string(i), kDoc, kManifest, secret(kShare))) {
        ok = '0';
        break;
      }
    }
    ok = store ? ok : '0';
    (void)!::write(ready[1], &ok, 1);
    for (;;) {
      ::pause();
    }
  }
  ::close(ready[1]);
  char ok = 0;
  ASSERT_EQ(::read(ready[0], &ok, 1), 1);
  ::close(ready[0]);
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  ASSERT_EQ(ok, '1') << "the child could not store its orders";

  Store store = open_store(db);
  auto ids = store.list_orders();
  ASSERT_TRUE(ids) << ids.error().message;
  EXPECT_EQ(ids->size(), static_cast<size_t>(kOrders));
  for (int i = 0; i < kOrders; ++i) {
    auto share = store.get_share("order-" + std::to_string(i));
    ASSERT_TRUE(share) << share.error().message;
    EXPECT_TRUE(share->equals(secret(kShare)));
  }
}

TEST(Store, SharesAlteredOnDiskAreDetected) {
  test::TempDir dir;
  const fs::path db = dir / "v.db";
  { ASSERT_TRUE(open_store(db).put_order("demo", kDoc, kManifest, secret(kShare))); }
  std::vector<uint8_t> sealed = RawDb(db).blob("SELECT sealed_share FROM orders WHERE id='demo'");
  std::string bytes = test::read_file(db);
  size_t at = bytes.find(std::string(sealed.begin(), sealed.end()));
  ASSERT_NE(at, std::string::npos) << "closing checkpoints the log into the database";
  bytes[at + 20] ^= 0x01;  // one bit of the ciphertext
  test::write_file(db, bytes);

  Store store = open_store(db);
  auto share = store.get_share("demo");
  ASSERT_FALSE(share);
  EXPECT_EQ(share.error().code, Errc::refused);
  EXPECT_EQ(share.error().message,
            "stored share for order demo failed authentication (altered on disk?)");
  EXPECT_TRUE(store.get_order("demo")->has_value());
}

TEST(Store, ASealedShareMovedToAnotherOrderFailsToOpen) {
  test::TempDir dir;
  const fs::path db = dir / "v.db";
  Store store = open_store(db);
  ASSERT_TRUE(store.put_order("victim", kDoc, kManifest, secret(kShare)));
  ASSERT_TRUE(store.put_order("thief", kDoc, kManifest, secret("thief's own share")));
  RawDb(db).exec(
      "UPDATE orders SET sealed_share = (SELECT sealed_share FROM orders WHERE id = 'victim') "
      "WHERE id = 'thief'");
  auto share = store.get_share("thief");
  ASSERT_FALSE(share);
  EXPECT_EQ(share.error().message,
            "stored share for order thief failed authentication (altered on disk?)");
  EXPECT_TRUE(store.get_share("victim"));
}

TEST(Store, SharesDoNotOpenUnderAnotherSealingKey) {
  test::TempDir dir;
  const fs::path db = dir / "v.db";
  { ASSERT_TRUE(open_store(db, 0x11).put_order("demo", kDoc, kManifest, secret(kShare))); }
  Store store = open_store(db, 0x22);
  auto share = store.get_share("demo");
  ASSERT_FALSE(share);
  EXPECT_EQ(share.error().code, Errc::refused);
}

TEST(Store, RefusesADatabaseFromANewerLeea) {
  test::TempDir dir;
  const fs::path db = dir / "v.db";
  { open_store(db); }
  RawDb(db).exec("UPDATE schema_version SET version = 99");
  auto store = Store::open(db, key_of(0x11));
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, Errc::config);
  EXPECT_EQ(store.error().message, "store: " + db.string() +
                                       ": database schema version 99 is newer than this leea "
                                       "supports (1); run a newer leea");
}

TEST(Store, RefusesAFileThatIsNotADatabase) {
  test::TempDir dir;
  const fs::path db = dir / "v.db";
  test::write_file(db, std::string(4096, 'x'));
  auto store = Store::open(db, key_of(0x11));
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, Errc::invalid_data);
  EXPECT_NE(store.error().message.find("file is not a database"), std::string::npos)
      << store.error().message;
}

TEST(Store, CreatesAPrivateDatabaseInWriteAheadLogMode) {
  test::TempDir dir;
  const fs::path db = dir / "v.db";
  Store store = open_store(db);
  ASSERT_TRUE(store.put_order("demo", kDoc, kManifest, secret(kShare)));
  for (const fs::path& p : {db, wal_of(db)}) {
    struct stat st {};
    ASSERT_EQ(::stat(p.c_str(), &st), 0) << p;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << p;
  }
  EXPECT_EQ(RawDb(db).text("PRAGMA journal_mode"), "wal");
}

TEST(Store, RefusesASealingKeyThatIsNot32Bytes) {
  test::TempDir dir;
  auto store = Store::open(dir / "v.db", SecretBytes(16));
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, Errc::invalid_argument);
  EXPECT_FALSE(fs::exists(dir / "v.db"));
}

TEST(Store, RefusesInvalidIdsAndOversizedFields) {
  test::TempDir dir;
  Store store = open_store(dir / "v.db");
  for (const char* id : {"", "..", "a/b", "with space", "line\nbreak"}) {
    auto r = store.put_order(id, kDoc, kManifest, secret(kShare));
    ASSERT_FALSE(r) << id;
    EXPECT_EQ(r.error().code, Errc::invalid_argument);
    EXPECT_EQ(r.error().message,
              "store: put order: order id must be 1 to 64 characters from A-Z a-z 0-9 . _ -");
    EXPECT_FALSE(store.get_order(id));
  }
  std::string big(kMaxOrderDocBytes + 1, 'x');
  auto r = store.put_order("demo", big, kManifest, secret(kShare));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "store: put order demo: the order document is 65537 bytes, more than 65536");
  EXPECT_FALSE(store.put_order("demo", kDoc, big, secret(kShare)));
  EXPECT_FALSE(store.put_order("demo", kDoc, kManifest, SecretBytes()));
  EXPECT_TRUE(store.put_order("demo", std::string(kMaxOrderDocBytes, 'x'),
                              std::string(kMaxManifestBytes, 'y'), secret(kShare)));
}

TEST(Store, ServesManyThreadsAtOnce) {
  test::TempDir dir;
  Store store = open_store(dir / "v.db");
  constexpr int kThreads = 4;
  constexpr int kEach = 10;
  std::vector<std::thread> threads;
  std::vector<int> failures(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&store, &failures, t] {
      for (int i = 0; i < kEach; ++i) {
        std::string id = "t" + std::to_string(t) + "-" + std::to_string(i);
        std::string text = "share of " + id;
        bool ok = store.put_order(id, kDoc, kManifest, secret(text)).has_value();
        auto share = store.get_share(id);
        ok = ok && share && share->equals(secret(text)) && store.list_orders();
        failures[t] += ok ? 0 : 1;
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  EXPECT_EQ(failures, std::vector<int>(kThreads, 0));
  EXPECT_EQ(store.list_orders()->size(), static_cast<size_t>(kThreads * kEach));
}

TEST(Store, RememberRequestRefusesAHashSeenBeforeEvenAfterReopen) {
  test::TempDir dir;
  const fs::path db = dir / "v.db";
  const std::string h(64, 'a');
  {
    Store store = open_store(db);
    auto first = store.remember_request(h, 1000);
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_TRUE(*first);
    EXPECT_FALSE(*store.remember_request(h, 1000));
    EXPECT_FALSE(*store.remember_request(h, 2000));
  }
  Store store = open_store(db);
  EXPECT_FALSE(*store.remember_request(h, 1000));
  EXPECT_TRUE(*store.remember_request(std::string(64, 'b'), 1000));
}

TEST(Store, ForgetRequestsBeforeDropsOnlyOlderHashes) {
  test::TempDir dir;
  Store store = open_store(dir / "v.db");
  const std::string old_hash(64, '1'), new_hash(64, '2');
  ASSERT_TRUE(*store.remember_request(old_hash, 100));
  ASSERT_TRUE(*store.remember_request(new_hash, 200));
  auto forgotten = store.forget_requests_before(200);
  ASSERT_TRUE(forgotten);
  EXPECT_EQ(*forgotten, 1);
  EXPECT_TRUE(*store.remember_request(old_hash, 100));
  EXPECT_FALSE(*store.remember_request(new_hash, 200));
}

TEST(Store, RememberRequestRefusesAMalformedHash) {
  test::TempDir dir;
  Store store = open_store(dir / "v.db");
  for (const std::string& h : {std::string(63, 'a'), std::string(64, 'A'), std::string(64, 'g'),
                               std::string(65, 'a'), std::string()}) {
    auto r = store.remember_request(h, 1);
    ASSERT_FALSE(r) << h;
    EXPECT_EQ(r.error().code, Errc::invalid_argument);
  }
}

}  // namespace
}  // namespace leea::validator
