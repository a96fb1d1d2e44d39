// The one JSON reader of leea (RFC 8259), over nlohmann-json: every JSON text that comes from
// the network or a file is parsed here, and only here.
//
// Parsing is bounded before nlohmann-json sees a byte: the size against the caller's bound,
// then the nesting depth by a scan of the raw text, so a hostile document of 100,000 open
// brackets is refused in one linear pass and never becomes a deep tree that a recursive
// dump() or destructor would walk. It is strict: duplicate member names within an object
// are refused (RFC 7515 §5.2 allows refusing them or keeping the last; refusing leaves no
// room for two readers to disagree), and so is invalid UTF-8. Nothing here throws:
// nlohmann-json's exceptions are caught and turned into Errors. Messages name the value by
// the caller's noun ("token payload") and never quote its content.
// Stateless and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/util/result.h"

namespace leea::json {

using Json = nlohmann::json;

// Deeper nesting than any document leea reads or writes (evidence documents nest 5 levels,
// TDX collateral 6).
inline constexpr int kMaxDepth = 16;

// Parses text as one JSON value. Returns the value; fails with code and "<what>: ..." when
// text is longer than max_bytes, nests arrays and objects deeper than max_depth, is not
// JSON (invalid UTF-8 included) or repeats a member name within an object.
Result<Json> parse(std::string_view text, std::string_view what, size_t max_bytes,
                   Errc code = Errc::refused, int max_depth = kMaxDepth);

// The nesting depth of arrays and objects in text, counting brackets outside strings, or
// nullopt as soon as it exceeds max_depth. Linear, no allocation; text need not be JSON.
std::optional<int> nesting_depth(std::string_view text, int max_depth);

// Serialises j without whitespace, members in lexicographic order (nlohmann-json keeps
// objects sorted). Fails with Errc::invalid_argument "<what>: ..." when a string is not
// valid UTF-8.
Result<std::string> dump(const Json& j, std::string_view what);

// Serialises j like dump(), replacing each invalid UTF-8 sequence with U+FFFD: for answers
// and records that must be written whatever a client sent.
std::string dump_lossy(const Json& j);

// The member name of obj, or nullptr when obj is not an object or has no such member.
// The pointer lives as long as obj is unchanged.
const Json* find_member(const Json& obj, std::string_view name);

// The string member name of obj. Fails with Errc::refused "<what>: missing '<name>'" or
// "<what>: '<name>' must be a string".
Result<std::string> string_member(const Json& obj, std::string_view name, std::string_view what);

// The integer member name of obj (a JSON number without fraction or exponent that fits
// int64_t). Fails with Errc::refused "<what>: missing '<name>'" or
// "<what>: '<name>' must be an integer".
Result<int64_t> int_member(const Json& obj, std::string_view name, std::string_view what);

// The integer value of j, or nullopt when j is not an integer that fits int64_t.
std::optional<int64_t> as_int(const Json& j);

// True when every character of s is in [A-Za-z0-9._:-] and 1 <= s.size() <= max: safe to
// quote in an error message or a log line.
bool is_printable_token(std::string_view s, size_t max);

// True when s is lower-case hex of exactly size_bytes bytes.
bool is_lower_hex(std::string_view s, size_t size_bytes);

// The bytes of a text, and the text of bytes, without copying.
inline std::span<const uint8_t> text_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline std::string_view bytes_text(std::span<const uint8_t> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

}  // namespace leea::json
