#include "core/config/order.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/support/temp_dir.h"

namespace leea::config {
namespace {

const std::string kSha384 = "sha384:" + std::string(96, 'a');
const std::string kSha256 = "sha256:" + std::string(64, 'b');

const std::string kOrder =
    "version: 1\n"
    "id: web-1\n"
    "tee: snp\n"
    "reference:\n"
    "  digests:\n"
    "    snp.measurement: \"" +
    kSha384 +
    "\"\n"
    "    kernel.cmdline: \"" +
    kSha256 +
    "\"\n"
    "  allowed:\n"
    "    dmi.vendor: [QEMU, \"Amazon EC2\"]\n"
    "  skip:\n"
    "    - name: pci.devices\n"
    "      reason: the host may add devices\n";

std::string with(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return at == std::string::npos ? text : text.replace(at, from.size(), to);
}

TEST(OrderConfig, LoadsReferenceValuesAndAppliesPolicyDefaults) {
  auto o = load_order_string(kOrder, "order.yaml");
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->id, "web-1");
  EXPECT_EQ(o->node, std::nullopt);
  EXPECT_EQ(o->tee, std::vector<TeeKind>{TeeKind::snp});
  EXPECT_TRUE(o->accepts(TeeKind::snp));
  EXPECT_FALSE(o->accepts(TeeKind::sim));
  EXPECT_EQ(o->threshold, std::nullopt);
  EXPECT_EQ(o->shares, std::nullopt);
  ASSERT_EQ(o->reference.digests.size(), 2u);
  EXPECT_EQ(format_tagged_digest(o->reference.digests.at("snp.measurement")), kSha384);
  EXPECT_EQ(format_tagged_digest(o->reference.digests.at("kernel.cmdline")), kSha256);
  EXPECT_EQ(o->reference.allowed.at("dmi.vendor"),
            (std::vector<std::string>{"QEMU", "Amazon EC2"}));
  ASSERT_EQ(o->reference.skip.size(), 1u);
  EXPECT_EQ(o->reference.skip[0].name, "pci.devices");
  EXPECT_EQ(o->reference.skip[0].reason, "the host may add devices");
  EXPECT_FALSE(o->policy.debug);
  EXPECT_TRUE(o->policy.smt);
  EXPECT_FALSE(o->policy.migration);
  EXPECT_EQ(o->policy.min_tcb, std::nullopt);
}

TEST(OrderConfig, ReadsTeeListsSplitOverridesAndPolicy) {
  std::string text =
      with(kOrder, "tee: snp\n", "node: node-7\ntee: [tdx, snp]\nthreshold: 2\nshares: 4\n") +
      "policy: {debug: true, smt: false, migration: true, min_tcb: \"3.0.8.115\"}\n";
  auto o = load_order_string(text, "order.yaml");
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->node, "node-7");
  EXPECT_EQ(o->tee, (std::vector<TeeKind>{TeeKind::tdx, TeeKind::snp}));
  EXPECT_EQ(o->threshold, 2);
  EXPECT_EQ(o->shares, 4);
  EXPECT_TRUE(o->policy.debug);
  EXPECT_FALSE(o->policy.smt);
  EXPECT_TRUE(o->policy.migration);
  EXPECT_EQ(o->policy.min_tcb, "3.0.8.115");
}

TEST(OrderConfig, NamesEveryTeeKind) {
  for (TeeKind k : {TeeKind::sim, TeeKind::snp, TeeKind::tdx, TeeKind::tpm}) {
    EXPECT_EQ(parse_tee_kind(tee_kind_name(k)), k);
  }
  EXPECT_EQ(parse_tee_kind("sev"), std::nullopt);
}

// A TPM2B_PUBLIC-shaped value: size prefix 0x000a, then ten bytes.
const std::string kAk = "AAoAIwALAAUAcgAA";  // base64 of 00 0a 00 23 00 0b 00 05 00 72 00 00

TEST(OrderConfig, ReadsTheTpmSection) {
  auto o = load_order_string(
      with(kOrder, "tee: snp\n", "tee: tpm\ntpm: {ak: " + kAk + ", pcr: 16}\n"), "order.yaml");
  ASSERT_TRUE(o) << o.error().message;
  ASSERT_TRUE(o->tpm);
  EXPECT_EQ(o->tpm->ak, (std::vector<uint8_t>{0x00, 0x0a, 0x00, 0x23, 0x00, 0x0b, 0x00, 0x05, 0x00,
                                              0x72, 0x00, 0x00}));
  EXPECT_EQ(o->tpm->pcr, 16);
  auto d = load_order_string(
      with(kOrder, "tee: snp\n", "tee: [snp, tpm]\ntpm: {ak: " + kAk + "}\n"), "order.yaml");
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->tpm->pcr, 15);
  auto none = load_order_string(kOrder, "order.yaml");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->tpm);
}

TEST(OrderConfig, LoadsAFile) {
  test::TempDir dir;
  test::write_file(dir / "order.yaml", kOrder);
  auto o = load_order_file(dir / "order.yaml");
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->source, (dir / "order.yaml").string());
}

struct BadOrder {
  const char* name;
  std::string text;
  std::string message;
};

std::ostream& operator<<(std::ostream& os, const BadOrder& c) { return os << c.name; }

class OrderConfigRejects : public testing::TestWithParam<BadOrder> {};

TEST_P(OrderConfigRejects, WithFileLineColumnAndReason) {
  auto o = load_order_string(GetParam().text, "order.yaml");
  ASSERT_FALSE(o);
  EXPECT_EQ(o.error().code, Errc::config);
  EXPECT_EQ(o.error().message, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, OrderConfigRejects,
    testing::Values(
        BadOrder{"UnknownKeyWithSuggestion", with(kOrder, "reference:", "refrence:"),
                 "order.yaml:4:1: unknown key 'refrence' (did you mean 'reference'?)"},
        BadOrder{"UnknownReferenceList", with(kOrder, "  allowed:", "  allow:"),
                 "order.yaml:8:3: unknown key 'allow' (did you mean 'allowed'?)"},
        BadOrder{"BadOrderId", with(kOrder, "id: web-1", "id: web/1"),
                 "order.yaml:2:5: 'id' must be 1 to 64 characters from A-Z a-z 0-9 . _ - (and "
                 "not '.' or '..'), not 'web/1'"},
        BadOrder{"MissingTee", with(kOrder, "tee: snp\n", ""),
                 "order.yaml:1:1: missing required key 'tee'"},
        BadOrder{"UnknownTee", with(kOrder, "tee: snp", "tee: sev"),
                 "order.yaml:3:6: 'tee' must be 'sim', 'snp', 'tdx' or 'tpm', not 'sev'"},
        BadOrder{"UnknownTeeInList", with(kOrder, "tee: snp", "tee: [snp, tdxx]"),
                 "order.yaml:3:12: item 2 of 'tee' must be 'sim', 'snp', 'tdx' or 'tpm', not "
                 "'tdxx' (did you mean 'tdx'?)"},
        BadOrder{"RepeatedTee", with(kOrder, "tee: snp", "tee: [snp, snp]"),
                 "order.yaml:3:12: item 2 of 'tee' repeats 'snp'"},
        BadOrder{"EmptyTeeList", with(kOrder, "tee: snp", "tee: []"),
                 "order.yaml:3:6: 'tee' must list at least one kind"},
        BadOrder{"ThresholdOne", with(kOrder, "tee: snp\n", "tee: snp\nthreshold: 1\n"),
                 "order.yaml:4:12: 'threshold' must be between 2 and 255, not '1'"},
        BadOrder{"ThresholdAboveShares",
                 with(kOrder, "tee: snp\n", "tee: snp\nthreshold: 4\nshares: 3\n"),
                 "order.yaml:4:12: 'threshold' must be at most 'shares' (3), not '4'"},
        BadOrder{"MissingReference", "version: 1\nid: a\ntee: sim\n",
                 "order.yaml:1:1: missing required key 'reference'"},
        BadOrder{"ReferenceThatChecksNothing",
                 "version: 1\nid: a\ntee: sim\nreference:\n  skip: [{name: x, reason: y}]\n",
                 "order.yaml:5:3: 'reference' must name at least one digest or allowed value"},
        BadOrder{"BadDigest", with(kOrder, kSha256, "md5:" + std::string(32, 'b')),
                 "order.yaml:7:21: 'kernel.cmdline' must be \"sha256:\" followed by 64 hex "
                 "digits or \"sha384:\" followed by 96 hex digits, not 'md5:" +
                     std::string(32, 'b') + "'"},
        BadOrder{"DigestAsAList", with(kOrder, "\"" + kSha256 + "\"", "[\"" + kSha256 + "\"]"),
                 "order.yaml:7:21: 'kernel.cmdline' must be a string, not a sequence"},
        BadOrder{"AllowedNotAList", with(kOrder, "[QEMU, \"Amazon EC2\"]", "QEMU"),
                 "order.yaml:9:17: 'dmi.vendor' must be a sequence, not 'QEMU'"},
        BadOrder{"EmptyAllowedList", with(kOrder, "[QEMU, \"Amazon EC2\"]", "[]"),
                 "order.yaml:9:17: 'dmi.vendor' must list at least one allowed value"},
        BadOrder{"RepeatedAllowedValue", with(kOrder, "\"Amazon EC2\"]", "QEMU]"),
                 "order.yaml:9:24: item 2 of 'dmi.vendor' repeats item 1 ('QEMU')"},
        BadOrder{"NameInTwoLists", with(kOrder, "name: pci.devices", "name: kernel.cmdline"),
                 "order.yaml:11:13: 'kernel.cmdline' is already listed under 'digests' (line "
                 "7)"},
        BadOrder{"SkipWithoutReason", with(kOrder, "      reason: the host may add devices\n", ""),
                 "order.yaml:11:7: missing required key 'reason'"},
        BadOrder{"SkipWithEmptyReason",
                 with(kOrder, "reason: the host may add devices", "reason: \"\""),
                 "order.yaml:12:15: 'reason' must not be empty"},
        BadOrder{"NameWithSpace", with(kOrder, "dmi.vendor:", "\"dmi vendor\":"),
                 "order.yaml:9:5: reference name 'dmi vendor' must be 1 to 128 printable "
                 "ASCII characters without spaces"},
        BadOrder{"PolicyTypo", kOrder + "policy: {debg: true}\n",
                 "order.yaml:13:10: unknown key 'debg' (did you mean 'debug'?)"},
        BadOrder{"DebugNotABool", kOrder + "policy:\n  debug: 1\n",
                 "order.yaml:14:10: 'debug' must be true or false, not '1'"},
        BadOrder{"TpmWithoutSection", with(kOrder, "tee: snp", "tee: tpm"),
                 "order.yaml:1:1: missing required key 'tpm' (the order's tee includes tpm)"},
        BadOrder{"TpmSectionWithoutTpm", kOrder + "tpm: {ak: " + kAk + "}\n",
                 "order.yaml:13:6: 'tpm' is only allowed when 'tee' includes tpm"},
        BadOrder{"TpmAkNotBase64",
                 with(kOrder, "tee: snp\n", "tee: tpm\ntpm: {ak: \"not base64!\"}\n"),
                 "order.yaml:4:11: 'ak' must be base64 (a TPM2B_PUBLIC), not 'not base64!'"},
        BadOrder{"TpmAkSizePrefixWrong",
                 with(kOrder, "tee: snp\n", "tee: tpm\ntpm: {ak: AAsAIwALAAUAcgAA}\n"),
                 "order.yaml:4:11: 'ak' must be a TPM2B_PUBLIC whose size prefix (11) covers the "
                 "rest (10 bytes), not 'AAsAIwALAAUAcgAA'"},
        BadOrder{"TpmPcrOutOfRange",
                 with(kOrder, "tee: snp\n", "tee: tpm\ntpm: {ak: " + kAk + ", pcr: 24}\n"),
                 "order.yaml:4:34: 'pcr' must be between 0 and 23, not '24'"},
        BadOrder{"EmptyDocument", "\n# nothing here\n",
                 "order.yaml:1:1: empty document, expected a mapping"}),
    [](const testing::TestParamInfo<BadOrder>& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace leea::config
