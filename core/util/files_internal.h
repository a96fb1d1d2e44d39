// Private to core/util and its tests: reaches AtomicFile's fallback for file systems
// without O_TMPFILE, which the machine running the tests may never take by itself.
#pragma once

#include "core/util/files.h"

namespace leea::internal {

struct AtomicFileTestAccess {
  static Result<AtomicFile> open_named(const std::filesystem::path& path, unsigned perms,
                                       AtomicFile::Mode mode) {
    return AtomicFile::open_named(path, perms, mode);
  }
};

}  // namespace leea::internal
