// Private to core/disk: the entries of a tree that `leea image build` copies, and the
// extraction of a tar archive into a private staging directory. Not thread-safe.
#pragma once

#include <sys/stat.h>

#include <string>
#include <vector>

#include "core/util/result.h"

namespace leea::disk::internal {

// One entry below the root: its path relative to the root ("a/b") and its metadata (from
// lstat(2), or as a tar archive records it).
struct Entry {
  std::string path;
  struct stat st {};
};

// A temporary directory removed with its contents on destruction.
struct StageDir {
  std::string path;
  ~StageDir();
};

// Extracts a tar's files, directories and links into stage (owned by whoever runs this),
// and returns every entry with the metadata the archive records, the last entry for a path
// winning, sorted by path (parents first). Device nodes and FIFOs are not created (that
// needs privileges); the caller makes them in the image. No path leaves stage: ".." is
// refused, and nothing is created under an entry that is not a directory, so a symlink
// cannot redirect a later entry. root receives the archive's "./" entry, if any.
Result<std::vector<Entry>> stage_tar(int fd, const std::string& name, const std::string& stage,
                                     struct stat* root);

}  // namespace leea::disk::internal
