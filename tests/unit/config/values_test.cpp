#include "core/config/values.h"

#include <gtest/gtest.h>

#include <string>

namespace leea::config {
namespace {

TEST(ConfigIds, AcceptsTheIdAlphabetUpTo64Characters) {
  const std::string longest(64, 'a');
  for (const std::string& id : {std::string("v1"), std::string("demo-sim"), std::string("a.b_c-D9"),
                                std::string("...x"), longest}) {
    EXPECT_TRUE(is_valid_id(id)) << id;
  }
}

TEST(ConfigIds, RejectsEmptyLongDotsAndOtherCharacters) {
  const std::string too_long(65, 'a');
  for (const std::string& id :
       {std::string(), too_long, std::string("."), std::string(".."), std::string("a b"),
        std::string("a/b"), std::string("é"), std::string("a\nb"), std::string("a:b")}) {
    EXPECT_FALSE(is_valid_id(id)) << id;
  }
  auto r = parse_id("a/b");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::config);
  EXPECT_EQ(r.error().message,
            "must be 1 to 64 characters from A-Z a-z 0-9 . _ - (and not '.' or '..')");
}

TEST(ConfigHostPort, ParsesNamesIpv4AndBracketedIpv6) {
  struct Case {
    const char* text;
    const char* host;
    uint16_t port;
  };
  for (const Case& c : {Case{"127.0.0.1:8443", "127.0.0.1", 8443},
                        Case{"Validator-1.Example.org:1", "validator-1.example.org", 1},
                        Case{"localhost:65535", "localhost", 65535}, Case{"[::1]:443", "::1", 443},
                        Case{"[FE80::1]:10", "fe80::1", 10}}) {
    auto r = parse_host_port(c.text);
    ASSERT_TRUE(r) << c.text << ": " << r.error().message;
    EXPECT_EQ(r->host, c.host);
    EXPECT_EQ(r->port, c.port);
  }
}

TEST(ConfigHostPort, RejectsMissingOrBadPortsAndHosts) {
  for (const char* text : {"localhost", "localhost:", ":8443", "localhost:0", "localhost:65536",
                           "localhost:08443", "localhost:+1", "::1:443", "[::1:443", "[x]:1",
                           "256.0.0.1:1", "1.2.3:1", "-a.b:1", "a..b:1", "a_b:1", " a:1", "a:1 "}) {
    auto r = parse_host_port(text);
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().message, "must be host:port with a port from 1 to 65535") << text;
  }
}

TEST(ConfigHttpsUrl, ParsesHostAndPortAndToleratesOneTrailingSlash) {
  auto r = parse_https_url("https://[::1]:8443/");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->host, "::1");
  EXPECT_EQ(r->port, 8443);
  EXPECT_EQ(format_https_url(*r), "https://[::1]:8443");
  EXPECT_EQ(format_host_port(Endpoint{"v1.example", 443}), "v1.example:443");
}

TEST(ConfigHttpsUrl, RejectsOtherSchemesPathsUsersAndMissingPorts) {
  struct Case {
    const char* text;
    const char* message;
  };
  const char* form = "must be https://host:port with a port from 1 to 65535";
  for (const Case& c : {
           Case{"http://a:1", "must use the https scheme"},
           Case{"HTTPS://a:1", "must use the https scheme"},
           Case{"a:1", form},
           Case{"https://a", form},
           Case{"https://a:1/v1", "must be https://host:port with nothing after the port"},
           Case{"https://a:1?x", "must be https://host:port with nothing after the port"},
           Case{"https://a:1//", "must be https://host:port with nothing after the port"},
           Case{"https://u@a:1", "must be https://host:port without user information"},
       }) {
    auto r = parse_https_url(c.text);
    ASSERT_FALSE(r) << c.text;
    EXPECT_EQ(r.error().message, c.message) << c.text;
  }
}

TEST(ConfigDigests, ParsesSha256AndSha384InEitherCaseAndFormatsLowerCase) {
  std::string hex384 = std::string(94, 'A') + "0f";
  auto r = parse_tagged_digest("sha384:" + hex384);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->kind, DigestKind::sha384);
  EXPECT_EQ(r->bytes.size(), 48u);
  EXPECT_EQ(format_tagged_digest(*r), "sha384:" + std::string(94, 'a') + "0f");
  auto s = parse_sha256_fingerprint("sha256:" + std::string(64, '1'));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->kind, DigestKind::sha256);
  EXPECT_EQ(s->bytes, std::vector<uint8_t>(32, 0x11));
}

TEST(ConfigDigests, RejectsWrongLengthsAlgorithmsAndCharacters) {
  const std::string both =
      "must be \"sha256:\" followed by 64 hex digits or \"sha384:\" followed by 96 hex digits";
  for (const std::string& text :
       {"sha256:" + std::string(63, '0'), "sha256:" + std::string(96, '0'),
        "sha384:" + std::string(64, '0'), "sha512:" + std::string(128, '0'),
        "SHA256:" + std::string(64, '0'), "sha256:" + std::string(62, '0') + "zz",
        "sha256 :" + std::string(64, '0'), std::string(64, '0')}) {
    auto r = parse_tagged_digest(text);
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().message, both);
  }
  auto f = parse_sha256_fingerprint("sha384:" + std::string(96, '0'));
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().message, "must be \"sha256:\" followed by 64 hex digits");
}

}  // namespace
}  // namespace leea::config
