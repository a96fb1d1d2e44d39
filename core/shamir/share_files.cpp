#include <sys/stat.h>

#include <cerrno>
#include <filesystem>
#include <optional>

#include "core/shamir/stream.h"
#include "core/util/files.h"

namespace leea::shamir {

Result<ShareFiles> split_to_dir(ByteSource& secret, const SplitOptions& options,
                                const std::string& dir, bool force, crypto::RandomSource& rng) {
  LEEA_TRY(check_params(options.params));
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    if (::mkdir(dir.c_str(), 0700) != 0) {
      return errno_error(dir, errno);
    }
  } else if (!fs::is_directory(dir, ec)) {
    return make_error(Errc::io, dir + ": not a directory");
  }
  const auto mode = force ? AtomicFile::Mode::replace : AtomicFile::Mode::create_new;
  ShareFiles out;
  std::vector<AtomicFile> files;
  std::vector<FdTextSink> sinks;
  for (int x = 1; x <= options.params.shares; ++x) {
    std::string path = (fs::path(dir) / ("share-" + std::to_string(x))).string();
    if (!force && fs::exists(fs::symlink_status(path, ec))) {
      return make_error(Errc::io, path + ": already exists (use --force to replace)");
    }
    LEEA_ASSIGN_OR_RETURN(AtomicFile f, AtomicFile::open(path, 0600, mode));
    files.push_back(std::move(f));
    out.paths.push_back(path);
  }
  sinks.reserve(files.size());
  std::vector<TextSink*> sink_ptrs;
  for (auto& f : files) {
    sinks.emplace_back(f.fd());
    sink_ptrs.push_back(&sinks.back());
  }
  LEEA_ASSIGN_OR_RETURN(out.summary, split_stream(secret, options, sink_ptrs, rng));
  for (auto& f : files) {
    LEEA_TRY(f.commit());
  }
  return out;
}

}  // namespace leea::shamir
