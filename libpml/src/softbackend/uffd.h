// A userfaultfd in asynchronous write-protect mode. Its ioctls act on the mm
// that created it, whichever process issues them; this is what lets a
// tracker register VMAs of another process once it holds that process's uffd.
#pragma once

#include <stdint.h>

#include "pml/softbackend.h"
#include "pml/unique_fd.h"

namespace pml::soft {

class Uffd {
 public:
  // Creates a uffd for the calling process (not yet initialised).
  static Result<Uffd> create();
  // Takes ownership of a uffd made by (or fetched from) another process.
  static Uffd adopt(UniqueFd fd) { return Uffd(std::move(fd)); }

  // The UFFDIO_API handshake enabling WP_ASYNC (and shmem/hugetlbfs WP when
  // the kernel has it). Can be done once per uffd.
  Result<void> enable_wp_async();

  // Registers [start, start+len) for write-protect tracking. Does not
  // protect anything yet.
  Result<void> register_write_protect(uint64_t start, uint64_t len);

  int fd() const { return fd_.get(); }

 private:
  explicit Uffd(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

// The flags we pass to userfaultfd(2): user-mode-only faults suffice for
// write tracking and keep it usable when vm.unprivileged_userfaultfd=0.
int uffd_create_flags();

// Asks the kernel which uffd features it offers, on a throwaway uffd.
Result<uint64_t> uffd_available_features();

}  // namespace pml::soft
