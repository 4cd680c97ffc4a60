#include "uffd.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kernel_abi.h"

namespace pml::soft {

int uffd_create_flags() { return O_CLOEXEC | O_NONBLOCK | abi::kUffdUserModeOnly; }

Result<Uffd> Uffd::create() {
  int fd = int(syscall(SYS_userfaultfd, uffd_create_flags()));
  if (fd < 0 && errno == EINVAL) {
    // Kernels before 5.11 do not know UFFD_USER_MODE_ONLY.
    fd = int(syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK));
  }
  if (fd < 0) return errno_error("userfaultfd");
  return Uffd(UniqueFd(fd));
}

Result<uint64_t> uffd_available_features() {
  auto uffd = Uffd::create();
  if (!uffd) return uffd.error();
  uffdio_api api = {};
  api.api = UFFD_API;
  if (ioctl(uffd->fd(), UFFDIO_API, &api) != 0) return errno_error("UFFDIO_API");
  return uint64_t(api.features);
}

Result<void> Uffd::enable_wp_async() {
  auto available = uffd_available_features();
  if (!available) return available.error();
  if (!(*available & abi::kUffdFeatureWpAsync)) {
    return make_error("uffd: UFFD_FEATURE_WP_ASYNC unsupported (kernel older than 6.7?)", ENOTSUP);
  }
  uffdio_api api = {};
  api.api = UFFD_API;
  api.features = abi::kUffdFeatureWpAsync | abi::kUffdFeatureWpUnpopulated;
  // Lets shmem and file mappings be protected too, e.g. MAP_SHARED files.
  api.features |= *available & abi::kUffdFeatureWpHugetlbfsShmem;
  if (ioctl(fd_.get(), UFFDIO_API, &api) != 0) return errno_error("UFFDIO_API(WP_ASYNC)");
  return {};
}

Result<void> Uffd::register_write_protect(uint64_t start, uint64_t len) {
  uffdio_register reg = {};
  reg.range.start = start;
  reg.range.len = len;
  reg.mode = UFFDIO_REGISTER_MODE_WP;
  if (ioctl(fd_.get(), UFFDIO_REGISTER, &reg) != 0) return errno_error("UFFDIO_REGISTER");
  return {};
}

}  // namespace pml::soft
