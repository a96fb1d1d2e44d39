// The combine loops of both share formats.
#include <algorithm>
#include <cstring>
#include <map>
#include <memory>

#include "core/shamir/stream_internal.h"

namespace leea::shamir::internal {
namespace {

constexpr size_t kChunk = 3 * 16384;
// Columns kept, from where an extra share first disagrees, to find which shares are wrong.
constexpr size_t kDiagnosisWindow = 64;

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
      if (got[i] == *lo) {
        shorter.push_back(i);
      }
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
    if (!s.source->rewind()) {
      continue;
    }
    ShareReader reader(*s.source);
    Result<void> r = [&]() -> Result<void> {
      LEEA_TRY(reader.read_header());
      for (;;) {
        LEEA_ASSIGN_OR_RETURN(size_t n, reader.read_payload(scratch.reveal()));
        if (n < kChunk) {
          break;
        }
      }
      return reader.finish();
    }();
    if (!r) {
      bad += (bad.empty() ? "" : "; ") + s.name + ": " + r.error().message;
    }
    (void)s.source->rewind();
  }
  return bad;
}

Result<std::vector<Header>> read_headers(std::vector<ShareInput>& in) {
  std::vector<Header> hs;
  for (auto& s : in) {
    Header h;
    h.reader = std::make_unique<ShareReader>(*s.source);
    auto r = h.reader->read_header();
    if (!r) {
      return with_context(Result<std::vector<Header>>(std::move(r).error()), s.name);
    }
    h.h = *r;
    hs.push_back(std::move(h));
  }
  return hs;
}

// Keeps every share's bytes around the first column where each extra share disagrees
// with the polynomial through the first k shares. One window per such place, since
// different shares may be wrong in different places; none is kept twice.
class DiagnosisWindows {
 public:
  explicit DiagnosisWindows(size_t m) : m_(m), disagrees_(m, false) {}

  // Notes that extra share e disagrees at offset at of the chunk that starts at column
  // base (rows: every share's bytes of that chunk).
  void disagree(size_t e, std::span<const std::span<const uint8_t>> rows, size_t at,
                uint64_t base) {
    if (disagrees_[e]) {
      return;
    }
    disagrees_[e] = true;
    for (const auto& w : windows_) {
      if (base + at >= w.column && base + at < w.column + w.width) {
        return;
      }
    }
    const size_t n = rows[0].size();
    const size_t start = std::min(at, n - std::min(n, kDiagnosisWindow));
    DiagnosisWindow w;
    w.column = base + start;
    w.width = std::min(n - start, kDiagnosisWindow);
    w.rows = crypto::SecretBytes(w.width * m_);
    for (size_t i = 0; i < m_; ++i) {
      std::memcpy(w.rows.reveal().data() + i * w.width, rows[i].data() + start, w.width);
    }
    windows_.push_back(std::move(w));
  }

  bool any() const { return !windows_.empty(); }
  const std::vector<DiagnosisWindow>& windows() const { return windows_; }

 private:
  size_t m_;
  std::vector<bool> disagrees_;
  std::vector<DiagnosisWindow> windows_;
};

// Checks the extra shares of one chunk against the first k; weights[e - k] evaluates the
// polynomial through them at share e's x.
void check_extras(const Combiner& base, const std::vector<std::vector<uint8_t>>& weights,
                  std::span<const std::span<const uint8_t>> rows, std::span<uint8_t> predicted,
                  uint64_t column, DiagnosisWindows& windows) {
  const size_t k = base.xs().size();
  for (size_t e = k; e < rows.size(); ++e) {
    base.evaluate_with(weights[e - k], rows.first(k), predicted);
    auto mismatch = std::mismatch(predicted.begin(), predicted.end(), rows[e].begin());
    if (mismatch.first != predicted.end()) {
      windows.disagree(e, rows, static_cast<size_t>(mismatch.first - predicted.begin()), column);
    }
  }
}

Error disagreement_error(const std::vector<ShareInput>& in, std::span<const uint8_t> xs,
                         const DiagnosisWindows& windows, size_t k) {
  auto wrong = diagnose(xs, windows.windows(), static_cast<int>(k));
  if (!wrong || wrong->empty()) {
    return make_error(Errc::invalid_data,
                      "the " + std::to_string(in.size()) +
                          " shares do not agree, and with threshold " + std::to_string(k) +
                          " leea cannot tell which are wrong (give " + std::to_string(k + 2) +
                          " or more shares to find out)");
  }
  return make_error(Errc::invalid_data,
                    join_names(in, *wrong) + ": " + (wrong->size() == 1 ? "does" : "do") +
                        " not agree with the other shares (altered, or from another secret)");
}

// Verifies every share's check, collecting the failures.
Result<void> finish_all(std::vector<Header>& hs, const std::vector<ShareInput>& in) {
  std::string bad;
  for (size_t i = 0; i < hs.size(); ++i) {
    auto r = hs[i].reader->finish();
    if (!r) {
      bad += (bad.empty() ? "" : "; ") + in[i].name + ": " + r.error().message;
    }
  }
  if (!bad.empty()) {
    return make_error(Errc::invalid_data, bad);
  }
  return {};
}

}  // namespace

Result<CombineSummary> combine_leea(std::vector<ShareInput>& in, SecretSink& sink) {
  if (in.empty()) {
    return make_error(Errc::invalid_data, "no shares given");
  }
  LEEA_ASSIGN_OR_RETURN(std::vector<Header> hs, read_headers(in));
  if (auto r = check_headers(in, hs); !r) {
    std::string bad = checksum_failures(in);
    return bad.empty() ? std::move(r).error() : make_error(Errc::invalid_data, bad);
  }
  const size_t k = static_cast<size_t>(hs[0].h.threshold);
  const size_t m = hs.size();
  std::vector<uint8_t> xs;
  for (const auto& h : hs) {
    xs.push_back(h.h.x);
  }
  LEEA_ASSIGN_OR_RETURN(Combiner base, Combiner::create(std::span(xs).first(k)));
  std::vector<std::vector<uint8_t>> weights;
  for (size_t e = k; e < m; ++e) {
    weights.push_back(base.weights_at(xs[e]));
  }

  crypto::SecretBytes ys(kChunk * m), out(kChunk), predicted(kChunk);
  std::vector<size_t> got(m);
  std::vector<std::span<const uint8_t>> rows(m);
  DiagnosisWindows windows(m);
  CombineSummary summary;
  for (;;) {
    LEEA_ASSIGN_OR_RETURN(size_t n, read_chunk(hs, in, ys, got));
    if (n == 0) {
      break;
    }
    for (size_t i = 0; i < m; ++i) {
      rows[i] = ys.reveal().subspan(i * kChunk, n);
    }
    base.combine(std::span(rows).first(k), out.reveal().first(n));
    check_extras(base, weights, rows, predicted.reveal().first(n), summary.secret_bytes, windows);
    LEEA_TRY(sink.write(out.reveal().first(n)));
    summary.secret_bytes += n;
    if (n < kChunk) {
      break;
    }
  }
  LEEA_TRY(finish_all(hs, in));
  if (summary.secret_bytes == 0) {
    return make_error(Errc::invalid_data, "shares are empty");
  }
  if (windows.any()) {
    return disagreement_error(in, xs, windows, k);
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
  std::vector<crypto::SecretBytes> texts;
  std::vector<std::string> names;
  for (auto& s : in) {
    auto r = read_vault_text(*s.source);
    if (!r) {
      return with_context(Result<CombineSummary>(std::move(r).error()), s.name);
    }
    texts.push_back(std::move(*r));
    names.push_back(s.name);
  }
  LEEA_ASSIGN_OR_RETURN(std::vector<VaultShare> shares, decode_vault_shares(texts, names));
  std::vector<uint8_t> xs;
  std::vector<std::span<const uint8_t>> ys;
  for (size_t i = 0; i < shares.size(); ++i) {
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
