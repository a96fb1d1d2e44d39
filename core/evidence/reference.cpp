#include "core/evidence/reference.h"

#include <fnmatch.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/evidence/collect.h"
#include "core/evidence/collect_internal.h"
#include "core/util/json.h"

namespace leea::evidence {
namespace {

// A learned log is an evidence document or its event log: bounded like either.
constexpr size_t kMaxLearnedLog = size_t{20} << 20;

bool valid_name(const std::string& name) {
  return !name.empty() && name.size() <= config::kMaxReferenceNameLength &&
         std::all_of(name.begin(), name.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

Result<void> claim(std::map<std::string, std::string>& seen, const std::string& name,
                   const std::string& from) {
  if (!valid_name(name)) {
    return make_error(Errc::usage, from + ": name '" + internal::name_part(name) +
                                       "' must be 1 to 128 printable characters without spaces");
  }
  auto [it, inserted] = seen.emplace(name, from);
  if (!inserted && it->second != from) {
    return make_error(Errc::usage,
                      "'" + name + "' is given by both " + it->second + " and " + from);
  }
  return {};
}

bool matches(const std::string& pattern, const std::string& name) {
  return ::fnmatch(pattern.c_str(), name.c_str(), 0) == 0;
}

bool has_wildcard(const std::string& pattern) {
  return pattern.find_first_of("*?[") != std::string::npos;
}

Result<void> learn(const ReferenceRequest& r, std::map<std::string, std::string>& seen,
                   ReferenceUpdate& out) {
  for (const auto& p : r.patterns) {
    bool any = false;
    for (const auto& e : r.learn->events) {
      if (!matches(p, e.name)) continue;
      any = true;
      if (is_volatile(e) && !has_wildcard(p)) {
        return make_error(Errc::usage, "--name " + p +
                                           ": a time event changes at every boot and cannot be "
                                           "a reference value");
      }
    }
    if (!any) return make_error(Errc::usage, "--name " + p + " matches no event of the log");
  }
  for (const auto& e : r.learn->events) {
    bool chosen =
        r.patterns.empty() || std::any_of(r.patterns.begin(), r.patterns.end(),
                                          [&](const auto& p) { return matches(p, e.name); });
    if (!chosen) continue;
    if (is_volatile(e)) {
      out.notes.push_back(e.name + ": time event, not learned");
      continue;
    }
    LEEA_TRY(claim(seen, e.name, "the event log"));
    auto d = config::parse_tagged_digest(e.digest);
    if (!d) {
      return make_error(Errc::invalid_data, "event " + e.name + ": digest " + d.error().message);
    }
    out.digests[e.name] = *d;
    if (e.value && (*e.value == "absent" || e.value->rfind("unreadable:", 0) == 0)) {
      out.notes.push_back(e.name + ": learned while " + *e.value);
    }
  }
  return {};
}

}  // namespace

Result<ReferenceUpdate> build_reference(const ReferenceRequest& r) {
  ReferenceUpdate out;
  std::map<std::string, std::string> seen;  // name -> where it came from
  if (r.learn) {
    LEEA_TRY(learn(r, seen, out));
  } else if (!r.patterns.empty()) {
    return make_error(Errc::usage, "--name chooses events of --from-evidence, which is missing");
  }
  for (const auto& [name, path] : r.artifacts) {
    LEEA_TRY(claim(seen, name, "--artifact"));
    if (out.digests.count(name)) {
      return make_error(Errc::usage, "--artifact " + name + " is given twice");
    }
    auto d = internal::digest_file(path, UINT64_MAX);
    if (const auto* p = std::get_if<internal::Problem>(&d)) {
      return make_error(Errc::io, path.string() + ": " + p->why);
    }
    const auto& bytes = std::get<0>(d);
    out.digests[name] =
        config::TaggedDigest{config::DigestKind::sha256, {bytes.begin(), bytes.end()}};
  }
  for (const auto& [name, value] : r.values) {
    LEEA_TRY(claim(seen, name, "--value"));
    if (value.empty()) return make_error(Errc::usage, "--value " + name + "= has no value");
    auto& list = out.allowed[name];
    if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
  }
  return out;
}

void apply_reference(const ReferenceUpdate& u, config::OrderConfig& order) {
  auto& ref = order.reference;
  auto forget = [&ref](const std::string& name) {
    ref.digests.erase(name);
    ref.allowed.erase(name);
    ref.skip.erase(std::remove_if(ref.skip.begin(), ref.skip.end(),
                                  [&](const config::SkippedCheck& s) { return s.name == name; }),
                   ref.skip.end());
  };
  for (const auto& [name, d] : u.digests) {
    forget(name);
    ref.digests[name] = d;
  }
  for (const auto& [name, values] : u.allowed) {
    forget(name);
    ref.allowed[name] = values;
  }
}

Result<EventLog> parse_learned_log(const std::string& text) {
  LEEA_ASSIGN_OR_RETURN(json::Json j,
                        json::parse(text, "learned log", kMaxLearnedLog, Errc::invalid_data));
  if (const json::Json* log = json::find_member(j, "event_log")) {
    return EventLog::from_json_value(*log);
  }
  if (j.is_array()) return EventLog::from_json_value(j);
  return make_error(Errc::invalid_data,
                    "expected an event log (JSON array) or an evidence document {kind, report, "
                    "event_log}");
}

}  // namespace leea::evidence
