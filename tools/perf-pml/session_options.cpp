// The options record and stat share: target, event, backend, ring buffer.
#include <unistd.h>

#include <cstdio>

#include "common.h"
#include "pml/backend.h"
#include "pml_event_spec.h"
#include "record_session.h"

namespace perf_pml {

void SessionOptions::add_to(OptionParser& p) {
  p.custom('p', "pid", "pid", "record an existing process", [this](const std::string& v) {
    if (v.find(',') != std::string::npos) return std::string("one pid only");
    uint64_t n;
    std::string why = parse_number(v, 1, 0x7fffffff, &n);
    if (why.empty()) pid = pid_t(n);
    return why;
  });
  p.custom('e', "event", "pml/epoch=N/",
           "the pml event in perf's syntax: pml/epoch=10/ (ms), pml/epoch=1s/",
           [this](const std::string& v) {
             if (++events_ > 1) return std::string("one event only: -e was given twice");
             return parse_pml_event(v, &epoch_ms);
           });
  p.custom(0, "epoch", "duration",
           "epoch length: 100ms (default), 1s, 2m; bare number: ms; 0: none",
           [this](const std::string& v) { return parse_duration_ms(v, &epoch_ms); });
  p.custom(0, "backend", "auto|pml|uffd|softdirty",
           "how pages are tracked (default auto: pml, else uffd, else softdirty)",
           [this](const std::string& v) {
             auto kind = pml::parse_backend_kind(v);
             if (!kind.ok()) return kind.error().message;
             backend = v;
             return std::string();
           });
  p.custom('m', "mmap-pages", "pages", "ring buffer data pages (pml backend), or a size: 512K, 4M",
           [this](const std::string& v) {
             const uint64_t page = uint64_t(sysconf(_SC_PAGESIZE));
             bool rounded = false;
             std::string why = parse_mmap_pages(v, page, &ring_pages, &rounded);
             if (why.empty() && rounded)
               mmap_rounded_ = "rounding mmap pages size to " + human_bytes(ring_pages * page) +
                               " (" + std::to_string(ring_pages) + " pages)";
             return why;
           });
  p.flag('q', "quiet", "no informational messages", &quiet);
  // Like perf, say so when -m was rounded; after parsing, so -q counts
  // wherever it stands.
  p.check([this] {
    if (!mmap_rounded_.empty() && !quiet) std::fprintf(stderr, "%s\n", mmap_rounded_.c_str());
    return std::string();
  });
}

}  // namespace perf_pml
