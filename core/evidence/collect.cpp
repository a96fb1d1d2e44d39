#include "core/evidence/collect.h"

#include <algorithm>
#include <ctime>
#include <map>

#include "core/crypto/digest.h"
#include "core/evidence/collect_internal.h"
#include "core/util/encoding.h"
#include "core/util/time.h"

namespace leea::evidence {
namespace {

using internal::Problem;

constexpr size_t kMaxEvents = 4096;
constexpr size_t kMaxLogJson = size_t{512} << 10;
constexpr size_t kMaxEventName = 128;
constexpr int kMaxPcr = 23;

// text as it may appear in a message: printable ASCII, at most 64 characters.
std::string shown(std::string_view text) {
  std::string out(text.substr(0, 64));
  for (char& c : out) {
    if (c < 0x20 || c >= 0x7f) c = '?';
  }
  return text.size() > 64 ? out + "..." : out;
}

// A guest path as an event name: "config." + the normalized absolute path.
Result<std::string> config_event_name(const std::filesystem::path& path) {
  std::string p = path.lexically_normal().string();
  std::string name = "config." + p;
  bool printable = std::all_of(p.begin(), p.end(), [](char c) { return c > ' ' && c < 0x7f; });
  if (!path.is_absolute() || !printable || name.size() > kMaxEventName) {
    return make_error(Errc::usage, "config file '" + shown(p) +
                                       "' must be an absolute path of at most " +
                                       std::to_string(kMaxEventName - 7) +
                                       " printable characters without spaces");
  }
  return name;
}

Result<void> collect_config(const CollectOptions& o, Collection& out) {
  std::map<std::string, std::filesystem::path> files;  // event name -> where to read it
  for (const auto& f : o.config_files) {
    LEEA_ASSIGN_OR_RETURN(std::string name, config_event_name(f));
    files[name] = internal::under(o.root, std::filesystem::path(f).lexically_normal().string());
  }
  if (!o.pool_file.empty()) {
    std::error_code ec;
    auto abs = std::filesystem::absolute(o.pool_file, ec);
    if (ec) return make_error(Errc::io, o.pool_file.string() + ": " + ec.message());
    LEEA_ASSIGN_OR_RETURN(std::string name, config_event_name(abs));
    files[name] = abs;
  }
  for (const auto& [name, path] : files) {
    auto d = internal::digest_file(path, o.max_file_bytes);
    if (const auto* p = std::get_if<Problem>(&d)) {
      out.log.events.push_back(internal::problem_event("config", name, *p));
    } else {
      out.log.events.push_back(internal::bytes_event("config", name, std::get<0>(d), {}));
    }
  }
  return {};
}

void collect_bios(const CollectOptions& o, Collection& out) {
  for (const char* attr : {"vendor", "version", "date"}) {
    out.log.events.push_back(
        internal::read_event("bios", std::string("bios.") + attr,
                             internal::read_attribute(internal::under(
                                 o.root, std::string("/sys/class/dmi/id/bios_") + attr))));
  }
}

Result<void> collect_tpm(const CollectOptions& o, Collection& out) {
  bool any = false;
  for (const auto& [bank, size] : {std::pair<std::string, size_t>{"sha256", 32}, {"sha1", 20}}) {
    std::string dir = "/sys/class/tpm/tpm0/pcr-" + bank;
    LEEA_ASSIGN_OR_RETURN(auto entries, internal::list_dir(internal::under(o.root, dir), 64));
    if (!entries) continue;
    any = true;
    for (int n = 0; n <= kMaxPcr; ++n) {
      if (o.runtime_pcr == n) continue;
      std::string index = std::to_string(n);
      bool listed = std::any_of(entries->begin(), entries->end(),
                                [&](const internal::DirEntry& e) { return e.name == index; });
      if (!listed) continue;
      std::string name = "tpm.pcr." + bank + "." + index;
      auto text = internal::read_attribute(internal::under(o.root, dir + "/" + index));
      if (const auto* p = std::get_if<Problem>(&text)) {
        out.log.events.push_back(internal::problem_event("tpm", name, *p));
        continue;
      }
      auto bytes = hex_decode(std::get<std::string>(text));
      if (!bytes || bytes->size() != size) {
        out.log.events.push_back(internal::problem_event(
            "tpm", name, Problem{"not " + std::to_string(size * 2) + " hex digits"}));
      } else if (bank == "sha256") {
        out.log.events.push_back(Event{name, "tpm", "sha256:" + hex_encode(*bytes), {}});
      } else {
        out.log.events.push_back(internal::bytes_event("tpm", name, crypto::sha256(*bytes),
                                                       bank + ":" + hex_encode(*bytes)));
      }
    }
  }
  if (!any) out.notes.push_back("no TPM PCR banks under /sys/class/tpm/tpm0: no tpm events");
  return {};
}

void collect_time(const CollectOptions& o, Collection& out) {
  out.log.events.push_back(internal::text_event(
      "time", "time.wall_clock",
      format_rfc3339(o.now.value_or(static_cast<int64_t>(std::time(nullptr))))));
  auto stat = internal::read_prefix(internal::under(o.root, "/proc/stat"), internal::kMaxProcFile);
  std::variant<std::string, Problem> boot = Problem{"absent"};
  if (const auto* read = std::get_if<std::string>(&stat)) {
    std::string s = "\n" + *read;
    size_t at = s.find("\nbtime ");
    if (at != std::string::npos) {
      std::string digits = s.substr(at + 7, s.find('\n', at + 1) - at - 7);
      bool ok =
          !digits.empty() && digits.size() <= 12 &&
          std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
      boot = ok ? std::variant<std::string, Problem>(format_rfc3339(std::stoll(digits)))
                : Problem{"btime is not a number"};
    }
  } else {
    boot = std::get<Problem>(stat);
  }
  out.log.events.push_back(internal::read_event("time", "time.boot", boot));
}

}  // namespace

bool is_volatile(const Event& event) { return event.kind == "time"; }

Result<Collection> collect(const CollectOptions& o) {
  if (o.root.empty()) return make_error(Errc::usage, "the root directory must not be empty");
  Collection out;
  LEEA_TRY(internal::collect_disks(o, out));
  LEEA_TRY(internal::collect_hardware(o, out));
  LEEA_TRY(internal::collect_kernel(o, out));
  LEEA_TRY(internal::collect_drivers(o, out));
  LEEA_TRY(collect_config(o, out));
  collect_bios(o, out);
  LEEA_TRY(collect_tpm(o, out));
  collect_time(o, out);
  if (out.log.events.size() > kMaxEvents) {
    return make_error(Errc::invalid_data, "more than " + std::to_string(kMaxEvents) + " events");
  }
  for (const auto& e : out.log.events) {
    if (e.name.size() > kMaxEventName) {
      return make_error(Errc::invalid_data,
                        "event name longer than 128 characters: " + e.name.substr(0, 64) + "...");
    }
  }
  if (out.log.to_json().size() > kMaxLogJson) {
    return make_error(Errc::invalid_data, "event log larger than 512 KiB");
  }
  return out;
}

}  // namespace leea::evidence
