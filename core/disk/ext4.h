// `leea image build`'s core: an ext4 file system image made from a directory tree or an
// uncompressed tar archive with e2fsprogs' `mke2fs -d`, unprivileged and reproducible
// (DESIGN §2, §5).
//
// Ownership, modes, symlinks, hard links and device nodes come from the tree as mke2fs
// reads it. A tarball is extracted into a private temporary directory (removed afterwards)
// and copied the same way; then debugfs gives every inode the owner and mode the archive
// records (numeric ids; names are ignored) and makes its device nodes and FIFOs, which an
// unprivileged extraction cannot. For a tarball, the input digest is that of the archive's
// bytes. Reproducible: the same tree (paths, types, modes, owners, sizes, contents,
// link targets, device numbers, modification times) and the same SOURCE_DATE_EPOCH give a
// byte-identical image, so its digest can be a reference value:
//  - the file system UUID and the directory hash seed are derived from a digest of the
//    tree (the input digest) rather than drawn at random;
//  - mke2fs runs with E2FSPROGS_FAKE_TIME (and SOURCE_DATE_EPOCH) set, so superblock and
//    new-inode times are the epoch;
//  - afterwards every inode's atime and ctime are set to the epoch and its mtime clamped
//    to it (debugfs), so reading the tree (which may update atimes) changes nothing.
// The output is written to an unnamed temporary and named only when complete.
// Thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/util/result.h"

namespace leea::disk {

struct BuildOptions {
  std::string from;  // a directory
  std::string output;
  std::optional<uint64_t> size;  // bytes; nullopt: sized from the tree
  std::string label;             // at most 16 bytes
  // Seconds since 1970 (SOURCE_DATE_EPOCH); nullopt: the newest mtime in the tree, so
  // that an unchanged tree rebuilds identically without it.
  std::optional<int64_t> source_date_epoch;
  bool replace = false;  // --force
};

struct BuildReport {
  uint64_t size = 0;
  uint64_t files = 0;  // entries in the tree, the root excluded
  std::string uuid;
  int64_t source_date_epoch = 0;  // the one used
  std::string input_digest;       // "sha256:<hex>" of the tree and the options
  std::string image_digest;       // "sha256:<hex>" of the image
};

// Parses "auto" (nullopt), or a size in bytes with an optional K, M, G or T suffix (binary
// units, "512M"). Fails with Errc::usage naming the text.
Result<std::optional<uint64_t>> parse_image_size(const std::string& text);

// SOURCE_DATE_EPOCH (reproducible-builds.org): decimal seconds. nullptr or empty: nullopt.
// Fails with Errc::usage "SOURCE_DATE_EPOCH: '<text>' is not a number of seconds".
Result<std::optional<int64_t>> parse_source_date_epoch(const char* value);

// Fails with Errc::io naming the path for a missing or unreadable tree, an output that
// exists (unless replace), or a size too small ("mke2fs failed (exit 1): ..."); with
// Errc::invalid_argument for a label longer than 16 bytes or a file name debugfs cannot
// quote ('"' or a newline); with Errc::invalid_data for a malformed, compressed or escaping
// ("..") archive, naming the entry and the field (tar.h).
Result<BuildReport> build_ext4(const BuildOptions& options);

}  // namespace leea::disk
