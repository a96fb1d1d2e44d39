// The YAML configs (core/config): order, pool file and validator.yaml, each loaded from the
// same text. An order or pool that loads writes back (format_order, format_pool) to text that
// loads to the same value and writes the same text again.
#include <string>

#include "core/config/order.h"
#include "core/config/order_writer.h"
#include "core/config/pool.h"
#include "core/config/pool_writer.h"
#include "core/config/validator.h"
#include "tests/fuzz/fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace leea;
  auto t = fuzz::text(data, size);
  if (auto order = config::load_order_string(t, "fuzz.yaml")) {
    auto text = config::format_order(*order);
    fuzz::require(text.has_value(), "a loaded order cannot be written");
    auto again = config::load_order_string(*text, "fuzz.yaml");
    fuzz::require(again.has_value(), "a written order does not load");
    auto text2 = config::format_order(*again);
    fuzz::require(text2.has_value() && *text2 == *text, "an order changes when written twice");
  }
  if (auto pool = config::load_pool_string(t, "fuzz.yaml")) {
    auto text = config::format_pool(*pool);
    fuzz::require(text.has_value(), "a loaded pool cannot be written");
    auto again = config::load_pool_string(*text, "fuzz.yaml");
    fuzz::require(again.has_value(), "a written pool does not load");
    auto text2 = config::format_pool(*again);
    fuzz::require(text2.has_value() && *text2 == *text, "a pool changes when written twice");
  }
  (void)config::load_validator_string(t, "fuzz.yaml", "/nonexistent");
  return 0;
}
