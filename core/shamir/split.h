// Shamir's secret sharing over GF(2^8), one independent polynomial per secret byte, on
// buffers of any length so that callers can stream secrets of any size in chunks.
//
// Share i of a split is the evaluation of every byte's polynomial at x_i (1..n). Any k
// shares recover the secret by Lagrange interpolation at 0; any k−1 reveal nothing.
// Coefficients come from a RandomSource, are held in SecretBytes and wiped after each
// chunk. Objects are not thread-safe; use one per thread.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/crypto/random.h"
#include "core/crypto/secret_bytes.h"
#include "core/util/result.h"

namespace leea::shamir {

inline constexpr int kMaxShares = 255;

struct SplitParams {
  int threshold = 3;
  int shares = 5;
};

// Fails with Errc::invalid_argument unless 2 <= threshold <= shares <= 255.
Result<void> check_params(const SplitParams& p);

class Splitter {
 public:
  // Shares get x = 1..n. REQUIRES: rng outlives the Splitter.
  static Result<Splitter> create(const SplitParams& p, crypto::RandomSource& rng);

  // Evaluates the polynomials of secret's bytes: out[i] receives secret.size() bytes of the
  // share with x = i + 1. REQUIRES: out.size() == shares, each out[i].size() == secret.size().
  Result<void> split(std::span<const uint8_t> secret, std::span<const std::span<uint8_t>> out);

  const SplitParams& params() const { return p_; }

 private:
  Splitter(const SplitParams& p, crypto::RandomSource& rng) : p_(p), rng_(&rng) {}

  SplitParams p_;
  crypto::RandomSource* rng_;
  crypto::SecretBytes coeffs_;  // (k−1) rows of chunk bytes, refilled per chunk
};

// Interpolates at 0 from shares with the given x coordinates.
class Combiner {
 public:
  // Fails with Errc::invalid_data on a zero or duplicate x.
  static Result<Combiner> create(std::span<const uint8_t> xs);

  // out = Σ y_i·λ_i. REQUIRES: ys.size() == xs.size(), every ys[i].size() == out.size().
  void combine(std::span<const std::span<const uint8_t>> ys, std::span<uint8_t> out) const;

  // Evaluates the same interpolating polynomial at x instead of 0 (to check extra shares).
  void evaluate_at(uint8_t x, std::span<const std::span<const uint8_t>> ys,
                   std::span<uint8_t> out) const;

  // The Lagrange weights behind evaluate_at(x) (O(k²) to compute), for callers that
  // evaluate at one x many times: evaluate_with(weights_at(x), ys, out) is evaluate_at.
  std::vector<uint8_t> weights_at(uint8_t x) const { return lagrange_at(x); }
  void evaluate_with(std::span<const uint8_t> weights, std::span<const std::span<const uint8_t>> ys,
                     std::span<uint8_t> out) const;

  const std::vector<uint8_t>& xs() const { return xs_; }

 private:
  explicit Combiner(std::vector<uint8_t> xs);
  std::vector<uint8_t> lagrange_at(uint8_t x) const;

  std::vector<uint8_t> xs_;
  std::vector<uint8_t> lambda0_;  // Lagrange basis at 0
};

}  // namespace leea::shamir
