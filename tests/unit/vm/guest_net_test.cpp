#include "core/vm/guest_net.h"

#include <gtest/gtest.h>

#include "core/config/pool_writer.h"

namespace leea::vm {
namespace {

config::PoolConfig example() {
  auto p = config::load_pool_file(std::string(LEEA_SOURCE_DIR) + "/configs/pool.example.yaml");
  EXPECT_TRUE(p) << p.error().message;
  return *p;
}

TEST(GuestNet, ValidatorIIsAtTheGuestAddressPort44300PlusI) {
  auto pool = example();
  auto f = validator_forwards(pool);
  ASSERT_EQ(f.size(), pool.validators.size());
  for (size_t i = 0; i < f.size(); ++i) {
    EXPECT_EQ(f[i].validator, pool.validators[i].id);
    EXPECT_EQ(f[i].guest.host, "10.0.2.100");
    EXPECT_EQ(f[i].guest.port, 44300 + i);
    EXPECT_EQ(f[i].host, pool.validators[i].endpoint);
  }
}

// The guest's pool differs in the URLs only: fingerprints, keys and threshold stay, so TLS
// is still pinned to each validator's certificate.
TEST(GuestNet, GuestPoolKeepsEverythingButTheAddresses) {
  auto pool = example();
  auto g = guest_pool(pool);
  auto text = config::format_pool(g);
  ASSERT_TRUE(text) << text.error().message;
  auto back = config::load_pool_string(*text, "guest pool");
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_EQ(back->validators.size(), pool.validators.size());
  EXPECT_EQ(back->threshold, pool.threshold);
  EXPECT_EQ(back->operator_keys, pool.operator_keys);
  for (size_t i = 0; i < pool.validators.size(); ++i) {
    EXPECT_EQ(back->validators[i].url, "https://10.0.2.100:" + std::to_string(44300 + i));
    EXPECT_EQ(back->validators[i].tls_fingerprint, pool.validators[i].tls_fingerprint);
    EXPECT_EQ(back->validators[i].token_key, pool.validators[i].token_key);
  }
}

}  // namespace
}  // namespace leea::vm
