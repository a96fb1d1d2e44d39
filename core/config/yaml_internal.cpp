#include "core/config/yaml_internal.h"

#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <charconv>
#include <sstream>

#include "core/config/values.h"
#include "core/util/files.h"

namespace leea::config::internal {
namespace {

// Walks the event stream before building nodes, to find what the node tree hides: whether
// there is more than one document, and whether an alias is used (an alias lets a small file
// expand into a very large configuration, and yaml-cpp resolves it silently).
class StructureCheck : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> document_starts;
  std::optional<YAML::Mark> first_alias;

  void OnDocumentStart(const YAML::Mark& mark) override { document_starts.push_back(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override {
    if (!first_alias) {
      first_alias = mark;
    }
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

// The error for a second document start. yaml-cpp 0.7 also starts a "document" at a token
// it cannot place (a stray ',' or text after the top-level value) and, when that token is
// the first, starts it again forever without consuming it (yaml-cpp issue 1040): only the
// first two starts are ever read, and a start that did not move is a syntax error.
Error second_document_error(const Source& src, std::string_view text, const YAML::Mark& first,
                            const YAML::Mark& second) {
  auto pos = static_cast<size_t>(second.pos);
  if (text.substr(pos, 3) == "---") {
    return error_at(src, second, "a second YAML document starts here, but a config file holds one");
  }
  char c = pos < text.size() ? text[pos] : ' ';
  std::string what = c > ' ' && c < 0x7f ? "'" + std::string(1, c) + "'" : "character";
  if (second.pos == first.pos) {
    return error_at(src, second, "invalid YAML: unexpected " + what);
  }
  return error_at(src, second, "invalid YAML: unexpected " + what + " after the top-level value");
}

Error too_large(const Source& src) {
  return make_error(Errc::config, src.name + ": larger than the limit of " +
                                      std::to_string(kMaxConfigBytes) + " bytes");
}

// How a node appears in "..., not <description>".
std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "null";
    case YAML::NodeType::Sequence:
      return "a sequence";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Scalar:
      return "'" + shown(node.Scalar()) + "'";
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

bool is_quoted(const YAML::Node& node) { return node.Tag() == "!"; }

Error type_error(const Source& src, const Value& v, std::string_view expected) {
  return error_at(src, v.mark,
                  v.label + " must be " + std::string(expected) + ", not " + describe(v.node));
}

// Where a value is reported: an empty value ("key:") has the mark of whatever follows it,
// so it is reported at its key instead.
YAML::Mark value_mark(const YAML::Node& node, const YAML::Mark& fallback) {
  return node.IsNull() || node.Mark().is_null() ? fallback : node.Mark();
}

std::string quoted_list(std::span<const std::string_view> words, std::string_view last_sep) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) {
      out += i + 1 == words.size() ? last_sep : ", ";
    }
    out += "'" + std::string(words[i]) + "'";
  }
  return out;
}

}  // namespace

std::string shown(std::string_view text) {
  std::string out(text.substr(0, text.size() > 64 ? 61 : text.size()));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      c = '?';
    }
  }
  return text.size() > 64 ? out + "..." : out;
}

Error error_at(const Source& src, const YAML::Mark& mark, std::string_view message) {
  return make_error(Errc::config, src.name + ":" + std::to_string(mark.line + 1) + ":" +
                                      std::to_string(mark.column + 1) + ": " +
                                      std::string(message));
}

Error exception_error(const Source& src, const YAML::Exception& e) {
  if (e.mark.is_null()) {
    return make_error(Errc::config, src.name + ": invalid YAML: " + e.msg);
  }
  return error_at(src, e.mark, "invalid YAML: " + e.msg);
}

Error value_error(const Source& src, const Value& v, std::string_view predicate) {
  return error_at(src, v.mark,
                  v.label + " " + std::string(predicate) + ", not " + describe(v.node));
}

size_t edit_distance(std::string_view a, std::string_view b) {
  // d[i][j]: distance between the first i characters of a and the first j of b.
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) {
    d[i][0] = i;
  }
  for (size_t j = 0; j <= b.size(); ++j) {
    d[0][j] = j;
  }
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::optional<std::string_view> nearest(std::string_view word,
                                        std::span<const std::string_view> candidates) {
  std::optional<std::string_view> best;
  size_t best_distance = 3;
  for (std::string_view c : candidates) {
    if (word.size() > c.size() + 2 || c.size() > word.size() + 2) {
      continue;  // more than 2 edits apart; also keeps the table small for long input
    }
    size_t d = edit_distance(word, c);
    // Two edits turn any short word into another ('sev' into 'sim'): only suggest a
    // candidate that keeps at least half of its characters.
    if (d < best_distance && 2 * d <= c.size()) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates) {
  auto best = nearest(word, candidates);
  return best ? " (did you mean '" + std::string(*best) + "'?)" : "";
}

Result<std::string> read_config_file(const std::filesystem::path& path) {
  auto text = read_file(path, kMaxConfigBytes);
  if (!text && text.error().code == Errc::invalid_data) {  // the only invalid_data: too large
    return too_large(Source{path.string(), {}});
  }
  return text;
}

Result<YAML::Node> parse_document(const Source& src, std::string_view text) {
  if (text.size() > kMaxConfigBytes) {
    return too_large(src);
  }
  return guard(src, [&]() -> Result<YAML::Node> {
    std::string copy(text);
    std::istringstream in(copy);
    YAML::Parser parser(in);
    StructureCheck check;
    while (check.document_starts.size() < 2 && parser.HandleNextDocument(check)) {
    }
    const std::vector<YAML::Mark>& starts = check.document_starts;
    if (starts.size() >= 2) {
      return second_document_error(src, text, starts[0], starts[1]);
    }
    if (check.first_alias) {
      return error_at(src, *check.first_alias, "YAML aliases are not allowed in config files");
    }
    YAML::Node root = starts.empty() ? YAML::Node() : YAML::Load(copy);
    if (!root.IsDefined() || root.IsNull()) {
      return error_at(src, YAML::Mark(), "empty document, expected a mapping");
    }
    return root;
  });
}

Result<Map> Map::open(const Source& src, const Value& value) {
  if (!value.node.IsMap()) {
    return type_error(src, value, "a mapping");
  }
  Map map(src, value.mark);
  for (const auto& kv : value.node) {
    const YAML::Node& key = kv.first;
    if (!key.IsScalar()) {
      return error_at(src, value_mark(key, value.mark),
                      "keys must be strings, not " + describe(key));
    }
    for (const Entry& e : map.entries_) {
      if (e.key == key.Scalar()) {
        return error_at(src, key.Mark(),
                        "duplicate key '" + shown(key.Scalar()) + "' (first at line " +
                            std::to_string(e.key_mark.line + 1) + ")");
      }
    }
    Value v{"'" + shown(key.Scalar()) + "'", value_mark(kv.second, key.Mark()), kv.second};
    map.entries_.push_back(Entry{key.Scalar(), key.Mark(), std::move(v)});
  }
  return map;
}

Result<void> Map::allow(std::initializer_list<std::string_view> allowed) const {
  std::span<const std::string_view> keys(allowed.begin(), allowed.size());
  for (const Entry& e : entries_) {
    if (std::find(keys.begin(), keys.end(), e.key) != keys.end()) {
      continue;
    }
    std::string hint = did_you_mean(e.key, keys);
    if (hint.empty()) {
      std::string list;
      for (std::string_view k : keys) {
        list += (list.empty() ? "" : ", ") + std::string(k);
      }
      hint = " (expected one of: " + list + ")";
    }
    return error_at(*src_, e.key_mark, "unknown key '" + shown(e.key) + "'" + hint);
  }
  return {};
}

std::optional<Value> Map::find(std::string_view key) const {
  for (const Entry& e : entries_) {
    if (e.key == key) {
      return e.value;
    }
  }
  return std::nullopt;
}

Result<Value> Map::require(std::string_view key) const {
  if (auto v = find(key)) {
    return std::move(*v);
  }
  return error_at(*src_, mark_, "missing required key '" + std::string(key) + "'");
}

Result<Map> open_root(const Source& src, const YAML::Node& root, int64_t supported_version) {
  LEEA_ASSIGN_OR_RETURN(Map map, Map::open(src, Value{"the top level", root.Mark(), root}));
  LEEA_ASSIGN_OR_RETURN(Value v, map.require("version"));
  LEEA_ASSIGN_OR_RETURN(int64_t version, as_integer(src, v, INT64_MIN, INT64_MAX));
  if (version != supported_version) {
    return error_at(src, v.mark,
                    "unsupported version " + std::to_string(version) +
                        " (this leea reads version " + std::to_string(supported_version) + ")");
  }
  return map;
}

Result<std::string> as_string(const Source& src, const Value& v) {
  if (!v.node.IsScalar()) {
    return type_error(src, v, "a string");
  }
  return v.node.Scalar();
}

Result<std::string> as_nonempty_string(const Source& src, const Value& v) {
  LEEA_ASSIGN_OR_RETURN(std::string s, as_string(src, v));
  if (s.empty()) {
    return error_at(src, v.mark, v.label + " must not be empty");
  }
  return s;
}

Result<int64_t> as_integer(const Source& src, const Value& v, int64_t min, int64_t max) {
  if (v.node.IsScalar() && is_quoted(v.node)) {
    return error_at(src, v.mark, v.label + " must be an integer, not a quoted string");
  }
  if (!v.node.IsScalar()) {
    return type_error(src, v, "an integer");
  }
  // Plain decimal only: YAML 1.1 would read 010 as octal and 0x10 as hex.
  const std::string& s = v.node.Scalar();
  std::string_view digits = s;
  if (!digits.empty() && digits.front() == '-') {
    digits.remove_prefix(1);
  }
  bool decimal =
      !digits.empty() && (digits == "0" || digits.front() != '0') &&
      std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
  int64_t value = 0;
  if (!decimal) {
    return type_error(src, v, "an integer");
  }
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || value < min || value > max) {
    return value_error(src, v,
                       "must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return value;
}

Result<bool> as_bool(const Source& src, const Value& v) {
  if (v.node.IsScalar() && is_quoted(v.node)) {
    return error_at(src, v.mark, v.label + " must be true or false, not a quoted string");
  }
  if (v.node.IsScalar()) {
    const std::string& s = v.node.Scalar();
    if (s == "true" || s == "True" || s == "TRUE") {
      return true;
    }
    if (s == "false" || s == "False" || s == "FALSE") {
      return false;
    }
  }
  return type_error(src, v, "true or false");
}

Result<std::filesystem::path> as_path(const Source& src, const Value& v) {
  LEEA_ASSIGN_OR_RETURN(std::string s, as_nonempty_string(src, v));
  if (std::any_of(s.begin(), s.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
    return value_error(src, v, "must not contain control characters");
  }
  std::filesystem::path p(s);
  if (p.is_relative() && !src.base_dir.empty()) {
    p = src.base_dir / p;
  }
  return p.lexically_normal();
}

Result<std::vector<Value>> as_sequence(const Source& src, const Value& v) {
  if (!v.node.IsSequence()) {
    return type_error(src, v, "a sequence");
  }
  std::vector<Value> items;
  size_t n = 0;
  for (const YAML::Node& item : v.node) {
    ++n;
    items.push_back(
        Value{"item " + std::to_string(n) + " of " + v.label, value_mark(item, v.mark), item});
  }
  return items;
}

Result<size_t> as_choice(const Source& src, const Value& v,
                         std::span<const std::string_view> choices) {
  LEEA_ASSIGN_OR_RETURN(std::string s, as_string(src, v));
  auto it = std::find(choices.begin(), choices.end(), s);
  if (it != choices.end()) {
    return static_cast<size_t>(it - choices.begin());
  }
  Error e = value_error(src, v, "must be " + quoted_list(choices, " or "));
  e.message += did_you_mean(s, choices);
  return e;
}

}  // namespace leea::config::internal
