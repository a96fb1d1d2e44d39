#include "core/config/validator.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/support/temp_dir.h"

namespace leea::config {
namespace {

namespace fs = std::filesystem;

const std::string kMinimal =
    "version: 1\n"
    "id: v1\n"
    "listen: 127.0.0.1:8441\n"
    "data_dir: data\n"
    "tls: {cert: tls.crt, key: tls.key}\n"
    "token_key: token.key\n"
    "sealing_key: /var/lib/leea/sealing.key\n";

std::string with(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return at == std::string::npos ? text : text.replace(at, from.size(), to);
}

TEST(ValidatorConfig, AppliesDefaultsToAMinimalFile) {
  auto c = load_validator_string(kMinimal, "validator.yaml", "/etc/leea");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->id, "v1");
  EXPECT_EQ(c->listen, (Endpoint{"127.0.0.1", 8441}));
  EXPECT_EQ(c->pool, std::nullopt);
  EXPECT_TRUE(c->operators.empty());
  EXPECT_EQ(c->share_key, std::nullopt);
  EXPECT_FALSE(c->allow_sim);
  EXPECT_EQ(c->collateral_dir, std::nullopt);
  EXPECT_EQ(c->share_release, ShareRelease::appraise);
  EXPECT_EQ(share_release_name(c->share_release), "appraise");
  EXPECT_EQ(c->token_ttl_seconds, 120);
  EXPECT_EQ(c->limits.max_body_bytes, size_t{1} << 20);
  EXPECT_EQ(c->limits.threads, 8);
  EXPECT_EQ(c->limits.read_timeout_seconds, 10);
  EXPECT_EQ(c->limits.write_timeout_seconds, 10);
  EXPECT_EQ(c->limits.handshake_timeout_seconds, 5);
  EXPECT_EQ(c->limits.max_connections, 4096u);
  EXPECT_EQ(c->limits.max_connections_per_source, 256u);
  EXPECT_EQ(c->limits.max_queued_requests, 256u);
}

TEST(ValidatorConfig, ReadsEverySetting) {
  std::string text = kMinimal +
                     "pool: ../pool.yaml\n"
                     "share_key: share.key\n"
                     "operators:\n"
                     "  - {id: ops, public_key: keys/ops.pub}\n"
                     "  - {id: backup, public_key: /keys/backup.pub}\n"
                     "allow_sim: true\n"
                     "collateral_dir: collateral\n"
                     "share_release: token\n"
                     "token_ttl_seconds: 60\n"
                     "limits: {max_body_bytes: 65536, threads: 2, read_timeout_seconds: 5,\n"
                     "         write_timeout_seconds: 7, handshake_timeout_seconds: 2,\n"
                     "         max_connections: 1000, max_connections_per_source: 50,\n"
                     "         max_queued_requests: 64}\n";
  auto c = load_validator_string(text, "validator.yaml", "/etc/leea/v1");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->pool, fs::path("/etc/leea/pool.yaml"));
  EXPECT_EQ(c->share_key, fs::path("/etc/leea/v1/share.key"));
  ASSERT_EQ(c->operators.size(), 2u);
  EXPECT_EQ(c->operators[0].id, "ops");
  EXPECT_EQ(c->operators[0].public_key, fs::path("/etc/leea/v1/keys/ops.pub"));
  EXPECT_EQ(c->operators[1].public_key, fs::path("/keys/backup.pub"));
  EXPECT_TRUE(c->allow_sim);
  EXPECT_EQ(c->collateral_dir, fs::path("/etc/leea/v1/collateral"));
  EXPECT_EQ(c->share_release, ShareRelease::token);
  EXPECT_EQ(c->token_ttl_seconds, 60);
  EXPECT_EQ(c->limits.max_body_bytes, 65536u);
  EXPECT_EQ(c->limits.threads, 2);
  EXPECT_EQ(c->limits.read_timeout_seconds, 5);
  EXPECT_EQ(c->limits.write_timeout_seconds, 7);
  EXPECT_EQ(c->limits.handshake_timeout_seconds, 2);
  EXPECT_EQ(c->limits.max_connections, 1000u);
  EXPECT_EQ(c->limits.max_connections_per_source, 50u);
  EXPECT_EQ(c->limits.max_queued_requests, 64u);
}

TEST(ValidatorConfig, ResolvesRelativePathsAgainstTheFilesDirectory) {
  test::TempDir dir;
  fs::create_directory(dir / "v1");
  test::write_file(dir / "v1" / "validator.yaml", kMinimal + "pool: ../pool.yaml\n");
  auto c = load_validator_file(dir / "v1" / "validator.yaml");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->source, (dir / "v1" / "validator.yaml").string());
  EXPECT_EQ(c->data_dir, dir / "v1" / "data");
  EXPECT_EQ(c->tls.cert, dir / "v1" / "tls.crt");
  EXPECT_EQ(c->tls.key, dir / "v1" / "tls.key");
  EXPECT_EQ(c->token_key, dir / "v1" / "token.key");
  EXPECT_EQ(c->sealing_key, fs::path("/var/lib/leea/sealing.key"));
  EXPECT_EQ(c->pool, dir / "pool.yaml");
}

TEST(ValidatorConfig, ResolvesAgainstTheDirectoryOfARelativeFileName) {
  test::TempDir dir;
  test::write_file(dir / "validator.yaml", kMinimal);
  fs::path cwd = fs::current_path();
  fs::current_path(dir.path());
  auto c = load_validator_file("validator.yaml");
  fs::current_path(cwd);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->source, "validator.yaml");
  EXPECT_EQ(c->data_dir, dir / "data");
}

struct BadValidator {
  const char* name;
  std::string text;
  std::string message;
};

std::ostream& operator<<(std::ostream& os, const BadValidator& c) { return os << c.name; }

class ValidatorConfigRejects : public testing::TestWithParam<BadValidator> {};

TEST_P(ValidatorConfigRejects, WithFileLineColumnAndReason) {
  auto c = load_validator_string(GetParam().text, "validator.yaml", "/etc/leea");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, Errc::config);
  EXPECT_EQ(c.error().message, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ValidatorConfigRejects,
    testing::Values(
        BadValidator{"UnknownKeyWithSuggestion", kMinimal + "allow_simm: true\n",
                     "validator.yaml:8:1: unknown key 'allow_simm' (did you mean 'allow_sim'?)"},
        BadValidator{"UnknownLimit", kMinimal + "limits:\n  thread: 4\n",
                     "validator.yaml:9:3: unknown key 'thread' (did you mean 'threads'?)"},
        BadValidator{"MissingField", with(kMinimal, "token_key: token.key\n", ""),
                     "validator.yaml:1:1: missing required key 'token_key'"},
        BadValidator{"MissingTlsKey", with(kMinimal, ", key: tls.key}", "}"),
                     "validator.yaml:5:6: missing required key 'key'"},
        BadValidator{"ListWhereAPathIsExpected", with(kMinimal, "data_dir: data", "data_dir: [a]"),
                     "validator.yaml:4:11: 'data_dir' must be a string, not a sequence"},
        BadValidator{"EmptyPath", with(kMinimal, "data_dir: data", "data_dir: \"\""),
                     "validator.yaml:4:11: 'data_dir' must not be empty"},
        BadValidator{"ListenWithoutPort", with(kMinimal, "127.0.0.1:8441", "127.0.0.1"),
                     "validator.yaml:3:9: 'listen' must be host:port with a port from 1 to "
                     "65535, not '127.0.0.1'"},
        BadValidator{"BadId", with(kMinimal, "id: v1", "id: v 1"),
                     "validator.yaml:2:5: 'id' must be 1 to 64 characters from A-Z a-z 0-9 . _ "
                     "- (and not '.' or '..'), not 'v 1'"},
        BadValidator{"DuplicateOperator",
                     kMinimal + "operators:\n  - id: ops\n    public_key: a.pub\n"
                                "  - id: ops\n    public_key: b.pub\n",
                     "validator.yaml:11:9: duplicate operator id 'ops' (first at line 9)"},
        BadValidator{"OperatorWithoutKey", kMinimal + "operators:\n  - id: ops\n",
                     "validator.yaml:9:5: missing required key 'public_key'"},
        BadValidator{"AllowSimNotABool", kMinimal + "allow_sim: yes\n",
                     "validator.yaml:8:12: 'allow_sim' must be true or false, not 'yes'"},
        BadValidator{"ShareReleaseTypo", kMinimal + "share_release: apraise\n",
                     "validator.yaml:8:16: 'share_release' must be 'appraise' or 'token', not "
                     "'apraise' (did you mean 'appraise'?)"},
        BadValidator{"TokenTtlAboveMax", kMinimal + "token_ttl_seconds: 121\n",
                     "validator.yaml:8:20: 'token_ttl_seconds' must be between 1 and 120, not "
                     "'121'"},
        BadValidator{"ZeroThreads", kMinimal + "limits: {threads: 0}\n",
                     "validator.yaml:8:19: 'threads' must be between 1 and 256, not '0'"},
        BadValidator{"HugeBody", kMinimal + "limits: {max_body_bytes: 1073741824}\n",
                     "validator.yaml:8:26: 'max_body_bytes' must be between 1024 and 16777216, "
                     "not '1073741824'"},
        BadValidator{"TooFewConnections", kMinimal + "limits: {max_connections: 8}\n",
                     "validator.yaml:8:27: 'max_connections' must be between 16 and 65536, "
                     "not '8'"},
        BadValidator{"NoConnectionsPerSource",
                     kMinimal + "limits: {max_connections_per_source: 0}\n",
                     "validator.yaml:8:38: 'max_connections_per_source' must be between 1 and "
                     "65536, not '0'"},
        BadValidator{"LongHandshake", kMinimal + "limits: {handshake_timeout_seconds: 61}\n",
                     "validator.yaml:8:37: 'handshake_timeout_seconds' must be between 1 and "
                     "60, not '61'"},
        BadValidator{"WrongVersion", with(kMinimal, "version: 1", "version: 0"),
                     "validator.yaml:1:10: unsupported version 0 (this leea reads version 1)"},
        BadValidator{"MalformedYaml",
                     with(kMinimal, "tls: {cert: tls.crt, key: tls.key}",
                          "tls: {cert: tls.crt, key: tls.key"),
                     "validator.yaml:6:10: invalid YAML: end of map flow not found"}),
    [](const testing::TestParamInfo<BadValidator>& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace leea::config
