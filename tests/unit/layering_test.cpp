// Checks the include edges between core areas against the table of allowed edges, and
// that third-party headers stay inside the one area that wraps them (STYLE.md).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

// area -> the core areas it may include (besides itself).
const std::map<std::string, std::set<std::string>> kAllowed = {
    {"util", {}},
    {"crypto", {"util"}},
    {"config", {"util"}},
    {"shamir", {"util", "crypto"}},
    {"evidence", {"util", "crypto", "config"}},
    {"tee", {"util", "crypto", "config", "evidence"}},
    {"attest", {"util", "crypto", "config", "shamir", "evidence", "tee", "net"}},
    {"validator", {"util", "crypto", "config", "shamir", "evidence", "tee", "attest", "net"}},
    {"disk", {"util", "crypto", "config", "shamir"}},
    {"vm", {"util", "crypto", "config"}},
    {"boot", {"util", "crypto", "config", "vm"}},
    {"net", {"util"}},
};

// Third-party header prefix -> the areas allowed to include it. TLS sockets live with the
// HTTP wrapper in net; every other use of OpenSSL is in crypto.
const std::map<std::string, std::set<std::string>> kWrapped = {
    {"openssl/", {"crypto", "net"}},
    {"yaml-cpp/", {"config"}},
    {"tss2/", {"tee"}},
    {"libcryptsetup.h", {"disk"}},
    {"httplib.h", {"net"}},
    {"sqlite3.h", {"validator"}},
    {"boost/", {"net"}},
};

std::string area_of(const fs::path& rel) {  // core/<area>/...
  auto it = rel.begin();
  return std::next(it) != rel.end() ? std::next(it)->string() : "";
}

TEST(Layering, CoreIncludesOnlyAllowedAreas) {
  const fs::path root = LEEA_SOURCE_DIR;
  const std::regex include_re(R"re(^\s*#\s*include\s*[<"]([^>"]+)[>"])re");
  std::vector<std::string> violations;
  for (const auto& e : fs::recursive_directory_iterator(root / "core")) {
    if (!e.is_regular_file()) continue;
    auto ext = e.path().extension();
    if (ext != ".h" && ext != ".cpp") continue;
    fs::path rel = fs::relative(e.path(), root);
    std::string area = area_of(rel);
    ASSERT_TRUE(kAllowed.count(area)) << rel << ": area '" << area << "' is not in the table";
    std::ifstream in(e.path());
    std::string line;
    int lineno = 0;
    while (std::getline(in, line)) {
      ++lineno;
      std::smatch m;
      if (!std::regex_search(line, m, include_re)) continue;
      std::string inc = m[1];
      std::string where = rel.string() + ":" + std::to_string(lineno) + ": ";
      if (inc.rfind("cmd/", 0) == 0) {
        violations.push_back(where + "core includes cmd: " + inc);
      } else if (inc.rfind("core/", 0) == 0) {
        std::string to = area_of(fs::path(inc));
        if (to != area && !kAllowed.at(area).count(to)) {
          violations.push_back(where + area + " -> " + to + " is not an allowed edge");
        }
        if (to != area && inc.find("_internal.h") != std::string::npos) {
          violations.push_back(where + "includes another area's private header " + inc);
        }
      } else {
        for (const auto& [prefix, owners] : kWrapped) {
          if (inc.rfind(prefix, 0) == 0 && !owners.count(area)) {
            violations.push_back(where + inc + " may not be included in core/" + area);
          }
        }
      }
    }
  }
  for (const auto& v : violations) ADD_FAILURE() << v;
}

// Every JSON text (from the network or a file) is read by core/util/json.h's strict reader,
// which bounds size and depth and refuses duplicate member names; nothing calls nlohmann's
// lenient parser directly.
TEST(Layering, JsonIsReadOnlyThroughTheStrictReader) {
  const fs::path root = LEEA_SOURCE_DIR;
  const std::regex direct_re(
      R"re(nlohmann::(ordered_)?json::(parse|accept|sax_parse)|\bJson::(parse|accept)|from_(cbor|msgpack|bson|ubjson)\()re");
  const std::regex alias_re(R"re(using\s+json\s*=\s*nlohmann::)re");
  const std::regex aliased_parse_re(R"re((^|[^:\w])json::(parse|accept)\()re");
  std::vector<std::string> violations;
  for (const char* top : {"core", "cmd"}) {
    for (const auto& e : fs::recursive_directory_iterator(root / top)) {
      auto ext = e.path().extension();
      if (!e.is_regular_file() || (ext != ".h" && ext != ".cpp")) continue;
      fs::path rel = fs::relative(e.path(), root);
      if (rel == "core/util/json.cpp") continue;
      std::ifstream in(e.path());
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      const bool aliased = std::regex_search(text, alias_re);
      std::istringstream lines(text);
      std::string line;
      for (int lineno = 1; std::getline(lines, line); ++lineno) {
        if (std::regex_search(line, direct_re) ||
            (aliased && std::regex_search(line, aliased_parse_re))) {
          violations.push_back(rel.string() + ":" + std::to_string(lineno) +
                               ": parses JSON outside leea::json::parse");
        }
      }
    }
  }
  for (const auto& v : violations) ADD_FAILURE() << v;
}

TEST(Layering, EdgeTableHasNoCycles) {
  // Depth-first search over the table: a back edge is a cycle.
  std::map<std::string, int> state;
  std::function<bool(const std::string&)> visit = [&](const std::string& a) {
    if (state[a] == 1) return false;
    if (state[a] == 2) return true;
    state[a] = 1;
    for (const auto& b : kAllowed.at(a)) {
      if (!visit(b)) return false;
    }
    state[a] = 2;
    return true;
  };
  for (const auto& [a, _] : kAllowed) EXPECT_TRUE(visit(a)) << "cycle through " << a;
}

}  // namespace
