// Splitting and combining whole secrets in a stream: the functions behind `leea key split`
// and `leea key combine`, and the core that later registers an order's shares.
//
// Memory is bounded by the chunk size whatever the secret's length: a secret of several
// GiB splits into share files, and share files combine back, in a few MiB. Thread-compatible.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/crypto/random.h"
#include "core/shamir/io.h"
#include "core/shamir/share_text.h"
#include "core/shamir/split.h"
#include "core/util/result.h"

namespace leea::shamir {

struct SplitOptions {
  SplitParams params;
  ShareFormat format = ShareFormat::leea;
  // Called after each chunk with the bytes done so far (for progress lines).
  std::function<void(uint64_t)> progress;
  // When non-zero, the text of all n shares together (newlines included) may not exceed
  // this: the chunk that would take it over fails with Errc::invalid_argument, "the
  // shares are larger than <limit> in all" followed by "; <hint>" when a hint is given,
  // before any of that chunk is written.
  uint64_t max_text_bytes = 0;
  std::string too_large_hint;
};

struct SplitSummary {
  uint64_t secret_bytes = 0;
  std::array<uint8_t, 8> split_id{};
};

// Reads the secret from source until its end and writes share i (x = i + 1) as one
// newline-terminated line to sinks[i]. Fails with Errc::invalid_argument on an empty
// secret or bad parameters, before writing anything. Buffers take about 16 MiB at most,
// whatever the number of shares.
// REQUIRES: sinks.size() == options.params.shares.
Result<SplitSummary> split_stream(ByteSource& secret, const SplitOptions& options,
                                  std::span<TextSink* const> sinks, crypto::RandomSource& rng);

struct CombineSummary {
  uint64_t secret_bytes = 0;
  int threshold = 0;       // 0 for the vault format, which does not record it
  int shares_used = 0;     // shares interpolated
  int shares_checked = 0;  // shares beyond the threshold that were found to agree
  std::string split_id;    // hex, leea format only
};

// Combines shares into sink. For the leea format it refuses, naming the share(s): fewer
// shares than the threshold, a duplicate x, mixed split ids, a bad checksum, and shares
// beyond the threshold that do not agree with the others. When the sink cannot discard
// output, every check runs before the first byte is written (the inputs are read twice).
Result<CombineSummary> combine_stream(std::vector<ShareInput>& inputs, ShareFormat format,
                                      SecretSink& sink);

}  // namespace leea::shamir

namespace leea::shamir {

// Splits into DIR/share-<x> files (mode 0600; DIR is created 0700 if missing, and removed
// again if the split fails). Every file is written to a temporary and named only when all
// are complete, so an error leaves no share file behind. Existing share files are an
// error (Errc::io) unless force is set; anything at a share file's path that is not a
// regular file is an error even with force. An empty dir is Errc::usage.
struct ShareFiles {
  SplitSummary summary;
  std::vector<std::string> paths;
};
Result<ShareFiles> split_to_dir(ByteSource& secret, const SplitOptions& options,
                                const std::string& dir, bool force, crypto::RandomSource& rng);

// Splits into wiped memory and then writes the shares to fd, one a line in x order, so
// nothing reaches fd unless the whole split succeeded. The text is bounded by
// kMaxInMemoryShareText in all (overriding options.max_text_bytes), so whatever this
// prints, combine can read back from a pipe.
Result<SplitSummary> split_to_fd(ByteSource& secret, const SplitOptions& options, int fd,
                                 crypto::RandomSource& rng);

}  // namespace leea::shamir
