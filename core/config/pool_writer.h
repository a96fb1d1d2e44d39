// Writing a pool file: the canonical YAML text of a PoolConfig, for the copy of the pool a
// VM's initramfs carries (`leea initramfs build`, whose validator URLs are the addresses
// the guest reaches them at). Comments are not kept. Pure; thread-safe.
#pragma once

#include <string>

#include "core/config/pool.h"
#include "core/util/result.h"

namespace leea::config {

// The pool as YAML that load_pool_string() reads back to the same pool; the text is loaded
// again to prove it (Errc::config with the loader's message otherwise).
Result<std::string> format_pool(const PoolConfig& pool);

}  // namespace leea::config
