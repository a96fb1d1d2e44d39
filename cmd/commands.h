// Registration of command groups with the CLI. main.cpp calls one register_* line per
// group; each group's file wires its subcommands to run_* functions that parse, call core/
// and print.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "core/util/result.h"

namespace leea::cmd {

// What the chosen subcommand will do once parsing succeeded. The name ("key split")
// prefixes its error messages.
struct Selected {
  std::string name;
  std::function<Result<void>()> run;
};

// Builds the callback that records the subcommand's action.
inline std::function<void()> select(Selected& s, std::string name,
                                    std::function<Result<void>()> run) {
  return [&s, name = std::move(name), run = std::move(run)] {
    s.name = name;
    s.run = run;
  };
}

// Adds a subcommand whose one-line summary is listed in its parent's help and whose details
// and examples follow its own options in `--help`.
inline CLI::App* add_command(CLI::App& parent, const std::string& name, const std::string& summary,
                             const std::string& details) {
  CLI::App* c = parent.add_subcommand(name, summary);
  c->footer("\n" + details);
  return c;
}

void register_key_commands(CLI::App& app, Selected& selected);
void register_validator_commands(CLI::App& app, Selected& selected);
void register_order_commands(CLI::App& app, Selected& selected);
void register_attest_commands(CLI::App& app, Selected& selected);
void register_pool_commands(CLI::App& app, Selected& selected);
void register_evidence_commands(CLI::App& app, Selected& selected);
void register_tpm_commands(CLI::App& app, Selected& selected);
void register_image_commands(CLI::App& app, Selected& selected);
void register_initramfs_commands(CLI::App& app, Selected& selected);
void register_vm_commands(CLI::App& app, Selected& selected);
// `leea image measure`, added to the image group by register_image_commands.
void add_image_measure(CLI::App& image, Selected& selected);

}  // namespace leea::cmd
