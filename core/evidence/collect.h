// Measurement collection (DESIGN §4): what a VM measures about itself before it attests,
// as an ordered event log whose digest the hardware evidence binds. `leea evidence collect`
// prints it; `leea attest` sends it.
//
// Everything is read under a root prefix (CollectOptions::root, "/" on a VM), so tests build
// a fake /sys, /proc, /dev and /lib/modules tree in a temporary directory. The prefix is a
// path prefix, not a chroot: an absolute symlink inside the tree points out of it.
//
// Every read is bounded: attribute files are read up to 64 KiB, /proc files up to 4 MiB,
// modules.dep up to 16 MiB, files that are digested (config files, module files) are hashed
// as a stream up to max_file_bytes, disk headers are read at fixed, checked sizes, and every
// directory listing stops at a fixed count. Nothing is recursed into, so symlink loops in
// /sys cannot make collection loop. Files are opened O_NONBLOCK and must be regular files
// (block devices too under /dev), so a FIFO cannot block collection.
//
// Groups, in this order; within a group, events are in the order listed, and entries of
// a directory in byte order of their names (PCR indices in numeric order):
//
//   disk      disk.devices                      value: the block devices measured ("vda vdb")
//             disk.<dev>.partition_table        LBA 0, plus the GPT header (LBA 1) and its
//                                               partition entry array when LBA 1 holds one;
//                                               value "gpt", "mbr" or "none"
//             disk.<dev>.luks_header            the LUKS header when the device or one of its
//             disk.<part>.luks_header           partitions holds one: LUKS2 both binary headers
//                                               with their JSON areas (2 × hdr_size from the
//                                               header), LUKS1 the 592-byte phdr; value
//                                               "luks2" or "luks1"
//   hardware  hardware.dmi.sys_vendor, hardware.dmi.product_name, hardware.dmi.board_vendor,
//             hardware.dmi.board_name           /sys/class/dmi/id/<attribute>
//             hardware.cpu.model                "model name" of the first CPU in /proc/cpuinfo
//             hardware.cpu.flags                "flags" of the first CPU
//             hardware.pci                      every PCI device, "<address>=<vendor>:<device>:
//                                               <class>" separated by spaces
//             hardware.pci.<address>            value "<vendor>:<device>:<class>" (hex, no 0x)
//   kernel    kernel.release                    /proc/sys/kernel/osrelease
//             kernel.cmdline                    /proc/cmdline
//             kernel.modules                    the loaded modules' names (/proc/modules)
//             kernel.module.<name>              the module's file as stored (.ko, .ko.xz,
//                                               .ko.zst), found through /lib/modules/<release>/
//                                               modules.dep; value: its path there
//   driver    driver.bound                      every driver with a bound device, "<bus>/<driver>"
//             driver.<bus>.<driver>             value: the devices bound to it
//                                               (/sys/bus/<bus>/drivers/<driver>/<device> links)
//   config    config.<absolute path>            each configured file and the pool file; no value
//                                               (a config file may hold secrets)
//   bios      bios.vendor, bios.version, bios.date   /sys/class/dmi/id/bios_*
//   tpm       tpm.pcr.sha256.<n>                /sys/class/tpm/tpm0/pcr-sha256/<n>; the digest
//                                               is the PCR value itself ("sha256:<hex>"), as in
//                                               the tpm evidence kind's claims
//             tpm.pcr.sha1.<n>                  value "sha1:<hex>", the PCR; digest SHA-256 of
//                                               its 20 bytes. No TPM (or a kernel that does not
//                                               expose the banks): no tpm events, and a note.
//   time      time.wall_clock                   CollectOptions::now, RFC 3339 UTC
//             time.boot                         btime of /proc/stat, RFC 3339 UTC
//                                               (time events change at every boot: never
//                                               reference values)
//
// Digests are always "sha256:<hex>" of the measured bytes (except the sha256 PCRs above).
// Text read from /sys and /proc is measured without its trailing newline, and is the value
// when it is at most 4096 printable ASCII characters; then the digest is SHA-256 of the
// value, so `printf %s "$(cat /proc/cmdline)" | sha256sum` gives kernel.cmdline's digest.
// Names taken from the file system (<dev>, <address>, <bus>, ...) keep [A-Za-z0-9._:+@-]
// and write any other byte as %XX.
//
// Something that cannot be measured is an event, not an error, so the validator names it:
// its value says why ("absent", "unreadable: Permission denied", "not a regular file",
// "larger than 67108864 bytes", "not in modules.dep", ...) and its digest is SHA-256 of
// that value. A configured file that does not exist is such an event ("absent"). Collection
// fails only on a bad option, a directory (or /proc/modules) with more entries than its
// bound, or a log over the event log's bounds (4096 events, 512 KiB of JSON).
//
// Thread-safety: collect() shares no state between calls.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/evidence/event_log.h"
#include "core/util/result.h"

namespace leea::evidence {

inline constexpr uint64_t kDefaultMaxFileBytes = uint64_t{64} << 20;

struct CollectOptions {
  std::filesystem::path root = "/";  // prefix of every path read, except pool_file
  // Files measured as config.<path>: absolute paths on the measured system, read under root.
  std::vector<std::string> config_files{};
  // The pool file, read where it is (not under root: it is the file this process trusts);
  // measured as config.<its absolute, normalized path>. Empty: none.
  std::filesystem::path pool_file{};
  std::optional<int64_t> now{};  // wall clock, unix seconds (time.wall_clock); default: the clock
  uint64_t max_file_bytes = kDefaultMaxFileBytes;  // largest config or module file digested
  // The PCR the log itself is extended into (tpm evidence): not measured, since its value
  // is a result of measuring, and a retry in the same boot must collect the same log.
  std::optional<int> runtime_pcr{};
};

struct Collection {
  EventLog log;
  std::vector<std::string> notes;  // what was not measured and why, for stderr
};

// Collects the groups above. Fails with Errc::usage when a config file path is not absolute,
// or would make an event name longer than 128 characters or with a space or control
// character; with Errc::invalid_data when a directory holds more entries than its bound or
// the log exceeds the event log's bounds.
Result<Collection> collect(const CollectOptions& options);

// The disk.<device>.luks_header event a guest would measure for a disk image whose file is
// at path: what `leea order reference --boot-disk` puts in an order. Errc::invalid_data
// when the file holds no LUKS header, Errc::io when it cannot be read.
Result<Event> luks_header_event(const std::filesystem::path& path, const std::string& device);

// True for events whose value changes at every boot (kind "time"): never reference values.
bool is_volatile(const Event& event);

}  // namespace leea::evidence
