#include "core/shamir/split.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "core/shamir/gf256.h"

namespace leea::shamir {

Result<void> check_params(const SplitParams& p) {
  if (p.threshold < 2) {
    return make_error(Errc::invalid_argument,
                      "threshold must be at least 2 (a threshold of 1 would copy the secret)");
  }
  if (p.shares > kMaxShares) {
    return make_error(Errc::invalid_argument, "at most 255 shares (GF(2^8) has 255 non-zero x)");
  }
  if (p.threshold > p.shares) {
    return make_error(Errc::invalid_argument, "threshold " + std::to_string(p.threshold) +
                                                  " is larger than the number of shares " +
                                                  std::to_string(p.shares));
  }
  return {};
}

Result<Splitter> Splitter::create(const SplitParams& p, crypto::RandomSource& rng) {
  LEEA_TRY(check_params(p));
  return Splitter(p, rng);
}

Result<void> Splitter::split(std::span<const uint8_t> secret,
                             std::span<const std::span<uint8_t>> out) {
  const size_t len = secret.size();
  const size_t degree = static_cast<size_t>(p_.threshold - 1);
  if (coeffs_.size() < degree * len) {
    coeffs_ = crypto::SecretBytes(degree * len);
  }
  // Row j holds coefficient j+1 of every byte's polynomial.
  std::span<uint8_t> coeffs = coeffs_.reveal().first(degree * len);
  LEEA_TRY(rng_->fill(coeffs));
  const auto& k = gf256::best_kernels();
  // Blocks small enough that the secret and coefficient rows stay in cache while every
  // share is evaluated over them.
  constexpr size_t kBlock = 4096;
  for (size_t off = 0; off < len; off += kBlock) {
    const size_t n = std::min(kBlock, len - off);
    const uint8_t* c = coeffs.data() + off;
    for (int i = 0; i < p_.shares; ++i) {
      const uint8_t x = static_cast<uint8_t>(i + 1);
      uint8_t* y = out[static_cast<size_t>(i)].data() + off;
      // Horner: y = ((c_{k-1}·x ⊕ c_{k-2})·x ⊕ …)·x ⊕ secret, row j holding c_{j+1}.
      const uint8_t* acc = c + (degree - 1) * len;
      for (size_t j = degree - 1; j > 0; --j) {
        k.mul_add(y, acc, x, c + (j - 1) * len, n);
        acc = y;
      }
      k.mul_add(y, acc, x, secret.data() + off, n);
    }
  }
  crypto::cleanse(coeffs.data(), coeffs.size());
  return {};
}

Combiner::Combiner(std::vector<uint8_t> xs) : xs_(std::move(xs)), lambda0_(lagrange_at(0)) {}

Result<Combiner> Combiner::create(std::span<const uint8_t> xs) {
  bool seen[256] = {};
  for (uint8_t x : xs) {
    if (x == 0) {
      return make_error(Errc::invalid_data, "share has x coordinate 0");
    }
    if (seen[x]) {
      return make_error(Errc::invalid_data,
                        "two shares have the same x coordinate " + std::to_string(x));
    }
    seen[x] = true;
  }
  if (xs.empty()) {
    return make_error(Errc::invalid_data, "no shares");
  }
  return Combiner(std::vector<uint8_t>(xs.begin(), xs.end()));
}

std::vector<uint8_t> Combiner::lagrange_at(uint8_t x) const {
  // λ_i(x) = Π_{m≠i} (x ⊕ x_m) / (x_i ⊕ x_m); the x coordinates are public.
  std::vector<uint8_t> out(xs_.size());
  for (size_t i = 0; i < xs_.size(); ++i) {
    uint8_t num = 1;
    uint8_t den = 1;
    for (size_t m = 0; m < xs_.size(); ++m) {
      if (m != i) {
        num = gf256::mul(num, x ^ xs_[m]);
        den = gf256::mul(den, xs_[i] ^ xs_[m]);
      }
    }
    out[i] = gf256::div(num, den);
  }
  return out;
}

namespace {

// out = Σ ys[i]·weights[i]
void weighted_sum(std::span<const uint8_t> weights, std::span<const std::span<const uint8_t>> ys,
                  std::span<uint8_t> out) {
  std::memset(out.data(), 0, out.size());
  const auto& k = gf256::best_kernels();
  for (size_t i = 0; i < weights.size(); ++i) {
    k.mul_add(out.data(), ys[i].data(), weights[i], out.data(), out.size());
  }
}

}  // namespace

void Combiner::combine(std::span<const std::span<const uint8_t>> ys, std::span<uint8_t> out) const {
  weighted_sum(lambda0_, ys, out);
}

void Combiner::evaluate_at(uint8_t x, std::span<const std::span<const uint8_t>> ys,
                           std::span<uint8_t> out) const {
  weighted_sum(lagrange_at(x), ys, out);
}

void Combiner::evaluate_with(std::span<const uint8_t> weights,
                             std::span<const std::span<const uint8_t>> ys,
                             std::span<uint8_t> out) const {
  weighted_sum(weights, ys, out);
}

}  // namespace leea::shamir
