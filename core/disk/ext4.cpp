#include "core/disk/ext4.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <vector>

#include "core/crypto/digest.h"
#include "core/disk/process_internal.h"
#include "core/disk/tree_internal.h"
#include "core/util/encoding.h"
#include "core/util/files.h"

namespace leea::disk {
namespace {

using internal::Entry;
using internal::StageDir;

constexpr uint64_t kBlock = 4096;
constexpr uint64_t kMiB = 1u << 20;

// Depth-first, names sorted bytewise, so the walk (and the digest) do not depend on the
// order readdir returns.
Result<void> walk(const std::string& root, const std::string& rel, std::vector<Entry>* out) {
  const std::string dir = rel.empty() ? root : root + "/" + rel;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return errno_error(dir, errno);
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(std::move(n));
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  for (const auto& n : names) {
    Entry e;
    e.path = rel.empty() ? n : rel + "/" + n;
    if (e.path.find_first_of("\"\n") != std::string::npos) {
      return make_error(
          Errc::invalid_argument,
          root + "/" + e.path + ": file names with '\"' or a newline are not supported");
    }
    if (::lstat((root + "/" + e.path).c_str(), &e.st) != 0) {
      return errno_error(root + "/" + e.path, errno);
    }
    out->push_back(e);
    if (S_ISDIR(e.st.st_mode)) LEEA_TRY(walk(root, e.path, out));
  }
  return {};
}

Result<std::string> file_digest(const std::string& path) {
  struct stat st {};
  LEEA_ASSIGN_OR_RETURN(int fd, open_readable(path, &st));
  crypto::Digest d(crypto::DigestAlg::sha256);
  std::vector<uint8_t> buf(kMiB);
  Result<void> r;
  while (true) {
    auto n = read_full(fd, buf);
    if (!n) {
      r = n.error();
      break;
    }
    d.update(std::span(buf.data(), *n));
    if (*n < buf.size()) break;
  }
  ::close(fd);
  LEEA_TRY(r);
  return hex_encode(d.finish());
}

Result<std::string> link_target(const std::string& path) {
  std::array<char, 4096> buf{};
  ssize_t n = ::readlink(path.c_str(), buf.data(), buf.size());
  if (n < 0) return errno_error(path, errno);
  return std::string(buf.data(), static_cast<size_t>(n));
}

// One line per entry of everything mke2fs copies, times clamped as the image will have
// them.
Result<std::string> tree_digest(const BuildOptions& o, int64_t epoch,
                                const std::vector<Entry>& entries, const struct stat& root) {
  crypto::Digest d(crypto::DigestAlg::sha256);
  d.update(fmt::format("leea image build v1\nlabel {}\nsize {}\nepoch {}\n", o.label,
                       o.size ? std::to_string(*o.size) : "auto", epoch));
  auto record = [&](const std::string& path, const struct stat& st) -> Result<void> {
    std::string extra;
    if (S_ISREG(st.st_mode)) {
      LEEA_ASSIGN_OR_RETURN(extra, file_digest(o.from + "/" + path));
    } else if (S_ISLNK(st.st_mode)) {
      LEEA_ASSIGN_OR_RETURN(extra, link_target(o.from + "/" + path));
    }
    int64_t mtime = std::min<int64_t>(st.st_mtim.tv_sec, epoch);
    std::string line = path;
    line += '\0';
    line += fmt::format("{:o} {} {} {} {} {}:{}", st.st_mode, st.st_uid, st.st_gid,
                        S_ISREG(st.st_mode) ? st.st_size : 0, mtime, major(st.st_rdev),
                        minor(st.st_rdev));
    line += '\0';
    line += extra;
    line += '\n';
    d.update(line);
    return {};
  };
  LEEA_TRY(record("", root));
  for (const auto& e : entries) LEEA_TRY(record(e.path, e.st));
  return hex_encode(d.finish());
}

// A version-4-shaped UUID from a digest and a purpose label.
std::string derived_uuid(const std::string& digest, std::string_view purpose) {
  auto h = crypto::sha256(fmt::format("leea image build {}\n{}", purpose, digest));
  h[6] = static_cast<uint8_t>((h[6] & 0x0f) | 0x40);
  h[8] = static_cast<uint8_t>((h[8] & 0x3f) | 0x80);
  std::string x = hex_encode(std::span(h.data(), 16));
  return x.substr(0, 8) + "-" + x.substr(8, 4) + "-" + x.substr(12, 4) + "-" + x.substr(16, 4) +
         "-" + x.substr(20, 12);
}

// Room for the data, the metadata mke2fs adds (inode tables, journal, bitmaps) and the
// blocks reserved for root, rounded to whole MiB.
struct AutoSize {
  uint64_t bytes;
  uint64_t inodes;
};
AutoSize auto_size(const std::vector<Entry>& entries) {
  uint64_t data = 0;
  for (const auto& e : entries) {
    if (S_ISREG(e.st.st_mode))
      data += (static_cast<uint64_t>(e.st.st_size) + kBlock - 1) / kBlock * kBlock;
    if (S_ISDIR(e.st.st_mode) || S_ISLNK(e.st.st_mode)) data += kBlock;
  }
  const uint64_t inodes = entries.size() + entries.size() / 4 + 128;
  uint64_t est = data + data / 8 + inodes * 256 + 8 * kMiB;
  const uint64_t journal = est > kMiB * 1024 ? 64 * kMiB : est > kMiB * 128 ? 32 * kMiB : 4 * kMiB;
  est = (est + journal) * 100 / 95;
  return {(est + kMiB - 1) / kMiB * kMiB, inodes};
}

}  // namespace

Result<std::optional<int64_t>> parse_source_date_epoch(const char* v) {
  if (v == nullptr || *v == '\0') return std::optional<int64_t>();
  char* end = nullptr;
  errno = 0;
  long long n = std::strtoll(v, &end, 10);
  if (errno != 0 || *end != '\0' || n < 0) {
    return make_error(Errc::usage,
                      std::string("SOURCE_DATE_EPOCH: '") + v + "' is not a number of seconds");
  }
  return std::optional<int64_t>(n);
}

Result<std::optional<uint64_t>> parse_image_size(const std::string& text) {
  if (text == "auto") return std::optional<uint64_t>();
  size_t used = 0;
  uint64_t n = 0;
  // Digits only (std::stoull would take "-1", wrapping, and leading spaces), at most 19 so
  // that the value cannot overflow.
  while (used < text.size() && text[used] >= '0' && text[used] <= '9') {
    if (used == 19) {
      used = 0;
      break;
    }
    n = n * 10 + static_cast<uint64_t>(text[used] - '0');
    ++used;
  }
  std::string suffix = text.substr(used);
  int shift = suffix.empty()  ? 0
              : suffix == "K" ? 10
              : suffix == "M" ? 20
              : suffix == "G" ? 30
              : suffix == "T" ? 40
                              : -1;
  if (used == 0 || shift < 0 || n == 0 || n > (UINT64_MAX >> shift)) {
    return make_error(Errc::usage, "--size: '" + text + "' is not 'auto' or a size like 512M");
  }
  return std::optional<uint64_t>(n << shift);
}

Result<BuildReport> build_ext4(const BuildOptions& o) {
  if (o.label.size() > 16) {
    return make_error(Errc::invalid_argument,
                      "--label: at most 16 bytes, not " + std::to_string(o.label.size()));
  }
  struct stat root {};
  if (::stat(o.from.c_str(), &root) != 0) return errno_error(o.from, errno);
  const bool tarball = S_ISREG(root.st_mode);
  if (!tarball && !S_ISDIR(root.st_mode)) {
    return make_error(Errc::invalid_argument, o.from + ": not a directory or a tar archive");
  }
  LEEA_TRY(check_output_path(o.output, o.replace));
  std::vector<Entry> entries;
  StageDir stage;
  std::string tree = o.from;
  std::string digest;
  if (tarball) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "leea-image-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) return errno_error(tmpl, errno);
    stage.path = tree = tmpl;
    struct stat st {};
    LEEA_ASSIGN_OR_RETURN(int fd, open_readable(o.from, &st));
    root = {};
    root.st_mode = S_IFDIR | 0755;
    auto staged = internal::stage_tar(fd, o.from, stage.path, &root);
    ::close(fd);
    if (!staged) return staged.error();
    entries = std::move(*staged);
  } else {
    LEEA_TRY(walk(o.from, "", &entries));
  }
  int64_t newest = root.st_mtim.tv_sec;
  for (const auto& e : entries) newest = std::max<int64_t>(newest, e.st.st_mtim.tv_sec);
  const int64_t epoch_value = o.source_date_epoch.value_or(newest);
  if (tarball) {
    // The archive's bytes are the input: what it records is all that reaches the image.
    LEEA_ASSIGN_OR_RETURN(std::string tar_digest, file_digest(o.from));
    digest = hex_encode(crypto::sha256(
        fmt::format("leea image build v1 tar\nlabel {}\nsize {}\nepoch {}\n{}\n", o.label,
                    o.size ? std::to_string(*o.size) : "auto", epoch_value, tar_digest)));
  } else {
    LEEA_ASSIGN_OR_RETURN(digest, tree_digest(o, epoch_value, entries, root));
  }
  const AutoSize guess = auto_size(entries);
  const uint64_t size = o.size.value_or(guess.bytes);
  if (size % kBlock != 0) {
    return make_error(Errc::invalid_argument,
                      "--size: " + std::to_string(size) + " is not a multiple of 4096 bytes");
  }

  LEEA_ASSIGN_OR_RETURN(auto out, AtomicFile::open(o.output, 0644,
                                                   o.replace ? AtomicFile::Mode::replace
                                                             : AtomicFile::Mode::create_new));
  if (::ftruncate(out.fd(), static_cast<off_t>(size)) != 0) return errno_error(o.output, errno);
  // The children open the unnamed temporary through this process's descriptor.
  const std::string dev = fmt::format("/proc/{}/fd/{}", ::getpid(), out.fd());
  const std::string epoch = std::to_string(epoch_value);
  const std::vector<std::string> env = {"E2FSPROGS_FAKE_TIME=" + epoch,
                                        "SOURCE_DATE_EPOCH=" + epoch, "LC_ALL=C"};
  const std::string uuid = derived_uuid(digest, "uuid");
  std::vector<std::string> mkfs = {"mke2fs",
                                   "-q",
                                   "-F",
                                   "-t",
                                   "ext4",
                                   "-b",
                                   "4096",
                                   "-U",
                                   uuid,
                                   "-E",
                                   "hash_seed=" + derived_uuid(digest, "hash_seed"),
                                   "-d",
                                   tree};
  if (!o.label.empty()) {
    mkfs.insert(mkfs.end(), {"-L", o.label});
  }
  if (!o.size) {
    mkfs.insert(mkfs.end(), {"-N", std::to_string(guess.inodes)});
  }
  mkfs.push_back(dev);
  LEEA_TRY(internal::run_tool(mkfs, env));

  std::string script;
  if (tarball) {
    // Device nodes and FIFOs, which an unprivileged extraction cannot make. debugfs's mknod
    // takes a name in the current directory.
    for (const auto& e : entries) {
      const mode_t t = e.st.st_mode & S_IFMT;
      if (t != S_IFCHR && t != S_IFBLK && t != S_IFIFO) continue;
      size_t slash = e.path.rfind('/');
      std::string dir = slash == std::string::npos ? "" : e.path.substr(0, slash);
      std::string base = slash == std::string::npos ? e.path : e.path.substr(slash + 1);
      script += fmt::format("cd \"/{}\"\n", dir);
      script += t == S_IFIFO
                    ? fmt::format("mknod \"{}\" p\n", base)
                    : fmt::format("mknod \"{}\" {} {} {}\n", base, t == S_IFCHR ? 'c' : 'b',
                                  major(e.st.st_rdev), minor(e.st.st_rdev));
      script += "cd /\n";
    }
  }
  // Owners and modes as the archive records them (a tree's are already copied); fixed
  // times: atime and ctime at the epoch, mtime clamped to it.
  auto fix = [&](const std::string& path, const struct stat& st) {
    if (tarball && !S_ISLNK(st.st_mode)) {
      script += fmt::format("sif \"/{}\" uid {}\nsif \"/{}\" gid {}\nsif \"/{}\" mode 0{:o}\n",
                            path, st.st_uid, path, st.st_gid, path, st.st_mode);
    } else if (tarball) {
      script +=
          fmt::format("sif \"/{}\" uid {}\nsif \"/{}\" gid {}\n", path, st.st_uid, path, st.st_gid);
    }
    int64_t mtime = std::min<int64_t>(st.st_mtim.tv_sec, epoch_value);
    script += fmt::format("sif \"/{}\" atime @{}\nsif \"/{}\" ctime @{}\nsif \"/{}\" mtime @{}\n",
                          path, epoch, path, epoch, path, mtime);
  };
  fix("", root);
  for (const auto& e : entries) fix(e.path, e.st);
  script += fmt::format("sif \"/lost+found\" atime @{}\n", epoch);
  LEEA_ASSIGN_OR_RETURN(std::string err,
                        internal::run_tool({"debugfs", "-w", "-f", "-", dev}, env, script));
  // debugfs exits 0 even when a command fails; anything but its banner is a failure.
  for (size_t pos = 0; pos < err.size();) {
    size_t nl = err.find('\n', pos);
    std::string line = err.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? err.size() : nl + 1;
    if (!line.empty() && line.rfind("debugfs ", 0) != 0) {
      return make_error(Errc::io, "debugfs (setting owners, modes and times) failed: " + line);
    }
  }
  LEEA_ASSIGN_OR_RETURN(std::string image_digest, file_digest(dev));
  LEEA_TRY(out.commit());
  BuildReport report;
  report.size = size;
  report.files = entries.size();
  report.uuid = uuid;
  report.source_date_epoch = epoch_value;
  report.input_digest = "sha256:" + digest;
  report.image_digest = "sha256:" + image_digest;
  return report;
}

}  // namespace leea::disk
