#include "pml/pml_event.h"

#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "cpu_list.h"
#include "pml/perf_abi.h"
#include "record_decoder.h"

namespace pml {

Result<PmuInfo> find_pml_pmu(const std::string& sysfs_root) {
  PmuInfo info;
  info.sysfs_dir = sysfs_root + "/pml";
  std::ifstream type_file(info.sysfs_dir + "/type");
  if (!type_file)
    return make_error("no pml PMU in " + sysfs_root + " (kernel without CONFIG_PERF_PML)",
                      ENOENT);
  if (!(type_file >> info.type))
    return make_error("cannot parse " + info.sysfs_dir + "/type", EINVAL);
  return info;
}

uint64_t pml_sample_type(bool with_phys_addr) {
  uint64_t t = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
               PERF_SAMPLE_ADDR | PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD | PERF_SAMPLE_RAW |
               PERF_SAMPLE_DATA_SRC | PERF_SAMPLE_DATA_PAGE_SIZE;
  if (with_phys_addr) t |= PERF_SAMPLE_PHYS_ADDR;
  return t;
}

perf_event_attr pml_attr(const PmuInfo& pmu, const PmlEventOptions& o) {
  perf_event_attr a{};
  a.type = pmu.type;
  a.size = abi::kAttrSizeWritten;
  a.config = o.epoch_ms & abi::kEpochConfigMask;
  if (!o.counting_only) {
    a.sample_period = 1;  // one sample per logged page-epoch
    a.sample_type = o.sample_type ? o.sample_type : pml_sample_type(false);
    a.sample_id_all = 1;
    a.mmap = 1;
    a.mmap2 = 1;
    a.mmap_data = 1;
    a.comm = 1;
    a.comm_exec = 1;
    a.task = 1;
    a.watermark = 1;
    a.wakeup_watermark = 64 * 1024;  // batch wakeups, not one per page
  }
  a.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING | PERF_FORMAT_ID;
  a.inherit = o.inherit;
  a.disabled = o.start_disabled || o.enable_on_exec;
  a.enable_on_exec = o.enable_on_exec;
  a.exclude_kernel = 0;  // kernel writes on the task's behalf are part of the contract
  return a;
}

// A kernel.* sysctl as text, for error messages; "?" when unreadable.
static std::string sysctl_text(const char* name) {
  std::string path = std::string("/proc/sys/kernel/") + name, v;
  if (FILE* f = std::fopen(path.c_str(), "r")) {
    char buf[64];
    if (std::fgets(buf, sizeof buf, f)) v = buf;
    std::fclose(f);
  }
  while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
  return v.empty() ? "?" : v;
}

Result<PmlEvent> PmlEvent::open(const PmuInfo& pmu, const PmlEventOptions& opts) {
  PmlEvent ev;
  ev.attr_ = pml_attr(pmu, opts);
  int fd = int(::syscall(SYS_perf_event_open, &ev.attr_, opts.pid, opts.cpu, opts.group_fd,
                         PERF_FLAG_FD_CLOEXEC));
  if (fd < 0) {
    int e = errno;
    switch (e) {
      case EOPNOTSUPP:
        return make_error("pml event not supported: CPU lacks VMX/EPT/PML, see dmesg", e);
      case ENOENT:
        return make_error("no pml PMU in /sys/bus/event_source/devices (kernel without "
                          "CONFIG_PERF_PML)",
                          e);
      case EACCES:
        return make_error("no permission to monitor this task with pml: it reports the "
                          "kernel's writes too, so it needs perf_event_paranoid <= 1 (it is " +
                              sysctl_text("perf_event_paranoid") +
                              ") or CAP_PERFMON, and another user's or a setuid task needs "
                              "ptrace-attach rights on it",
                          e);
      case EPERM:
        return make_error("the pml EPT memory of your events would exceed "
                          "/proc/sys/kernel/perf_pml_user_ept_kb (" +
                              sysctl_text("perf_pml_user_ept_kb") +
                              " KiB): close events or raise it; CAP_PERFMON or CAP_IPC_LOCK "
                              "lift the limit",
                          e);
      case EBUSY:
        return make_error("another monitor already follows this address space with pml "
                          "(one per address space: a CPU runs under one EPT, with one set of "
                          "dirty bits and one epoch clock); stop it, or open your events "
                          "with the same epoch from the same process",
                          e);
      case ESRCH: return make_error("no process " + std::to_string(opts.pid), e);
      case EINVAL:
        return make_error("the kernel refused the pml event attributes (CPU-wide events, "
                          "exclude_* bits and some sample fields are not supported; epochs "
                          "shorter than /proc/sys/kernel/perf_pml_min_epoch_ms (" +
                              sysctl_text("perf_pml_min_epoch_ms") +
                              " ms) need CAP_SYS_ADMIN)",
                          e);
      default: return make_error("perf_event_open(pml) failed", e);
    }
  }
  ev.fd_.reset(fd);
  if (ioctl(fd, PERF_EVENT_IOC_ID, &ev.id_) != 0) return errno_error("PERF_EVENT_IOC_ID");
  return ev;
}

Result<void> PmlEvent::enable() {
  if (ioctl(fd_.get(), PERF_EVENT_IOC_ENABLE, 0) != 0) return errno_error("enable pml event");
  return {};
}
Result<void> PmlEvent::disable() {
  if (ioctl(fd_.get(), PERF_EVENT_IOC_DISABLE, 0) != 0) return errno_error("disable pml event");
  return {};
}
Result<void> PmlEvent::end_epoch() {
  if (ioctl(fd_.get(), PERF_EVENT_IOC_RESET, 0) != 0) return errno_error("end pml epoch");
  return {};
}
Result<void> PmlEvent::redirect_output_to(const PmlEvent& target) {
  if (ioctl(fd_.get(), PERF_EVENT_IOC_SET_OUTPUT, target.fd()) != 0)
    return errno_error("PERF_EVENT_IOC_SET_OUTPUT");
  return {};
}

Result<uint64_t> PmlEvent::count() const {
  uint64_t v[4] = {};
  ssize_t n = ::read(fd_.get(), v, sizeof v);
  if (n < ssize_t(sizeof(uint64_t))) return errno_error("read pml event count");
  return v[0];
}

Result<RingBuffer> RingBuffer::map(int fd, size_t data_pages) {
  if (data_pages == 0 || (data_pages & (data_pages - 1)) != 0)
    return make_error("ring buffer pages must be a power of two", EINVAL);
  size_t page = size_t(sysconf(_SC_PAGESIZE));
  size_t len = (data_pages + 1) * page;
  void* p = ::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return errno_error("mmap of the perf ring buffer");
  RingBuffer rb;
  rb.region_ = MappedRegion(p, len);
  rb.data_size_ = data_pages * page;
  return rb;
}

size_t RingBuffer::drain(const std::function<void(std::span<const std::byte>)>& f) {
  auto* meta = static_cast<perf_event_mmap_page*>(region_.data());
  auto* data = static_cast<std::byte*>(region_.data()) + meta->data_offset;
  const uint64_t size = meta->data_size ? meta->data_size : data_size_;
  // data_head is written by the kernel: acquire pairs with its release so
  // the record bytes are visible before we read them.
  uint64_t head = std::atomic_ref<__u64>(meta->data_head).load(std::memory_order_acquire);
  uint64_t tail = meta->data_tail;
  size_t n = 0;
  while (tail < head) {
    uint64_t off = tail % size;
    perf_event_header h;
    if (off + sizeof h <= size) {
      std::memcpy(&h, data + off, sizeof h);
    } else {
      size_t first = size - off;
      std::memcpy(&h, data + off, first);
      std::memcpy(reinterpret_cast<std::byte*>(&h) + first, data, sizeof h - first);
    }
    if (h.size < sizeof h || tail + h.size > head) break;  // never happens with a sane kernel
    if (off + h.size <= size) {
      f(std::span<const std::byte>(data + off, h.size));
    } else {
      wrap_.resize(h.size);
      size_t first = size - off;
      std::memcpy(wrap_.data(), data + off, first);
      std::memcpy(wrap_.data() + first, data, h.size - first);
      f(std::span<const std::byte>(wrap_.data(), h.size));
    }
    tail += h.size;
    ++n;
  }
  // Release: our reads of the records complete before the kernel may reuse
  // the space.
  std::atomic_ref<__u64>(meta->data_tail).store(tail, std::memory_order_release);
  return n;
}

SelfMonitor::SelfMonitor(std::vector<PmlEvent> events, std::vector<RingBuffer> rings,
                         EventInfo info)
    : events_(std::move(events)), rings_(std::move(rings)), info_(std::move(info)) {}

Result<SelfMonitor> SelfMonitor::start(uint32_t epoch_ms, size_t data_pages) {
  auto pmu = find_pml_pmu();
  if (!pmu.ok()) return pmu.error();
  std::vector<int> cpus = online_cpus();
  if (cpus.empty()) return make_error("cannot read /sys/devices/system/cpu/online", ENOENT);
  PmlEventOptions o;
  o.pid = 0;
  o.epoch_ms = epoch_ms;
  std::vector<PmlEvent> events;
  std::vector<RingBuffer> rings;
  EventInfo info;
  for (int cpu : cpus) {
    o.cpu = cpu;
    auto ev = PmlEvent::open(*pmu, o);
    if (!ev.ok()) return ev.error();
    auto rb = RingBuffer::map(ev->fd(), data_pages);
    if (!rb.ok()) return rb.error();
    info.ids.push_back(ev->id());
    events.push_back(std::move(ev.value()));
    rings.push_back(std::move(rb.value()));
  }
  info.name = "pml/epoch=" + std::to_string(epoch_ms) + "/";
  info.attr = events.front().attr();
  return SelfMonitor(std::move(events), std::move(rings), std::move(info));
}

size_t SelfMonitor::drain(const std::function<void(const Record&)>& f) {
  RecordDecoder decoder(std::vector<EventInfo>{info_});
  Record rec;
  size_t n = 0;
  for (RingBuffer& ring : rings_)
    n += ring.drain([&](std::span<const std::byte> raw) {
      perf_event_header h;
      std::memcpy(&h, raw.data(), sizeof h);
      if (decoder.decode(h.type, h.misc, raw.subspan(sizeof h), rec) == DecodeStatus::kOk) f(rec);
    });
  return n;
}

}  // namespace pml
