#include "core/util/json.h"

#include <gtest/gtest.h>

#include <string>

namespace leea::json {
namespace {

std::string refusal(std::string_view text, size_t max = 1024) {
  auto r = parse(text, "doc", max);
  EXPECT_FALSE(r) << text;
  return r ? std::string() : r.error().message;
}

TEST(ParseJson, AcceptsOrdinaryDocuments) {
  auto r = parse(R"({"a":[1,{"b":null}],"c":"\u00e9"})", "doc", 1024);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ((*r)["c"], "\xc3\xa9");
}

TEST(ParseJson, RefusesWhatAStrictReaderMust) {
  EXPECT_EQ(refusal(R"({"a":1,"a":2})"), "doc: a member name appears twice in one object");
  EXPECT_EQ(refusal(R"({"a":{"b":1,"b":1}})"), "doc: a member name appears twice in one object");
  EXPECT_EQ(refusal("{\"a\":\"\xff\"}"), "doc: not valid JSON");
  EXPECT_EQ(refusal("{} {}"), "doc: not valid JSON");
  EXPECT_EQ(refusal("{/*c*/}"), "doc: not valid JSON");
  EXPECT_EQ(refusal(R"({"a":"x"})", 8), "doc: longer than 8 bytes");
  EXPECT_EQ(refusal(std::string(17, '[') + std::string(17, ']')),
            "doc: nested deeper than 16 levels");
}

TEST(ParseJson, SameNameInSiblingObjectsIsFine) {
  EXPECT_TRUE(parse(R"([{"a":1},{"a":2}])", "doc", 1024));
  EXPECT_TRUE(parse(std::string(16, '[') + std::string(16, ']'), "doc", 1024));
}

TEST(ParseJson, RefusesADepthBombBeforeBuildingIt) {
  // 100,000 nested arrays in 200 KB: the scan refuses it in one pass, so no deep tree
  // exists for a recursive dump() or destructor to overflow the stack on.
  const std::string bomb =
      R"({"evidence":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  EXPECT_EQ(refusal(bomb, 1 << 20), "doc: nested deeper than 16 levels");
  // Unbalanced, unterminated: still refused by depth, before any parsing.
  EXPECT_EQ(refusal(std::string(100000, '{'), 1 << 20), "doc: nested deeper than 16 levels");
}

TEST(NestingDepth, CountsBracketsOutsideStringsOnly) {
  EXPECT_EQ(nesting_depth("1", 16), 0);
  EXPECT_EQ(nesting_depth(R"([{"a":[]}])", 16), 3);
  EXPECT_EQ(nesting_depth(R"(["[[[[", "\"[[["])", 2), 1);
  EXPECT_EQ(nesting_depth(R"(["\\", [[]]])", 3), 3);
  EXPECT_EQ(nesting_depth("[[[", 2), std::nullopt);
  EXPECT_EQ(nesting_depth("[][][][]", 1), 1);
}

TEST(ParseJson, UsesTheCallersErrorKind) {
  EXPECT_EQ(parse("x", "doc", 10, Errc::invalid_data).error().code, Errc::invalid_data);
}

TEST(IntMember, AcceptsOnlyIntegersThatFitInt64) {
  Json j = Json::parse(R"({"a":-5,"b":9223372036854775807,"c":9223372036854775808,"d":1.0,)"
                       R"("e":1e3,"f":"1"})");
  EXPECT_EQ(*int_member(j, "a", "x"), -5);
  EXPECT_EQ(*int_member(j, "b", "x"), INT64_MAX);
  for (const char* name : {"c", "d", "e", "f"}) {
    auto r = int_member(j, name, "x");
    ASSERT_FALSE(r) << name;
    EXPECT_EQ(r.error().message, "x: '" + std::string(name) + "' must be an integer");
  }
  EXPECT_EQ(int_member(j, "z", "x").error().message, "x: missing 'z'");
}

TEST(DumpJson, RefusesInvalidUtf8InsteadOfThrowing) {
  auto r = dump(Json{{"a", "\xc3"}}, "doc");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
}

TEST(DumpLossy, ReplacesInvalidUtf8) {
  EXPECT_EQ(dump_lossy(Json{{"a", "x\xc3"}}), "{\"a\":\"x\xef\xbf\xbd\"}");
}

TEST(TextChecks, PrintableTokensAndLowerHex) {
  EXPECT_TRUE(is_printable_token("ES256", 8));
  EXPECT_FALSE(is_printable_token("", 8));
  EXPECT_FALSE(is_printable_token("a b", 8));
  EXPECT_FALSE(is_printable_token("123456789", 8));
  EXPECT_TRUE(is_lower_hex("00ff", 2));
  EXPECT_FALSE(is_lower_hex("00FF", 2));
  EXPECT_FALSE(is_lower_hex("00f", 2));
}

}  // namespace
}  // namespace leea::json
