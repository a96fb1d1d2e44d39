// TCG event logs: the PC Client firmware log (SHA-1 and crypto-agile) and the TDX CCEL log
// area, whose padding ends the log (selector bit 0). Parsed logs are replayed.
#include "core/evidence/tcg_log.h"
#include "tests/fuzz/fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace leea::evidence;
  auto in = leea::fuzz::select(data, size);
  tcg::TcgLimits limits;
  limits.padded = (in.selector & 1) != 0;
  limits.max_events = 2000;
  auto log = tcg::parse(in.rest, limits);
  if (!log) return 0;
  leea::fuzz::require(log->size <= in.rest.size(), "a log larger than its input");
  (void)tcg::replay(*log);
  return 0;
}
