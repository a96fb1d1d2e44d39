// The combine loops of both share formats, and the search that names disagreeing shares.
#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <optional>

#include "core/shamir/stream_internal.h"

namespace leea::shamir::internal {
namespace {

constexpr size_t kChunk = 3 * 16384;
// Columns kept, from the first disagreement, to find which shares are wrong.
constexpr size_t kDiagnosisWindow = 64;
constexpr size_t kMaxSubsets = 20000;

std::string join_names(const std::vector<ShareInput>& in, const std::vector<size_t>& idx) {
  std::string s;
  for (size_t i : idx) {
    s += (s.empty() ? "" : ", ") + in[i].name;
  }
  return s;
}

struct Header {
  ShareHeader h;
  std::unique_ptr<ShareReader> reader;
};

Result<void> check_headers(const std::vector<ShareInput>& in, const std::vector<Header>& hs) {
  std::map<std::array<uint8_t, 8>, std::vector<size_t>> by_split;
  for (size_t i = 0; i < hs.size(); ++i) {
    by_split[hs[i].h.split_id].push_back(i);
  }
  if (by_split.size() > 1) {
    std::string msg = "shares come from different splits and never combine:";
    for (const auto& [id, idx] : by_split) {
      msg += " split " + split_id_text(id) + " (" + join_names(in, idx) + ");";
    }
    msg.pop_back();
    return make_error(Errc::invalid_data, msg);
  }
  for (size_t i = 1; i < hs.size(); ++i) {
    if (hs[i].h.threshold != hs[0].h.threshold) {
      return make_error(Errc::invalid_data,
                        in[i].name + ": threshold " + std::to_string(hs[i].h.threshold) + " but " +
                            in[0].name + " says " + std::to_string(hs[0].h.threshold));
    }
    for (size_t j = 0; j < i; ++j) {
      if (hs[i].h.x == hs[j].h.x) {
        return make_error(Errc::invalid_data,
                          in[j].name + " and " + in[i].name +
                              " are the same share (x=" + std::to_string(hs[i].h.x) + ")");
      }
    }
  }
  const size_t k = static_cast<size_t>(hs[0].h.threshold);
  if (hs.size() < k) {
    return make_error(Errc::invalid_data, "need " + std::to_string(k) + " shares of split " +
                                              split_id_text(hs[0].h.split_id) + ", got " +
                                              std::to_string(hs.size()));
  }
  return {};
}

// Reads the next chunk of every share; all must have the same length.
Result<size_t> read_chunk(std::vector<Header>& hs, const std::vector<ShareInput>& in,
                          crypto::SecretBytes& ys, std::vector<size_t>& got) {
  for (size_t i = 0; i < hs.size(); ++i) {
    auto n = hs[i].reader->read_payload(ys.reveal().subspan(i * kChunk, kChunk));
    if (!n) {
      return with_context(Result<size_t>(std::move(n).error()), in[i].name);
    }
    got[i] = *n;
  }
  auto [lo, hi] = std::minmax_element(got.begin(), got.end());
  if (*lo != *hi) {
    std::vector<size_t> shorter;
    for (size_t i = 0; i < got.size(); ++i) {
      if (got[i] == *lo) shorter.push_back(i);
    }
    return make_error(Errc::invalid_data,
                      join_names(in, shorter) + ": shorter than the other shares (truncated?)");
  }
  return *lo;
}

// Reads every share to its end and verifies its check, collecting the failures. Used when
// the headers conflict: a mistyped split id or threshold should be reported as the typo it
// is, not as shares of different splits.
std::string checksum_failures(std::vector<ShareInput>& in) {
  std::string bad;
  crypto::SecretBytes scratch(kChunk);
  for (auto& s : in) {
    if (!s.source->rewind()) continue;
    ShareReader reader(*s.source);
    Result<void> r = [&]() -> Result<void> {
      LEEA_TRY(reader.read_header());
      for (;;) {
        LEEA_ASSIGN_OR_RETURN(size_t n, reader.read_payload(scratch.reveal()));
        if (n < kChunk) break;
      }
      return reader.finish();
    }();
    if (!r) bad += (bad.empty() ? "" : "; ") + s.name + ": " + r.error().message;
    (void)s.source->rewind();
  }
  return bad;
}

}  // namespace

std::vector<size_t> find_disagreeing(std::span<const uint8_t> xs,
                                     std::span<const std::span<const uint8_t>> ys, int k) {
  const size_t m = xs.size();
  const size_t len = ys.empty() ? 0 : ys[0].size();
  std::vector<uint8_t> tmp(len);
  std::vector<size_t> subset(static_cast<size_t>(k));
  for (size_t i = 0; i < subset.size(); ++i) subset[i] = i;
  std::vector<bool> best;
  size_t best_count = 0;
  bool tie = false;
  for (size_t tried = 0; tried < kMaxSubsets; ++tried) {
    std::vector<uint8_t> sx;
    std::vector<std::span<const uint8_t>> sy;
    for (size_t i : subset) {
      sx.push_back(xs[i]);
      sy.push_back(ys[i]);
    }
    auto c = Combiner::create(sx);
    std::vector<bool> agree(m);
    size_t count = 0;
    for (size_t j = 0; j < m && c; ++j) {
      c->evaluate_at(xs[j], sy, tmp);
      agree[j] = std::memcmp(tmp.data(), ys[j].data(), len) == 0;
      count += agree[j];
    }
    if (count > best_count) {
      best = agree;
      best_count = count;
      tie = false;
    } else if (count == best_count && agree != best) {
      tie = true;
    }
    // Next k-subset in lexicographic order.
    size_t i = subset.size();
    while (i > 0 && subset[i - 1] == m - subset.size() + i - 1) --i;
    if (i == 0) break;
    ++subset[i - 1];
    for (size_t j = i; j < subset.size(); ++j) subset[j] = subset[j - 1] + 1;
  }
  std::vector<size_t> out;
  if (tie || best_count < static_cast<size_t>(k) + 1) {
    return out;
  }
  for (size_t j = 0; j < m; ++j) {
    if (!best[j]) out.push_back(j);
  }
  return out;
}

Result<CombineSummary> combine_leea(std::vector<ShareInput>& in, SecretSink& sink) {
  if (in.empty()) {
    return make_error(Errc::invalid_data, "no shares given");
  }
  std::vector<Header> hs;
  for (auto& s : in) {
    Header h;
    h.reader = std::make_unique<ShareReader>(*s.source);
    auto r = h.reader->read_header();
    if (!r) {
      return with_context(Result<CombineSummary>(std::move(r).error()), s.name);
    }
    h.h = *r;
    hs.push_back(std::move(h));
  }
  if (auto r = check_headers(in, hs); !r) {
    std::string bad = checksum_failures(in);
    return bad.empty() ? std::move(r).error() : make_error(Errc::invalid_data, bad);
  }
  const size_t k = static_cast<size_t>(hs[0].h.threshold);
  const size_t m = hs.size();
  std::vector<uint8_t> xs;
  for (const auto& h : hs) xs.push_back(h.h.x);
  LEEA_ASSIGN_OR_RETURN(Combiner base, Combiner::create(std::span(xs).first(k)));

  crypto::SecretBytes ys(kChunk * m), out(kChunk), predicted(kChunk);
  std::vector<size_t> got(m);
  std::vector<bool> disagrees(m, false);
  crypto::SecretBytes window;  // m rows of kDiagnosisWindow columns
  CombineSummary summary;
  for (;;) {
    LEEA_ASSIGN_OR_RETURN(size_t n, read_chunk(hs, in, ys, got));
    if (n == 0) break;
    std::vector<std::span<const uint8_t>> rows(m);
    for (size_t i = 0; i < m; ++i) rows[i] = ys.reveal().subspan(i * kChunk, n);
    base.combine(std::span(rows).first(k), out.reveal().first(n));
    for (size_t e = k; e < m; ++e) {
      base.evaluate_at(xs[e], std::span(rows).first(k), predicted.reveal().first(n));
      auto p = predicted.reveal().first(n);
      auto mismatch = std::mismatch(p.begin(), p.end(), rows[e].begin());
      if (mismatch.first == p.end()) continue;
      disagrees[e] = true;
      if (window.empty()) {
        size_t at = std::min(static_cast<size_t>(mismatch.first - p.begin()),
                             n - std::min(n, kDiagnosisWindow));
        size_t w = std::min(n - at, kDiagnosisWindow);
        window = crypto::SecretBytes(w * m);
        for (size_t i = 0; i < m; ++i) {
          std::memcpy(window.reveal().data() + i * w, rows[i].data() + at, w);
        }
      }
    }
    LEEA_TRY(sink.write(out.reveal().first(n)));
    summary.secret_bytes += n;
    if (n < kChunk) break;
  }
  std::string bad;
  for (size_t i = 0; i < m; ++i) {
    auto r = hs[i].reader->finish();
    if (!r) bad += (bad.empty() ? "" : "; ") + in[i].name + ": " + r.error().message;
  }
  if (!bad.empty()) return make_error(Errc::invalid_data, bad);
  if (summary.secret_bytes == 0) return make_error(Errc::invalid_data, "shares are empty");
  if (std::find(disagrees.begin(), disagrees.end(), true) != disagrees.end()) {
    size_t w = window.size() / m;
    std::vector<std::span<const uint8_t>> rows(m);
    for (size_t i = 0; i < m; ++i) rows[i] = window.reveal().subspan(i * w, w);
    auto wrong = find_disagreeing(xs, rows, static_cast<int>(k));
    if (wrong.empty()) {
      return make_error(Errc::invalid_data,
                        "the " + std::to_string(m) + " shares do not agree, and with threshold " +
                            std::to_string(k) + " leea cannot tell which are wrong (give " +
                            std::to_string(k + 2) + " or more shares to find out)");
    }
    return make_error(Errc::invalid_data,
                      join_names(in, wrong) + ": " + (wrong.size() == 1 ? "does" : "do") +
                          " not agree with the other shares (altered, or from another secret)");
  }
  summary.threshold = static_cast<int>(k);
  summary.shares_used = static_cast<int>(k);
  summary.shares_checked = static_cast<int>(m - k);
  summary.split_id = split_id_text(hs[0].h.split_id);
  return summary;
}

Result<CombineSummary> combine_vault(std::vector<ShareInput>& in, SecretSink& sink) {
  if (in.size() < 2) {
    return make_error(Errc::invalid_data,
                      "need at least 2 shares, got " + std::to_string(in.size()));
  }
  std::vector<VaultShare> shares;
  for (auto& s : in) {
    auto r = read_vault_share(*s.source);
    if (!r) return with_context(Result<CombineSummary>(std::move(r).error()), s.name);
    shares.push_back(std::move(*r));
  }
  std::vector<uint8_t> xs;
  std::vector<std::span<const uint8_t>> ys;
  for (size_t i = 0; i < shares.size(); ++i) {
    if (shares[i].y.size() != shares[0].y.size()) {
      return make_error(Errc::invalid_data, in[i].name + ": length differs from " + in[0].name);
    }
    for (size_t j = 0; j < i; ++j) {
      if (shares[i].x == shares[j].x) {
        return make_error(Errc::invalid_data,
                          in[j].name + " and " + in[i].name +
                              " are the same share (x=" + std::to_string(shares[i].x) + ")");
      }
    }
    xs.push_back(shares[i].x);
    ys.push_back(shares[i].y.reveal());
  }
  LEEA_ASSIGN_OR_RETURN(Combiner c, Combiner::create(xs));
  crypto::SecretBytes out(shares[0].y.size());
  c.combine(ys, out.reveal());
  LEEA_TRY(sink.write(out.reveal()));
  CombineSummary summary;
  summary.secret_bytes = out.size();
  summary.shares_used = static_cast<int>(shares.size());
  return summary;
}

}  // namespace leea::shamir::internal
