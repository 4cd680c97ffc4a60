// Recording backends: the pml PMU, or software dirty tracking (userfaultfd
// write-protect, soft-dirty) on kernels without it. All produce the same
// records so the same report works on their files.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "pml/perf_data.h"
#include "pml/records.h"
#include "pml/result.h"

namespace pml {

enum class BackendKind { kAuto, kPml, kUffd, kSoftDirty };

Result<BackendKind> parse_backend_kind(const std::string& name);
const char* backend_kind_name(BackendKind kind);

struct RecordTarget {
  pid_t pid = 0;                  // attach to this process, or
  std::vector<std::string> argv;  // launch this command
};

struct BackendConfig {
  uint32_t epoch_ms = 100;
  size_t ring_pages = 512;  // pml: ring buffer data pages (power of two)
};

// Where backends put records. `raw` is the record as the kernel wrote it
// when there is one (so a file can keep it byte for byte), else empty.
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual Result<void> on_record(const Record& record, std::span<const std::byte> raw) = 0;
  // Kernel records libpml does not decode (FINISHED_ROUND, other types):
  // only a file keeps them.
  virtual Result<void> on_raw_only(std::span<const std::byte> raw) {
    (void)raw;
    return {};
  }
};

struct BackendStats {
  uint64_t samples = 0;
  uint64_t lost = 0;         // page-epochs lost (ring buffer overflow)
  uint64_t uncollected = 0;  // software: process images whose last writes went with an exec
  uint64_t epochs = 0;
  uint64_t kernel_count = 0; // pml: page-epochs the event counted
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual BackendKind kind() const = 0;
  // Launches or attaches to the target; after this, events() is valid.
  virtual Result<void> start(const RecordTarget& target) = 0;
  virtual const std::vector<EventInfo>& events() const = 0;
  virtual pid_t pid() const = 0;
  // Records until the target exits or `stop` is set. Returns the launched
  // command's wait status (0 when attached to a pid).
  virtual Result<int> run(RecordSink& sink, const std::atomic<bool>& stop) = 0;
  virtual BackendStats stats() const = 0;
};

struct BackendChoice {
  std::unique_ptr<Backend> backend;
  std::string reason;  // why this backend (and why not the better ones)
};

// kAuto tries pml, then uffd, then soft-dirty, and says why it settled.
Result<BackendChoice> choose_backend(BackendKind wanted, const BackendConfig& config);

}  // namespace pml
