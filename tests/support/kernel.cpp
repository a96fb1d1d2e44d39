#include "tests/support/kernel.h"

#include <filesystem>

namespace leea::test {

std::string newest_kernel() {
  std::string best;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/boot", ec)) {
    auto n = e.path().filename().string();
    if (n.rfind("vmlinuz-", 0) == 0 && e.path().string() > best) best = e.path().string();
  }
  return best;
}

}  // namespace leea::test
