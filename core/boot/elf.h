// The shared libraries an ELF executable needs, resolved the way the dynamic loader would
// find them on this machine, so that an initramfs carries exactly those.
//
// Reads the ELF64 little-endian program headers (ELF gABI, "Program Header"; System V
// x86-64 psABI): PT_INTERP names the loader, PT_DYNAMIC's DT_NEEDED entries name the
// libraries, DT_RUNPATH/DT_RPATH add directories, and the strings live in the segment
// holding DT_STRTAB. Each needed name is looked up in the RUNPATH, then the default
// directories of Debian's multiarch loader, and the libraries' own needs are resolved in
// turn. Bounded: files up to 256 MiB, 4096 program headers, 65536 dynamic entries, 512
// libraries in all. Stateless and thread-safe.
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "core/util/result.h"

namespace leea::boot {

struct ElfInfo {
  std::string interpreter;          // PT_INTERP, "" for a static executable
  std::vector<std::string> needed;  // DT_NEEDED names, in file order
  std::vector<std::string> runpath;
};

// Errc::invalid_data naming the field when the bytes are not a well-formed ELF64 LSB file.
Result<ElfInfo> read_elf(std::span<const uint8_t> bytes, const std::string& display_name);

struct ResolvedLibrary {
  std::string soname;          // the DT_NEEDED name ("libssl.so.3"), or the interpreter path
  std::filesystem::path path;  // where it was found (symlinks not followed)
};

// The interpreter and every library the files need, transitively, each once, sorted by
// path. search_dirs replaces the default directories when not empty (tests).
// Errc::invalid_data when a file is not ELF, Errc::io naming the
// library and who needs it when one cannot be found ("libfoo.so.1 (needed by leea): not
// found in /lib/x86_64-linux-gnu, ...").
Result<std::vector<ResolvedLibrary>> resolve_libraries(
    std::span<const std::filesystem::path> files, const std::vector<std::string>& search_dirs = {});

// Where the loader would find a library loaded by name at run time (dlopen), e.g. the TPM
// TCTI module: the first default directory holding it. Errc::io when none does.
Result<std::filesystem::path> find_library(const std::string& soname);

}  // namespace leea::boot
