// Where split shares go: share files in a directory, or lines on a file descriptor.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "core/shamir/stream.h"
#include "core/util/files.h"

namespace leea::shamir {
namespace {

namespace fs = std::filesystem;

Result<ShareFiles> split_into(ByteSource& secret, const SplitOptions& options,
                              const std::string& dir, bool force, crypto::RandomSource& rng) {
  const auto mode = force ? AtomicFile::Mode::replace : AtomicFile::Mode::create_new;
  ShareFiles out;
  for (int x = 1; x <= options.params.shares; ++x) {
    out.paths.push_back((fs::path(dir) / ("share-" + std::to_string(x))).string());
    LEEA_TRY(check_output_path(out.paths.back(), force));
  }
  std::vector<AtomicFile> files;
  for (const auto& path : out.paths) {
    LEEA_ASSIGN_OR_RETURN(AtomicFile f, AtomicFile::open(path, 0600, mode));
    files.push_back(std::move(f));
  }
  std::vector<FdTextSink> sinks;
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

}  // namespace

Result<ShareFiles> split_to_dir(ByteSource& secret, const SplitOptions& options,
                                const std::string& dir, bool force, crypto::RandomSource& rng) {
  if (dir.empty()) {
    return make_error(Errc::usage, "the share directory name is empty");
  }
  LEEA_TRY(check_params(options.params));
  std::error_code ec;
  bool created = false;
  if (!fs::exists(dir, ec)) {
    if (::mkdir(dir.c_str(), 0700) != 0) {
      return errno_error(dir, errno);
    }
    created = true;
  } else if (!fs::is_directory(dir, ec)) {
    return make_error(Errc::io, dir + ": not a directory");
  }
  auto r = split_into(secret, options, dir, force, rng);
  if (!r && created) {
    ::rmdir(dir.c_str());  // nothing was committed into it
  }
  return r;
}

Result<SplitSummary> split_to_fd(ByteSource& secret, const SplitOptions& options, int fd,
                                 crypto::RandomSource& rng) {
  LEEA_TRY(check_params(options.params));
  SplitOptions bounded = options;
  bounded.max_text_bytes = kMaxInMemoryShareText;
  std::vector<MemoryTextSink> sinks;
  sinks.reserve(static_cast<size_t>(options.params.shares));
  std::vector<TextSink*> ptrs;
  for (int i = 0; i < options.params.shares; ++i) {
    sinks.emplace_back(kMaxInMemoryShareText, "share text too long");
    ptrs.push_back(&sinks.back());
  }
  LEEA_ASSIGN_OR_RETURN(SplitSummary summary, split_stream(secret, bounded, ptrs, rng));
  for (const auto& s : sinks) {
    LEEA_TRY(s.flush_to(fd));
  }
  return summary;
}

}  // namespace leea::shamir
