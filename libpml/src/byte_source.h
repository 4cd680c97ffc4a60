// Where the perf.data reader's bytes come from (internal): a regular file,
// memory, or a stream (a pipe on stdin) that can only be read forward.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "pml/result.h"
#include "pml/unique_fd.h"

namespace pml::detail {

class ByteSource {
 public:
  // size() of a stream: its end is not known until it is read.
  static constexpr uint64_t kUnknownSize = UINT64_MAX;

  virtual ~ByteSource() = default;
  virtual uint64_t size() const = 0;
  // Reads up to n bytes at off; returns the bytes read (0 at the end) or -1
  // with errno. A stream returns what it has at once, else blocks for more.
  virtual ssize_t read_at(uint64_t off, void* buf, size_t n) = 0;
  // Bytes before off will not be asked for again (a stream may drop them).
  virtual void discard_before(uint64_t off) { (void)off; }
  // Whether bytes already read can be read again (false for a stream that
  // keeps no copy once it has dropped them).
  virtual bool rereadable() const { return true; }

  // Exactly n bytes at off, or false.
  bool read_exact(uint64_t off, void* buf, size_t n);
};

class FileSource : public ByteSource {
 public:
  FileSource(UniqueFd fd, uint64_t size) : fd_(std::move(fd)), size_(size) {}
  uint64_t size() const override { return size_; }
  ssize_t read_at(uint64_t off, void* buf, size_t n) override;

 private:
  UniqueFd fd_;
  uint64_t size_;
};

class MemorySource : public ByteSource {
 public:
  explicit MemorySource(std::span<const std::byte> b) : b_(b) {}
  uint64_t size() const override { return b_.size(); }
  ssize_t read_at(uint64_t off, void* buf, size_t n) override;

 private:
  std::span<const std::byte> b_;
};

// A pipe: read forward once. Keeps the bytes not yet discarded in memory;
// with a spool file, also everything read, so that the stream can be read
// again from the start (a second pass) once the first has gone through it.
class StreamSource : public ByteSource {
 public:
  // spool: an empty, unlinked file to copy the stream into, or invalid.
  StreamSource(UniqueFd in, UniqueFd spool) : in_(std::move(in)), spool_(std::move(spool)) {}
  uint64_t size() const override { return kUnknownSize; }
  ssize_t read_at(uint64_t off, void* buf, size_t n) override;
  void discard_before(uint64_t off) override;
  bool rereadable() const override { return spool_.valid() || base_ == 0; }

 private:
  void trim();  // drops the kept bytes before discard_mark_

  UniqueFd in_, spool_;
  std::vector<std::byte> kept_;  // stream bytes [base_, base_ + kept_.size())
  uint64_t base_ = 0, discard_mark_ = 0;
  bool eof_ = false;
};

// An unlinked temporary file for a StreamSource's spool (under $TMPDIR or /tmp).
Result<UniqueFd> create_spool_file();

}  // namespace pml::detail
