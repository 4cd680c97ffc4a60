// libFuzzer target: the perf.data reader and every analysis over whatever it
// decodes. Any input must end in a clean result or a clean error.
#include <cstddef>
#include <cstdint>

#include "pml/analysis.h"
#include "pml/perf_data.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto reader = pml::PerfDataReader::open_memory(
      std::span<const std::byte>(reinterpret_cast<const std::byte*>(data), size));
  if (!reader.ok()) return 0;
  pml::AnalysisOptions opts;
  opts.data_symbols = false;  // would open files named by the input
  opts.max_points = 64;       // exercise coarsening
  pml::Analyzer analyzer(opts);
  (void)reader->for_each([&](const pml::Record& r) { analyzer.add(r); });
  auto report = analyzer.result();
  (void)report;
  return 0;
}
