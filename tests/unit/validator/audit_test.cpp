#include "core/validator/audit.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/crypto/digest.h"
#include "core/util/encoding.h"
#include "tests/support/temp_dir.h"

namespace leea::validator {
namespace {

namespace fs = std::filesystem;

const std::string kGenesis(64, '0');

AuditEvent event(int i) {
  return {{"time", "2024-05-01T12:00:0" + std::to_string(i % 10) + ".000Z"},
          {"request_id", "req-" + std::to_string(i)},
          {"endpoint", "attest"},
          {"order", "demo"},
          {"outcome", i % 2 == 0 ? "granted" : "refused"},
          {"check", i % 2 == 0 ? "" : "measurement kernel_cmdline"},
          {"remote", "127.0.0.1:4" + std::to_string(1000 + i)}};
}

// A log with n records; returns its path.
fs::path make_log(const test::TempDir& dir, int n) {
  fs::path p = dir / "audit.log";
  auto log = AuditLog::open(p);
  EXPECT_TRUE(log) << log.error().message;
  for (int i = 1; i <= n; ++i) {
    auto s = log->append(event(i));
    EXPECT_TRUE(s) << s.error().message;
  }
  return p;
}

std::vector<std::string> lines_of(const fs::path& p) {
  std::istringstream in(test::read_file(p));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  return lines;
}

void write_lines(const fs::path& p, const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& l : lines) {
    text += l + "\n";
  }
  test::write_file(p, text);
}

std::string refusal(const fs::path& p) {
  auto r = verify_audit_log(p);
  if (r) {
    return "verified";
  }
  EXPECT_EQ(r.error().code, Errc::refused) << r.error().message;
  return r.error().message;
}

TEST(AuditLog, AFreshLogVerifies) {
  test::TempDir dir;
  fs::path p = dir / "audit.log";
  auto log = AuditLog::open(p);
  ASSERT_TRUE(log) << log.error().message;
  AuditSummary last;
  for (int i = 1; i <= 5; ++i) {
    auto s = log->append(event(i));
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->records, static_cast<uint64_t>(i));
    last = *s;
  }
  auto v = verify_audit_log(p);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->records, 5u);
  EXPECT_EQ(v->last_hash, last.last_hash);
  EXPECT_EQ(log->summary().last_hash, last.last_hash);
}

TEST(AuditLog, AnEmptyLogVerifiesWithNoRecords) {
  test::TempDir dir;
  fs::path p = make_log(dir, 0);
  auto v = verify_audit_log(p);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->records, 0u);
  EXPECT_EQ(v->last_hash, kGenesis);
}

TEST(AuditLog, RecordsAreCanonicalJsonLinesChainedByTheirHashes) {
  test::TempDir dir;
  fs::path p = make_log(dir, 3);
  std::string prev = kGenesis;
  uint64_t seq = 1;
  for (const std::string& line : lines_of(p)) {
    nlohmann::json j = nlohmann::json::parse(line);
    EXPECT_EQ(j.dump(), line);  // compact, keys sorted
    EXPECT_EQ(j["seq"], seq++);
    EXPECT_EQ(j["prev"], prev);
    EXPECT_EQ(j["endpoint"], "attest");
    std::string hash = j["hash"];
    j.erase("hash");
    EXPECT_EQ(hash, hex_encode(crypto::sha256(prev + j.dump())));
    prev = hash;
  }
  EXPECT_EQ(seq, 4u);
}

TEST(AuditLog, EveryOneByteChangeInARecordNamesItsLine) {
  test::TempDir dir;
  fs::path p = make_log(dir, 5);
  const std::string original = test::read_file(p);
  auto lines = lines_of(p);
  size_t begin = lines[0].size() + lines[1].size() + 2;  // line 3, with its newline
  size_t end = begin + lines[2].size() + 1;
  for (size_t i = begin; i < end; ++i) {
    std::string bytes = original;
    bytes[i] ^= 0x01;
    test::write_file(p, bytes);
    std::string why = refusal(p);
    EXPECT_EQ(why.rfind("audit log " + p.string() + ": line 3: ", 0), 0u)
        << "byte " << i - begin << ": " << why;
  }
}

TEST(AuditLog, AnEditedValueIsReportedAsEdited) {
  test::TempDir dir;
  fs::path p = make_log(dir, 5);
  auto lines = lines_of(p);
  size_t at = lines[2].find("refused");  // record 3 was refused; make it look granted
  ASSERT_NE(at, std::string::npos);
  lines[2].replace(at, 7, "granted");
  write_lines(p, lines);
  EXPECT_EQ(refusal(p),
            "audit log " + p.string() + ": line 3: hash does not match the record (edited?)");
}

TEST(AuditLog, ADeletedLineIsNamedAtTheRecordThatFollows) {
  test::TempDir dir;
  fs::path p = make_log(dir, 5);
  auto lines = lines_of(p);
  lines.erase(lines.begin() + 2);
  write_lines(p, lines);
  EXPECT_EQ(refusal(p), "audit log " + p.string() +
                            ": line 3: seq 4 where 3 was expected (a record removed, inserted or "
                            "reordered?)");
}

TEST(AuditLog, ADeletedFirstLineIsNamed) {
  test::TempDir dir;
  fs::path p = make_log(dir, 3);
  auto lines = lines_of(p);
  lines.erase(lines.begin());
  write_lines(p, lines);
  EXPECT_EQ(refusal(p).rfind("audit log " + p.string() + ": line 1: seq 2 where 1", 0), 0u);
}

TEST(AuditLog, ReorderedLinesAreNamed) {
  test::TempDir dir;
  fs::path p = make_log(dir, 5);
  auto lines = lines_of(p);
  std::swap(lines[1], lines[3]);
  write_lines(p, lines);
  EXPECT_EQ(refusal(p).rfind("audit log " + p.string() + ": line 2: seq 4 where 2", 0), 0u);
}

TEST(AuditLog, ARenumberedRecordThatDoesNotLinkIsNamed) {
  // Removes line 2 and rewrites line 3 as seq 2 with a correct hash of its own: only prev
  // still shows that a record is missing.
  test::TempDir dir;
  fs::path p = make_log(dir, 3);
  auto lines = lines_of(p);
  nlohmann::json j = nlohmann::json::parse(lines[2]);
  j["seq"] = 2;
  j.erase("hash");
  j["hash"] = hex_encode(crypto::sha256(j["prev"].get<std::string>() + j.dump()));
  write_lines(p, {lines[0], j.dump()});
  EXPECT_EQ(refusal(p), "audit log " + p.string() +
                            ": line 2: prev does not match the hash of the record before (a "
                            "record removed, inserted or reordered?)");
}

TEST(AuditLog, ATailTruncatedMidLineIsNamedAndRefusedOnOpen) {
  test::TempDir dir;
  fs::path p = make_log(dir, 5);
  std::string bytes = test::read_file(p);
  test::write_file(p, bytes.substr(0, bytes.size() - 10));
  EXPECT_EQ(refusal(p),
            "audit log " + p.string() + ": line 5: incomplete line (truncated mid-line?)");
  auto log = AuditLog::open(p);
  ASSERT_FALSE(log);
  EXPECT_EQ(log.error().code, Errc::refused);
  EXPECT_EQ(log.error().message, "audit log " + p.string() +
                                     ": the last line is incomplete (truncated mid-line?); check "
                                     "it with 'leea validator audit verify'");
}

TEST(AuditLog, OpenRefusesALogWhoseLastRecordWasEdited) {
  test::TempDir dir;
  fs::path p = make_log(dir, 2);
  auto lines = lines_of(p);
  lines[1].replace(lines[1].find("req-2"), 5, "req-9");
  write_lines(p, lines);
  auto log = AuditLog::open(p);
  ASSERT_FALSE(log);
  EXPECT_EQ(log.error().code, Errc::refused);
  EXPECT_NE(log.error().message.find("the last record is damaged: hash does not match"),
            std::string::npos)
      << log.error().message;
}

TEST(AuditLog, RemovingWholeRecordsFromTheEndChangesOnlyTheLastHash) {
  // The limit of a chain: a cut at a line boundary verifies, so operators keep last_hash
  // elsewhere and compare.
  test::TempDir dir;
  fs::path p = make_log(dir, 4);
  std::string full_hash = verify_audit_log(p)->last_hash;
  auto lines = lines_of(p);
  lines.pop_back();
  write_lines(p, lines);
  auto v = verify_audit_log(p);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->records, 3u);
  EXPECT_NE(v->last_hash, full_hash);
}

TEST(AuditLog, ReopeningContinuesTheChain) {
  test::TempDir dir;
  fs::path p = make_log(dir, 2);
  {
    auto log = AuditLog::open(p);
    ASSERT_TRUE(log) << log.error().message;
    EXPECT_EQ(log->summary().records, 2u);
    auto s = log->append(event(3));
    ASSERT_TRUE(s);
    EXPECT_EQ(s->records, 3u);
  }
  auto log = AuditLog::open(p);
  ASSERT_TRUE(log);
  auto s = log->append(event(4));
  ASSERT_TRUE(s);
  auto v = verify_audit_log(p);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->records, 4u);
  EXPECT_EQ(v->last_hash, s->last_hash);
}

TEST(AuditLog, TheFileIsPrivateToItsOwner) {
  test::TempDir dir;
  fs::path p = make_log(dir, 1);
  struct stat st {};
  ASSERT_EQ(::stat(p.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(AuditLog, ASecondWriterIsRefused) {
  test::TempDir dir;
  fs::path p = dir / "audit.log";
  auto first = AuditLog::open(p);
  ASSERT_TRUE(first);
  auto second = AuditLog::open(p);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().message,
            "audit log " + p.string() + ": in use by another process (or another AuditLog)");
}

TEST(AuditLog, RefusesFieldsThatMayHoldSecretsOrAreReserved) {
  test::TempDir dir;
  auto log = AuditLog::open(dir / "audit.log");
  ASSERT_TRUE(log);
  for (const char* name : {"token", "share", "secret", "nonce", "key", "seq", "prev", "hash",
                           "Order", "", "request-id"}) {
    auto r = log->append({{name, "x"}});
    ASSERT_FALSE(r) << name;
    EXPECT_EQ(r.error().code, Errc::invalid_argument) << name;
  }
  auto r = log->append({{"token", "eyJhbGciOiJFUzI1NiJ9.e30.sig"}});
  EXPECT_EQ(r.error().message, "audit: field 'token' may hold a secret; log a fingerprint instead");
  EXPECT_FALSE(log->append({{"order", std::string(kMaxAuditValueBytes + 1, 'x')}}));
  EXPECT_EQ(log->summary().records, 0u);
  EXPECT_EQ(test::read_file(dir / "audit.log"), "");
}

TEST(AuditLog, AddsATimeWhenTheEventHasNone) {
  test::TempDir dir;
  fs::path p = dir / "audit.log";
  {
    auto log = AuditLog::open(p);
    ASSERT_TRUE(log);
    ASSERT_TRUE(log->append({{"endpoint", "healthz"}}));
  }
  nlohmann::json j = nlohmann::json::parse(lines_of(p).at(0));
  std::string t = j.at("time");
  ASSERT_EQ(t.size(), 24u) << t;  // 2024-05-01T12:00:00.123Z
  EXPECT_EQ(t[10], 'T');
  EXPECT_EQ(t.back(), 'Z');
}

TEST(AuditLog, ConcurrentAppendsFormOneChain) {
  test::TempDir dir;
  fs::path p = dir / "audit.log";
  auto log = AuditLog::open(p);
  ASSERT_TRUE(log);
  constexpr int kThreads = 4;
  constexpr int kEach = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&log, t] {
      for (int i = 0; i < kEach; ++i) {
        EXPECT_TRUE(log->append(event(t * kEach + i)));
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  auto v = verify_audit_log(p);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->records, static_cast<uint64_t>(kThreads * kEach));
}

TEST(AuditLog, VerifyOfAMissingFileIsAnIoError) {
  test::TempDir dir;
  auto v = verify_audit_log(dir / "absent.log");
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, Errc::io);
}

TEST(TokenFingerprint, IsTheFirstEightBytesOfSha256AndHidesTheToken) {
  const std::string token = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ2bSJ9.c2lnbmF0dXJl";
  std::string fp = token_fingerprint(token);
  EXPECT_EQ(fp, "sha256:" + hex_encode(crypto::sha256(token)).substr(0, 16));
  EXPECT_EQ(fp.size(), 7u + 16u);
  EXPECT_EQ(fp.find("eyJ"), std::string::npos);
  EXPECT_NE(token_fingerprint(token + "x"), fp);
}

}  // namespace
}  // namespace leea::validator
