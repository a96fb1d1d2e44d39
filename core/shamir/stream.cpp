#include "core/shamir/stream.h"

#include <algorithm>
#include <cstring>

#include "core/shamir/stream_internal.h"
#include "core/util/progress.h"

namespace leea::shamir {
namespace {

// Secret bytes per chunk: a multiple of 3 (whole base64 quanta), smaller for large
// thresholds so that the (k−1) rows of coefficients stay within a few MiB, and for many
// shares so that the n rows of share bytes stay within 16 MiB.
size_t split_chunk_size(int threshold, int shares) {
  size_t by_coeffs = (8u << 20) / static_cast<size_t>(threshold - 1);
  size_t by_shares = (16u << 20) / static_cast<size_t>(shares);
  size_t n = std::min<size_t>({3 * 65536, by_coeffs, by_shares});
  return std::max<size_t>(3, n - n % 3);
}

Result<void> null_write(std::span<const uint8_t>) { return {}; }

class NullSink final : public SecretSink {
 public:
  Result<void> write(std::span<const uint8_t> b) override { return null_write(b); }
  bool can_discard() const override { return true; }
};

// "64 MiB" for whole MiB, else as human_bytes() prints it.
std::string size_text(uint64_t n) {
  return n % (1u << 20) == 0 ? std::to_string(n >> 20) + " MiB" : human_bytes(n);
}

// Fails when the share lines for a secret of secret_bytes would exceed the text limit.
Result<void> check_text_limit(const SplitOptions& o, std::span<const ShareHeader> headers,
                              uint64_t secret_bytes) {
  if (o.max_text_bytes == 0) {
    return {};
  }
  uint64_t total = 0;
  for (const auto& h : headers) {
    total += share_line_length(o.format, h, secret_bytes);
  }
  if (total <= o.max_text_bytes) {
    return {};
  }
  std::string msg = "the shares are larger than " + size_text(o.max_text_bytes) + " in all";
  return make_error(Errc::invalid_argument,
                    o.too_large_hint.empty() ? msg : msg + "; " + o.too_large_hint);
}

// Fills buf from source (pipes return short reads), so that every chunk but the last is
// a whole chunk, a multiple of 3 bytes. Returns the bytes read.
Result<size_t> read_chunk(ByteSource& source, std::span<uint8_t> buf) {
  size_t got = 0;
  while (got < buf.size()) {
    LEEA_ASSIGN_OR_RETURN(size_t r, source.read(buf.subspan(got)));
    if (r == 0) {
      break;
    }
    got += r;
  }
  return got;
}

}  // namespace

Result<SplitSummary> split_stream(ByteSource& secret, const SplitOptions& options,
                                  std::span<TextSink* const> sinks, crypto::RandomSource& rng) {
  LEEA_ASSIGN_OR_RETURN(Splitter splitter, Splitter::create(options.params, rng));
  const size_t n = static_cast<size_t>(options.params.shares);
  const size_t chunk = split_chunk_size(options.params.threshold, options.params.shares);
  SplitSummary summary;
  LEEA_TRY(rng.fill(summary.split_id));

  crypto::SecretBytes in(chunk);
  crypto::SecretBytes ys(chunk * n);
  std::vector<ShareHeader> headers;
  std::vector<ShareWriter> writers;
  writers.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    headers.push_back({summary.split_id, options.params.threshold, static_cast<uint8_t>(i + 1)});
    writers.emplace_back(options.format, headers.back(), *sinks[i]);
  }
  std::vector<std::span<uint8_t>> out(n);
  for (;;) {
    LEEA_ASSIGN_OR_RETURN(size_t got, read_chunk(secret, in.reveal()));
    if (got == 0) {
      break;
    }
    LEEA_TRY(check_text_limit(options, headers, summary.secret_bytes + got));
    for (size_t i = 0; i < n; ++i) {
      out[i] = ys.reveal().subspan(i * chunk, got);
    }
    LEEA_TRY(splitter.split(in.reveal().first(got), out));
    for (size_t i = 0; i < n; ++i) {
      LEEA_TRY(with_context(writers[i].payload(out[i]), "share x=" + std::to_string(i + 1)));
    }
    summary.secret_bytes += got;
    if (options.progress) {
      options.progress(summary.secret_bytes);
    }
    if (got < chunk) {
      break;
    }
  }
  if (summary.secret_bytes == 0) {
    return make_error(Errc::invalid_argument, "the secret is empty");
  }
  for (size_t i = 0; i < n; ++i) {
    LEEA_TRY(writers[i].finish());
  }
  return summary;
}

Result<CombineSummary> combine_stream(std::vector<ShareInput>& inputs, ShareFormat format,
                                      SecretSink& sink) {
  if (format == ShareFormat::vault) {
    return internal::combine_vault(inputs, sink);
  }
  if (!sink.can_discard()) {
    // Verify everything first: output that cannot be taken back is written only once every
    // share has passed its checksum and every extra share agrees.
    NullSink null;
    LEEA_TRY(internal::combine_leea(inputs, null));
    for (auto& in : inputs) {
      LEEA_TRY(with_context(in.source->rewind(), in.name));
    }
  }
  return internal::combine_leea(inputs, sink);
}

}  // namespace leea::shamir
