// SHA-1, for the two places where formats still require it: the SHA-1 bank of TPM PCRs and
// the legacy TCG 1.2 event log (TCG PC Client PFP, §10.2.1 TCG_PCR_EVENT). Never use it for
// signatures or anything new. Stateless and thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace leea::crypto {

std::array<uint8_t, 20> sha1(std::span<const uint8_t> data);

}  // namespace leea::crypto
