#include "core/util/files.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <string>
#include <vector>

#include "core/util/files_internal.h"
#include "tests/support/temp_dir.h"

namespace leea {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) {
    names.push_back(e.path().filename().string());
  }
  return names;
}

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

TEST(PositionalIo, WritesAndReadsAtOffsetsAndStopsAtEndOfFile) {
  test::TempDir dir;
  auto path = (dir / "f").string();
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  std::vector<uint8_t> data(100000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 7);
  ASSERT_TRUE(pwrite_all(fd, data, 4096, "f"));
  std::vector<uint8_t> back(data.size() + 10);  // asks for more than the file holds
  auto got = pread_full(fd, back, 4096, "f");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(*got, data.size());
  EXPECT_TRUE(std::equal(data.begin(), data.end(), back.begin()));
  ::close(fd);
  auto bad = pread_full(fd, back, 0, "closed");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "closed: Bad file descriptor");
  EXPECT_EQ(pwrite_all(fd, data, 0, "closed").error().message, "closed: Bad file descriptor");
}

TEST(AtomicFile, UncommittedLeavesNoFileAndNoTemporary) {
  test::TempDir dir;
  {
    auto f = AtomicFile::open(dir / "out");
    ASSERT_TRUE(f) << f.error().message;
    ASSERT_TRUE(f->write(std::string_view("half-written")));
    EXPECT_TRUE(entries(dir.path()).empty());  // the temporary has no name
  }
  EXPECT_FALSE(fs::exists(dir / "out"));
  EXPECT_TRUE(entries(dir.path()).empty());
}

TEST(AtomicFile, DirectoryHoldsNothingButTheCommittedFileAtAnyTime) {
  test::TempDir dir;
  for (auto mode : {AtomicFile::Mode::create_new, AtomicFile::Mode::replace}) {
    auto f = AtomicFile::open(dir / "secret", 0600, mode);
    ASSERT_TRUE(f) << f.error().message;
    EXPECT_TRUE(entries(dir.path()).empty());
    ASSERT_TRUE(f->write(std::string_view("key material")));
    EXPECT_TRUE(entries(dir.path()).empty());  // a killed process would leave nothing
    auto r = f->commit();
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(entries(dir.path()), std::vector<std::string>{"secret"});
    EXPECT_EQ(test::read_file(dir / "secret"), "key material");
    EXPECT_EQ(mode_of(dir / "secret"), 0600u);
    fs::remove(dir / "secret");
  }
}

TEST(AtomicFile, ReplaceKeepsTheOldFileAloneUntilCommit) {
  test::TempDir dir;
  test::write_file(dir / "out", "old");
  auto f = AtomicFile::open(dir / "out", 0600, AtomicFile::Mode::replace);
  ASSERT_TRUE(f);
  ASSERT_TRUE(f->write(std::string_view("new")));
  EXPECT_EQ(entries(dir.path()), std::vector<std::string>{"out"});
  EXPECT_EQ(test::read_file(dir / "out"), "old");
  ASSERT_TRUE(f->commit());
  EXPECT_EQ(entries(dir.path()), std::vector<std::string>{"out"});
  EXPECT_EQ(test::read_file(dir / "out"), "new");
}

TEST(AtomicFile, NamedFallbackTemporaryIsBesideTheTargetWithTheRequestedMode) {
  test::TempDir dir;
  {
    auto f =
        internal::AtomicFileTestAccess::open_named(dir / "out", 0600, AtomicFile::Mode::create_new);
    ASSERT_TRUE(f);
    auto names = entries(dir.path());
    ASSERT_EQ(names.size(), 1u);
    EXPECT_EQ(names[0].rfind("out.tmp-", 0), 0u) << names[0];
    EXPECT_EQ(mode_of(dir / names[0]), 0600u);
  }
  EXPECT_TRUE(entries(dir.path()).empty());  // removed when not committed
}

TEST(AtomicFile, NamedFallbackCommitsLikeTheUnnamedTemporary) {
  test::TempDir dir;
  test::write_file(dir / "taken", "precious");
  using Access = internal::AtomicFileTestAccess;
  auto refused = Access::open_named(dir / "taken", 0600, AtomicFile::Mode::create_new);
  ASSERT_TRUE(refused);
  auto r = refused->commit();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, (dir / "taken").string() + ": File exists");
  for (auto mode : {AtomicFile::Mode::create_new, AtomicFile::Mode::replace}) {
    auto f = Access::open_named(dir / "out", 0640, mode);
    ASSERT_TRUE(f);
    ASSERT_TRUE(f->write(std::string_view("x")));
    ASSERT_TRUE(f->commit());
    EXPECT_EQ(test::read_file(dir / "out"), "x");
    EXPECT_EQ(mode_of(dir / "out"), 0640u);
  }
  auto names = entries(dir.path());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"out", "taken"}));
  EXPECT_EQ(test::read_file(dir / "taken"), "precious");
}

TEST(AtomicFile, ReplaceRefusesAnythingButARegularFile) {
  test::TempDir dir;
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0600), 0);
  fs::create_directory(dir / "dir");
  test::write_file(dir / "target", "t");
  fs::create_symlink(dir / "target", dir / "link");
  for (const char* name : {"fifo", "dir", "link"}) {
    auto f = AtomicFile::open(dir / name, 0600, AtomicFile::Mode::replace);
    ASSERT_FALSE(f) << name;
    EXPECT_EQ(f.error().code, Errc::io);
    EXPECT_EQ(f.error().message,
              (dir / name).string() + ": not a regular file; refusing to replace it");
  }
  EXPECT_EQ(test::read_file(dir / "target"), "t");
  EXPECT_TRUE(fs::is_symlink(dir / "link"));
  EXPECT_TRUE(fs::is_fifo(dir / "fifo"));
}

TEST(CheckOutputPath, AcceptsAMissingFileAndARegularFileOnlyWhenReplacing) {
  test::TempDir dir;
  EXPECT_TRUE(check_output_path(dir / "missing", false));
  EXPECT_TRUE(check_output_path(dir / "missing", true));
  test::write_file(dir / "file", "x");
  EXPECT_TRUE(check_output_path(dir / "file", true));
  auto r = check_output_path(dir / "file", false);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::io);
  EXPECT_EQ(r.error().message,
            (dir / "file").string() + ": already exists (use --force to replace)");
}

TEST(CheckOutputPath, RefusesADeviceNodeEvenWhenReplacing) {
  for (bool replace : {false, true}) {
    auto r = check_output_path("/dev/null", replace);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "/dev/null: not a regular file; refusing to replace it");
  }
}

TEST(AtomicFile, CommitPublishesContentWithTheRequestedMode) {
  test::TempDir dir;
  for (unsigned perms : {0600u, 0644u, 0400u}) {
    fs::path target = dir / ("out-" + std::to_string(perms));
    auto f = AtomicFile::open(target, perms);
    ASSERT_TRUE(f);
    ASSERT_TRUE(f->write(std::string_view("line 1\n")));
    ASSERT_TRUE(f->write(std::vector<uint8_t>{'x', '\n'}));
    auto r = f->commit();
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(test::read_file(target), "line 1\nx\n");
    EXPECT_EQ(mode_of(target), perms);
  }
  EXPECT_EQ(entries(dir.path()).size(), 3u);  // no temporaries left
}

TEST(AtomicFile, ModeIgnoresTheUmask) {
  test::TempDir dir;
  mode_t old = ::umask(0077);
  auto f = AtomicFile::open(dir / "shared", 0644);
  ::umask(old);
  ASSERT_TRUE(f);
  ASSERT_TRUE(f->commit());
  EXPECT_EQ(mode_of(dir / "shared"), 0644u);
}

TEST(AtomicFile, ReplaceOverwritesAnExistingFile) {
  test::TempDir dir;
  test::write_file(dir / "out", "old");
  auto f = AtomicFile::open(dir / "out", 0600, AtomicFile::Mode::replace);
  ASSERT_TRUE(f);
  ASSERT_TRUE(f->write(std::string_view("new")));
  ASSERT_TRUE(f->commit());
  EXPECT_EQ(test::read_file(dir / "out"), "new");
}

TEST(AtomicFile, CreateNewRefusesToOverwriteAndLeavesTheFileIntact) {
  test::TempDir dir;
  test::write_file(dir / "share.txt", "precious");
  auto f = AtomicFile::open(dir / "share.txt", 0600, AtomicFile::Mode::create_new);
  ASSERT_TRUE(f);
  ASSERT_TRUE(f->write(std::string_view("replacement")));
  auto r = f->commit();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::io);
  EXPECT_EQ(r.error().message, (dir / "share.txt").string() + ": File exists");
  EXPECT_EQ(test::read_file(dir / "share.txt"), "precious");
  EXPECT_EQ(entries(dir.path()), std::vector<std::string>{"share.txt"});
}

TEST(AtomicFile, CreateNewCreatesAMissingFile) {
  test::TempDir dir;
  auto f = AtomicFile::open(dir / "new", 0600, AtomicFile::Mode::create_new);
  ASSERT_TRUE(f);
  ASSERT_TRUE(f->write(std::string_view("x")));
  ASSERT_TRUE(f->commit());
  EXPECT_EQ(test::read_file(dir / "new"), "x");
  EXPECT_EQ(entries(dir.path()), std::vector<std::string>{"new"});
}

TEST(AtomicFile, WriteOrCommitAfterCommitFails) {
  test::TempDir dir;
  auto f = AtomicFile::open(dir / "out");
  ASSERT_TRUE(f);
  ASSERT_TRUE(f->commit());
  auto w = f->write(std::string_view("late"));
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().code, Errc::internal);
  auto c = f->commit();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, Errc::internal);
}

TEST(AtomicFile, OpenInAMissingDirectoryNamesThePath) {
  test::TempDir dir;
  auto f = AtomicFile::open(dir / "no" / "such" / "file");
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code, Errc::io);
  EXPECT_EQ(f.error().message,
            (dir / "no" / "such" / "file").string() + ": No such file or directory");
}

TEST(AtomicFile, MovedFromObjectDoesNotDiscardTheTemporary) {
  test::TempDir dir;
  auto f = AtomicFile::open(dir / "out");
  ASSERT_TRUE(f);
  AtomicFile moved = std::move(*f);
  ASSERT_TRUE(moved.write(std::string_view("kept")));
  {
    AtomicFile gone = std::move(moved);
    ASSERT_TRUE(gone.commit());
  }
  EXPECT_EQ(test::read_file(dir / "out"), "kept");
}

TEST(ReadFile, ReadsTheWholeFile) {
  test::TempDir dir;
  std::string content(200000, 'a');
  content.back() = 'z';
  test::write_file(dir / "f", content);
  auto r = read_file(dir / "f", content.size());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, content);
}

TEST(ReadFile, RefusesFilesOverTheLimitNamingTheFile) {
  test::TempDir dir;
  test::write_file(dir / "f", "12345");
  auto r = read_file(dir / "f", 4);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_data);
  EXPECT_EQ(r.error().message, (dir / "f").string() + ": larger than 4 bytes");
}

TEST(ReadFile, ReportsAMissingFileAsAnIoError) {
  test::TempDir dir;
  auto r = read_file(dir / "missing", 10);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::io);
  EXPECT_EQ(r.error().message, (dir / "missing").string() + ": No such file or directory");
}

TEST(ReadFull, StopsAtEndOfFile) {
  test::TempDir dir;
  test::write_file(dir / "f", "abc");
  int fd = ::open((dir / "f").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  std::vector<uint8_t> buf(10);
  auto n = read_full(fd, buf);
  ::close(fd);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 3u);
  EXPECT_EQ(std::string(buf.begin(), buf.begin() + 3), "abc");
}

TEST(ReadFull, ReadsAcrossShortPipeReads) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ASSERT_TRUE(write_all(fds[1], std::string_view("ab")));
  ASSERT_TRUE(write_all(fds[1], std::string_view("cd")));
  ::close(fds[1]);
  std::vector<uint8_t> buf(4);
  auto n = read_full(fds[0], buf);
  ::close(fds[0]);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 4u);
  EXPECT_EQ(std::string(buf.begin(), buf.end()), "abcd");
}

TEST(WriteAll, ReportsAClosedPipe) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ::close(fds[0]);
  // Without a reader, write(2) fails with EPIPE (SIGPIPE is ignored for the test).
  auto old = ::signal(SIGPIPE, SIG_IGN);
  auto r = write_all(fds[1], std::string_view("x"));
  ::signal(SIGPIPE, old);
  ::close(fds[1]);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::io);
  EXPECT_EQ(r.error().message, "write: Broken pipe");
}

TEST(ErrnoError, FormatsWhatAndTheSystemMessage) {
  Error e = errno_error("shares.txt", ENOENT);
  EXPECT_EQ(e.code, Errc::io);
  EXPECT_EQ(e.message, "shares.txt: No such file or directory");
}

}  // namespace
}  // namespace leea
