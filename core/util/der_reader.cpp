#include "core/util/der_reader.h"

#include <charconv>
#include <vector>

namespace leea::der {

Result<Tlv> Reader::next(std::string_view what) {
  auto fail = [&](std::string_view why) {
    return make_error(Errc::invalid_data, std::string(what) + ": " + std::string(why));
  };
  if (data_.size() - pos_ < 2) {
    return fail("truncated DER");
  }
  uint8_t t = data_[pos_];
  if ((t & 0x1f) == 0x1f) {
    return fail("high tag numbers are not supported");
  }
  size_t p = pos_ + 1;
  size_t len = data_[p++];
  if (len & 0x80) {
    size_t n = len & 0x7f;
    // X.690 §10.1: definite form only; at most 4 length bytes (a 4 GiB TLV is already absurd).
    if (n == 0 || n > 4) {
      return fail("unsupported DER length form");
    }
    if (data_.size() - p < n) {
      return fail("truncated DER length");
    }
    len = 0;
    for (size_t i = 0; i < n; ++i) {
      len = (len << 8) | data_[p++];
    }
    if (len < 0x80 || (n > 1 && (len >> (8 * (n - 1))) == 0)) {
      return fail("non-minimal DER length");
    }
  }
  if (data_.size() - p < len) {
    return fail("DER length past the end of the data");
  }
  pos_ = p + len;
  return Tlv{t, data_.subspan(p, len)};
}

Result<Tlv> Reader::expect(uint8_t expected, std::string_view what) {
  LEEA_ASSIGN_OR_RETURN(Tlv tlv, next(what));
  if (tlv.tag != expected) {
    return make_error(Errc::invalid_data, std::string(what) + ": unexpected DER tag " +
                                              std::to_string(tlv.tag) + " (expected " +
                                              std::to_string(expected) + ")");
  }
  return tlv;
}

Result<uint64_t> to_uint(std::span<const uint8_t> value, std::string_view what) {
  auto fail = [&](std::string_view why) {
    return make_error(Errc::invalid_data, std::string(what) + ": " + std::string(why));
  };
  if (value.empty()) {
    return fail("empty INTEGER");
  }
  if (value[0] & 0x80) {
    return fail("negative INTEGER");
  }
  if (value.size() > 1 && value[0] == 0 && !(value[1] & 0x80)) {
    return fail("non-minimal INTEGER");
  }
  if (value[0] == 0) {
    value = value.subspan(1);
  }
  if (value.size() > 8) {
    return fail("INTEGER too large");
  }
  uint64_t v = 0;
  for (uint8_t b : value) {
    v = (v << 8) | b;
  }
  return v;
}

std::basic_string<uint8_t> encode_oid(std::string_view dotted) {
  std::vector<uint32_t> arcs;
  size_t pos = 0;
  while (pos <= dotted.size()) {
    size_t end = dotted.find('.', pos);
    if (end == std::string_view::npos) end = dotted.size();
    uint32_t arc = 0;
    auto [ptr, ec] = std::from_chars(dotted.data() + pos, dotted.data() + end, arc);
    if (ec != std::errc() || ptr != dotted.data() + end) {
      return {};
    }
    arcs.push_back(arc);
    pos = end + 1;
  }
  if (arcs.size() < 2 || arcs[0] > 2) {
    return {};
  }
  std::basic_string<uint8_t> out;
  auto put = [&out](uint64_t v) {
    uint8_t buf[10];
    size_t n = 0;
    do {
      buf[n++] = static_cast<uint8_t>(v & 0x7f);
      v >>= 7;
    } while (v != 0);
    while (n > 1) out.push_back(static_cast<uint8_t>(buf[--n] | 0x80));
    out.push_back(buf[0]);
  };
  put(uint64_t{arcs[0]} * 40 + arcs[1]);
  for (size_t i = 2; i < arcs.size(); ++i) put(arcs[i]);
  return out;
}

}  // namespace leea::der
