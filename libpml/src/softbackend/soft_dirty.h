// Soft-dirty tracking: clear_refs "4" clears the bits, pagemap bit 55 shows
// pages written since.
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include <functional>

#include "pml/softbackend.h"

namespace pml::soft {

// Calls on_page(addr) for each page of [start, end) whose pagemap entry has
// the soft-dirty bit. Only pages that hold written data count: present
// pages (in private mappings: anonymous ones; a page-cache page there was
// only read) and swapped-out pages. `shared` is the VMA's 's' flag.
Result<void> read_soft_dirty(int pagemap_fd, uint64_t start, uint64_t end, bool shared,
                     const std::function<void(uint64_t addr)>& on_page);

// Clears the soft-dirty bits of the whole process (pid 0: this process).
Result<void> clear_soft_dirty(pid_t pid);

}  // namespace pml::soft
