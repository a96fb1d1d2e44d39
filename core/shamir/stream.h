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
  // When non-zero, a longer secret fails with Errc::invalid_argument: "the secret is
  // larger than <limit>" followed by "; <hint>" when a hint is given.
  uint64_t max_secret_bytes = 0;
  std::string too_large_hint;
};

struct SplitSummary {
  uint64_t secret_bytes = 0;
  std::array<uint8_t, 8> split_id{};
};

// Reads the secret from source until its end and writes share i (x = i + 1) as one
// newline-terminated line to sinks[i]. Fails with Errc::invalid_argument on an empty
// secret or bad parameters, before writing anything.
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

// Splits into DIR/share-<x> files (mode 0600; DIR is created 0700 if missing). Every file
// is written to a temporary and renamed only when all are complete, so an error leaves no
// share file behind. Existing share files are an error unless force is set.
struct ShareFiles {
  SplitSummary summary;
  std::vector<std::string> paths;
};
Result<ShareFiles> split_to_dir(ByteSource& secret, const SplitOptions& options,
                                const std::string& dir, bool force, crypto::RandomSource& rng);

}  // namespace leea::shamir
