// Share text (core/shamir): leea-format lines and Vault unseal keys, combined as
// `leea key combine` reads them; and the split/combine round trip. Selector % 3:
//   0  the rest is share text, one share per line, combined in the leea format;
//   1  the same in the Vault format;
//   2  the rest is a secret (at most 4 KiB): split k-of-n (from the selector's high bits),
//      then any k of the shares, in reverse order, must combine to it exactly.
#include <memory>
#include <string>
#include <vector>

#include "core/crypto/random.h"
#include "core/crypto/secret_bytes.h"
#include "core/shamir/io.h"
#include "core/shamir/share_text.h"
#include "core/shamir/stream.h"
#include "tests/fuzz/fuzz.h"

namespace {

using namespace leea;

Result<shamir::CombineSummary> combine(std::string_view text, shamir::ShareFormat format,
                                       shamir::MemorySecretSink& sink) {
  auto buf = std::make_shared<const crypto::SecretBytes>(
      crypto::SecretBytes::copy_of({reinterpret_cast<const uint8_t*>(text.data()), text.size()}));
  auto inputs = shamir::share_inputs_from_lines(buf, "fuzz", true);
  return shamir::combine_stream(inputs, format, sink);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto in = fuzz::select(data, size);
  auto t = fuzz::text(in.rest.data(), in.rest.size());
  switch (in.selector % 3) {
    case 0:
    case 1: {
      shamir::MemorySecretSink sink(1u << 16);
      auto format = in.selector % 3 == 0 ? shamir::ShareFormat::leea : shamir::ShareFormat::vault;
      (void)combine(t, format, sink);
      break;
    }
    default: {
      if (in.rest.empty() || in.rest.size() > 4096) break;
      int n = 2 + (in.selector >> 2) % 5;        // 2..6
      int k = 2 + (in.selector >> 5) % (n - 1);  // 2..n
      shamir::SplitOptions options;
      options.params = {k, n};
      auto secret =
          std::make_shared<const crypto::SecretBytes>(crypto::SecretBytes::copy_of(in.rest));
      auto source = shamir::memory_source(secret, 0, secret->size());
      std::vector<fuzz::StringSink> sinks(static_cast<size_t>(n));
      std::vector<shamir::TextSink*> ptrs;
      for (auto& s : sinks) ptrs.push_back(&s);
      auto split = shamir::split_stream(*source, options, ptrs, crypto::system_random());
      fuzz::require(split.has_value(), "split failed on a valid secret");
      std::string text;
      for (int i = n - 1; i >= n - k; --i) text += sinks[static_cast<size_t>(i)].text;
      shamir::MemorySecretSink sink(8192);
      auto c = combine(text, shamir::ShareFormat::leea, sink);
      fuzz::require(c.has_value(), "k shares of a split do not combine");
      fuzz::require(sink.take().equals(in.rest), "k shares combine to another secret");
      break;
    }
  }
  return 0;
}
