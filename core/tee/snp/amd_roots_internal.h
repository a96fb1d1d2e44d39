// The pinned AMD SEV-SNP roots as PEM text (amd_roots.cpp). Private to core/tee/snp; use
// TrustAnchors::amd() from certs.h.
#pragma once

#include <array>

#include "core/tee/snp/report.h"

namespace leea::tee::snp::internal {

struct PinnedGeneration {
  Product product;
  const char* ark_pem;
  const char* ask_pem;
  const char* asvk_pem;
};

const std::array<PinnedGeneration, 3>& pinned_pem();

}  // namespace leea::tee::snp::internal
