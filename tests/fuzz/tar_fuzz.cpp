// The tar reader of `leea image build` (core/disk/tar.h): ustar, pax and GNU long names,
// read from a file descriptor (a memfd holding the input). Every entry it lists has its
// data inside the file.
#include <sys/mman.h>
#include <unistd.h>

#include "core/disk/tar.h"
#include "tests/fuzz/fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace leea;
  int fd = memfd_create("fuzz.tar", MFD_CLOEXEC);
  fuzz::require(fd >= 0, "memfd_create failed");
  size_t done = 0;
  while (done < size) {
    ssize_t n = write(fd, data + done, size - done);
    fuzz::require(n > 0, "write to memfd failed");
    done += static_cast<size_t>(n);
  }
  auto listing = disk::read_tar(fd, "fuzz.tar");
  close(fd);
  if (listing) {
    fuzz::require(listing->entries.size() == listing->data_offsets.size(), "offsets miscounted");
    for (size_t i = 0; i < listing->entries.size(); ++i) {
      const auto& e = listing->entries[i];
      uint64_t end = listing->data_offsets[i] + (e.type == '0' ? e.size : 0);
      fuzz::require(listing->data_offsets[i] <= size && end <= size, "entry data past the end");
      (void)disk::sanitize_tar_path(e.path, "fuzz");
    }
  }
  disk::PaxRecords pax;
  (void)disk::parse_pax_records(fuzz::text(data, size), "fuzz", &pax);
  return 0;
}
