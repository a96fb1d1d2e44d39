// Private to core/shamir: the per-format combine loops behind combine_stream().
#pragma once

#include <span>
#include <string>
#include <vector>

#include "core/shamir/io.h"
#include "core/shamir/stream.h"

namespace leea::shamir::internal {

Result<CombineSummary> combine_leea(std::vector<ShareInput>& inputs, SecretSink& sink);
Result<CombineSummary> combine_vault(std::vector<ShareInput>& inputs, SecretSink& sink);

// Given shares that do not all lie on one polynomial of degree k−1 (columns of bytes
// where they disagree), finds the largest set that does and returns the indices of the
// shares outside it; empty when no unique largest set of at least k+1 shares exists.
std::vector<size_t> find_disagreeing(std::span<const uint8_t> xs,
                                     std::span<const std::span<const uint8_t>> ys, int k);

}  // namespace leea::shamir::internal
