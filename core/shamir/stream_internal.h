// Private to core/shamir: the per-format combine loops behind combine_stream(), and the
// search that names the shares that disagree.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/crypto/secret_bytes.h"
#include "core/shamir/io.h"
#include "core/shamir/stream.h"

namespace leea::shamir::internal {

Result<CombineSummary> combine_leea(std::vector<ShareInput>& inputs, SecretSink& sink);
Result<CombineSummary> combine_vault(std::vector<ShareInput>& inputs, SecretSink& sink);

// Work allowed to name disagreeing shares, counted as subsets tried × shares × threshold
// (each subset's polynomial is checked against every share), so that even 128 of 255
// shares answer in well under a second.
inline constexpr uint64_t kMaxDiagnosisWork = 50'000'000;

// Given shares that do not all lie on one polynomial of degree k−1 (columns of bytes
// where they disagree), looks for the polynomial through the most shares and returns the
// indices of the shares off it. It stops at the first polynomial through at least
// m − ⌊(m−k)/2⌋ of the m shares, which is then the only one (the unique decoding radius);
// when every k-subset fits in the budget it also accepts a unique largest set of at least
// k+1 shares. Returns an empty vector when it cannot tell. Subtracts the work it did from
// *budget. REQUIRES: xs.size() == ys.size() > k; all ys[i] have the same size.
std::vector<size_t> find_disagreeing(std::span<const uint8_t> xs,
                                     std::span<const std::span<const uint8_t>> ys, int k,
                                     uint64_t* budget);

// Every share's bytes in a few columns around one place where shares disagree.
struct DiagnosisWindow {
  uint64_t column = 0;       // offset in the secret of the first column
  size_t width = 0;          // columns kept
  crypto::SecretBytes rows;  // m rows of width bytes
};

// The union of find_disagreeing() over the windows, sorted, within kMaxDiagnosisWork in
// all; nullopt when any window cannot tell.
std::optional<std::vector<size_t>> diagnose(std::span<const uint8_t> xs,
                                            const std::vector<DiagnosisWindow>& windows, int k);

}  // namespace leea::shamir::internal
