// leea: one binary, one subcommand group per file. Parsing happens here; the chosen
// subcommand runs after parsing, and its Error becomes one line on stderr and an exit code.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "cmd/commands.h"
#include "core/util/log.h"
#include "core/util/version.h"

int main(int argc, char** argv) {
  // tpm2-tss logs every TPM error response to stderr, including the ones leea expects (an
  // EK certificate index that does not exist); leea reports what matters itself. Set
  // TSS2_LOG to see tpm2-tss's own log.
  setenv("TSS2_LOG", "all+none", /*overwrite=*/0);
  CLI::App app{
      "leea launches confidential VMs whose disks open only after remote attestation.\n"
      "\n"
      "Examples:\n"
      "  leea key split --threshold 3 --shares 5 --in secret.bin > shares.txt\n"
      "  head -n 3 shares.txt | leea key combine --out secret.bin\n"
      "\n"
      "Run 'leea COMMAND --help' for a command's options, 'man leea' for exit codes.",
      "leea"};
  app.set_version_flag("--version", fmt::format("leea {}", leea::kVersion));
  app.require_subcommand(1, 1);
  app.fallthrough();
  int verbose = 0;
  bool quiet = false;
  app.add_flag("-v,--verbose", verbose, "More diagnostics on stderr (-vv for debug)");
  app.add_flag("-q,--quiet", quiet, "Errors only on stderr");

  leea::cmd::Selected selected;
  leea::cmd::register_key_commands(app, selected);
  leea::cmd::register_validator_commands(app, selected);
  leea::cmd::register_order_commands(app, selected);
  leea::cmd::register_attest_commands(app, selected);
  leea::cmd::register_pool_commands(app, selected);
  leea::cmd::register_evidence_commands(app, selected);
  leea::cmd::register_tpm_commands(app, selected);
  leea::cmd::register_image_commands(app, selected);
  leea::cmd::register_initramfs_commands(app, selected);
  leea::cmd::register_vm_commands(app, selected);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // CLI11's own exit codes never leak: every parse error is a usage error (2), reported
    // on one line like every other error.
    std::string message = e.what();
    std::replace(message.begin(), message.end(), '\n', ' ');
    std::fprintf(stderr, "leea: error: %s (run 'leea --help')\n", message.c_str());
    return 2;
  }

  leea::log::set_level(quiet          ? leea::log::Level::error
                       : verbose >= 2 ? leea::log::Level::debug
                       : verbose == 1 ? leea::log::Level::info
                                      : leea::log::Level::warn);
  if (!selected.run) {
    std::fprintf(stderr, "leea: error: no command given\n%s", app.help().c_str());
    return 2;
  }
  try {
    leea::Result<void> r = selected.run();
    if (!r) {
      std::fprintf(stderr, "leea: error: %s: %s\n", selected.name.c_str(),
                   r.error().message.c_str());
      return leea::exit_code(r.error().code);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "leea: error: %s: internal error: %s\n", selected.name.c_str(), e.what());
    return 1;
  }
  return 0;
}
