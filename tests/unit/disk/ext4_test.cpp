#include "core/disk/ext4.h"

#include <gtest/gtest.h>

namespace leea::disk {
namespace {

TEST(ImageSize, ParsesAutoAndBinarySuffixes) {
  struct Case {
    const char* text;
    std::optional<uint64_t> bytes;
  };
  for (const auto& c :
       {Case{"auto", std::nullopt}, Case{"4096", 4096}, Case{"512M", 512u << 20},
        Case{"2G", uint64_t{2} << 30}, Case{"64K", 64u << 10}, Case{"1T", uint64_t{1} << 40}}) {
    auto r = parse_image_size(c.text);
    ASSERT_TRUE(r) << c.text;
    EXPECT_EQ(*r, c.bytes) << c.text;
  }
}

TEST(ImageSize, RefusesOtherText) {
  for (const char* bad :
       {"", "0", "12X", "M", "-1", "1.5G", "99999999999999999999", "17179869184T"}) {
    auto r = parse_image_size(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Errc::usage);
    EXPECT_EQ(r.error().message,
              std::string("--size: '") + bad + "' is not 'auto' or a size like 512M");
  }
}

TEST(SourceDateEpoch, UnsetMeansDeriveAndNumbersParse) {
  EXPECT_EQ(*parse_source_date_epoch(nullptr), std::nullopt);
  EXPECT_EQ(*parse_source_date_epoch(""), std::nullopt);
  EXPECT_EQ(*parse_source_date_epoch("1700000000"), 1700000000);
  auto bad = parse_source_date_epoch("yesterday");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "SOURCE_DATE_EPOCH: 'yesterday' is not a number of seconds");
  EXPECT_FALSE(parse_source_date_epoch("-5"));
  EXPECT_FALSE(parse_source_date_epoch("12abc"));
}

}  // namespace
}  // namespace leea::disk
