// Every YAML file shipped in configs/ loads with the loader its name selects.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "core/config/order.h"
#include "core/config/pool.h"
#include "core/config/validator.h"

namespace leea::config {
namespace {

namespace fs = std::filesystem;

// The error of loading path, or "" when it loads.
std::string load_error(const fs::path& path) {
  std::string name = path.filename().string();
  auto message = [](const auto& r) { return r ? std::string() : r.error().message; };
  if (name.rfind("pool", 0) == 0) {
    return message(load_pool_file(path));
  }
  if (name.rfind("validator", 0) == 0) {
    return message(load_validator_file(path));
  }
  if (name.rfind("order", 0) == 0) {
    return message(load_order_file(path));
  }
  return path.string() + ": no loader for this name (pool*, validator*, order*)";
}

TEST(ExampleConfigs, EveryYamlFileInConfigsLoads) {
  int loaded = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(LEEA_SOURCE_DIR) / "configs")) {
    if (entry.path().extension() != ".yaml") {
      continue;
    }
    EXPECT_EQ(load_error(entry.path()), "") << entry.path();
    ++loaded;
  }
  EXPECT_GE(loaded, 3);
}

TEST(ExampleConfigs, TheSimOrderIsDemoSimForTheSimKind) {
  auto order = load_order_file(fs::path(LEEA_SOURCE_DIR) / "configs" / "order-sim.yaml");
  ASSERT_TRUE(order) << order.error().message;
  EXPECT_EQ(order->id, "demo-sim");
  EXPECT_EQ(order->tee, std::vector<TeeKind>{TeeKind::sim});
}

TEST(ExampleConfigs, TheExamplePoolHasFiveValidatorsAndThresholdThree) {
  auto pool = load_pool_file(fs::path(LEEA_SOURCE_DIR) / "configs" / "pool.example.yaml");
  ASSERT_TRUE(pool) << pool.error().message;
  EXPECT_EQ(pool->threshold, 3);
  EXPECT_EQ(pool->validators.size(), 5u);
}

}  // namespace
}  // namespace leea::config
