// The hardware, kernel and driver groups: DMI, CPU, PCI, kernel release, command line,
// loaded modules and their files, and drivers bound under /sys/bus.
#include <algorithm>
#include <map>

#include "core/evidence/collect_internal.h"

namespace leea::evidence::internal {
namespace {

constexpr size_t kMaxPciDevices = 1024;
constexpr size_t kMaxModules = 1024;
constexpr size_t kMaxBuses = 256;
constexpr size_t kMaxDrivers = 1024;        // per bus
constexpr size_t kMaxDriverEntries = 4096;  // per driver directory

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    out.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The value of key in the first processor block of /proc/cpuinfo ("key\t: value").
std::variant<std::string, Problem> cpuinfo_field(const std::variant<std::string, Problem>& info,
                                                 std::string_view key) {
  if (const auto* p = std::get_if<Problem>(&info)) return *p;
  for (std::string_view line : split_lines(std::get<std::string>(info))) {
    if (trim(line).empty()) break;  // end of the first processor's block
    size_t colon = line.find(':');
    if (colon != std::string_view::npos && trim(line.substr(0, colon)) == key) {
      return std::string(trim(line.substr(colon + 1)));
    }
  }
  return Problem{"absent"};
}

// "0x8086" -> "8086".
std::string hex_attribute(const std::string& text) {
  return text.rfind("0x", 0) == 0 ? text.substr(2) : text;
}

Result<void> collect_pci(const CollectOptions& o, Collection& out) {
  LEEA_ASSIGN_OR_RETURN(auto devices,
                        list_dir(under(o.root, "/sys/bus/pci/devices"), kMaxPciDevices));
  std::vector<Event> per_device;
  std::string all;
  for (const auto& d : devices.value_or(std::vector<DirEntry>{})) {
    std::string id;
    std::optional<Problem> problem;
    for (const char* attr : {"vendor", "device", "class"}) {
      auto r = read_attribute(under(o.root, "/sys/bus/pci/devices/" + d.name + "/" + attr));
      if (auto* p = std::get_if<Problem>(&r)) {
        problem = Problem{std::string(attr) + ": " + p->why};
        break;
      }
      id += (id.empty() ? "" : ":") + hex_attribute(std::get<std::string>(r));
    }
    std::string name = "hardware.pci." + name_part(d.name);
    per_device.push_back(problem ? problem_event("hardware", name, *problem)
                                 : text_event("hardware", name, id));
    all += (all.empty() ? "" : " ") + name_part(d.name) + "=" + (problem ? problem->why : id);
  }
  out.log.events.push_back(text_event("hardware", "hardware.pci", all));
  for (auto& e : per_device) out.log.events.push_back(std::move(e));
  return {};
}

std::string module_name(std::string_view path) {
  size_t slash = path.rfind('/');
  std::string base(slash == std::string_view::npos ? path : path.substr(slash + 1));
  size_t ko = base.find(".ko");
  if (ko != std::string::npos) base.resize(ko);
  std::replace(base.begin(), base.end(), '-', '_');
  return base;
}

// Module name -> path in modules.dep (relative to /lib/modules/<release>, or absolute).
std::map<std::string, std::string> parse_modules_dep(std::string_view dep) {
  std::map<std::string, std::string> out;
  for (std::string_view line : split_lines(dep)) {
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    std::string_view path = line.substr(0, colon);
    out.emplace(module_name(path), std::string(path));
  }
  return out;
}

std::vector<std::string> loaded_modules(const std::string& proc_modules) {
  std::vector<std::string> out;
  for (std::string_view line : split_lines(proc_modules)) {
    std::string_view name = line.substr(0, line.find(' '));
    if (!name.empty()) out.emplace_back(name);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void collect_module_files(const CollectOptions& o, const std::vector<std::string>& modules,
                          const std::variant<std::string, Problem>& release, Collection& out) {
  std::optional<Problem> no_dep;
  std::map<std::string, std::string> dep;
  std::string dir;
  if (const auto* p = std::get_if<Problem>(&release)) {
    no_dep = Problem{"kernel release " + p->why};
  } else if (const auto& r = std::get<std::string>(release);
             r.empty() || r == ".." || r.find('/') != std::string::npos) {
    no_dep = Problem{"kernel release is not a directory name"};
  } else {
    dir = "/lib/modules/" + r;
    auto text = read_text(under(o.root, dir + "/modules.dep"), kMaxModulesDep);
    if (const auto* q = std::get_if<Problem>(&text)) {
      no_dep = Problem{"modules.dep " + q->why};
    } else {
      dep = parse_modules_dep(std::get<std::string>(text));
    }
  }
  for (const auto& m : modules) {
    std::string name = "kernel.module." + name_part(m);
    auto it = dep.find(m);
    if (no_dep || it == dep.end()) {
      out.log.events.push_back(
          problem_event("kernel", name, no_dep.value_or(Problem{"not in modules.dep"})));
      continue;
    }
    std::string guest = it->second.front() == '/' ? it->second : dir + "/" + it->second;
    auto d = digest_file(under(o.root, guest), o.max_file_bytes);
    if (const auto* p = std::get_if<Problem>(&d)) {
      out.log.events.push_back(problem_event("kernel", name, Problem{it->second + ": " + p->why}));
    } else {
      std::optional<std::string> shown;
      if (it->second.size() <= kMaxValue) shown = it->second;
      out.log.events.push_back(bytes_event("kernel", name, std::get<0>(d), shown));
    }
  }
}

}  // namespace

Result<void> collect_hardware(const CollectOptions& o, Collection& out) {
  for (const char* attr : {"sys_vendor", "product_name", "board_vendor", "board_name"}) {
    out.log.events.push_back(
        read_event("hardware", std::string("hardware.dmi.") + attr,
                   read_attribute(under(o.root, std::string("/sys/class/dmi/id/") + attr))));
  }
  auto info = read_prefix(under(o.root, "/proc/cpuinfo"), kMaxProcFile);
  out.log.events.push_back(
      read_event("hardware", "hardware.cpu.model", cpuinfo_field(info, "model name")));
  out.log.events.push_back(
      read_event("hardware", "hardware.cpu.flags", cpuinfo_field(info, "flags")));
  return collect_pci(o, out);
}

Result<void> collect_kernel(const CollectOptions& o, Collection& out) {
  auto release = read_attribute(under(o.root, "/proc/sys/kernel/osrelease"));
  out.log.events.push_back(read_event("kernel", "kernel.release", release));
  out.log.events.push_back(
      read_event("kernel", "kernel.cmdline", read_attribute(under(o.root, "/proc/cmdline"))));
  auto proc = read_text(under(o.root, "/proc/modules"), kMaxProcFile);
  if (const auto* p = std::get_if<Problem>(&proc)) {
    out.log.events.push_back(problem_event("kernel", "kernel.modules", *p));
    return {};
  }
  auto modules = loaded_modules(std::get<std::string>(proc));
  if (modules.size() > kMaxModules) {
    return make_error(Errc::invalid_data,
                      "/proc/modules: more than " + std::to_string(kMaxModules) + " modules");
  }
  std::string list;
  for (const auto& m : modules) list += (list.empty() ? "" : " ") + name_part(m);
  out.log.events.push_back(text_event("kernel", "kernel.modules", list));
  collect_module_files(o, modules, release, out);
  return {};
}

Result<void> collect_drivers(const CollectOptions& o, Collection& out) {
  LEEA_ASSIGN_OR_RETURN(auto buses, list_dir(under(o.root, "/sys/bus"), kMaxBuses));
  std::vector<Event> per_driver;
  std::string all;
  for (const auto& bus : buses.value_or(std::vector<DirEntry>{})) {
    std::string bus_dir = "/sys/bus/" + bus.name + "/drivers";
    LEEA_ASSIGN_OR_RETURN(auto drivers, list_dir(under(o.root, bus_dir), kMaxDrivers));
    for (const auto& drv : drivers.value_or(std::vector<DirEntry>{})) {
      LEEA_ASSIGN_OR_RETURN(auto links,
                            list_dir(under(o.root, bus_dir + "/" + drv.name), kMaxDriverEntries));
      std::string devices;
      for (const auto& l : links.value_or(std::vector<DirEntry>{})) {
        // A driver directory links each bound device, and its module as "module".
        if (!l.is_link || l.name == "module") continue;
        devices += (devices.empty() ? "" : " ") + name_part(l.name);
      }
      if (devices.empty()) continue;
      per_driver.push_back(text_event(
          "driver", "driver." + name_part(bus.name) + "." + name_part(drv.name), devices));
      all += (all.empty() ? "" : " ") + name_part(bus.name) + "/" + name_part(drv.name);
    }
  }
  out.log.events.push_back(text_event("driver", "driver.bound", all));
  for (auto& e : per_driver) out.log.events.push_back(std::move(e));
  return {};
}

}  // namespace leea::evidence::internal
