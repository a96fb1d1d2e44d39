#include "core/config/yaml_internal.h"

#include <gtest/gtest.h>

#include <string>

#include "core/config/values.h"
#include "tests/support/temp_dir.h"

namespace leea::config::internal {
namespace {

const Source kSrc{"t.yaml", "/etc/leea"};

// The top-level mapping of text, which must parse. (Nodes share ownership of the document.)
Map root_map(const std::string& text) {
  auto doc = parse_document(kSrc, text);
  EXPECT_TRUE(doc) << doc.error().message;
  auto map = Map::open(kSrc, Value{"the top level", doc->Mark(), *doc});
  EXPECT_TRUE(map) << map.error().message;
  return *map;
}

std::string error_of(const Result<YAML::Node>& r) {
  return r ? std::string("(no error)") : r.error().message;
}

TEST(YamlEditDistance, CountsInsertionsDeletionsSubstitutionsAndTranspositions) {
  EXPECT_EQ(edit_distance("threshold", "threshold"), 0u);
  EXPECT_EQ(edit_distance("versoin", "version"), 1u);
  EXPECT_EQ(edit_distance("ulr", "url"), 1u);
  EXPECT_EQ(edit_distance("thresold", "threshold"), 1u);
  EXPECT_EQ(edit_distance("treshhold", "threshold"), 2u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}

TEST(YamlEditDistance, SuggestsOnlyWithinTwoEditsThatKeepHalfTheWord) {
  const std::string_view keys[] = {"version", "threshold", "validators"};
  const std::string_view kinds[] = {"sim", "snp", "tdx", "tpm"};
  EXPECT_EQ(nearest("tdxx", kinds), "tdx");
  EXPECT_EQ(nearest("sev", kinds), std::nullopt);
  EXPECT_EQ(nearest("validator", keys), "validators");
  EXPECT_EQ(nearest("versoin", keys), "version");
  EXPECT_EQ(nearest("colour", keys), std::nullopt);
  EXPECT_EQ(did_you_mean("thresold", keys), " (did you mean 'threshold'?)");
  EXPECT_EQ(did_you_mean("xyz", keys), "");
}

TEST(YamlDocument, RejectsEachMalformedInputWithItsPosition) {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const Case& c : {
           Case{"", "t.yaml:1:1: empty document, expected a mapping"},
           Case{"# only a comment\n", "t.yaml:1:1: empty document, expected a mapping"},
           Case{"---\n", "t.yaml:1:1: empty document, expected a mapping"},
           Case{"a: [1\nb: 2", "t.yaml:2:2: invalid YAML: end of sequence flow not found"},
           Case{"a: b: c\n", "t.yaml:1:5: invalid YAML: illegal map value"},
           Case{"a: \"\\q\"\n", "t.yaml:1:7: invalid YAML: unknown escape character: q"},
           Case{"a: 1\n---\nb: 2\n",
                "t.yaml:2:1: a second YAML document starts here, but a config file holds one"},
           Case{"a: &x [1, 2]\nb: *x\n",
                "t.yaml:2:4: YAML aliases are not allowed in config files"},
           // yaml-cpp 0.7 loops forever on these unless the caller stops it.
           Case{",\n", "t.yaml:1:1: invalid YAML: unexpected ','"},
           Case{"# note\n, a: 1\n", "t.yaml:2:1: invalid YAML: unexpected ','"},
           Case{"- a\nb: 1\n",
                "t.yaml:2:1: invalid YAML: unexpected 'b' after the top-level value"},
           Case{"- a\n,\n", "t.yaml:2:1: invalid YAML: unexpected ',' after the top-level value"},
       }) {
    EXPECT_EQ(error_of(parse_document(kSrc, c.text)), c.message) << c.text;
  }
}

TEST(YamlDocument, RefusesTextLargerThanTheBound) {
  std::string text = "a: " + std::string(kMaxConfigBytes, 'x') + "\n";
  auto r = parse_document(kSrc, text);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::config);
  EXPECT_EQ(r.error().message, "t.yaml: larger than the limit of 1048576 bytes");
}

TEST(YamlDocument, ReadsAFileUpToTheBoundAndNoFurther) {
  test::TempDir dir;
  test::write_file(dir / "ok.yaml", std::string(kMaxConfigBytes, '#'));
  auto ok = read_config_file(dir / "ok.yaml");
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->size(), kMaxConfigBytes);

  test::write_file(dir / "big.yaml", std::string(kMaxConfigBytes + 1, '#'));
  auto big = read_config_file(dir / "big.yaml");
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, Errc::config);
  EXPECT_EQ(big.error().message,
            (dir / "big.yaml").string() + ": larger than the limit of 1048576 bytes");

  auto missing = read_config_file(dir / "missing.yaml");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::io);
}

TEST(YamlMap, RejectsDuplicateKeysNamingTheFirst) {
  auto doc = parse_document(kSrc, "a: 1\nb: 2\na: 3\n");
  ASSERT_TRUE(doc);
  auto map = Map::open(kSrc, Value{"the top level", doc->Mark(), *doc});
  ASSERT_FALSE(map);
  EXPECT_EQ(map.error().message, "t.yaml:3:1: duplicate key 'a' (first at line 1)");
}

TEST(YamlMap, RejectsNonStringKeys) {
  auto doc = parse_document(kSrc, "? [a]\n: 1\n");
  ASSERT_TRUE(doc);
  auto map = Map::open(kSrc, Value{"the top level", doc->Mark(), *doc});
  ASSERT_FALSE(map);
  EXPECT_EQ(map.error().message, "t.yaml:1:3: keys must be strings, not a sequence");
}

TEST(YamlMap, RejectsUnknownKeysWithASuggestionOrTheAllowedList) {
  Map typo = root_map("version: 1\nthresold: 3\n");
  auto r = typo.allow({"version", "threshold", "validators"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "t.yaml:2:1: unknown key 'thresold' (did you mean 'threshold'?)");

  Map other = root_map("version: 1\n  # note\ncolour: red\n");
  r = other.allow({"version", "threshold"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "t.yaml:3:1: unknown key 'colour' (expected one of: version, threshold)");
}

TEST(YamlMap, ShowsKeysInMessagesShortAndWithoutControlCharacters) {
  Map escape = root_map("\"\\e[31mred\": 1\n");
  auto r = escape.allow({"version"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "t.yaml:1:1: unknown key '?[31mred' (expected one of: version)");

  Map long_key = root_map(std::string(100, 'k') + ": 2\n");
  r = long_key.allow({"version"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "t.yaml:1:1: unknown key '" + std::string(61, 'k') + "...' (expected one of: version)");
}

TEST(YamlMap, ReportsAMissingKeyAtTheMapping) {
  Map m = root_map("\n\n  a: 1\n");
  auto r = m.require("b");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "t.yaml:3:3: missing required key 'b'");
}

TEST(YamlRoot, ChecksTheVersionBeforeAnythingElse) {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const Case& c : {
           Case{"- a\n", "t.yaml:1:1: the top level must be a mapping, not a sequence"},
           Case{"just text\n", "t.yaml:1:1: the top level must be a mapping, not 'just text'"},
           Case{"id: x\n", "t.yaml:1:1: missing required key 'version'"},
           Case{"version: 2\nfuture: yes\n",
                "t.yaml:1:10: unsupported version 2 (this leea reads version 1)"},
           Case{"version: one\n", "t.yaml:1:10: 'version' must be an integer, not 'one'"},
       }) {
    auto doc = parse_document(kSrc, c.text);
    ASSERT_TRUE(doc) << c.text;
    auto r = open_root(kSrc, *doc, 1);
    ASSERT_FALSE(r) << c.text;
    EXPECT_EQ(r.error().message, c.message) << c.text;
  }
}

// Converts the value of key "v" in text with f and returns the error message.
template <typename F>
std::string convert_error(const std::string& text, F f) {
  Map m = root_map(text);
  auto v = m.require("v");
  EXPECT_TRUE(v);
  auto r = f(*v);
  return r ? std::string("(no error)") : r.error().message;
}

TEST(YamlValues, NamesTheExpectedAndTheActualType) {
  auto str = [](const Value& v) { return as_string(kSrc, v); };
  auto num = [](const Value& v) { return as_integer(kSrc, v, 2, 255); };
  auto flag = [](const Value& v) { return as_bool(kSrc, v); };
  auto seq = [](const Value& v) { return as_sequence(kSrc, v); };
  EXPECT_EQ(convert_error("v: [a]\n", str), "t.yaml:1:4: 'v' must be a string, not a sequence");
  EXPECT_EQ(convert_error("v: {a: 1}\n", str), "t.yaml:1:4: 'v' must be a string, not a mapping");
  EXPECT_EQ(convert_error("v:\nw: 1\n", str), "t.yaml:1:1: 'v' must be a string, not null");
  EXPECT_EQ(convert_error("v: three\n", num), "t.yaml:1:4: 'v' must be an integer, not 'three'");
  EXPECT_EQ(convert_error("v: \"3\"\n", num),
            "t.yaml:1:4: 'v' must be an integer, not a quoted string");
  EXPECT_EQ(convert_error("v: 010\n", num), "t.yaml:1:4: 'v' must be an integer, not '010'");
  EXPECT_EQ(convert_error("v: 0x10\n", num), "t.yaml:1:4: 'v' must be an integer, not '0x10'");
  EXPECT_EQ(convert_error("v: 3.0\n", num), "t.yaml:1:4: 'v' must be an integer, not '3.0'");
  EXPECT_EQ(convert_error("v: 1\n", num), "t.yaml:1:4: 'v' must be between 2 and 255, not '1'");
  EXPECT_EQ(convert_error("v: 99999999999999999999\n", num),
            "t.yaml:1:4: 'v' must be between 2 and 255, not '99999999999999999999'");
  EXPECT_EQ(convert_error("v: yes\n", flag), "t.yaml:1:4: 'v' must be true or false, not 'yes'");
  EXPECT_EQ(convert_error("v: 'true'\n", flag),
            "t.yaml:1:4: 'v' must be true or false, not a quoted string");
  EXPECT_EQ(convert_error("v: a\n", seq), "t.yaml:1:4: 'v' must be a sequence, not 'a'");
}

TEST(YamlValues, LabelsSequenceItemsByPosition) {
  Map m = root_map("v:\n  - a\n  - [b]\n");
  auto items = as_sequence(kSrc, *m.find("v"));
  ASSERT_TRUE(items);
  ASSERT_EQ(items->size(), 2u);
  auto r = as_string(kSrc, (*items)[1]);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "t.yaml:3:5: item 2 of 'v' must be a string, not a sequence");
}

TEST(YamlValues, SuggestsTheNearestChoice) {
  const std::string_view choices[] = {"appraise", "token"};
  Map m = root_map("v: apraise\n");
  auto r = as_choice(kSrc, *m.find("v"), choices);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "t.yaml:1:4: 'v' must be 'appraise' or 'token', not 'apraise' (did you mean "
            "'appraise'?)");
  Map ok = root_map("v: token\n");
  EXPECT_EQ(*as_choice(kSrc, *ok.find("v"), choices), 1u);
}

TEST(YamlValues, ResolvesRelativePathsAgainstTheBaseDirectory) {
  Map m = root_map("a: keys/../tls.crt\nb: /abs/x\nc: ''\n");
  EXPECT_EQ(*as_path(kSrc, *m.find("a")), std::filesystem::path("/etc/leea/tls.crt"));
  EXPECT_EQ(*as_path(kSrc, *m.find("b")), std::filesystem::path("/abs/x"));
  auto empty = as_path(kSrc, *m.find("c"));
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().message, "t.yaml:3:4: 'c' must not be empty");
  Source no_base{"t.yaml", {}};
  EXPECT_EQ(*as_path(no_base, *m.find("a")), std::filesystem::path("tls.crt"));
}

TEST(YamlValues, ReportsACheckerPredicateWithTheValue) {
  Map m = root_map("v: localhost\n");
  auto r = as_checked<Endpoint>(kSrc, *m.find("v"), parse_host_port);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "t.yaml:1:4: 'v' must be host:port with a port from 1 to 65535, not 'localhost'");
}

TEST(YamlGuard, TurnsAYamlExceptionIntoAConfigError) {
  Result<int> r = guard(kSrc, []() -> Result<int> {
    YAML::Node n = YAML::Load("[1, 2]");
    return n.as<int>();
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::config);
  EXPECT_EQ(r.error().message, "t.yaml:1:1: invalid YAML: bad conversion");
}

}  // namespace
}  // namespace leea::config::internal
