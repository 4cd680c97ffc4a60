#include "report_filter.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace perf_pml {

static std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::string item;
  std::stringstream in(text);
  while (std::getline(in, item, sep)) out.push_back(item);
  if (!text.empty() && text.back() == sep) out.push_back("");
  return out;
}

pml::Result<std::vector<uint32_t>> parse_id_list(const std::string& text) {
  std::vector<uint32_t> ids;
  for (const auto& item : split(text, ',')) {
    char* end = nullptr;
    errno = 0;
    unsigned long long v = std::strtoull(item.c_str(), &end, 10);
    if (item.empty() || item[0] == '-' || *end != '\0' || errno != 0 || v > UINT32_MAX)
      return pml::make_error("'" + item + "' is not a process or thread id", EINVAL);
    ids.push_back(uint32_t(v));
  }
  if (ids.empty()) return pml::make_error("empty id list", EINVAL);
  return ids;
}

std::vector<std::string> parse_name_list(const std::string& text) {
  std::vector<std::string> names;
  for (auto& n : split(text, ','))
    if (!n.empty()) names.push_back(n);
  return names;
}

bool parse_seconds_ns(const std::string& text, uint64_t* ns) {
  size_t dot = text.find('.');
  std::string whole = text.substr(0, dot);
  std::string frac = dot == std::string::npos ? "" : text.substr(dot + 1);
  if (whole.empty() && frac.empty()) return false;
  if (frac.size() > 9) return false;
  for (char c : whole + frac)
    if (c < '0' || c > '9') return false;
  if (whole.size() > 10) return false;  // < 2^64 ns
  uint64_t sec = whole.empty() ? 0 : std::strtoull(whole.c_str(), nullptr, 10);
  frac.resize(9, '0');
  *ns = sec * 1000000000ULL + std::strtoull(frac.c_str(), nullptr, 10);
  return true;
}

static bool parse_percent(const std::string& text, double* v) {
  if (text.size() < 2 || text.back() != '%') return false;
  std::string num = text.substr(0, text.size() - 1);
  char* end = nullptr;
  *v = std::strtod(num.c_str(), &end);
  return end != num.c_str() && *end == '\0' && std::isfinite(*v) && *v >= 0 && *v <= 100;
}

pml::Result<TimeSpec> parse_time_spec(const std::string& text) {
  TimeSpec spec;
  auto bad = [](const std::string& why) { return pml::make_error(why, EINVAL); };
  if (text.find('%') != std::string::npos) {
    for (const auto& item : split(text, ',')) {
      TimeSpec::Percent p;
      if (auto slash = item.find('/'); slash != std::string::npos) {
        // "a%/n": the n-th slice of a%.
        double size;
        std::string n_text = item.substr(slash + 1);
        char* end = nullptr;
        long n = std::strtol(n_text.c_str(), &end, 10);
        if (!parse_percent(item.substr(0, slash), &size) || size == 0 || n_text.empty() ||
            *end != '\0' || n < 1 || double(n) * size > 100 + 1e-9)
          return bad("expected a%/n with n slices of a% fitting in 100%");
        p.from = size * double(n - 1);
        p.to = size * double(n);
      } else if (auto dash = item.find('-'); dash != std::string::npos) {
        if (!parse_percent(item.substr(0, dash), &p.from) ||
            !parse_percent(item.substr(dash + 1), &p.to) || p.from > p.to)
          return bad("expected a%-b% with a <= b");
      } else {
        return bad("expected a%/n or a%-b%");
      }
      spec.percent.push_back(p);
    }
    return spec;
  }
  std::stringstream in(text);
  std::string item;
  while (in >> item) {
    auto comma = item.find(',');
    if (comma == std::string::npos) return bad("expected start,stop");
    std::string a = item.substr(0, comma), b = item.substr(comma + 1);
    pml::SampleFilter::TimeRange r;
    if (!a.empty() && !parse_seconds_ns(a, &r.start)) return bad("'" + a + "' is not seconds");
    if (!b.empty() && !parse_seconds_ns(b, &r.end)) return bad("'" + b + "' is not seconds");
    if (r.start > r.end) return bad("start after stop");
    spec.absolute.push_back(r);
  }
  if (spec.absolute.empty()) return bad("expected start,stop");
  return spec;
}

std::vector<pml::SampleFilter::TimeRange> TimeSpec::ranges(uint64_t first, uint64_t last) const {
  std::vector<pml::SampleFilter::TimeRange> out = absolute;
  const double span = last > first ? double(last - first) : 0;
  for (const auto& p : percent) {
    pml::SampleFilter::TimeRange r;
    r.start = first + uint64_t(std::llround(span * p.from / 100));
    r.end = first + uint64_t(std::llround(span * p.to / 100));
    out.push_back(r);
  }
  return out;
}

void add_filter_options(OptionParser& opts, FilterOptions* fo) {
  auto ids = [](std::vector<uint32_t>* out) {
    return [out](const std::string& v) -> std::string {
      auto r = parse_id_list(v);
      if (!r.ok()) return r.error().message;
      *out = *r;
      return "";
    };
  };
  opts.custom(0, "pid", "pid[,pid...]", "only samples of these processes", ids(&fo->pids));
  opts.custom(0, "tid", "tid[,tid...]", "only samples of these threads", ids(&fo->tids));
  opts.custom(0, "comm", "comm[,comm...]", "only samples of threads with these names",
              [fo](const std::string& v) {
                fo->comms = parse_name_list(v);
                return fo->comms.empty() ? std::string("give at least one name") : "";
              });
  opts.custom(0, "time", "start,stop",
              "only samples in this time window (seconds, or percent: 10%/2, 0%-10%)",
              [fo](const std::string& v) -> std::string {
                auto t = parse_time_spec(v);
                if (!t.ok()) return t.error().message;
                fo->time = *t;
                return "";
              });
}

pml::SampleFilter make_filter(FilterOptions fo, pml::PerfDataReader& reader) {
  pml::SampleFilter f;
  f.pids = std::move(fo.pids);
  f.tids = std::move(fo.tids);
  f.comms = std::move(fo.comms);
  if (!fo.time) return f;
  uint64_t first = UINT64_MAX, last = 0;
  if (fo.time->needs_span()) {
    (void)reader.for_each([&](const pml::Record& r) {
      if (auto* s = std::get_if<pml::Sample>(&r)) {
        first = std::min(first, s->time);
        last = std::max(last, s->time);
      }
    });
    if (first == UINT64_MAX) first = 0;
  }
  f.times = fo.time->ranges(first, last);
  return f;
}

}  // namespace perf_pml
