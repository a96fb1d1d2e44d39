#include "core/vm/guest_net.h"

namespace leea::vm {

std::vector<Forward> validator_forwards(const config::PoolConfig& pool) {
  std::vector<Forward> out;
  for (size_t i = 0; i < pool.validators.size(); ++i) {
    const auto& v = pool.validators[i];
    out.push_back(
        {v.id, {kGuestValidatorAddress, static_cast<uint16_t>(kGuestPortBase + i)}, v.endpoint});
  }
  return out;
}

config::PoolConfig guest_pool(const config::PoolConfig& pool) {
  config::PoolConfig g = pool;
  auto fwd = validator_forwards(pool);
  for (size_t i = 0; i < g.validators.size(); ++i) {
    g.validators[i].endpoint = fwd[i].guest;
    g.validators[i].url = config::format_https_url(fwd[i].guest);
  }
  return g;
}

}  // namespace leea::vm
