// Private to core/tee/tdx: the steps of verify_quote, shared by its source files.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "core/crypto/x509.h"
#include "core/tee/tdx/verify.h"

namespace leea::tee::tdx::internal {

// The parsed PCK chain (leaf first) and the pinned root, when they could be read.
struct PckChain {
  std::vector<crypto::Certificate> certs;
  std::optional<crypto::Certificate> root;
};

const crypto::Certificate& intel_root();

// Collateral checks: tdx.pck_revocation, tdx.tcb_info, tdx.tcb, tdx.qe_identity, and the
// TCB status (when evaluated) for policy.min_tcb.
std::optional<TcbStatus> check_collateral(const Quote& q, const PckChain& chain,
                                          const VerifyInputs& in, Verification& v);

// tdx.ccel_replay.
void check_ccel(const Quote& q, std::span<const uint8_t> log, Verification& v);

}  // namespace leea::tee::tdx::internal
