// Opening the pml PMU event and reading its ring buffer.
#pragma once

#include <linux/perf_event.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "pml/perf_data.h"
#include "pml/result.h"
#include "pml/unique_fd.h"

namespace pml {

inline constexpr const char* kSysfsPmuRoot = "/sys/bus/event_source/devices";

struct PmuInfo {
  uint32_t type = 0;  // dynamic PMU type for perf_event_attr.type
  std::string sysfs_dir;
};

// Finds the pml PMU. ENOENT when the kernel has none.
Result<PmuInfo> find_pml_pmu(const std::string& sysfs_root = kSysfsPmuRoot);

// The sample layout perf-pml asks for (PHYS_ADDR only when allowed).
uint64_t pml_sample_type(bool with_phys_addr);

struct PmlEventOptions {
  pid_t pid = 0;      // 0 = this process, >0 = that task
  int cpu = -1;
  uint32_t epoch_ms = 100;  // config:0-31; 0 = epochs end only on end_epoch()
  uint64_t sample_type = 0;  // 0 = pml_sample_type(false)
  bool inherit = true;
  bool enable_on_exec = false;
  bool start_disabled = false;
  bool counting_only = false;  // no sampling (perf stat style)
  int group_fd = -1;
};

// The attr open() would use (for writing into a perf.data header).
perf_event_attr pml_attr(const PmuInfo& pmu, const PmlEventOptions& opts);

class PmlEvent {
 public:
  // Opens the event; errors name the likely cause (no PMU, no VMX/EPT/PML,
  // permissions).
  static Result<PmlEvent> open(const PmuInfo& pmu, const PmlEventOptions& opts);

  int fd() const { return fd_.get(); }
  uint64_t id() const { return id_; }
  const perf_event_attr& attr() const { return attr_; }

  Result<void> enable();
  Result<void> disable();
  // Ends the current epoch (PERF_EVENT_IOC_RESET).
  Result<void> end_epoch();
  // Page-epochs logged so far (read(2) on the event).
  Result<uint64_t> count() const;
  // Sends this event's records into `target`'s ring buffer.
  Result<void> redirect_output_to(const PmlEvent& target);

 private:
  UniqueFd fd_;
  uint64_t id_ = 0;
  perf_event_attr attr_{};
};

// The mmap'ed ring buffer of a perf event: one control page + 2^n data pages.
class RingBuffer {
 public:
  static Result<RingBuffer> map(int fd, size_t data_pages = 256);

  // Hands every complete record to `f` (header included), then releases the
  // space to the kernel. A record that wraps around is passed from a copy.
  // Returns the number of records.
  size_t drain(const std::function<void(std::span<const std::byte>)>& f);

 private:
  MappedRegion region_;
  size_t data_size_ = 0;
  std::vector<std::byte> wrap_;
};

// In-process API: monitors this process (all threads created afterwards too)
// with the pml PMU, decoded records delivered on drain(). As perf record
// does: one inherited event per online CPU, each with its own ring buffer
// (the kernel maps no buffer of an inherited event on every CPU); the
// kernel's one EPT per address space makes them one monitor, with one
// epoch clock and each page-epoch logged once.
class SelfMonitor {
 public:
  static Result<SelfMonitor> start(uint32_t epoch_ms = 0, size_t data_pages = 256);
  // Ends the current epoch: pages written after this are logged again.
  Result<void> end_epoch() { return events_.front().end_epoch(); }
  // Delivers the records logged so far, CPU after CPU.
  size_t drain(const std::function<void(const Record&)>& f);
  const EventInfo& event_info() const { return info_; }

 private:
  SelfMonitor(std::vector<PmlEvent> events, std::vector<RingBuffer> rings, EventInfo info);
  std::vector<PmlEvent> events_;
  std::vector<RingBuffer> rings_;
  EventInfo info_;
};

}  // namespace pml
