// Naming the shares that disagree: a search over k-subsets of the shares for the
// polynomial that most of them lie on (a Reed–Solomon decoding by trial).
#include <algorithm>
#include <numeric>

#include "core/shamir/gf256.h"
#include "core/shamir/stream_internal.h"

namespace leea::shamir::internal {
namespace {

// Arithmetic on x coordinates only. They are public (printed in every share), so log and
// exp tables are fine here; share bytes go through the constant-time kernels.
class PublicField {
 public:
  PublicField() {
    uint8_t v = 1;
    for (int i = 0; i < 255; ++i) {
      exp_[i] = exp_[i + 255] = v;
      log_[v] = static_cast<uint8_t>(i);
      v = gf256::mul(v, 3);  // 3 generates the multiplicative group mod 0x11B
    }
  }
  uint8_t mul(uint8_t a, uint8_t b) const {
    return a == 0 || b == 0 ? 0 : exp_[size_t{log_[a]} + log_[b]];
  }
  uint8_t inv(uint8_t a) const { return exp_[255 - size_t{log_[a]}]; }  // REQUIRES: a != 0

 private:
  uint8_t exp_[510] = {};
  uint8_t log_[256] = {};
};

const PublicField& field() {
  static const PublicField f;
  return f;
}

// Checks shares against the polynomial through a k-subset of them, with the Lagrange
// weights in barycentric form: O(k²) once per subset, then O(k) per share checked.
class SubsetCheck {
 public:
  SubsetCheck(std::span<const uint8_t> xs, std::span<const std::span<const uint8_t>> ys)
      : xs_(xs), ys_(ys), predicted_(ys[0].size()), in_subset_(xs.size()) {}

  // Sets agree[j] for every share on the polynomial and returns how many are. Stops early,
  // with a partial count, once more than max_off shares are off it.
  size_t run(std::span<const size_t> subset, size_t max_off, std::vector<bool>& agree) {
    const auto& f = field();
    inv_w_.resize(subset.size());
    for (size_t a = 0; a < subset.size(); ++a) {
      uint8_t w = 1;
      for (size_t b = 0; b < subset.size(); ++b) {
        w = a == b ? w : f.mul(w, xs_[subset[a]] ^ xs_[subset[b]]);
      }
      inv_w_[a] = f.inv(w);
    }
    std::fill(in_subset_.begin(), in_subset_.end(), false);
    for (size_t i : subset) {
      in_subset_[i] = true;
    }
    agree.assign(xs_.size(), false);
    size_t count = subset.size(), off = 0;
    for (size_t j = 0; j < xs_.size() && off <= max_off; ++j) {
      if (in_subset_[j]) {
        agree[j] = true;
      } else if (on_polynomial(subset, j)) {
        agree[j] = true;
        ++count;
      } else {
        ++off;
      }
    }
    return count;
  }

 private:
  bool on_polynomial(std::span<const size_t> subset, size_t j) {
    const auto& f = field();
    const uint8_t x = xs_[j];
    uint8_t l = 1;  // Π (x − x_s)
    for (size_t s : subset) {
      l = f.mul(l, x ^ xs_[s]);
    }
    auto out = predicted_.reveal();
    std::fill(out.begin(), out.end(), uint8_t{0});
    const auto& k = gf256::best_kernels();
    for (size_t a = 0; a < subset.size(); ++a) {
      uint8_t lambda = f.mul(l, f.mul(f.inv(x ^ xs_[subset[a]]), inv_w_[a]));
      k.mul_add(out.data(), ys_[subset[a]].data(), lambda, out.data(), out.size());
    }
    return predicted_.equals(ys_[j]);
  }

  std::span<const uint8_t> xs_;
  std::span<const std::span<const uint8_t>> ys_;
  crypto::SecretBytes predicted_;  // wiped: it is a share
  std::vector<bool> in_subset_;
  std::vector<uint8_t> inv_w_;
};

// C(m, k) <= limit, without overflow.
bool binomial_at_most(size_t m, size_t k, uint64_t limit) {
  k = std::min(k, m - k);
  long double c = 1;
  for (size_t i = 1; i <= k; ++i) {
    c = c * static_cast<long double>(m - k + i) / static_cast<long double>(i);
    if (c > static_cast<long double>(limit)) {
      return false;
    }
  }
  return true;
}

// Next k-subset in lexicographic order; false after the last.
bool next_subset(std::vector<size_t>& s, size_t m) {
  size_t i = s.size();
  while (i > 0 && s[i - 1] == m - s.size() + i - 1) {
    --i;
  }
  if (i == 0) {
    return false;
  }
  ++s[i - 1];
  for (size_t j = i; j < s.size(); ++j) {
    s[j] = s[j - 1] + 1;
  }
  return true;
}

// Subsets to try when not all of them can be: the m runs of k neighbours (each misses
// the shares just before it, so one bad share or a cluster is soon left out), then
// pseudo-random subsets from a fixed seed (the x coordinates are public; nothing here
// needs to be unpredictable).
class SampledSubsets {
 public:
  SampledSubsets(size_t m, size_t k) : m_(m), k_(k), perm_(m) {}
  void next(std::vector<size_t>& s) {
    s.resize(k_);
    if (tried_ < m_) {
      for (size_t i = 0; i < k_; ++i) {
        s[i] = (tried_ + i) % m_;
      }
    } else {
      std::iota(perm_.begin(), perm_.end(), size_t{0});
      for (size_t i = 0; i < k_; ++i) {
        std::swap(perm_[i], perm_[i + static_cast<size_t>(random() % (m_ - i))]);
      }
      std::copy(perm_.begin(), perm_.begin() + static_cast<long>(k_), s.begin());
    }
    ++tried_;
  }

 private:
  uint64_t random() {  // splitmix64
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  size_t m_, k_;
  std::vector<size_t> perm_;
  size_t tried_ = 0;
  uint64_t state_ = 0x6C656561;
};

std::vector<size_t> complement(const std::vector<bool>& agree) {
  std::vector<size_t> out;
  for (size_t j = 0; j < agree.size(); ++j) {
    if (!agree[j]) {
      out.push_back(j);
    }
  }
  return out;
}

}  // namespace

std::vector<size_t> find_disagreeing(std::span<const uint8_t> xs,
                                     std::span<const std::span<const uint8_t>> ys, int k,
                                     uint64_t* budget) {
  const size_t m = xs.size(), kk = static_cast<size_t>(k);
  const size_t need = m - (m - kk) / 2;  // within the unique decoding radius
  const uint64_t cost = uint64_t{m} * kk;
  const bool exhaustive = binomial_at_most(m, kk, *budget / cost);
  SubsetCheck check(xs, ys);
  SampledSubsets sampled(m, kk);
  std::vector<size_t> subset(kk);
  std::iota(subset.begin(), subset.end(), size_t{0});
  std::vector<bool> agree, best;
  size_t best_count = 0;
  bool tie = false, more = true;
  while (more && *budget >= cost) {
    if (!exhaustive) {
      sampled.next(subset);
    }
    *budget -= cost;
    size_t count = check.run(subset, exhaustive ? m : m - need, agree);
    if (count >= need) {
      return complement(agree);
    }
    if (count > best_count) {
      best = agree;
      best_count = count;
      tie = false;
    } else if (count == best_count && agree != best) {
      tie = true;
    }
    more = !exhaustive || next_subset(subset, m);
  }
  // Beyond the radius, trust only a complete search with a single best answer.
  if (!exhaustive || more || tie || best_count < kk + 1) {
    return {};
  }
  return complement(best);
}

std::optional<std::vector<size_t>> diagnose(std::span<const uint8_t> xs,
                                            const std::vector<DiagnosisWindow>& windows, int k) {
  uint64_t budget = kMaxDiagnosisWork;
  const size_t m = xs.size();
  std::vector<bool> wrong(m, false);
  for (const auto& w : windows) {
    std::vector<std::span<const uint8_t>> rows(m);
    for (size_t i = 0; i < m; ++i) {
      rows[i] = w.rows.reveal().subspan(i * w.width, w.width);
    }
    auto found = find_disagreeing(xs, rows, k, &budget);
    if (found.empty()) {
      return std::nullopt;
    }
    for (size_t i : found) {
      wrong[i] = true;
    }
  }
  std::vector<size_t> out;
  for (size_t i = 0; i < m; ++i) {
    if (wrong[i]) {
      out.push_back(i);
    }
  }
  return out;
}

}  // namespace leea::shamir::internal
