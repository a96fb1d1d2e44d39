// `leea image build` end to end: reproducibility (two builds, byte-identical, whatever the
// order in which the tree was made), and the image's contents read back with e2fsprogs'
// own e2fsck and debugfs rather than with leea.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace leea::test {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kEpoch = 1700000000;

std::string tool(const std::string& name) {
  for (const char* dir : {"/usr/sbin", "/usr/bin", "/sbin", "/bin"}) {
    fs::path p = fs::path(dir) / name;
    if (fs::exists(p)) return p.string();
  }
  return "";
}

void set_mtime(const fs::path& p, int64_t t) {
  timespec ts[2] = {{t, 0}, {t, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, p.c_str(), ts, AT_SYMLINK_NOFOLLOW), 0) << p;
}

// The same tree, its entries created in the given order, every mtime pinned.
void make_tree(const fs::path& root, bool reverse) {
  fs::create_directories(root);
  std::vector<std::string> names = {"a.txt", "b.bin", "c.txt"};
  if (reverse) std::reverse(names.begin(), names.end());
  for (const auto& n : names) write_file(root / n, "content of " + n + "\n");
  fs::create_directories(root / "etc" / "conf.d");
  write_file(root / "etc" / "conf.d" / "x.conf", "x = 1\n");
  fs::create_symlink("../a.txt", root / "etc" / "link");
  fs::permissions(root / "b.bin", fs::perms(0750));
  for (const char* p :
       {"a.txt", "b.bin", "c.txt", "etc/conf.d/x.conf", "etc/link", "etc/conf.d", "etc", ""}) {
    set_mtime(root / p, kEpoch - 1000);
  }
}

RunResult build(const fs::path& from, const fs::path& out, int64_t epoch = kEpoch,
                const std::vector<std::string>& extra = {}) {
  std::vector<std::string> a = {"/usr/bin/env", "SOURCE_DATE_EPOCH=" + std::to_string(epoch),
                                LEEA_BINARY,    "image",
                                "build",        "--from",
                                from.string(),  "-o",
                                out.string(),   "--label",
                                "rootfs"};
  a.insert(a.end(), extra.begin(), extra.end());
  return run(a);
}

class ImageBuild : public ::testing::Test {
 protected:
  void SetUp() override {
    if (tool("mke2fs").empty() || tool("debugfs").empty()) {
      GTEST_SKIP() << "e2fsprogs not installed";
    }
  }
  TempDir dir_;
};

TEST_F(ImageBuild, TwoBuildsOfTheSameTreeAreByteIdentical) {
  make_tree(dir_ / "one", false);
  make_tree(dir_ / "two", true);
  auto a = build(dir_ / "one", dir_ / "a.raw");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  // Reading the tree (atimes move) and building a copy made in another order.
  auto b = build(dir_ / "two", dir_ / "b.raw");
  ASSERT_EQ(b.exit_code, 0) << b.err;
  auto c = build(dir_ / "one", dir_ / "c.raw");
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(read_file(dir_ / "a.raw"), read_file(dir_ / "b.raw"));
  EXPECT_EQ(read_file(dir_ / "a.raw"), read_file(dir_ / "c.raw"));
  // The printed digest is the image's (checked with an independent tool).
  auto sum = run({tool("sha256sum"), (dir_ / "a.raw").string()});
  ASSERT_EQ(sum.exit_code, 0);
  EXPECT_NE(a.out.find("sha256:" + sum.out.substr(0, 64)), std::string::npos) << a.out;
}

TEST_F(ImageBuild, AnotherEpochOrContentGivesAnotherImage) {
  make_tree(dir_ / "t", false);
  ASSERT_EQ(build(dir_ / "t", dir_ / "a.raw").exit_code, 0);
  ASSERT_EQ(build(dir_ / "t", dir_ / "b.raw", kEpoch + 1).exit_code, 0);
  EXPECT_NE(read_file(dir_ / "a.raw"), read_file(dir_ / "b.raw"));
  write_file(dir_ / "t" / "a.txt", "other content\n");
  set_mtime(dir_ / "t" / "a.txt", kEpoch - 1000);
  ASSERT_EQ(build(dir_ / "t", dir_ / "c.raw").exit_code, 0);
  EXPECT_NE(read_file(dir_ / "a.raw"), read_file(dir_ / "c.raw"));
}

TEST_F(ImageBuild, E2fsckAcceptsItAndDebugfsReadsTheTreeBack) {
  make_tree(dir_ / "t", false);
  bool have_dev = ::mknod((dir_ / "t" / "null").c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0;
  auto r = build(dir_ / "t", dir_ / "a.raw");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto fsck = run({tool("e2fsck"), "-f", "-n", (dir_ / "a.raw").string()});
  EXPECT_EQ(fsck.exit_code, 0) << fsck.out << fsck.err;

  auto debugfs = [&](const std::string& cmd) {
    return run({tool("debugfs"), "-R", cmd, (dir_ / "a.raw").string()}).out;
  };
  EXPECT_EQ(debugfs("cat /etc/conf.d/x.conf"), "x = 1\n");
  EXPECT_EQ(debugfs("cat /a.txt"), "content of a.txt\n");
  auto link = debugfs("stat /etc/link");
  EXPECT_NE(link.find("Type: symlink"), std::string::npos) << link;
  EXPECT_NE(link.find("Fast link dest: \"../a.txt\""), std::string::npos) << link;
  auto bin = debugfs("stat /b.bin");
  EXPECT_NE(bin.find("Mode:  0750"), std::string::npos) << bin;
  char user[32];
  std::snprintf(user, sizeof user, "User: %5u", ::getuid());  // debugfs's own format
  EXPECT_NE(bin.find(user), std::string::npos) << bin;
  // Fixed times: atime and ctime at the epoch, mtime (older) kept.
  EXPECT_NE(bin.find(" ctime: 0x6553f100"), std::string::npos) << bin;
  EXPECT_NE(bin.find(" atime: 0x6553f100"), std::string::npos) << bin;
  EXPECT_NE(bin.find(" mtime: 0x6553ed18"), std::string::npos) << bin;
  auto label = run({tool("dumpe2fs"), "-h", (dir_ / "a.raw").string()});
  EXPECT_NE(label.out.find("Filesystem volume name:   rootfs"), std::string::npos) << label.out;
  if (have_dev) {
    auto dev = debugfs("stat /null");
    EXPECT_NE(dev.find("Type: character special"), std::string::npos) << dev;
    EXPECT_NE(dev.find("Device major/minor number: 01:03"), std::string::npos) << dev;
  } else {
    std::printf("mknod not permitted here: device nodes not checked\n");
  }
}

TEST_F(ImageBuild, BadInputsAreNamed) {
  auto missing = build(dir_ / "nope", dir_ / "a.raw");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "leea: error: image build: " + (dir_ / "nope").string() +
                             ": No such file or directory\n");

  make_tree(dir_ / "t", false);
  write_file(dir_ / "a.raw", "keep");
  auto exists = build(dir_ / "t", dir_ / "a.raw");
  EXPECT_EQ(exists.exit_code, 1);
  EXPECT_EQ(exists.err, "leea: error: image build: " + (dir_ / "a.raw").string() +
                            ": already exists (use --force to replace)\n");
  EXPECT_EQ(read_file(dir_ / "a.raw"), "keep");
  EXPECT_EQ(build(dir_ / "t", dir_ / "a.raw", kEpoch, {"--force"}).exit_code, 0);

  auto bad_size = build(dir_ / "t", dir_ / "b.raw", kEpoch, {"--size", "12X"});
  EXPECT_EQ(bad_size.exit_code, 2);
  EXPECT_EQ(bad_size.err,
            "leea: error: image build: --size: '12X' is not 'auto' or a size like 512M\n");

  write_file(dir_ / "t" / "big", std::string(2u << 20, 'x'));
  auto small = build(dir_ / "t", dir_ / "c.raw", kEpoch, {"--size", "1M"});
  EXPECT_EQ(small.exit_code, 1);
  EXPECT_EQ(small.err.rfind("leea: error: image build: mke2fs failed (exit 1): ", 0), 0u)
      << small.err;
  EXPECT_FALSE(fs::exists(dir_ / "b.raw"));
  EXPECT_FALSE(fs::exists(dir_ / "c.raw"));
}

}  // namespace
}  // namespace leea::test

namespace leea::test {
namespace {

// A tarball written by Python's tarfile module (an independent writer), with owners, a
// set-uid file, a hard link, device nodes, a FIFO, a symlink and a long (pax) name.
const char* kMakeTar = R"py(
import io, sys, tarfile
t = tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT)
def add(name, kind, data=b"", mode=0o644, uid=1000, gid=1000, **kw):
    ti = tarfile.TarInfo(name)
    ti.type, ti.mode, ti.uid, ti.gid, ti.mtime, ti.size = kind, mode, uid, gid, 1600000000, len(data)
    for k, v in kw.items():
        setattr(ti, k, v)
    t.addfile(ti, io.BytesIO(data) if data else None)
add("./", tarfile.DIRTYPE, mode=0o755, uid=0, gid=0)
add("./etc", tarfile.DIRTYPE, mode=0o755, uid=0, gid=0)
add("./etc/shadow", tarfile.REGTYPE, b"secret\n", mode=0o640, uid=0, gid=42)
add("./home/user/a file", tarfile.REGTYPE, b"hello\n", mode=0o600)
add("./bin/su", tarfile.REGTYPE, b"ELF", mode=0o4755, uid=0, gid=0)
add("./bin/su2", tarfile.LNKTYPE, linkname="bin/su", mode=0o4755, uid=0, gid=0)
add("./dev/null", tarfile.CHRTYPE, mode=0o666, uid=0, gid=0, devmajor=1, devminor=3)
add("./dev/sda", tarfile.BLKTYPE, mode=0o660, uid=0, gid=6, devmajor=8, devminor=0)
add("./run/fifo", tarfile.FIFOTYPE, mode=0o600, uid=0, gid=0)
add("./lib", tarfile.SYMTYPE, linkname="usr/lib", mode=0o777, uid=0, gid=0)
add("./" + "x" * 120 + "/long", tarfile.REGTYPE, b"long\n", uid=123456, gid=5)
t.close()
)py";

class ImageBuildTar : public ImageBuild {
 protected:
  void SetUp() override {
    ImageBuild::SetUp();
    if (IsSkipped()) return;
    if (tool("python3").empty()) GTEST_SKIP() << "python3 not installed (it writes the tarball)";
    write_file(dir_ / "make_tar.py", kMakeTar);
    auto r = run({tool("python3"), (dir_ / "make_tar.py").string(), (dir_ / "t.tar").string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::string ls(const fs::path& image, const std::string& dir) {
    return run({tool("debugfs"), "-R", "ls -l \"" + dir + "\"", image.string()}).out;
  }
};

TEST_F(ImageBuildTar, KeepsRecordedOwnersModesLinksAndDeviceNodes) {
  auto r = build(dir_ / "t.tar", dir_ / "a.raw");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto fsck = run({tool("e2fsck"), "-f", "-n", (dir_ / "a.raw").string()});
  EXPECT_EQ(fsck.exit_code, 0) << fsck.out << fsck.err;
  // debugfs "ls -l": inode, mode (octal, with type), owner, group, size, date, name.
  auto has = [](const std::string& listing, const std::string& row) {
    return listing.find(row) != std::string::npos;
  };
  auto etc = ls(dir_ / "a.raw", "/etc");
  EXPECT_TRUE(has(etc, "100640 (1)      0     42       7")) << etc;
  auto home = ls(dir_ / "a.raw", "/home/user");
  EXPECT_TRUE(has(home, "100600 (1)   1000   1000       6")) << home;
  auto bin = ls(dir_ / "a.raw", "/bin");
  EXPECT_TRUE(has(bin, "104755 (1)      0      0       3")) << bin;
  auto dev = ls(dir_ / "a.raw", "/dev");
  EXPECT_TRUE(has(dev, "20666 (3)      0      0       0")) << dev;
  EXPECT_TRUE(has(dev, "60660 (4)      0      6       0")) << dev;
  auto run_dir = ls(dir_ / "a.raw", "/run");
  EXPECT_TRUE(has(run_dir, "10600 (5)      0      0       0")) << run_dir;
  auto root = ls(dir_ / "a.raw", "/");
  EXPECT_TRUE(has(root, "120777 (7)      0      0       7")) << root;
  auto null = run({tool("debugfs"), "-R", "stat /dev/null", (dir_ / "a.raw").string()}).out;
  EXPECT_NE(null.find("Device major/minor number: 01:03"), std::string::npos) << null;
  // The two names of the hard link share one inode.
  auto su = run({tool("debugfs"), "-R", "stat /bin/su", (dir_ / "a.raw").string()}).out;
  EXPECT_NE(su.find("Links: 2"), std::string::npos) << su;
  auto cat = run({tool("debugfs"), "-R", "cat \"/home/user/a file\"", (dir_ / "a.raw").string()});
  EXPECT_EQ(cat.out, "hello\n");
}

TEST_F(ImageBuildTar, TwoBuildsOfTheSameTarballAreByteIdentical) {
  ASSERT_EQ(build(dir_ / "t.tar", dir_ / "a.raw").exit_code, 0);
  ASSERT_EQ(build(dir_ / "t.tar", dir_ / "b.raw").exit_code, 0);
  EXPECT_EQ(read_file(dir_ / "a.raw"), read_file(dir_ / "b.raw"));
}

TEST_F(ImageBuildTar, UnprivilegedBuildIsTheSameImage) {
  if (::getuid() != 0 || tool("setpriv").empty()) {
    GTEST_SKIP() << "needs root (to drop to nobody) and setpriv";
  }
  fs::permissions(dir_.path(), fs::perms::all);
  fs::permissions(dir_ / "t.tar", fs::perms(0644));
  ASSERT_EQ(build(dir_ / "t.tar", dir_ / "root.raw").exit_code, 0);
  auto r =
      run({tool("setpriv"), "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/env",
           "SOURCE_DATE_EPOCH=" + std::to_string(kEpoch), LEEA_BINARY, "image", "build", "--from",
           (dir_ / "t.tar").string(), "-o", (dir_ / "nobody.raw").string(), "--label", "rootfs"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(fs::status(dir_ / "nobody.raw").permissions() & fs::perms::owner_write,
            fs::perms::owner_write);
  EXPECT_EQ(read_file(dir_ / "root.raw"), read_file(dir_ / "nobody.raw"))
      << "device nodes and owners must not depend on privileges";
}

TEST_F(ImageBuildTar, RefusesACompressedOrEscapingArchive) {
  auto gz =
      run({"/bin/sh", "-c",
           "gzip -c '" + (dir_ / "t.tar").string() + "' > '" + (dir_ / "t.tar.gz").string() + "'"});
  ASSERT_EQ(gz.exit_code, 0) << gz.err;
  auto r = build(dir_ / "t.tar.gz", dir_ / "a.raw");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "leea: error: image build: " + (dir_ / "t.tar.gz").string() +
                       ": gzip-compressed; decompress it first (a plain .tar)\n");

  write_file(dir_ / "evil.py",
             "import io, sys, tarfile\n"
             "t = tarfile.open(sys.argv[1], 'w')\n"
             "ti = tarfile.TarInfo('../escape'); ti.size = 2\n"
             "t.addfile(ti, io.BytesIO(b'x\\n'))\n"
             "t.close()\n");
  ASSERT_EQ(
      run({tool("python3"), (dir_ / "evil.py").string(), (dir_ / "evil.tar").string()}).exit_code,
      0);
  auto e = build(dir_ / "evil.tar", dir_ / "b.raw");
  EXPECT_EQ(e.exit_code, 3);
  EXPECT_EQ(e.err, "leea: error: image build: " + (dir_ / "evil.tar").string() +
                       ": ../escape: path: '..' is not allowed\n");
  EXPECT_FALSE(fs::exists(dir_ / "a.raw"));
  EXPECT_FALSE(fs::exists(dir_ / "b.raw"));
  EXPECT_FALSE(fs::exists(dir_.path().parent_path() / "escape"));
}

// Archives that try to write, or link, outside the staging directory through an entry
// that an earlier one made: each is refused at the entry named, leaves no image and no
// staging directory, and nothing changes in `outside`, the directory they aim at.
class ImageBuildHostileTar : public ImageBuildTar {
 protected:
  void SetUp() override {
    ImageBuildTar::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    fs::create_directories(outside_);
    write_file(outside_ / "secret", "secret\n");
    fs::create_directories(tmp_);
  }

  // The archive `body` describes: Python calling add(name, type, data, **TarInfo fields),
  // with OUT the absolute path of `outside`.
  fs::path archive(const std::string& name, const std::string& body) {
    write_file(dir_ / (name + ".py"),
               "import io, sys, tarfile\n"
               "OUT = sys.argv[2]\n"
               "t = tarfile.open(sys.argv[1], 'w', format=tarfile.PAX_FORMAT)\n"
               "def add(name, kind, data=b'', **kw):\n"
               "    ti = tarfile.TarInfo(name)\n"
               "    ti.type, ti.mode, ti.mtime, ti.size = kind, 0o644, 1600000000, len(data)\n"
               "    for k, v in kw.items():\n"
               "        setattr(ti, k, v)\n"
               "    t.addfile(ti, io.BytesIO(data) if data else None)\n" +
                   body + "t.close()\n");
    const fs::path tar = dir_ / (name + ".tar");
    auto r =
        run({tool("python3"), (dir_ / (name + ".py")).string(), tar.string(), outside_.string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return tar;
  }

  // Builds `tar` with the staging directory made under tmp_ and expects it refused with
  // "<tar>: <entry>: <why>".
  void expect_refused(const fs::path& tar, const std::string& entry, const std::string& why) {
    SCOPED_TRACE(tar.filename().string());
    const fs::path out = dir_ / (tar.stem().string() + ".raw");
    auto r = run({"/usr/bin/env", "TMPDIR=" + tmp_.string(),
                  "SOURCE_DATE_EPOCH=" + std::to_string(kEpoch), LEEA_BINARY, "image", "build",
                  "--from", tar.string(), "-o", out.string(), "--label", "rootfs"});
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_EQ(r.err,
              "leea: error: image build: " + tar.string() + ": " + entry + ": " + why + "\n");
    EXPECT_FALSE(fs::exists(out));
    EXPECT_TRUE(fs::is_empty(tmp_)) << "the staging directory is left behind";
    expect_outside_untouched();
  }

  void expect_outside_untouched() {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(outside_)) {
      names.push_back(e.path().filename().string());
    }
    EXPECT_EQ(names, std::vector<std::string>{"secret"});
    EXPECT_EQ(read_file(outside_ / "secret"), "secret\n");
    EXPECT_EQ(fs::hard_link_count(outside_ / "secret"), 1u);
  }

  const fs::path outside_ = dir_ / "outside";
  const fs::path tmp_ = dir_ / "tmp";
};

TEST_F(ImageBuildHostileTar, NothingIsWrittenThroughASymlinkedParent) {
  // An absolute and a relative symlink to `outside` (the stage is tmp_/leea-image-XXXXXX),
  // then a file, a directory and a deeper file under it.
  expect_refused(archive("abs_file",
                         "add('x', tarfile.SYMTYPE, linkname=OUT)\n"
                         "add('x/evil', tarfile.REGTYPE, b'pwned\\n')\n"),
                 "x/evil", "a parent is not a directory");
  expect_refused(archive("rel_file",
                         "add('./x', tarfile.SYMTYPE, linkname='../../outside')\n"
                         "add('./x/evil', tarfile.REGTYPE, b'pwned\\n')\n"),
                 "./x/evil", "a parent is not a directory");
  expect_refused(archive("abs_dir",
                         "add('x', tarfile.SYMTYPE, linkname=OUT)\n"
                         "add('x/sub', tarfile.DIRTYPE)\n"),
                 "x/sub/", "a parent is not a directory");
  expect_refused(archive("deep",
                         "add('a/x', tarfile.SYMTYPE, linkname=OUT)\n"
                         "add('a/x/sub/evil', tarfile.REGTYPE, b'pwned\\n')\n"),
                 "a/x/sub/evil", "a parent is not a directory");
  // A regular file is no parent directory either.
  expect_refused(archive("file_parent",
                         "add('f', tarfile.REGTYPE, b'f\\n')\n"
                         "add('f/g', tarfile.REGTYPE, b'g\\n')\n"),
                 "f/g", "a parent is not a directory");
}

TEST_F(ImageBuildHostileTar, NoEntryReplacesADirectory) {
  expect_refused(archive("by_file",
                         "add('d', tarfile.DIRTYPE)\n"
                         "add('d/f', tarfile.REGTYPE, b'f\\n')\n"
                         "add('d', tarfile.REGTYPE, b'x\\n')\n"),
                 "d", "replaces a directory");
  // A symlink in a directory's place would turn the later d/evil outward.
  expect_refused(archive("by_symlink",
                         "add('d', tarfile.DIRTYPE)\n"
                         "add('d', tarfile.SYMTYPE, linkname=OUT)\n"
                         "add('d/evil', tarfile.REGTYPE, b'pwned\\n')\n"),
                 "d", "replaces a directory");
  expect_refused(archive("by_link",
                         "add('f', tarfile.REGTYPE, b'f\\n')\n"
                         "add('d', tarfile.DIRTYPE)\n"
                         "add('d', tarfile.LNKTYPE, linkname='f')\n"),
                 "d", "replaces a directory");
}

TEST_F(ImageBuildHostileTar, HardLinksOnlyToRegularFilesAlreadyInTheArchive) {
  const std::string why = "hard link to a missing or non-regular file";
  expect_refused(archive("missing", "add('h', tarfile.LNKTYPE, linkname='nothere')\n"), "h", why);
  // The target comes later in the archive: missing when the link is made.
  expect_refused(archive("forward",
                         "add('h', tarfile.LNKTYPE, linkname='f')\n"
                         "add('f', tarfile.REGTYPE, b'f\\n')\n"),
                 "h", why);
  // A host file reached through a symlinked parent is not in the archive.
  expect_refused(archive("through_symlink",
                         "add('x', tarfile.SYMTYPE, linkname=OUT)\n"
                         "add('h', tarfile.LNKTYPE, linkname='x/secret')\n"),
                 "h", why);
  expect_refused(archive("to_dir",
                         "add('d', tarfile.DIRTYPE)\n"
                         "add('h', tarfile.LNKTYPE, linkname='d')\n"),
                 "h", why);
  expect_refused(archive("to_symlink",
                         "add('s', tarfile.SYMTYPE, linkname=OUT + '/secret')\n"
                         "add('h', tarfile.LNKTYPE, linkname='s')\n"),
                 "h", why);
  // A file replaced by a symlink is no longer a regular file.
  expect_refused(archive("replaced",
                         "add('f', tarfile.REGTYPE, b'f\\n')\n"
                         "add('f', tarfile.SYMTYPE, linkname=OUT + '/secret')\n"
                         "add('h', tarfile.LNKTYPE, linkname='f')\n"),
                 "h", why);
}

}  // namespace
}  // namespace leea::test
