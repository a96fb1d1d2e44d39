// The pinned Intel trust anchors for TDX: the Intel SGX Root CA (which every PCK chain,
// TCB Info, QE identity and Intel CRL chains to) and the Intel SGX TCB Signing
// certificates (which sign TCB Info and QE identity when the collateral carries no issuer
// chain of its own; they are checked against the root like any other chain).
// Constant data; thread-safe.
#pragma once

namespace leea::tee::tdx {

extern const char* const kIntelSgxRootCaPem;
extern const char* const kIntelTcbSigningPems[2];

}  // namespace leea::tee::tdx
