// Staging a tar archive for `leea image build` (tree_internal.h).
#include <fcntl.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <map>

#include "core/disk/tar.h"
#include "core/disk/tree_internal.h"
#include "core/util/files.h"

namespace leea::disk::internal {
namespace {

constexpr uint64_t kMiB = 1u << 20;

mode_t type_bits(char type) {
  switch (type) {
    case '5':
      return S_IFDIR;
    case '2':
      return S_IFLNK;
    case '3':
      return S_IFCHR;
    case '4':
      return S_IFBLK;
    case '6':
      return S_IFIFO;
    default:
      return S_IFREG;
  }
}

Result<void> copy_range(int in, uint64_t off, uint64_t size, const std::string& dst,
                        const std::string& name) {
  int out = ::open(dst.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (out < 0) return errno_error(dst, errno);
  std::vector<uint8_t> buf(kMiB);
  Result<void> r;
  while (size > 0 && r) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(size, buf.size()));
    ssize_t n = ::pread(in, buf.data(), want, static_cast<off_t>(off));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      r = n < 0 ? errno_error(name, errno) : make_error(Errc::invalid_data, name + ": truncated");
      break;
    }
    r = write_all(out, std::span(buf.data(), static_cast<size_t>(n)));
    off += static_cast<uint64_t>(n);
    size -= static_cast<uint64_t>(n);
  }
  ::close(out);
  return r;
}

}  // namespace

StageDir::~StageDir() {
  if (!path.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
}

Result<std::vector<Entry>> stage_tar(int fd, const std::string& name, const std::string& stage,
                                     struct stat* root) {
  LEEA_ASSIGN_OR_RETURN(auto listing, read_tar(fd, name));
  std::map<std::string, size_t> index;
  std::vector<Entry> entries;
  for (size_t i = 0; i < listing.entries.size(); ++i) {
    const TarEntry& t = listing.entries[i];
    const std::string where = name + ": " + t.path;
    LEEA_ASSIGN_OR_RETURN(std::string path, sanitize_tar_path(t.path, where));
    struct stat st {};
    st.st_mode = type_bits(t.type) | t.mode;
    st.st_uid = static_cast<uid_t>(t.uid);
    st.st_gid = static_cast<gid_t>(t.gid);
    st.st_size = static_cast<off_t>(t.size);
    st.st_mtim.tv_sec = t.mtime;
    st.st_rdev = makedev(t.dev_major, t.dev_minor);
    if (path.empty()) {
      if (t.type != '5')
        return make_error(Errc::invalid_data, where + ": the root is not a directory");
      *root = st;
      continue;
    }
    // Every parent must be a directory: recorded as one, or implied.
    for (size_t slash = path.find('/'); slash != std::string::npos;
         slash = path.find('/', slash + 1)) {
      auto it = index.find(path.substr(0, slash));
      if (it != index.end() && !S_ISDIR(entries[it->second].st.st_mode)) {
        return make_error(Errc::invalid_data, where + ": a parent is not a directory");
      }
    }
    const std::string dst = stage + "/" + path;
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(dst).parent_path(), ec);
    if (ec) return make_error(Errc::io, dst + ": " + ec.message());
    auto old = index.find(path);
    if (old != index.end() && !(S_ISDIR(entries[old->second].st.st_mode) && t.type == '5')) {
      if (S_ISDIR(entries[old->second].st.st_mode)) {
        return make_error(Errc::invalid_data, where + ": replaces a directory");
      }
      ::unlink(dst.c_str());
    }
    switch (t.type) {
      case '5':
        if (::mkdir(dst.c_str(), 0755) != 0 && errno != EEXIST) return errno_error(dst, errno);
        break;
      case '0':
        LEEA_TRY(copy_range(fd, listing.data_offsets[i], t.size, dst, name));
        break;
      case '2':
        if (::symlink(t.link.c_str(), dst.c_str()) != 0) return errno_error(dst, errno);
        break;
      case '1': {
        LEEA_ASSIGN_OR_RETURN(std::string target, sanitize_tar_path(t.link, where));
        auto it = index.find(target);
        if (it == index.end() || !S_ISREG(entries[it->second].st.st_mode)) {
          return make_error(Errc::invalid_data,
                            where + ": hard link to a missing or non-regular file");
        }
        if (::link((stage + "/" + target).c_str(), dst.c_str()) != 0)
          return errno_error(dst, errno);
        st = entries[it->second].st;
        break;
      }
      default:
        break;  // device nodes and FIFOs: made in the image
    }
    if (old != index.end()) {
      entries[old->second].st = st;
    } else {
      index[path] = entries.size();
      entries.push_back({path, st});
    }
  }
  // Directories implied by deeper paths but not recorded: 0755, owned by root.
  for (size_t n = entries.size(), i = 0; i < n; ++i) {
    const std::string p = entries[i].path;
    for (size_t slash = p.find('/'); slash != std::string::npos; slash = p.find('/', slash + 1)) {
      if (index.count(p.substr(0, slash)) == 0) {
        struct stat st {};
        st.st_mode = S_IFDIR | 0755;
        st.st_mtim.tv_sec = root->st_mtim.tv_sec;
        index[p.substr(0, slash)] = entries.size();
        entries.push_back({p.substr(0, slash), st});
      }
    }
  }
  // Parents before children, for the debugfs script.
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.path < b.path; });
  return entries;
}

}  // namespace leea::disk::internal
