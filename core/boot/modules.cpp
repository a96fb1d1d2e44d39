#include "core/boot/modules.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "core/util/files.h"

namespace leea::boot {
namespace {

constexpr size_t kMaxModulesFile = 8u << 20;

std::string normalize(std::string_view name) {
  std::string s(name);
  for (char& c : s) {
    if (c == '-') c = '_';
  }
  return s;
}

std::vector<std::string> words(std::string_view line) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.emplace_back(line.substr(start, i - start));
  }
  return out;
}

}  // namespace

std::string module_name(std::string_view path) {
  size_t slash = path.rfind('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  for (std::string_view ext : {".ko.xz", ".ko.zst", ".ko.gz", ".ko"}) {
    if (base.size() > ext.size() && base.substr(base.size() - ext.size()) == ext) {
      base.remove_suffix(ext.size());
      break;
    }
  }
  return normalize(base);
}

Result<ModulePlan> plan_modules(const std::filesystem::path& dir,
                                const std::vector<ModuleRequest>& wanted) {
  auto dep_path = dir / "modules.dep";
  LEEA_ASSIGN_OR_RETURN(std::string dep_text, read_file(dep_path, kMaxModulesFile));
  std::map<std::string, std::pair<std::string, std::vector<std::string>>>
      mods;                                  // name -> path, deps
  std::map<std::string, std::string> lines;  // name -> its modules.dep line
  size_t lineno = 0;
  for (size_t start = 0; start < dep_text.size();) {
    size_t end = dep_text.find('\n', start);
    if (end == std::string::npos) end = dep_text.size();
    std::string_view line(dep_text.data() + start, end - start);
    start = end + 1;
    ++lineno;
    if (line.empty()) continue;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return make_error(Errc::invalid_data,
                        dep_path.string() + ":" + std::to_string(lineno) + ": no 'module:'");
    }
    std::string path(line.substr(0, colon));
    auto deps = words(line.substr(colon + 1));
    for (const auto& p : deps) {
      if (p.find("..") != std::string::npos || p.front() == '/') {
        return make_error(Errc::invalid_data,
                          dep_path.string() + ":" + std::to_string(lineno) + ": bad path " + p);
      }
    }
    if (path.find("..") != std::string::npos || path.front() == '/') {
      return make_error(Errc::invalid_data,
                        dep_path.string() + ":" + std::to_string(lineno) + ": bad path " + path);
    }
    mods[module_name(path)] = {path, std::move(deps)};
    lines[module_name(path)] = std::string(line);
  }
  std::set<std::string> builtin;
  if (auto text = read_file(dir / "modules.builtin", kMaxModulesFile)) {
    // One path a line.
    size_t s = 0;
    while (s < text->size()) {
      size_t e = text->find('\n', s);
      if (e == std::string::npos) e = text->size();
      if (e > s) builtin.insert(module_name(std::string_view(*text).substr(s, e - s)));
      s = e + 1;
    }
  }
  ModulePlan plan;
  std::set<std::string> done, active;
  std::function<Result<void>(const std::string&, const std::string&)> visit =
      [&](const std::string& name, const std::string& via) -> Result<void> {
    if (done.count(name)) return {};
    if (active.count(name)) {
      return make_error(Errc::config, "module dependency cycle through " + name);
    }
    auto it = mods.find(name);
    if (it == mods.end()) {
      return make_error(Errc::config, "module " + name + " (needed by " + via + ") is not in " +
                                          dep_path.string());
    }
    active.insert(name);
    for (const auto& d : it->second.second) LEEA_TRY(visit(module_name(d), name));
    active.erase(name);
    done.insert(name);
    plan.load_order.push_back(it->second.first);
    return {};
  };
  for (const auto& w : wanted) {
    std::string name = normalize(w.name);
    if (mods.count(name)) {
      LEEA_TRY(visit(name, "the initramfs"));
    } else if (builtin.count(name)) {
      plan.builtin.push_back(w.name);
    } else if (w.optional) {
      plan.absent.push_back(w.name);
    } else {
      return make_error(Errc::config, "module " + w.name + " is neither in " + dep_path.string() +
                                          " nor built in");
    }
  }
  std::vector<std::string> kept;
  for (const auto& name : done) kept.push_back(lines[name]);
  std::sort(kept.begin(), kept.end());
  for (const auto& l : kept) plan.modules_dep += l + "\n";
  return plan;
}

}  // namespace leea::boot
