#include "core/util/json.h"

#include <algorithm>
#include <limits>
#include <set>
#include <vector>

namespace leea::json {

std::optional<int> nesting_depth(std::string_view text, int max_depth) {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        if (++depth > max_depth) return std::nullopt;
        deepest = std::max(deepest, depth);
        break;
      case ']':
      case '}':
        --depth;  // unbalanced text is the parser's to refuse
        break;
      default:
        break;
    }
  }
  return deepest;
}

Result<Json> parse(std::string_view text, std::string_view what, size_t max_bytes, Errc code,
                   int max_depth) {
  const std::string prefix = std::string(what) + ": ";
  if (text.size() > max_bytes) {
    return make_error(code, prefix + "longer than " + std::to_string(max_bytes) + " bytes");
  }
  if (!nesting_depth(text, max_depth)) {
    return make_error(code, prefix + "nested deeper than " + std::to_string(max_depth) + " levels");
  }
  // The callback sees every key before its value, so duplicates and depth are caught while
  // parsing; it keeps every value (returns true) and reports through the flags.
  std::vector<std::set<std::string>> keys;
  bool duplicate = false;
  auto check = [&](int, Json::parse_event_t event, Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
        keys.emplace_back();
        break;
      case Json::parse_event_t::object_end:
        if (!keys.empty()) {
          keys.pop_back();
        }
        break;
      case Json::parse_event_t::key:
        if (!keys.empty() && parsed.is_string() &&
            !keys.back().insert(parsed.get_ref<const std::string&>()).second) {
          duplicate = true;
        }
        break;
      default:
        break;
    }
    return true;
  };
  Json j = Json::parse(text.begin(), text.end(), check, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return make_error(code, prefix + "not valid JSON");
  }
  if (duplicate) {
    return make_error(code, prefix + "a member name appears twice in one object");
  }
  return j;
}

Result<std::string> dump(const Json& j, std::string_view what) {
  try {
    return j.dump();
  } catch (const Json::exception&) {
    return make_error(Errc::invalid_argument, std::string(what) + ": a string is not UTF-8");
  }
}

std::string dump_lossy(const Json& j) {
  return j.dump(-1, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace);
}

const Json* find_member(const Json& obj, std::string_view name) {
  if (!obj.is_object()) {
    return nullptr;
  }
  auto it = obj.find(name);
  return it == obj.end() ? nullptr : &*it;
}

Result<std::string> string_member(const Json& obj, std::string_view name, std::string_view what) {
  const Json* v = find_member(obj, name);
  if (v == nullptr) {
    return make_error(Errc::refused, std::string(what) + ": missing '" + std::string(name) + "'");
  }
  if (!v->is_string()) {
    return make_error(Errc::refused,
                      std::string(what) + ": '" + std::string(name) + "' must be a string");
  }
  return v->get<std::string>();
}

std::optional<int64_t> as_int(const Json& j) {
  if (j.is_number_integer() && !j.is_number_unsigned()) {
    return j.get<int64_t>();
  }
  if (j.is_number_unsigned() &&
      j.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return static_cast<int64_t>(j.get<uint64_t>());
  }
  return std::nullopt;
}

Result<int64_t> int_member(const Json& obj, std::string_view name, std::string_view what) {
  const Json* v = find_member(obj, name);
  if (v == nullptr) {
    return make_error(Errc::refused, std::string(what) + ": missing '" + std::string(name) + "'");
  }
  std::optional<int64_t> n = as_int(*v);
  if (!n) {
    return make_error(Errc::refused,
                      std::string(what) + ": '" + std::string(name) + "' must be an integer");
  }
  return *n;
}

bool is_printable_token(std::string_view s, size_t max) {
  return !s.empty() && s.size() <= max && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == ':' || c == '-';
  });
}

bool is_lower_hex(std::string_view s, size_t size_bytes) {
  return s.size() == 2 * size_bytes && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace leea::json
