// Reading tar archives (POSIX.1-2001 ustar and pax, with GNU long names) for
// `leea image build --from TARBALL`: the entries and the metadata they record, so that an
// unprivileged build keeps the owners, modes and device nodes of the archive.
//
// The parsers are bounded and total: bytes in, Result out, never reading past the block
// they are given; errors name the entry and the field. Stateless, thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/result.h"

namespace leea::disk {

inline constexpr size_t kTarBlock = 512;

struct TarEntry {
  std::string path;  // as recorded, before sanitize_tar_path
  char type = '0';   // '0' file, '1' hard link, '2' symlink, '3' char, '4' block, '5' dir, '6' FIFO
  uint32_t mode = 0;  // permission and set-id bits (07777)
  uint64_t uid = 0;
  uint64_t gid = 0;
  uint64_t size = 0;  // bytes of data following the header (files only)
  int64_t mtime = 0;
  std::string link;  // hard link or symlink target
  uint32_t dev_major = 0;
  uint32_t dev_minor = 0;
};

// Overrides from pax extended headers ('x' applies to the next entry, 'g' to all).
struct PaxRecords {
  std::optional<std::string> path, linkpath;
  std::optional<uint64_t> uid, gid, size;
  std::optional<int64_t> mtime;
};

// One 512-byte header block (POSIX.1-2001 §ustar Interchange Format). Checks the checksum
// and the numeric fields (octal, or GNU base-256 for large values). Returns nullopt for an
// all-zero block (end of archive). Fails with Errc::invalid_data "<where>: <field>: ...".
Result<std::optional<TarEntry>> parse_tar_header(std::span<const uint8_t, kTarBlock> block,
                                                 std::string_view where);

// Applies the records of a pax extended header's data ("<len> <key>=<value>\n"...) to out.
// Unknown keys are ignored, as POSIX allows. Fails with Errc::invalid_data on a malformed
// record.
Result<void> parse_pax_records(std::string_view data, std::string_view where, PaxRecords* out);

// The path inside the image: leading "./" and "/" removed, "." components dropped. Empty
// for the archive's root ("./"). Fails with Errc::invalid_data on "..", an empty
// component, a NUL, '"' or a newline (which the image tools cannot quote).
Result<std::string> sanitize_tar_path(std::string_view path, std::string_view where);

// Reads every entry's header from an uncompressed tar file, resolving pax and GNU long-name
// headers, with data_offsets[i] the file offset of entry i's data. Fails with
// Errc::invalid_data for a compressed or malformed archive ("<name>: gzip-compressed; ...")
// or one that ends inside a file's data ("<name>: entry 3: data: truncated: ...").
struct TarListing {
  std::vector<TarEntry> entries;
  std::vector<uint64_t> data_offsets;
};
Result<TarListing> read_tar(int fd, const std::string& name);

}  // namespace leea::disk
