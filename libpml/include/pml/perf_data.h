// perf.data reader and writer (tools/perf/Documentation/perf.data-file-format.txt).
#pragma once

#include <linux/perf_event.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "pml/records.h"
#include "pml/result.h"
#include "pml/unique_fd.h"

namespace pml {

// One event of a perf.data file: its attr, the ids the kernel gave its
// instances, and its name (HEADER_EVENT_DESC).
struct EventInfo {
  std::string name;
  perf_event_attr attr{};
  std::vector<uint64_t> ids;
};

// The event that records made in user space (the software backends, test
// and benchmark generators) are written under: the pml event's layout and
// name, so their files read like the pml PMU's.
EventInfo soft_event_info(uint32_t epoch_ms);

// Optional header features written next to the data.
struct FileInfo {
  std::string hostname, os_release, arch, version;
  uint32_t nr_cpus_online = 0, nr_cpus_available = 0;
  std::vector<std::string> cmdline;
};

// Fills FileInfo from uname(2) and sysconf(3).
FileInfo host_file_info(std::vector<std::string> cmdline = {});

// The sample layout the writer can encode (what the pml PMU produces).
inline constexpr uint64_t kWritableSampleType =
    PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
    PERF_SAMPLE_ADDR | PERF_SAMPLE_ID | PERF_SAMPLE_STREAM_ID | PERF_SAMPLE_CPU |
    PERF_SAMPLE_PERIOD | PERF_SAMPLE_RAW | PERF_SAMPLE_DATA_SRC |
    PERF_SAMPLE_PHYS_ADDR | PERF_SAMPLE_DATA_PAGE_SIZE;

class PerfDataWriter {
 public:
  // Creates (truncates) `path` and writes the header, attrs and ids. The
  // header is rewritten with the final sizes by finish().
  static Result<PerfDataWriter> create(const std::string& path, std::vector<EventInfo> events,
                                       FileInfo info = {});
  // Pipe mode, as perf record -o - writes it, to fd (e.g. a dup of stdout):
  // a 16-byte header, PERF_RECORD_HEADER_ATTR and HEADER_FEATURE records,
  // FINISHED_INIT, then the records as written. Perf's report and script read
  // it with -i -. Written out at each FINISHED_ROUND and at finish().
  static Result<PerfDataWriter> create_pipe(UniqueFd fd, std::vector<EventInfo> events,
                                            FileInfo info = {});

  PerfDataWriter(PerfDataWriter&&) noexcept;
  PerfDataWriter& operator=(PerfDataWriter&&) noexcept;
  ~PerfDataWriter();

  // Encodes one record. Samples are encoded with the attr of
  // sample.event_index; other records get the sample_id_all trailer of event 0.
  Result<void> write(const Record& record);
  // Appends a record already in kernel format (e.g. copied from a ring buffer).
  Result<void> write_raw(std::span<const std::byte> record);
  // Writes the features and the final header (pipe mode: what is buffered),
  // and closes the file. Idempotent.
  Result<void> finish();

  uint64_t data_bytes() const;
  const std::vector<EventInfo>& events() const;

 private:
  struct Impl;
  explicit PerfDataWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct ReadStats {
  uint64_t records = 0;
  uint64_t samples = 0;
  uint64_t lost_records = 0;      // PERF_RECORD_LOST / LOST_SAMPLES seen
  uint64_t lost_events = 0;       // sum of their counts
  uint64_t skipped_records = 0;   // record types libpml does not decode
  uint64_t unattributed_samples = 0;  // sample id matches no event
  uint64_t bytes = 0;             // data bytes consumed
};

struct ReadOptions {
  // for_each() will be called more than once: a pipe is copied to an
  // unlinked temporary file as it is read, so that it can be read again.
  bool reread = false;
};

class PerfDataReader {
 public:
  // A perf.data file, in file or pipe mode (perf record -o - > FILE); "-"
  // is standard input: a file, or a pipe carrying pipe mode.
  static Result<PerfDataReader> open(const std::string& path, const ReadOptions& options = {});
  // Reads from memory (the fuzz target's entry point). The span must outlive the reader.
  static Result<PerfDataReader> open_memory(std::span<const std::byte> bytes);

  PerfDataReader(PerfDataReader&&) noexcept;
  PerfDataReader& operator=(PerfDataReader&&) noexcept;
  ~PerfDataReader();

  const std::vector<EventInfo>& events() const;
  const FileInfo& info() const;
  // Bytes of the data section that are present (of a pipe: read so far).
  uint64_t data_size() const;
  // The input is in pipe mode (events from PERF_RECORD_HEADER_ATTR).
  bool pipe_mode() const;

  // Problem found while opening that does not stop reading (e.g. the data
  // section extends past the end of the file). Reported again by for_each.
  const std::optional<Error>& open_warning() const;

  using Sink = std::function<void(const Record&)>;
  using Progress = std::function<void(uint64_t done_bytes, uint64_t total_bytes)>;

  // Decodes every record in file order. Stops at the first truncated or
  // corrupt record and returns its error; all records before it have been
  // delivered to `sink`. Can be called again to re-read from the start,
  // except on a pipe opened without ReadOptions::reread.
  Result<void> for_each(const Sink& sink, const Progress& progress = {});

  const ReadStats& stats() const;

 private:
  struct Impl;
  explicit PerfDataReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Parses the body of a PERF_RECORD_SAMPLE (after the 8-byte header) laid out
// by `attr`. Returns false when the body is shorter than the layout needs.
bool decode_sample(const perf_event_attr& attr, std::span<const std::byte> body, Sample& out);

// Parses a sample_id_all trailer at the end of a non-sample record body.
bool decode_sample_id(const perf_event_attr& attr, std::span<const std::byte> body, SampleId& out);

// Human-readable event name for an attr when the file carries none.
std::string default_event_name(const perf_event_attr& attr);

}  // namespace pml
