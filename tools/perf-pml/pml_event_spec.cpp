#include "pml_event_spec.h"

#include <sstream>

#include "options.h"

namespace perf_pml {

namespace {

constexpr const char* kExample = "e.g. -e pml/epoch=10/";
constexpr const char* kTerms = "epoch=N, config=N, dirty_pages";

bool has_digits_only(const std::string& v) {
  if (v.size() > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) return true;
  return !v.empty() && v.find_first_not_of("0123456789") == std::string::npos;
}

// epoch=V: a number of milliseconds as perf writes it, or a duration.
std::string parse_epoch_value(const std::string& v, uint64_t* ms) {
  if (has_digits_only(v)) return parse_number(v, 0, 0xffffffffULL, ms);
  return parse_duration_ms(v, ms);
}

std::string apply_term(const std::string& term, uint64_t* epoch_ms) {
  auto eq = term.find('=');
  std::string name = term.substr(0, eq), value = eq == std::string::npos ? "" : term.substr(eq + 1);
  bool has_value = eq != std::string::npos;
  if (name == "dirty_pages") {
    if (has_value) return "the event alias 'dirty_pages' takes no value";
    *epoch_ms = 0;
    return "";
  }
  if (name == "epoch" || name == "config") {
    if (!has_value || value.empty())
      return "term '" + name + "' needs a value, e.g. " + name + "=10";
    std::string why = name == "epoch" ? parse_epoch_value(value, epoch_ms)
                                      : parse_number(value, 0, 0xffffffffULL, epoch_ms);
    if (!why.empty()) return "bad value '" + value + "' for term '" + name + "': " + why;
    return "";
  }
  if (name.empty()) return "empty term";
  return "unknown term '" + name + "' for PMU pml (known: " + kTerms + ")";
}

}  // namespace

std::string parse_pml_event(const std::string& text, uint64_t* epoch_ms) {
  auto slash = text.find('/');
  if (slash == std::string::npos)
    return "unknown event '" + text + "': perf pml records the pml PMU only (" + kExample + ")";
  std::string pmu = text.substr(0, slash);
  if (pmu != "pml")
    return "unknown PMU '" + pmu + "': perf pml records the pml PMU only (" + kExample + ")";
  auto close = text.find('/', slash + 1);
  if (close == std::string::npos) return "missing the closing '/' (" + std::string(kExample) + ")";
  if (close + 1 != text.size()) {
    std::string tail = text.substr(close + 1);
    if (tail[0] == ',') return "one event only: perf pml records a single pml event";
    return "event modifiers ('" + tail +
           "') are not supported: pml logs what the task writes, user and kernel alike";
  }
  uint64_t ms = 0;  // pml// is config 0, as in perf record -e pml//
  std::stringstream terms(text.substr(slash + 1, close - slash - 1));
  std::string term;
  while (std::getline(terms, term, ','))
    if (std::string why = apply_term(term, &ms); !why.empty()) return why;
  *epoch_ms = ms;
  return "";
}

}  // namespace perf_pml
