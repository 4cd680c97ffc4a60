#include "byte_source.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

namespace pml::detail {

namespace {

constexpr size_t kStreamChunk = 64 << 10;

ssize_t pread_retrying(int fd, void* buf, size_t n, uint64_t off) {
  for (;;) {
    ssize_t r = ::pread(fd, buf, n, off_t(off));
    if (r < 0 && errno == EINTR) continue;
    return r;
  }
}

bool pwrite_all(int fd, const std::byte* p, size_t n, uint64_t off) {
  while (n > 0) {
    ssize_t w = ::pwrite(fd, p, n, off_t(off));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= size_t(w);
    off += uint64_t(w);
  }
  return true;
}

}  // namespace

bool ByteSource::read_exact(uint64_t off, void* buf, size_t n) {
  if (size() != kUnknownSize && (off > size() || size() - off < n)) return false;
  char* p = static_cast<char*>(buf);
  while (n > 0) {
    ssize_t r = read_at(off, p, n);
    if (r <= 0) return false;
    p += r;
    off += uint64_t(r);
    n -= size_t(r);
  }
  return true;
}

ssize_t FileSource::read_at(uint64_t off, void* buf, size_t n) {
  return pread_retrying(fd_.get(), buf, n, off);
}

ssize_t MemorySource::read_at(uint64_t off, void* buf, size_t n) {
  if (off >= b_.size()) return 0;
  n = std::min<uint64_t>(n, b_.size() - off);
  std::memcpy(buf, b_.data() + off, n);
  return ssize_t(n);
}

ssize_t StreamSource::read_at(uint64_t off, void* buf, size_t n) {
  if (off < base_) {
    // Dropped from memory: only the spool has it.
    if (!spool_.valid()) {
      errno = ESPIPE;
      return -1;
    }
    uint64_t end = base_ + kept_.size();
    return pread_retrying(spool_.get(), buf, size_t(std::min<uint64_t>(n, end - off)), off);
  }
  // Read on until the stream has reached off and has a byte there.
  while (off >= base_ + kept_.size()) {
    if (eof_) return 0;
    size_t old = kept_.size();
    kept_.resize(old + std::max(n, kStreamChunk));
    ssize_t r;
    do {
      r = ::read(in_.get(), kept_.data() + old, kept_.size() - old);
    } while (r < 0 && errno == EINTR);
    kept_.resize(old + size_t(std::max<ssize_t>(r, 0)));
    if (r < 0) return -1;
    if (r == 0) {
      eof_ = true;
      return 0;
    }
    if (spool_.valid() && !pwrite_all(spool_.get(), kept_.data() + old, size_t(r), base_ + old))
      return -1;
    trim();  // skipping forward (a payload) keeps nothing it passes
  }
  size_t at = size_t(off - base_);
  size_t len = std::min(n, kept_.size() - at);
  std::memcpy(buf, kept_.data() + at, len);
  return ssize_t(len);
}

void StreamSource::discard_before(uint64_t off) {
  discard_mark_ = std::max(discard_mark_, off);
  trim();
}

void StreamSource::trim() {
  if (discard_mark_ <= base_) return;
  size_t drop = size_t(std::min<uint64_t>(discard_mark_ - base_, kept_.size()));
  kept_.erase(kept_.begin(), kept_.begin() + long(drop));
  base_ += drop;
}

Result<UniqueFd> create_spool_file() {
  const char* env = std::getenv("TMPDIR");
  std::string dir = env && *env ? env : "/tmp";
  UniqueFd fd(::open(dir.c_str(), O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600));
  if (fd.valid()) return fd;
  // File systems without O_TMPFILE: create and unlink at once.
  std::string path = dir + "/pml-stdin-XXXXXX";
  fd.reset(::mkostemp(path.data(), O_CLOEXEC));
  if (!fd.valid()) return errno_error("cannot create a temporary file in " + dir);
  ::unlink(path.c_str());
  return fd;
}

}  // namespace pml::detail
