// The strict JSON reader (core/util/json.h): bounded, total, and what it accepts survives a
// round trip through dump() unchanged.
#include "core/util/json.h"
#include "tests/fuzz/fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace leea;
  auto t = fuzz::text(data, size);
  auto depth = json::nesting_depth(t, json::kMaxDepth);
  auto j = json::parse(t, "fuzz input", 1u << 20);
  if (!j) return 0;
  fuzz::require(depth.has_value(), "parse accepted a document deeper than the bound");
  auto again = json::dump(*j, "fuzz input");
  fuzz::require(again.has_value(), "an accepted document does not serialise");
  auto back = json::parse(*again, "fuzz input", 2u << 20);
  fuzz::require(back.has_value() && *back == *j, "dump() then parse() changed the document");
  (void)json::dump_lossy(*j);
  return 0;
}
