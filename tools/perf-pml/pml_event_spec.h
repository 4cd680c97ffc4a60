// perf's event syntax for -e, for the one PMU perf pml records:
//   pml//                 config 0: epochs end only on request (as perf record -e pml//)
//   pml/epoch=10/         10 ms epochs: format/epoch is config:0-31, milliseconds
//   pml/epoch=0x10/       numbers as perf takes them, decimal or hex
//   pml/epoch=1s/         a perf pml extension: a duration with a unit
//   pml/config=10/        the raw config (bits above 31 must be 0)
//   pml/dirty_pages/      the sysfs event alias (epoch=0)
#pragma once

#include <cstdint>
#include <string>

namespace perf_pml {

// Parses `text`; sets *epoch_ms and returns "" or why the event is refused.
std::string parse_pml_event(const std::string& text, uint64_t* epoch_ms);

}  // namespace perf_pml
