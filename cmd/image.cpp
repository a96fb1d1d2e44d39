// leea image build / encrypt: the image registry's commands. `encrypt` glues core/disk to
// the pool: core/disk makes the key and the image and hands the secret to a handler before
// the image is named, and the handler registers the order with core/attest's
// register_order (the function behind `leea order register`). The glue lives here because
// disk may not include attest (layering table), and attest has no business with images.
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cmd/commands.h"
#include "core/attest/pool_client.h"
#include "core/attest/register.h"
#include "core/config/order.h"
#include "core/config/order_writer.h"
#include "core/config/pool.h"
#include "core/crypto/keys.h"
#include "core/crypto/random.h"
#include "core/disk/encrypt.h"
#include "core/disk/ext4.h"
#include "core/evidence/collect.h"
#include "core/shamir/stream.h"
#include "core/util/files.h"
#include "core/util/log.h"
#include "core/util/progress.h"

namespace leea::cmd {
namespace {

struct BuildCliOptions {
  std::string from;
  std::string out;
  std::string size = "auto";
  std::string label;
  bool force = false;
  bool json = false;
};

Result<void> run_build(const BuildCliOptions& o) {
  disk::BuildOptions bo;
  bo.from = o.from;
  bo.output = o.out;
  bo.label = o.label;
  bo.replace = o.force;
  LEEA_ASSIGN_OR_RETURN(bo.size, disk::parse_image_size(o.size));
  LEEA_ASSIGN_OR_RETURN(bo.source_date_epoch,
                        disk::parse_source_date_epoch(std::getenv("SOURCE_DATE_EPOCH")));
  LEEA_ASSIGN_OR_RETURN(auto r, disk::build_ext4(bo));
  if (o.json) {
    return write_all(STDOUT_FILENO, nlohmann::json{{"image", o.out},
                                                   {"size", r.size},
                                                   {"files", r.files},
                                                   {"uuid", r.uuid},
                                                   {"source_date_epoch", r.source_date_epoch},
                                                   {"input_digest", r.input_digest},
                                                   {"image_digest", r.image_digest}}
                                            .dump(2) +
                                        "\n");
  }
  return write_all(STDOUT_FILENO,
                   fmt::format("{}: ext4, {}, {} entries, uuid {}, {}\n", o.out,
                               human_bytes(r.size), r.files, r.uuid, r.image_digest));
}

void add_build(CLI::App& image, Selected& selected) {
  auto o = std::make_shared<BuildCliOptions>();
  CLI::App* c = add_command(
      image, "build", "Make an ext4 image from a directory or a tarball (no root needed)",
      "Runs mke2fs -d on the tree. Owners, modes, symlinks and device nodes are kept as the\n"
      "tree has them; a tarball (uncompressed .tar) keeps the numeric owners, modes and device\n"
      "nodes it records, even unprivileged. The same input and SOURCE_DATE_EPOCH give a\n"
      "byte-identical image (UUID\n"
      "and hash seed derived from the tree, fixed times), so the printed image digest can be\n"
      "a reference value. Without SOURCE_DATE_EPOCH the newest mtime in the tree is used.\n"
      "\n"
      "Example:\n"
      "  SOURCE_DATE_EPOCH=1700000000 leea image build --from rootfs/ -o rootfs.raw");
  c->add_option("--from", o->from, "Directory tree or tar archive to copy into the image")
      ->required();
  c->add_option("-o,--out", o->out, "Image file to write")->required();
  c->add_option("--size", o->size, "Image size (512M, 2G) or auto (default)");
  c->add_option("--label", o->label, "File system label (at most 16 bytes)");
  c->add_flag("--force", o->force, "Replace an existing output file");
  c->add_flag("--json", o->json, "Print the result as JSON");
  c->callback(select(selected, "image build", [o] { return run_build(*o); }));
}

struct EncryptCliOptions {
  std::string in;
  std::string out;
  std::string order;
  std::string pool;
  std::string operator_key;
  std::string operator_id = "ops";
  uint32_t sector_size = 4096;
  unsigned threads = 0;
  std::string guest_disk;  // the device the guest sees the image as ("vda")
  bool force = false;
  bool no_register = false;
  bool json = false;
};

// A bar on a terminal; otherwise a plain line every few seconds, so that logs of long runs
// show that work goes on.
std::function<void(uint64_t, uint64_t)> progress_reporter(const std::string& label) {
  if (::isatty(STDERR_FILENO) == 1) {
    struct Bar {
      std::unique_ptr<Progress> p;
      bool ended = false;
    };
    auto bar = std::make_shared<Bar>();
    return [bar, label](uint64_t done, uint64_t total) {
      if (bar->ended) return;
      if (!bar->p) bar->p = std::make_unique<Progress>(label, total);
      bar->p->update(done);
      if (done >= total) {
        bar->p->finish();
        bar->ended = true;
      }
    };
  }
  auto last =
      std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::now());
  return [last, label](uint64_t done, uint64_t total) {
    auto now = std::chrono::steady_clock::now();
    if (now - *last < std::chrono::seconds(5) || log::level() < log::Level::warn) return;
    *last = now;
    (void)write_all(STDERR_FILENO,
                    fmt::format("leea: {}: {} / {} ({:.0f}%)\n", label, human_bytes(done),
                                human_bytes(total), total > 0 ? 100.0 * done / total : 0.0));
  };
}

// Every validator that will hold a share must answer before any work is done.
Result<void> check_reachable(const config::PoolConfig& pool, int shares) {
  std::string down;
  int n = 0;
  for (int i = 0; i < shares; ++i) {
    const auto& m = pool.validators[static_cast<size_t>(i)];
    attest::MemberClient c(m, 2000, 3000);
    auto h = c.call("GET", "/healthz");
    if (!h) {
      ++n;
      down += (down.empty() ? "" : "; ") + h.error().message;
    }
  }
  if (n > 0) {
    return make_error(Errc::unavailable,
                      std::to_string(n) + " of " + std::to_string(shares) +
                          " validators unreachable, nothing was written: " + down);
  }
  return {};
}

Result<void> run_encrypt(const EncryptCliOptions& o) {
  crypto::harden_process();
  // A file size limit must surface as EFBIG from write(2), not kill the process.
  ::signal(SIGXFSZ, SIG_IGN);
  LEEA_ASSIGN_OR_RETURN(auto pool, config::load_pool_file(o.pool));
  LEEA_ASSIGN_OR_RETURN(std::string order_text, read_file(o.order, 64 * 1024));
  LEEA_ASSIGN_OR_RETURN(auto order, config::load_order_string(order_text, o.order));
  const int shares = order.shares.value_or(static_cast<int>(pool.validators.size()));
  const int threshold = order.threshold.value_or(pool.threshold);
  if (shares > static_cast<int>(pool.validators.size())) {
    return make_error(Errc::config, o.order + ": asks for " + std::to_string(shares) +
                                        " shares but the pool has " +
                                        std::to_string(pool.validators.size()) + " validators");
  }
  std::unique_ptr<crypto::PrivateKey> key;
  if (!o.no_register) {
    LEEA_ASSIGN_OR_RETURN(auto k, crypto::PrivateKey::load_pem(o.operator_key));
    key = std::make_unique<crypto::PrivateKey>(std::move(k));
  }
  disk::EncryptOptions eo;
  eo.input = o.in;
  eo.output = o.out;
  eo.sector_size = o.sector_size;
  eo.replace = o.force;
  eo.threads = o.threads;
  eo.progress = progress_reporter("encrypting " + o.out);
  LEEA_ASSIGN_OR_RETURN(auto enc, disk::ImageEncryptor::prepare(eo));
  if (!o.no_register) {
    LEEA_TRY(check_reachable(pool, shares));
  }
  const auto& plan = enc.plan();
  if (plan.padding > 0) {
    log::warn("{}: {} bytes are not a multiple of the {}-byte sector; padded with {} zero bytes",
              o.in, plan.input_bytes, o.sector_size, plan.padding);
  }

  attest::RegisterReport registered;
  std::vector<shamir::MemoryTextSink> lines;
  auto handler = [&](const crypto::SecretBytes& secret) -> Result<void> {
    if (o.no_register) {
      // Held in wiped memory and printed only once the image exists.
      for (int i = 0; i < shares; ++i) lines.emplace_back(64 * 1024, "");
      std::vector<shamir::TextSink*> ptrs;
      for (auto& l : lines) ptrs.push_back(&l);
      auto buf = std::make_shared<const crypto::SecretBytes>(
          crypto::SecretBytes::copy_of(secret.reveal()));
      auto src = shamir::memory_source(buf, 0, buf->size());
      shamir::SplitOptions so;
      so.params = {threshold, shares};
      LEEA_TRY(shamir::split_stream(*src, so, ptrs, crypto::system_random()));
      return {};
    }
    std::string text = order_text;
    if (!o.guest_disk.empty()) {
      // The header exists now: bind it into the order, so that a host that swaps in
      // another disk (another header) is refused before any share is released.
      LEEA_ASSIGN_OR_RETURN(auto e, evidence::luks_header_event(enc.staged_path(), o.guest_disk));
      config::OrderConfig bound = order;
      LEEA_ASSIGN_OR_RETURN(bound.reference.digests[e.name], config::parse_tagged_digest(e.digest));
      LEEA_ASSIGN_OR_RETURN(text, config::format_order(bound));
      log::info("order {}: {} = {}", order.id, e.name, e.digest);
    }
    LEEA_ASSIGN_OR_RETURN(registered,
                          attest::register_order(pool, text, secret, {o.operator_id, key.get()}));
    return {};
  };
  auto run = enc.run(handler);
  if (!run && !registered.order.empty()) {
    // Registered, but the image could not be named: take the shares back too.
    attest::revoke_order(pool, registered.order, {o.operator_id, key.get()});
    return make_error(run.error().code, run.error().message + " (the order was revoked)");
  }
  LEEA_ASSIGN_OR_RETURN(auto report, std::move(run));
  for (const auto& l : lines) LEEA_TRY(l.flush_to(STDOUT_FILENO));

  nlohmann::json j = {{"image", o.out},
                      {"luks_uuid", report.luks_uuid},
                      {"sector_size", report.sector_size},
                      {"data_offset", report.data_offset},
                      {"payload_bytes", report.plan.payload_bytes},
                      {"padding", report.plan.padding},
                      {"order", order.id},
                      {"threshold", threshold},
                      {"shares", shares},
                      {"registered", !o.no_register}};
  if (o.json && !o.no_register) {
    return write_all(STDOUT_FILENO, j.dump(2) + "\n");
  }
  std::string summary =
      fmt::format("{}: LUKS2 aes-xts-plain64, {}-byte sectors, {} of data, uuid {}", o.out,
                  report.sector_size, human_bytes(report.plan.payload_bytes), report.luks_uuid);
  summary += o.no_register ? fmt::format("; {} shares (threshold {}) on stdout, not registered",
                                         shares, threshold)
                           : fmt::format("; order {} registered with {} validators (threshold {})",
                                         order.id, shares, threshold);
  log::info("{}", summary);
  return o.no_register ? Result<void>{} : write_all(STDOUT_FILENO, summary + "\n");
}

void add_encrypt(CLI::App& image, Selected& selected) {
  auto o = std::make_shared<EncryptCliOptions>();
  CLI::App* c = add_command(
      image, "encrypt", "Encrypt a raw image into LUKS2 and register its key with a pool",
      "Makes a 256-bit secret and a volume key in locked memory, writes a LUKS2 header\n"
      "(aes-xts-plain64, 512-bit key, one PBKDF2 keyslot whose passphrase is the secret),\n"
      "encrypts the image on all CPUs, then splits the secret and registers the order and\n"
      "the shares with the pool. If registration fails, no output is left. The key and the\n"
      "secret are never written anywhere; --no-register prints the shares on stdout instead.\n"
      "\n"
      "Example:\n"
      "  leea image encrypt --in rootfs.raw -o rootfs.luks --order order.yaml \\\n"
      "      --pool pool.yaml --operator-key operator.key");
  c->add_option("--in", o->in, "Raw image (ext4 from 'leea image build')")->required();
  c->add_option("-o,--out", o->out, "LUKS2 image to write")->required();
  c->add_option("--order", o->order, "Order file (YAML)")->required();
  c->add_option("--pool", o->pool, "Pool file")->required();
  c->add_option("--operator-key", o->operator_key, "Operator private key (PEM)");
  c->add_option("--operator-id", o->operator_id, "Operator id the validators know (default ops)");
  c->add_option("--sector-size", o->sector_size, "LUKS2 sector size: 512 or 4096 (default)")
      ->check(CLI::IsMember({512, 4096}));
  c->add_option("--threads", o->threads, "Encryption threads (default: one per CPU)");
  c->add_option("--guest-disk", o->guest_disk,
                "Bind the new LUKS header into the order as disk.DEVICE.luks_header (e.g. vda)");
  c->add_flag("--force", o->force, "Replace an existing output file");
  c->add_flag("--no-register", o->no_register,
              "Print the shares on stdout, one a line, instead of registering them");
  c->add_flag("--json", o->json, "Print the result as JSON (with registration)");
  c->callback(select(selected, "image encrypt", [o]() -> Result<void> {
    if (!o->no_register && o->operator_key.empty()) {
      return make_error(Errc::usage, "--operator-key is required unless --no-register is given");
    }
    return run_encrypt(*o);
  }));
}

}  // namespace

void register_image_commands(CLI::App& app, Selected& selected) {
  CLI::App* image = app.add_subcommand("image", "Build, encrypt and measure VM disk images");
  image->require_subcommand(1, 1);
  add_build(*image, selected);
  add_encrypt(*image, selected);
  add_image_measure(*image, selected);
}

}  // namespace leea::cmd
