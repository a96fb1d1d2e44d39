// Private to core/config: strict reading of YAML documents into typed values, with errors
// that name the file, line and column ("pool.yaml:12:3: unknown key 'thresold' (did you mean
// 'threshold'?)").
//
// parse_document() turns text into one non-empty YAML document, refusing syntax errors, empty
// input, several documents and aliases. Map then checks keys (distinct, known) and hands out
// fields; the as_*() functions convert one value and refuse a wrong type or an out-of-range
// value. Every failure is an Errc::config Error, except that read_config_file() reports an
// unreadable file as Errc::io. yaml-cpp throws: callers wrap their whole conversion
// in guard(), which turns a stray YAML::Exception into the same kind of Error. Everything
// here is stateless and thread-safe; Nodes must not be shared across threads.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/result.h"

namespace leea::config::internal {

// The document being read: its name in messages and the directory that relative paths in it
// resolve against (empty: leave them relative).
struct Source {
  std::string name;
  std::filesystem::path base_dir;
};

// text as it may appear in a message: at most 64 characters, control characters replaced by
// '?' (a config received over the network must not drive the reader's terminal).
std::string shown(std::string_view text);

// "<name>:<line>:<column>: <message>" (1-based) as an Errc::config Error.
Error error_at(const Source& src, const YAML::Mark& mark, std::string_view message);

// Edit distance between a and b: insertions, deletions, substitutions and transpositions of
// adjacent characters each count one (optimal string alignment).
size_t edit_distance(std::string_view a, std::string_view b);
// The candidate nearest to word when at most 2 edits away and the edits change at most half
// of the candidate's characters (the first one on a tie).
std::optional<std::string_view> nearest(std::string_view word,
                                        std::span<const std::string_view> candidates);
// " (did you mean 'x'?)" when nearest() finds one, else "".
std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates);

// Reads the file (at most kMaxConfigBytes). A missing or unreadable file is Errc::io.
Result<std::string> read_config_file(const std::filesystem::path& path);

// Parses text as exactly one YAML document whose top level is a mapping.
// REQUIRES: text.size() <= kMaxConfigBytes (checked: larger text is refused).
Result<YAML::Node> parse_document(const Source& src, std::string_view text);

// One value with what error messages call it ("'url'", "item 2 of 'tee'") and where it is.
struct Value {
  std::string label;
  YAML::Mark mark;
  YAML::Node node;
};

// A mapping whose keys are distinct strings. It points at src, which must outlive it.
class Map {
 public:
  struct Entry {
    std::string key;
    YAML::Mark key_mark;
    Value value;  // labelled "'<key>'"
  };

  // Fails unless value is a mapping whose keys are distinct strings.
  static Result<Map> open(const Source& src, const Value& value);
  // Fails on the first key that is not in allowed, suggesting the nearest allowed one.
  Result<void> allow(std::initializer_list<std::string_view> allowed) const;

  // The value of key; nullopt when absent.
  std::optional<Value> find(std::string_view key) const;
  // The value of key, or "missing required key '<key>'" at the mapping.
  Result<Value> require(std::string_view key) const;
  // All entries in document order.
  const std::vector<Entry>& entries() const { return entries_; }
  const YAML::Mark& mark() const { return mark_; }

 private:
  Map(const Source& src, YAML::Mark mark) : src_(&src), mark_(mark) {}

  const Source* src_;
  YAML::Mark mark_;
  std::vector<Entry> entries_;
};

// The top-level mapping of a document, whose 'version' must be supported_version.
Result<Map> open_root(const Source& src, const YAML::Node& root, int64_t supported_version);

// Conversions of one value; each fails with "<label> must be ..., not ...".
Result<std::string> as_string(const Source& src, const Value& v);           // any scalar
Result<std::string> as_nonempty_string(const Source& src, const Value& v);  // and not ""
Result<int64_t> as_integer(const Source& src, const Value& v, int64_t min, int64_t max);
Result<bool> as_bool(const Source& src, const Value& v);  // true or false, unquoted
// A non-empty path, resolved against src.base_dir when relative.
Result<std::filesystem::path> as_path(const Source& src, const Value& v);
// The items of a sequence, labelled "item <n> of <label>".
Result<std::vector<Value>> as_sequence(const Source& src, const Value& v);
// One of choices, suggesting the nearest one on a typo. Returns its index in choices.
Result<size_t> as_choice(const Source& src, const Value& v,
                         std::span<const std::string_view> choices);
// A string accepted by check (a values.h parser whose message is a predicate).
template <typename T, typename Check>
Result<T> as_checked(const Source& src, const Value& v, Check check);

// "<label> <predicate>, not '<value>'" at the value.
Error value_error(const Source& src, const Value& v, std::string_view predicate);

// Runs convert and turns a YAML::Exception it throws into an Error at the exception's mark.
template <typename F>
auto guard(const Source& src, F convert) -> decltype(convert());

// ---- implementation of the templates ----

Error exception_error(const Source& src, const YAML::Exception& e);

template <typename T, typename Check>
Result<T> as_checked(const Source& src, const Value& v, Check check) {
  LEEA_ASSIGN_OR_RETURN(std::string text, as_string(src, v));
  auto parsed = check(text);
  if (!parsed) {
    return value_error(src, v, parsed.error().message);
  }
  return std::move(parsed).value();
}

template <typename F>
auto guard(const Source& src, F convert) -> decltype(convert()) {
  try {
    return convert();
  } catch (const YAML::Exception& e) {
    return exception_error(src, e);
  }
}

}  // namespace leea::config::internal
