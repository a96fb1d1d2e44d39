// Writing an order file back (`leea order reference`): the canonical YAML text of an
// OrderConfig, keys in schema order, reference names in byte order, skips in their order.
// Comments of the file the order was read from are not kept. Pure; thread-safe.
#pragma once

#include <string>

#include "core/config/order.h"
#include "core/util/result.h"

namespace leea::config {

// The order as YAML that load_order_string() reads back to the same order. Proves it: the
// text is loaded again and must format to itself, else Errc::config with the loader's
// message (e.g. a reference that names nothing).
Result<std::string> format_order(const OrderConfig& order);

}  // namespace leea::config
