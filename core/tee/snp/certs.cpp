#include "core/tee/snp/certs.h"

#include <algorithm>
#include <mutex>

#include "core/tee/snp/amd_roots_internal.h"
#include "core/tee/snp/launch_internal.h"
#include "core/util/encoding.h"

namespace leea::tee::snp {
namespace {

constexpr std::string_view kAmdOid = "1.3.6.1.4.1.3704.1";

Result<std::optional<std::vector<uint8_t>>> amd_ext(const crypto::Certificate& c,
                                                    std::string_view suffix) {
  return c.extension(std::string(kAmdOid) + "." + std::string(suffix));
}

// A DER INTEGER (X.690 §8.3) in 0..255: 02 01 vv, or 02 02 00 vv with vv >= 0x80.
std::optional<uint8_t> der_small_uint(std::span<const uint8_t> v) {
  if (v.size() == 3 && v[0] == 0x02 && v[1] == 0x01 && v[2] < 0x80) return v[2];
  if (v.size() == 4 && v[0] == 0x02 && v[1] == 0x02 && v[2] == 0x00 && v[3] >= 0x80) return v[3];
  return std::nullopt;
}

// A DER IA5String or UTF8String with a short-form length.
std::optional<std::string> der_short_string(std::span<const uint8_t> v) {
  if (v.size() < 2 || (v[0] != 0x16 && v[0] != 0x0C) || v[1] >= 0x80 || v.size() != 2u + v[1]) {
    return std::nullopt;
  }
  return std::string(v.begin() + 2, v.end());
}

std::optional<Product> product_from_issuer(const std::string& issuer_cn) {
  for (std::string_view prefix : {"SEV-VLEK-", "SEV-"}) {
    if (issuer_cn.rfind(prefix, 0) == 0) {
      return product_from_name(std::string_view(issuer_cn).substr(prefix.size()));
    }
  }
  return std::nullopt;
}

// GHCB spec §4.1.8.1. Hosts store the GUID bytes in the order the text is written (what
// uuid_parse(3) produces, as AMD's sev-guest tools do); some write the EFI mixed-endian
// form, so a reader accepts both.
constexpr std::array<std::pair<CertKind, std::array<uint8_t, 16>>, 4> kGuids = {{
    {CertKind::vcek,
     {0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64, 0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8, 0xac,
      0xcd}},  // 63da758d-e664-4564-adc5-f4b93be8accd
    {CertKind::vlek,
     {0xa8, 0x07, 0x4b, 0xc2, 0xa2, 0x5a, 0x48, 0x3e, 0xaa, 0xe6, 0x39, 0xc0, 0x45, 0xa0, 0xb8,
      0xa1}},  // a8074bc2-a25a-483e-aae6-39c045a0b8a1
    {CertKind::ask,
     {0x4a, 0xb7, 0xb3, 0x79, 0xbb, 0xac, 0x4f, 0xe4, 0xa0, 0x2f, 0x05, 0xae, 0xf3, 0x27, 0xc7,
      0x82}},  // 4ab7b379-bbac-4fe4-a02f-05aef327c782
    {CertKind::ark,
     {0xc0, 0xb4, 0x06, 0xa4, 0xa8, 0x03, 0x49, 0x52, 0x97, 0x43, 0x3f, 0xb6, 0x01, 0x4c, 0xd0,
      0xae}},  // c0b406a4-a803-4952-9743-3fb6014cd0ae
}};

// The EFI form: the first three fields (4, 2 and 2 bytes) little-endian.
std::array<uint8_t, 16> efi_order(std::array<uint8_t, 16> g) {
  std::reverse(g.begin(), g.begin() + 4);
  std::reverse(g.begin() + 4, g.begin() + 6);
  std::reverse(g.begin() + 6, g.begin() + 8);
  return g;
}

void put_le32(std::vector<uint8_t>& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

Result<void> refused(const std::string& why) {
  return make_error(Errc::refused, "certificate chain: " + why);
}

}  // namespace

Result<KeyCertInfo> read_key_cert_info(const crypto::Certificate& cert) {
  KeyCertInfo info;
  auto bad = [&cert](const std::string& what) {
    return make_error(Errc::invalid_data, crypto::common_name(cert.subject()) + ": " + what);
  };
  LEEA_ASSIGN_OR_RETURN(auto name, amd_ext(cert, "2"));
  if (name) {
    auto text = der_short_string(*name);
    if (!text) return bad("productName (1.3.6.1.4.1.3704.1.2) is not a DER string");
    info.product_name = *text;
    info.product = product_from_name(*text);
  }
  if (info.product == Product::unknown) {
    info.product =
        product_from_issuer(crypto::common_name(cert.issuer())).value_or(Product::unknown);
  }
  struct Spl {
    const char* oid;
    std::optional<uint8_t>* slot;
  };
  const Spl spls[] = {{"3.1", &info.bootloader}, {"3.2", &info.tee},       {"3.3", &info.snp},
                      {"3.4", &info.spl4_7[0]},  {"3.5", &info.spl4_7[1]}, {"3.6", &info.spl4_7[2]},
                      {"3.7", &info.spl4_7[3]},  {"3.8", &info.microcode}, {"3.9", &info.fmc}};
  for (const auto& spl : spls) {
    LEEA_ASSIGN_OR_RETURN(auto v, amd_ext(cert, spl.oid));
    if (!v) continue;
    *spl.slot = der_small_uint(*v);
    if (!*spl.slot) {
      return bad("SPL " + std::string(kAmdOid) + "." + spl.oid + " is not a DER INTEGER 0..255");
    }
  }
  LEEA_ASSIGN_OR_RETURN(auto hwid, amd_ext(cert, "4"));
  if (hwid) {
    std::span<const uint8_t> v(*hwid);
    // KDS writes the raw bytes, and some tools a DER OCTET STRING holding them: take both.
    // Turin VCEKs name the chip by 8 bytes (AMD's VCEK specification for Turin), the
    // generations before by 64.
    const size_t want = info.product == Product::turin ? 8 : 64;
    if (v.size() == want + 2 && v[0] == 0x04 && v[1] == want) v = v.subspan(2);
    if (v.size() != want) {
      return bad("hwID (1.3.6.1.4.1.3704.1.4) is not " + std::to_string(want) + " bytes" +
                 (want == 8 ? " (a Turin VCEK)" : ""));
    }
    info.hwid.emplace(v.begin(), v.end());
  }
  LEEA_ASSIGN_OR_RETURN(auto csp, amd_ext(cert, "5"));
  if (csp) {
    info.csp_id = der_short_string(*csp).value_or("hex:" + hex_encode(*csp));
  }
  return info;
}

bool chip_id_matches(const std::vector<uint8_t>& hwid, const std::array<uint8_t, 64>& chip_id) {
  if (hwid.size() != 64 && hwid.size() != 8) return false;
  if (!std::equal(hwid.begin(), hwid.end(), chip_id.begin())) return false;
  return std::all_of(chip_id.begin() + static_cast<std::ptrdiff_t>(hwid.size()), chip_id.end(),
                     [](uint8_t b) { return b == 0; });
}

std::string tcb_mismatch(const KeyCertInfo& info, const TcbVersion& tcb) {
  std::string s;
  auto cmp = [&s](const char* name, const std::optional<uint8_t>& cert, uint8_t report) {
    if (!cert) {
      s += (s.empty() ? "" : ", ") + std::string(name) + " missing in the certificate";
    } else if (*cert != report) {
      s += (s.empty() ? "" : ", ") + std::string(name) + " " + std::to_string(*cert) +
           " in the certificate, " + std::to_string(report) + " in the report";
    }
  };
  if (tcb.turin_layout) cmp("fmc", info.fmc, tcb.fmc);
  cmp("bl", info.bootloader, tcb.bootloader);
  cmp("tee", info.tee, tcb.tee);
  cmp("snp", info.snp, tcb.snp);
  cmp("ucode", info.microcode, tcb.microcode);
  if (!tcb.turin_layout) {
    // Bytes 2-5 of the Milan/Genoa layout, when the certificate states them.
    for (size_t i = 0; i < 4; ++i) {
      auto byte = static_cast<uint8_t>(tcb.raw >> (8 * (2 + i)));
      if (info.spl4_7[i] && *info.spl4_7[i] != byte) {
        cmp(("spl" + std::to_string(4 + i)).c_str(), info.spl4_7[i], byte);
      }
    }
  }
  return s;
}

std::array<uint8_t, 16> cert_guid(CertKind kind) {
  for (const auto& [k, g] : kGuids) {
    if (k == kind) return g;
  }
  return {};
}

Result<std::vector<CertTableEntry>> parse_cert_table(std::span<const uint8_t> t) {
  auto bad = [](const std::string& why) {
    return make_error(Errc::invalid_data, "SEV-SNP certificate table: " + why);
  };
  if (t.size() > kMaxCertTableSize) return bad("larger than " + std::to_string(kMaxCertTableSize));
  std::vector<CertTableEntry> entries;
  constexpr size_t kEntry = 24;
  size_t at = 0;
  for (;; at += kEntry) {
    if (t.size() - at < kEntry) return bad("no terminating entry");
    auto e = t.subspan(at, kEntry);
    if (std::all_of(e.begin(), e.end(), [](uint8_t b) { return b == 0; })) break;
    if (entries.size() == kMaxCertTableEntries) {
      return bad("more than " + std::to_string(kMaxCertTableEntries) + " entries");
    }
    CertTableEntry entry;
    std::copy_n(e.begin(), 16, entry.guid.begin());
    for (const auto& [k, g] : kGuids) {
      if (g == entry.guid || efi_order(g) == entry.guid) entry.kind = k;
    }
    entries.push_back(std::move(entry));
  }
  const size_t headers_end = at + kEntry;
  for (size_t i = 0; i < entries.size(); ++i) {
    uint32_t offset = internal::get_le32(t, i * kEntry + 16);
    uint32_t length = internal::get_le32(t, i * kEntry + 20);
    if (offset < headers_end || offset > t.size() || length > t.size() - offset) {
      return bad("entry " + std::to_string(i) + " points outside the table");
    }
    entries[i].der.assign(t.begin() + offset, t.begin() + offset + length);
  }
  return entries;
}

std::vector<uint8_t> encode_cert_table(const std::vector<CertTableEntry>& entries) {
  std::vector<uint8_t> out;
  size_t offset = (entries.size() + 1) * 24;
  for (const auto& e : entries) {
    out.insert(out.end(), e.guid.begin(), e.guid.end());
    put_le32(out, static_cast<uint32_t>(offset));
    put_le32(out, static_cast<uint32_t>(e.der.size()));
    offset += e.der.size();
  }
  out.resize(out.size() + 24, 0);
  for (const auto& e : entries) out.insert(out.end(), e.der.begin(), e.der.end());
  return out;
}

const TrustAnchors& TrustAnchors::amd() {
  static const TrustAnchors anchors = [] {
    TrustAnchors a;
    for (const auto& g : internal::pinned_pem()) {
      // The PEM is compiled in and tested; a failure here is a broken build.
      auto ark = crypto::Certificate::from_pem(g.ark_pem, "pinned ARK");
      auto ask = crypto::Certificate::from_pem(g.ask_pem, "pinned ASK");
      auto asvk = crypto::Certificate::from_pem(g.asvk_pem, "pinned ASVK");
      if (!ark || !ask || !asvk) std::abort();
      a.generations.push_back({g.product, *ark, *ask, *asvk});
    }
    return a;
  }();
  return anchors;
}

const TrustAnchors::Generation* TrustAnchors::find(Product product) const {
  for (const auto& g : generations) {
    if (g.product == product) return &g;
  }
  return nullptr;
}

Result<void> verify_key_chain(const crypto::Certificate& key_cert, bool vlek, Product product,
                              std::span<const crypto::Certificate> extra,
                              const TrustAnchors& anchors, int64_t now) {
  const auto* gen = anchors.find(product);
  if (gen == nullptr) {
    return refused("no pinned AMD root for product " + std::string(product_name(product)));
  }
  const std::string key_name = vlek ? "SEV-VLEK" : "SEV-VCEK";
  const std::string want_issuer =
      (vlek ? "SEV-VLEK-" : "SEV-") + std::string(product_name(product));
  if (crypto::common_name(key_cert.subject()) != key_name) {
    return refused("the signing key's certificate is " + crypto::common_name(key_cert.subject()) +
                   ", expected " + key_name);
  }
  std::vector<const crypto::Certificate*> candidates = {vlek ? &gen->asvk : &gen->ask};
  for (const auto& c : extra) candidates.push_back(&c);

  // Walk issuer names up to the ARK, a few steps beyond the allowed depth so that a loop
  // is told apart from a long chain.
  constexpr size_t kMaxWalk = 8;
  std::vector<const crypto::Certificate*> path;
  std::vector<std::array<uint8_t, 32>> seen = {key_cert.sha256_fingerprint()};
  const crypto::Certificate* cur = &key_cert;
  while (cur->issuer() != gen->ark.subject()) {
    if (path.size() == kMaxWalk) return refused("longer than " + std::to_string(kMaxWalk));
    auto it = std::find_if(candidates.begin(), candidates.end(),
                           [cur](const auto* c) { return c->subject() == cur->issuer(); });
    if (it == candidates.end()) {
      return refused("no certificate for " + crypto::common_name(cur->issuer()) +
                     ", the issuer of " + crypto::common_name(cur->subject()));
    }
    auto fp = (*it)->sha256_fingerprint();
    if (std::find(seen.begin(), seen.end(), fp) != seen.end()) {
      return refused("loops at " + crypto::common_name((*it)->subject()));
    }
    seen.push_back(fp);
    path.push_back(*it);
    cur = *it;
  }
  if (path.size() != 1) {
    return refused(std::to_string(path.size() + 2) + " certificates deep; expected " + key_name +
                   " → " + want_issuer + " → " + crypto::common_name(gen->ark.subject()));
  }
  if (crypto::common_name(path[0]->subject()) != want_issuer) {
    return refused(key_name + " issued by " + crypto::common_name(path[0]->subject()) +
                   ", expected " + want_issuer);
  }
  const crypto::Certificate* intermediate = path[0];
  return crypto::verify_chain(key_cert, std::span(intermediate, 1), std::span(&gen->ark, 1), now);
}

}  // namespace leea::tee::snp
