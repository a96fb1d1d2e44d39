// leea key split / leea key combine: Shamir's secret sharing on any secret or file.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cmd/commands.h"
#include "core/crypto/random.h"
#include "core/crypto/secret_bytes.h"
#include "core/shamir/stream.h"
#include "core/util/files.h"
#include "core/util/progress.h"

namespace leea::cmd {
namespace {

struct SplitOptions {
  int threshold = 0;  // required
  int shares = 0;     // required
  std::string in = "-";
  std::string out_dir;
  std::string format = "leea";
  bool force = false;
  bool json = false;
};

struct CombineOptions {
  std::string format = "leea";
  std::string out;
  std::vector<std::string> share_files;
  bool force = false;
  bool json = false;
};

Result<std::unique_ptr<shamir::ByteSource>> open_input(const std::string& path, uint64_t* size) {
  if (path == "-") {
    *size = 0;
    return shamir::fd_source(STDIN_FILENO, false);
  }
  struct stat st {};
  LEEA_ASSIGN_OR_RETURN(int fd, open_readable(path, &st));
  *size = S_ISREG(st.st_mode) ? static_cast<uint64_t>(st.st_size) : 0;
  return shamir::fd_source(fd, true);
}

// CLI11 check: an empty name would otherwise mean "not given".
CLI::Validator not_empty(const char* what) {
  return CLI::Validator(
      [what](std::string& s) { return s.empty() ? std::string(what) + " must not be empty" : ""; },
      what);
}

Result<void> print_json(const nlohmann::json& j) {
  return write_all(STDOUT_FILENO, j.dump(2) + "\n");
}

Result<void> run_split(const SplitOptions& o) {
  crypto::harden_process();
  LEEA_ASSIGN_OR_RETURN(auto format, shamir::parse_share_format(o.format));
  if (o.json && o.out_dir.empty()) {
    return make_error(Errc::usage, "--json needs --out-dir (shares themselves never go in JSON)");
  }
  uint64_t size = 0;
  LEEA_ASSIGN_OR_RETURN(auto input, open_input(o.in, &size));
  Progress progress("split", size);
  shamir::SplitOptions opts;
  opts.params = {o.threshold, o.shares};
  opts.format = format;
  opts.progress = [&](uint64_t done) { progress.update(done); };
  if (!o.out_dir.empty()) {
    LEEA_ASSIGN_OR_RETURN(auto files, shamir::split_to_dir(*input, opts, o.out_dir, o.force,
                                                           crypto::system_random()));
    progress.finish();
    if (o.json) {
      return print_json({{"split_id", shamir::split_id_text(files.summary.split_id)},
                         {"threshold", o.threshold},
                         {"shares", o.shares},
                         {"format", o.format},
                         {"secret_bytes", files.summary.secret_bytes},
                         {"files", files.paths}});
    }
    return {};
  }
  opts.too_large_hint = "use --out-dir DIR to write them to files";
  LEEA_TRY(shamir::split_to_fd(*input, opts, STDOUT_FILENO, crypto::system_random()));
  progress.finish();
  return {};
}

Result<void> run_combine(const CombineOptions& o) {
  crypto::harden_process();
  LEEA_ASSIGN_OR_RETURN(auto format, shamir::parse_share_format(o.format));
  const bool to_stdout = o.out.empty() || o.out == "-";
  if (o.json && to_stdout) {
    return make_error(Errc::usage, "--json needs --out FILE (standard output carries the secret)");
  }
  if (to_stdout && ::isatty(STDOUT_FILENO) == 1) {
    return make_error(Errc::usage,
                      "refusing to print the secret on a terminal; use --out FILE or a pipe");
  }
  if (!to_stdout) {
    LEEA_TRY(check_output_path(o.out, o.force));  // before any work
  }
  std::vector<std::string> files = o.share_files;
  if (files.empty()) {
    files.push_back("-");
  }
  LEEA_ASSIGN_OR_RETURN(auto inputs, shamir::open_share_inputs(files));
  if (to_stdout) {
    shamir::FdSecretSink sink(STDOUT_FILENO, /*can_discard=*/false);
    LEEA_TRY(shamir::combine_stream(inputs, format, sink));
    return {};
  }
  const auto mode = o.force ? AtomicFile::Mode::replace : AtomicFile::Mode::create_new;
  LEEA_ASSIGN_OR_RETURN(AtomicFile out, AtomicFile::open(o.out, 0600, mode));
  shamir::FdSecretSink sink(out.fd(), /*can_discard=*/true);
  LEEA_ASSIGN_OR_RETURN(auto summary, shamir::combine_stream(inputs, format, sink));
  LEEA_TRY(out.commit());
  if (o.json) {
    nlohmann::json j = {{"out", o.out},
                        {"format", o.format},
                        {"secret_bytes", summary.secret_bytes},
                        {"shares_used", summary.shares_used},
                        {"shares_checked", summary.shares_checked}};
    if (format == shamir::ShareFormat::leea) {
      j["split_id"] = summary.split_id;
      j["threshold"] = summary.threshold;
    }
    return print_json(j);
  }
  return {};
}

}  // namespace

void register_key_commands(CLI::App& app, Selected& selected) {
  CLI::App* key = app.add_subcommand("key", "Split a secret into shares and combine them");
  key->require_subcommand(1, 1);

  auto so = std::make_shared<SplitOptions>();
  CLI::App* split = add_command(
      *key, "split", "Split a secret into N shares, any K of which recover it",
      "Shamir's secret sharing over GF(2^8), each byte its own polynomial.\n"
      "The secret is read from --in FILE or standard input, never from arguments.\n"
      "\n"
      "Examples:\n"
      "  leea key split --threshold 3 --shares 5 < secret.bin > shares.txt\n"
      "  leea key split -k 2 -n 3 --in disk.key --out-dir shares/   # shares/share-1..3\n"
      "  leea key split -k 3 -n 5 --format vault < unseal.key       # Vault unseal keys");
  split->add_option("-k,--threshold", so->threshold, "Shares needed to recover (2..255)")
      ->required();
  split->add_option("-n,--shares", so->shares, "Shares to make (threshold..255)")->required();
  split->add_option("--in", so->in, "Secret file ('-' = standard input)");
  split
      ->add_option("--out-dir", so->out_dir,
                   "Write DIR/share-<x> files (mode 0600) instead of printing one share a line")
      ->check(not_empty("DIR"));
  split->add_option("--format", so->format, "leea (default) or vault");
  split->add_flag("--force", so->force, "Replace existing share files");
  split->add_flag("--json", so->json, "With --out-dir: print a JSON summary on stdout");
  split->callback(select(selected, "key split", [so] { return run_split(*so); }));

  auto co = std::make_shared<CombineOptions>();
  CLI::App* combine = add_command(
      *key, "combine", "Recover a secret from shares",
      "Recovers a secret from shares given as files or on standard input, one per line.\n"
      "Refuses, naming the share: too few shares, a duplicate, shares of another split, a\n"
      "bad checksum; shares beyond the threshold must agree with the others.\n"
      "\n"
      "Examples:\n"
      "  head -n 3 shares.txt | leea key combine --out secret.bin\n"
      "  leea key combine --out disk.key shares/share-1 shares/share-4 shares/share-5\n"
      "  leea key combine < shares.txt | cryptsetup open --key-file - image.luks data");
  combine->add_option("share_files", co->share_files,
                      "Share files (default: standard input; '-' = standard input)");
  combine
      ->add_option("--out", co->out,
                   "Write the secret to FILE (mode 0600) instead of stdout ('-' = stdout)")
      ->check(not_empty("FILE"));
  combine->add_option("--format", co->format, "leea (default) or vault");
  combine->add_flag("--force", co->force, "Replace an existing --out file");
  combine->add_flag("--json", co->json, "With --out: print a JSON summary on stdout");
  combine->callback(select(selected, "key combine", [co] { return run_combine(*co); }));
}

}  // namespace leea::cmd
