#include "core/config/order.h"

#include <algorithm>
#include <array>

#include "core/config/yaml_internal.h"
#include "core/util/encoding.h"

namespace leea::config {
namespace {

using internal::Map;
using internal::Source;
using internal::Value;

constexpr std::array<std::string_view, 4> kTeeNames = {"sim", "snp", "tdx", "tpm"};

// Where each reference name was first listed, so that a name lives in one list only.
struct FirstListed {
  std::string list;
  YAML::Mark mark;
};
using Names = std::map<std::string, FirstListed>;

Result<void> claim_name(const Source& src, Names& names, const std::string& name,
                        const YAML::Mark& mark, std::string_view list) {
  bool printable =
      std::all_of(name.begin(), name.end(), [](char c) { return c > ' ' && c < 0x7f; });
  if (name.empty() || name.size() > kMaxReferenceNameLength || !printable) {
    return internal::error_at(src, mark,
                              "reference name '" + internal::shown(name) +
                                  "' must be 1 to 128 printable ASCII characters without spaces");
  }
  auto [it, inserted] = names.emplace(name, FirstListed{std::string(list), mark});
  if (!inserted) {
    return internal::error_at(src, mark,
                              "'" + internal::shown(name) + "' is already listed under '" +
                                  it->second.list + "' (line " +
                                  std::to_string(it->second.mark.line + 1) + ")");
  }
  return {};
}

Result<void> parse_digests(const Source& src, const Value& v, Names& names, ReferenceValues& ref) {
  LEEA_ASSIGN_OR_RETURN(Map m, Map::open(src, v));
  for (const Map::Entry& e : m.entries()) {
    LEEA_TRY(claim_name(src, names, e.key, e.key_mark, "digests"));
    LEEA_ASSIGN_OR_RETURN(ref.digests[e.key],
                          internal::as_checked<TaggedDigest>(src, e.value, parse_tagged_digest));
  }
  return {};
}

Result<std::vector<std::string>> parse_allowed_values(const Source& src, const Value& v) {
  LEEA_ASSIGN_OR_RETURN(std::vector<Value> items, internal::as_sequence(src, v));
  if (items.empty()) {
    return internal::error_at(src, v.mark, v.label + " must list at least one allowed value");
  }
  std::vector<std::string> values;
  for (const Value& item : items) {
    LEEA_ASSIGN_OR_RETURN(std::string s, internal::as_nonempty_string(src, item));
    auto it = std::find(values.begin(), values.end(), s);
    if (it != values.end()) {
      return internal::error_at(src, item.mark,
                                item.label + " repeats item " +
                                    std::to_string(it - values.begin() + 1) + " ('" + s + "')");
    }
    values.push_back(std::move(s));
  }
  return values;
}

Result<void> parse_allowed(const Source& src, const Value& v, Names& names, ReferenceValues& ref) {
  LEEA_ASSIGN_OR_RETURN(Map m, Map::open(src, v));
  for (const Map::Entry& e : m.entries()) {
    LEEA_TRY(claim_name(src, names, e.key, e.key_mark, "allowed"));
    LEEA_ASSIGN_OR_RETURN(ref.allowed[e.key], parse_allowed_values(src, e.value));
  }
  return {};
}

Result<void> parse_skip(const Source& src, const Value& v, Names& names, ReferenceValues& ref) {
  LEEA_ASSIGN_OR_RETURN(std::vector<Value> items, internal::as_sequence(src, v));
  for (const Value& item : items) {
    LEEA_ASSIGN_OR_RETURN(Map m, Map::open(src, item));
    LEEA_TRY(m.allow({"name", "reason"}));
    SkippedCheck check;
    LEEA_ASSIGN_OR_RETURN(Value name, m.require("name"));
    LEEA_ASSIGN_OR_RETURN(check.name, internal::as_string(src, name));
    LEEA_TRY(claim_name(src, names, check.name, name.mark, "skip"));
    LEEA_ASSIGN_OR_RETURN(Value reason, m.require("reason"));
    LEEA_ASSIGN_OR_RETURN(check.reason, internal::as_nonempty_string(src, reason));
    ref.skip.push_back(std::move(check));
  }
  return {};
}

Result<ReferenceValues> parse_reference(const Source& src, const Value& v) {
  LEEA_ASSIGN_OR_RETURN(Map m, Map::open(src, v));
  LEEA_TRY(m.allow({"digests", "allowed", "skip"}));
  ReferenceValues ref;
  Names names;
  if (auto d = m.find("digests")) {
    LEEA_TRY(parse_digests(src, *d, names, ref));
  }
  if (auto a = m.find("allowed")) {
    LEEA_TRY(parse_allowed(src, *a, names, ref));
  }
  if (auto s = m.find("skip")) {
    LEEA_TRY(parse_skip(src, *s, names, ref));
  }
  if (ref.digests.empty() && ref.allowed.empty()) {
    return internal::error_at(src, m.mark(),
                              "'reference' must name at least one digest or allowed value");
  }
  return ref;
}

Result<GuestPolicy> parse_policy(const Source& src, const Value& v) {
  LEEA_ASSIGN_OR_RETURN(Map m, Map::open(src, v));
  LEEA_TRY(m.allow({"debug", "smt", "migration", "min_tcb"}));
  GuestPolicy policy;
  if (auto b = m.find("debug")) {
    LEEA_ASSIGN_OR_RETURN(policy.debug, internal::as_bool(src, *b));
  }
  if (auto b = m.find("smt")) {
    LEEA_ASSIGN_OR_RETURN(policy.smt, internal::as_bool(src, *b));
  }
  if (auto b = m.find("migration")) {
    LEEA_ASSIGN_OR_RETURN(policy.migration, internal::as_bool(src, *b));
  }
  if (auto s = m.find("min_tcb")) {
    LEEA_ASSIGN_OR_RETURN(policy.min_tcb, internal::as_nonempty_string(src, *s));
  }
  return policy;
}

constexpr size_t kMinAkBytes = 10;  // size prefix, type, nameAlg, attributes, authPolicy size
constexpr size_t kMaxAkBytes = 1024;

Result<TpmOrder> parse_tpm(const Source& src, const Value& v) {
  LEEA_ASSIGN_OR_RETURN(Map m, Map::open(src, v));
  LEEA_TRY(m.allow({"ak", "pcr"}));
  TpmOrder tpm;
  LEEA_ASSIGN_OR_RETURN(Value ak, m.require("ak"));
  LEEA_ASSIGN_OR_RETURN(std::string text, internal::as_string(src, ak));
  auto bytes = base64_decode(text);
  if (!bytes) {
    return internal::value_error(src, ak, "must be base64 (a TPM2B_PUBLIC)");
  }
  if (bytes->size() < kMinAkBytes || bytes->size() > kMaxAkBytes) {
    return internal::value_error(src, ak,
                                 "must decode to " + std::to_string(kMinAkBytes) + " to " +
                                     std::to_string(kMaxAkBytes) + " bytes, not " +
                                     std::to_string(bytes->size()));
  }
  size_t inner = (size_t{(*bytes)[0]} << 8) | (*bytes)[1];
  if (inner + 2 != bytes->size()) {
    return internal::value_error(src, ak,
                                 "must be a TPM2B_PUBLIC whose size prefix (" +
                                     std::to_string(inner) + ") covers the rest (" +
                                     std::to_string(bytes->size() - 2) + " bytes)");
  }
  tpm.ak = std::move(*bytes);
  if (auto pcr = m.find("pcr")) {
    LEEA_ASSIGN_OR_RETURN(int64_t index, internal::as_integer(src, *pcr, 0, 23));
    tpm.pcr = static_cast<int>(index);
  }
  return tpm;
}

Result<std::vector<TeeKind>> parse_tee(const Source& src, const Value& v) {
  std::vector<Value> items = {v};
  if (v.node.IsSequence()) {
    LEEA_ASSIGN_OR_RETURN(items, internal::as_sequence(src, v));
    if (items.empty()) {
      return internal::error_at(src, v.mark, v.label + " must list at least one kind");
    }
  }
  std::vector<TeeKind> kinds;
  for (const Value& item : items) {
    LEEA_ASSIGN_OR_RETURN(size_t i, internal::as_choice(src, item, kTeeNames));
    auto kind = static_cast<TeeKind>(i);
    if (std::find(kinds.begin(), kinds.end(), kind) != kinds.end()) {
      return internal::error_at(src, item.mark,
                                item.label + " repeats '" + std::string(tee_kind_name(kind)) + "'");
    }
    kinds.push_back(kind);
  }
  return kinds;
}

Result<void> parse_split(const Source& src, const Map& top, OrderConfig& order) {
  auto threshold = top.find("threshold");
  if (threshold) {
    LEEA_ASSIGN_OR_RETURN(order.threshold, internal::as_integer(src, *threshold, 2, 255));
  }
  if (auto shares = top.find("shares")) {
    LEEA_ASSIGN_OR_RETURN(order.shares, internal::as_integer(src, *shares, 2, 255));
  }
  if (threshold && order.shares && *order.threshold > *order.shares) {
    return internal::value_error(
        src, *threshold, "must be at most 'shares' (" + std::to_string(*order.shares) + ")");
  }
  return {};
}

Result<OrderConfig> parse_order(const Source& src, std::string_view text) {
  LEEA_ASSIGN_OR_RETURN(YAML::Node root, internal::parse_document(src, text));
  LEEA_ASSIGN_OR_RETURN(Map top, internal::open_root(src, root, kOrderVersion));
  LEEA_TRY(top.allow(
      {"version", "id", "node", "tee", "threshold", "shares", "reference", "policy", "tpm"}));
  OrderConfig order;
  order.source = src.name;
  LEEA_ASSIGN_OR_RETURN(Value id, top.require("id"));
  LEEA_ASSIGN_OR_RETURN(order.id, internal::as_checked<std::string>(src, id, parse_id));
  if (auto node = top.find("node")) {
    LEEA_ASSIGN_OR_RETURN(order.node, internal::as_checked<std::string>(src, *node, parse_id));
  }
  LEEA_ASSIGN_OR_RETURN(Value tee, top.require("tee"));
  LEEA_ASSIGN_OR_RETURN(order.tee, parse_tee(src, tee));
  LEEA_TRY(parse_split(src, top, order));
  LEEA_ASSIGN_OR_RETURN(Value reference, top.require("reference"));
  LEEA_ASSIGN_OR_RETURN(order.reference, parse_reference(src, reference));
  if (auto policy = top.find("policy")) {
    LEEA_ASSIGN_OR_RETURN(order.policy, parse_policy(src, *policy));
  }
  auto tpm = top.find("tpm");
  if (tpm) {
    if (!order.accepts(TeeKind::tpm)) {
      return internal::error_at(src, tpm->mark, "'tpm' is only allowed when 'tee' includes tpm");
    }
    LEEA_ASSIGN_OR_RETURN(order.tpm, parse_tpm(src, *tpm));
  } else if (order.accepts(TeeKind::tpm)) {
    return internal::error_at(src, top.mark(),
                              "missing required key 'tpm' (the order's tee includes tpm)");
  }
  return order;
}

}  // namespace

std::string_view tee_kind_name(TeeKind kind) { return kTeeNames[static_cast<size_t>(kind)]; }

std::optional<TeeKind> parse_tee_kind(std::string_view name) {
  auto it = std::find(kTeeNames.begin(), kTeeNames.end(), name);
  if (it == kTeeNames.end()) {
    return std::nullopt;
  }
  return static_cast<TeeKind>(it - kTeeNames.begin());
}

bool OrderConfig::accepts(TeeKind kind) const {
  return std::find(tee.begin(), tee.end(), kind) != tee.end();
}

Result<OrderConfig> load_order_string(std::string_view text, std::string_view display_name) {
  Source src{std::string(display_name), {}};
  return internal::guard(src, [&] { return parse_order(src, text); });
}

Result<OrderConfig> load_order_file(const std::filesystem::path& path) {
  LEEA_ASSIGN_OR_RETURN(std::string text, internal::read_config_file(path));
  return load_order_string(text, path.string());
}

}  // namespace leea::config
