#include "core/tee/snp/report.h"

#include <algorithm>
#include <charconv>

#include "core/tee/snp/launch_internal.h"
#include "core/util/encoding.h"

namespace leea::tee::snp {
namespace {

template <size_t N>
std::array<uint8_t, N> take(std::span<const uint8_t> b, size_t at) {
  std::array<uint8_t, N> out{};
  std::copy_n(b.begin() + static_cast<std::ptrdiff_t>(at), N, out.begin());
  return out;
}

// A region the ABI marks reserved, which the firmware fills with zeros.
struct Reserved {
  size_t begin;
  size_t end;
  const char* name;
};

Result<void> check_zero(std::span<const uint8_t> b, const Reserved& r) {
  for (size_t i = r.begin; i < r.end; ++i) {
    if (b[i] != 0) {
      return make_error(Errc::invalid_data, std::string("SEV-SNP report: reserved field ") +
                                                r.name + " at offset " + std::to_string(i) +
                                                " is not zero");
    }
  }
  return {};
}

// The signature's r or s: a 72-byte little-endian field holding a 48-byte integer.
Result<std::array<uint8_t, 48>> sig_component(std::span<const uint8_t> b, size_t at,
                                              const char* name) {
  LEEA_TRY(check_zero(b, {at + 48, at + 72, name}));
  std::array<uint8_t, 48> be{};
  for (size_t i = 0; i < 48; ++i) {
    be[47 - i] = b[at + i];
  }
  return be;
}

}  // namespace

std::string_view product_name(Product p) {
  switch (p) {
    case Product::milan:
      return "Milan";
    case Product::genoa:
      return "Genoa";
    case Product::turin:
      return "Turin";
    case Product::unknown:
      break;
  }
  return "unknown";
}

Product product_from_name(std::string_view name) {
  // KDS product names are the generation, optionally followed by "-<stepping>".
  std::string_view base = name.substr(0, name.find('-'));
  if (base == "Milan") return Product::milan;
  if (base == "Genoa") return Product::genoa;
  if (base == "Turin") return Product::turin;
  return Product::unknown;
}

Product product_from_cpuid(uint8_t family, uint8_t model) {
  if (family == 0x19) {
    if (model <= 0x0F) return Product::milan;
    if ((model >= 0x10 && model <= 0x1F) || (model >= 0xA0 && model <= 0xAF)) {
      return Product::genoa;
    }
  }
  if (family == 0x1A) return Product::turin;
  return Product::unknown;
}

TcbVersion decode_tcb(uint64_t raw, bool turin_layout) {
  auto byte = [raw](int i) { return static_cast<uint8_t>(raw >> (8 * i)); };
  TcbVersion t;
  t.raw = raw;
  t.turin_layout = turin_layout;
  if (turin_layout) {
    t.fmc = byte(0);
    t.bootloader = byte(1);
    t.tee = byte(2);
    t.snp = byte(3);
  } else {
    t.bootloader = byte(0);
    t.tee = byte(1);
    t.snp = byte(6);
  }
  t.microcode = byte(7);
  return t;
}

std::string tcb_text(const TcbVersion& t) {
  std::string s = t.turin_layout ? "fmc=" + std::to_string(t.fmc) + "," : "";
  return s + "bl=" + std::to_string(t.bootloader) + ",tee=" + std::to_string(t.tee) +
         ",snp=" + std::to_string(t.snp) + ",ucode=" + std::to_string(t.microcode);
}

Result<MinTcb> parse_min_tcb(std::string_view text) {
  if (text.empty()) return make_error(Errc::config, "min_tcb: empty");
  MinTcb m;
  for (bool more = true; more;) {
    size_t comma = text.find(',');
    more = comma != std::string_view::npos;
    std::string_view pair = text.substr(0, comma);
    text = more ? text.substr(comma + 1) : std::string_view();
    size_t eq = pair.find('=');
    auto bad = [&](const std::string& why) {
      return make_error(Errc::config, "min_tcb: '" + std::string(pair) + "': " + why);
    };
    if (eq == std::string_view::npos) return bad("expected name=value");
    std::string_view name = pair.substr(0, eq);
    std::string_view value = pair.substr(eq + 1);
    unsigned v = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (value.empty() || ec != std::errc() || end != value.data() + value.size() || v > 255) {
      return bad("the value must be a number from 0 to 255");
    }
    std::optional<uint8_t>* slot = name == "fmc"     ? &m.fmc
                                   : name == "bl"    ? &m.bootloader
                                   : name == "tee"   ? &m.tee
                                   : name == "snp"   ? &m.snp
                                   : name == "ucode" ? &m.microcode
                                                     : nullptr;
    if (slot == nullptr) return bad("unknown component (fmc, bl, tee, snp, ucode)");
    if (slot->has_value()) return bad("component given twice");
    *slot = static_cast<uint8_t>(v);
  }
  return m;
}

std::string min_tcb_shortfall(const TcbVersion& t, const MinTcb& m) {
  std::string s;
  auto cmp = [&s](const char* name, uint8_t have, const std::optional<uint8_t>& want) {
    if (want && have < *want) {
      s += (s.empty() ? "" : ", ") + std::string(name) + " " + std::to_string(have) + " < " +
           std::to_string(*want);
    }
  };
  if (m.fmc && !t.turin_layout) {
    s = "fmc required but the TCB has no FMC";
  }
  if (t.turin_layout) cmp("fmc", t.fmc, m.fmc);
  cmp("bl", t.bootloader, m.bootloader);
  cmp("tee", t.tee, m.tee);
  cmp("snp", t.snp, m.snp);
  cmp("ucode", t.microcode, m.microcode);
  return s;
}

GuestPolicy decode_policy(uint64_t raw) {
  GuestPolicy p;
  p.raw = raw;
  p.abi_minor = static_cast<uint8_t>(raw);
  p.abi_major = static_cast<uint8_t>(raw >> 8);
  p.smt = (raw >> 16) & 1;
  p.migrate_ma = (raw >> 18) & 1;
  p.debug = (raw >> 19) & 1;
  p.single_socket = (raw >> 20) & 1;
  return p;
}

Result<Report> parse_report(std::span<const uint8_t> b, bool turin_layout_hint) {
  if (b.size() != kReportSize) {
    return make_error(Errc::invalid_data, "SEV-SNP report: length " + std::to_string(b.size()) +
                                              ", expected " + std::to_string(kReportSize));
  }
  Report r;
  r.version = internal::get_le32(b, 0x00);
  if (r.version != 2 && r.version != 3 && r.version != 5) {
    return make_error(Errc::invalid_data, "SEV-SNP report: unknown version " +
                                              std::to_string(r.version) + " (known: 2, 3, 5)");
  }
  const bool has_cpuid = r.version >= 3;
  const bool has_mit = r.version >= 5;
  const Reserved reserved[] = {
      {0x04C, 0x050, "after FLAGS"},
      {has_cpuid ? 0x18Bu : 0x188u, 0x1A0, "after REPORTED_TCB"},
      {0x1EB, 0x1EC, "after CURRENT_MAJOR"},
      {0x1EF, 0x1F0, "after COMMITTED_MAJOR"},
      {has_mit ? 0x208u : 0x1F8u, kSignedSize, "before SIGNATURE"},
      {0x330, kReportSize, "in SIGNATURE"},
  };
  for (const auto& region : reserved) {
    LEEA_TRY(check_zero(b, region));
  }
  r.flags = internal::get_le32(b, 0x48);
  if ((r.flags >> 5) != 0) {
    return make_error(Errc::invalid_data, "SEV-SNP report: reserved FLAGS bits 31:5 are set");
  }
  r.author_key_en = r.flags & 1;
  r.mask_chip_key = (r.flags >> 1) & 1;
  r.signing_key = static_cast<uint8_t>((r.flags >> 2) & 7);
  if (has_cpuid) {
    r.cpuid_family = b[0x188];
    r.cpuid_model = b[0x189];
    r.cpuid_stepping = b[0x18A];
    r.product = product_from_cpuid(*r.cpuid_family, *r.cpuid_model);
  }
  const bool turin = has_cpuid ? *r.cpuid_family >= 0x1A : turin_layout_hint;
  r.guest_svn = internal::get_le32(b, 0x04);
  r.policy = decode_policy(internal::get_le64(b, 0x08));
  r.family_id = take<16>(b, 0x10);
  r.image_id = take<16>(b, 0x20);
  r.vmpl = internal::get_le32(b, 0x30);
  r.signature_algo = internal::get_le32(b, 0x34);
  r.current_tcb = decode_tcb(internal::get_le64(b, 0x38), turin);
  r.platform_info = internal::get_le64(b, 0x40);
  r.report_data = take<64>(b, 0x50);
  r.measurement = take<48>(b, 0x90);
  r.host_data = take<32>(b, 0xC0);
  r.id_key_digest = take<48>(b, 0xE0);
  r.author_key_digest = take<48>(b, 0x110);
  r.report_id = take<32>(b, 0x140);
  r.report_id_ma = take<32>(b, 0x160);
  r.reported_tcb = decode_tcb(internal::get_le64(b, 0x180), turin);
  r.chip_id = take<64>(b, 0x1A0);
  r.committed_tcb = decode_tcb(internal::get_le64(b, 0x1E0), turin);
  r.current_build = b[0x1E8];
  r.current_minor = b[0x1E9];
  r.current_major = b[0x1EA];
  r.committed_build = b[0x1EC];
  r.committed_minor = b[0x1ED];
  r.committed_major = b[0x1EE];
  r.launch_tcb = decode_tcb(internal::get_le64(b, 0x1F0), turin);
  if (has_mit) {
    r.launch_mit_vector = internal::get_le64(b, 0x1F8);
    r.current_mit_vector = internal::get_le64(b, 0x200);
  }
  LEEA_ASSIGN_OR_RETURN(r.sig_r, sig_component(b, 0x2A0, "SIGNATURE.R"));
  LEEA_ASSIGN_OR_RETURN(r.sig_s, sig_component(b, 0x2E8, "SIGNATURE.S"));
  return r;
}

std::vector<std::pair<std::string, std::string>> report_fields(const Report& r) {
  auto hex64 = [](uint64_t v) {
    std::array<uint8_t, 8> be{};
    for (int i = 0; i < 8; ++i)
      be[static_cast<size_t>(i)] = static_cast<uint8_t>(v >> (56 - 8 * i));
    return "0x" + hex_encode(be);
  };
  auto ver = [](uint8_t major, uint8_t minor, uint8_t build) {
    return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(build);
  };
  std::vector<std::pair<std::string, std::string>> f = {
      {"snp.version", std::to_string(r.version)},
      {"snp.product", std::string(product_name(r.product))},
      {"snp.guest_svn", std::to_string(r.guest_svn)},
      {"snp.policy", hex64(r.policy.raw)},
      {"snp.policy.abi",
       std::to_string(r.policy.abi_major) + "." + std::to_string(r.policy.abi_minor)},
      {"snp.policy.smt", r.policy.smt ? "allowed" : "forbidden"},
      {"snp.policy.migrate_ma", r.policy.migrate_ma ? "allowed" : "forbidden"},
      {"snp.policy.debug", r.policy.debug ? "allowed" : "forbidden"},
      {"snp.policy.single_socket", r.policy.single_socket ? "required" : "no"},
      {"snp.family_id", hex_encode(r.family_id)},
      {"snp.image_id", hex_encode(r.image_id)},
      {"snp.vmpl", std::to_string(r.vmpl)},
      {"snp.signature_algo", std::to_string(r.signature_algo)},
      {"snp.current_tcb", tcb_text(r.current_tcb)},
      {"snp.platform_info", hex64(r.platform_info)},
      {"snp.author_key_en", r.author_key_en ? "1" : "0"},
      {"snp.mask_chip_key", r.mask_chip_key ? "1" : "0"},
      {"snp.signing_key", r.signing_key == kSigningKeyVcek   ? "VCEK"
                          : r.signing_key == kSigningKeyVlek ? "VLEK"
                                                             : std::to_string(r.signing_key)},
      {"snp.report_data", hex_encode(r.report_data)},
      {"snp.measurement", hex_encode(r.measurement)},
      {"snp.host_data", hex_encode(r.host_data)},
      {"snp.id_key_digest", hex_encode(r.id_key_digest)},
      {"snp.author_key_digest", hex_encode(r.author_key_digest)},
      {"snp.report_id", hex_encode(r.report_id)},
      {"snp.report_id_ma", hex_encode(r.report_id_ma)},
      {"snp.reported_tcb", tcb_text(r.reported_tcb)},
      {"snp.chip_id", hex_encode(r.chip_id)},
      {"snp.committed_tcb", tcb_text(r.committed_tcb)},
      {"snp.current_version", ver(r.current_major, r.current_minor, r.current_build)},
      {"snp.committed_version", ver(r.committed_major, r.committed_minor, r.committed_build)},
      {"snp.launch_tcb", tcb_text(r.launch_tcb)},
  };
  if (r.cpuid_family) {
    auto hex8 = [](uint8_t b) { return "0x" + hex_encode(std::span(&b, 1)); };
    f.emplace_back("snp.cpuid", hex8(*r.cpuid_family) + "/" + hex8(*r.cpuid_model) + "/" +
                                    hex8(*r.cpuid_stepping));
  }
  if (r.launch_mit_vector) {
    f.emplace_back("snp.launch_mit_vector", hex64(*r.launch_mit_vector));
    f.emplace_back("snp.current_mit_vector", hex64(*r.current_mit_vector));
  }
  return f;
}

}  // namespace leea::tee::snp
