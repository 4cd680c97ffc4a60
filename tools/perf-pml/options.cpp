#include "options.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>

namespace perf_pml {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Spelling of an option in messages: the form the user typed.
std::string spelled_long(const OptionSpec& s) { return "--" + s.long_name; }

// Scans "digits[.digits]" at the start of `text`; returns the length, 0 if
// there is no number. No sign, spaces, exponents or hex floats: strtod would
// take "inf", " 1" and "0x1p3".
size_t scan_decimal(const std::string& text) {
  size_t i = 0;
  while (i < text.size() && is_digit(text[i])) ++i;
  size_t int_digits = i;
  if (i < text.size() && text[i] == '.') {
    size_t j = i + 1;
    while (j < text.size() && is_digit(text[j])) ++j;
    if (j == i + 1 && int_digits == 0) return 0;  // "." alone
    i = j;
  }
  return i;
}

}  // namespace

OptionParser::OptionParser(std::string command, std::string usage)
    : command_(std::move(command)), usage_(std::move(usage)) {}

void OptionParser::flag(char s, std::string l, std::string help, bool* out) {
  specs_.push_back({s, std::move(l), "", std::move(help), [out](const std::string&) {
                      *out = true;
                      return std::string();
                    }});
}

void OptionParser::value(char s, std::string l, std::string value_name, std::string help,
                         std::string* out) {
  specs_.push_back(
      {s, std::move(l), std::move(value_name), std::move(help), [out](const std::string& v) {
         *out = v;
         return std::string();
       }});
}

void OptionParser::custom(char s, std::string l, std::string value_name, std::string help,
                          Setter set) {
  specs_.push_back({s, std::move(l), std::move(value_name), std::move(help), std::move(set)});
}

void OptionParser::number(char s, std::string l, std::string value_name, std::string help,
                          uint64_t* out, uint64_t min, uint64_t max) {
  custom(s, std::move(l), std::move(value_name), std::move(help),
         [=](const std::string& v) { return parse_number(v, min, max, out); });
}

void OptionParser::fraction(char s, std::string l, std::string value_name, std::string help,
                            double* out) {
  custom(s, std::move(l), std::move(value_name), std::move(help),
         [=](const std::string& v) { return parse_fraction(v, out); });
}

void OptionParser::check(std::function<std::string()> check) {
  checks_.push_back(std::move(check));
}

const OptionSpec* OptionParser::find_long(const std::string& name, std::string* error) const {
  for (auto& s : specs_)
    if (!s.long_name.empty() && s.long_name == name) return &s;
  // Like perf, an unambiguous prefix names the option.
  std::vector<const OptionSpec*> matches;
  for (auto& s : specs_)
    if (!name.empty() && !s.long_name.empty() && s.long_name.rfind(name, 0) == 0)
      matches.push_back(&s);
  if (matches.size() == 1) return matches[0];
  if (matches.empty()) {
    *error = "unknown option '--" + name + "'";
    return nullptr;
  }
  std::string candidates;
  for (auto* s : matches) candidates += (candidates.empty() ? "" : " or ") + spelled_long(*s);
  *error = "ambiguous option '--" + name + "' (could be " + candidates + ")";
  return nullptr;
}

const OptionSpec* OptionParser::find_short(char c) const {
  for (auto& s : specs_)
    if (s.short_name == c) return &s;
  return nullptr;
}

static std::string usage_line(const OptionSpec& s) {
  std::string left = "    ";
  left += s.short_name ? std::string("-") + s.short_name : "  ";
  if (!s.long_name.empty()) left += (s.short_name ? ", --" : "  --") + s.long_name;
  if (!s.value_name.empty()) left += " <" + s.value_name + ">";
  // Help text in a column, on the next line when the names are too long.
  constexpr size_t kColumn = 35;
  if (left.size() < kColumn) left.resize(kColumn, ' ');
  else left += "\n" + std::string(kColumn, ' ');
  return left + s.help + "\n";
}

void OptionParser::print_usage(FILE* out) const {
  std::fprintf(out, "\n Usage: %s\n\n", usage_.c_str());
  for (auto& s : specs_) std::fputs(usage_line(s).c_str(), out);
  std::fprintf(out, "\n");
}

// Like perf: the error, then the usage line and the one option at fault,
// or all of them after an unknown option.
bool OptionParser::fail(const std::string& message, const OptionSpec* spec, bool list_all) const {
  std::fprintf(stderr, "perf pml %s: error: %s\n", command_.c_str(), message.c_str());
  if (list_all)
    print_usage(stderr);
  else
    std::fprintf(stderr, "\n Usage: %s\n\n%s\n", usage_.c_str(),
                 spec ? usage_line(*spec).c_str() : "");
  return false;
}

// As perf's parse_options: -h (also among clustered flags) and --help print
// the usage on stderr, and the command exits 129.
bool OptionParser::help() const {
  print_usage(stderr);
  return false;
}

bool OptionParser::apply(const OptionSpec& spec, const std::string& spelled,
                         const std::string& value) const {
  std::string why = spec.set(value);
  if (why.empty()) return true;
  return fail("invalid value '" + value + "' for " + spelled + ": " + why, &spec);
}

bool OptionParser::parse(const std::vector<std::string>& args, std::vector<std::string>* rest,
                         bool allow_command) {
  auto run_checks = [&] {
    for (auto& c : checks_)
      if (std::string why = c(); !why.empty()) return fail(why, nullptr, false);
    return true;
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      if (!allow_command)
        return fail("unexpected '--': this command runs no command", nullptr, false);
      rest->assign(args.begin() + long(i) + 1, args.end());
      return run_checks();
    }
    if (a == "-h" || a == "--help") return help();
    if (a.rfind("--", 0) == 0) {
      std::string name = a.substr(2), val;
      bool has_eq = false;
      if (auto eq = name.find('='); eq != std::string::npos) {
        val = name.substr(eq + 1);
        name = name.substr(0, eq);
        has_eq = true;
      }
      std::string why;
      const OptionSpec* s = find_long(name, &why);
      if (!s) return fail(why, nullptr, true);
      std::string spelled = spelled_long(*s);
      if (s->value_name.empty()) {
        if (has_eq) return fail("option '" + spelled + "' takes no value", s);
      } else if (!has_eq) {
        if (i + 1 >= args.size()) return fail("option '" + spelled + "' requires a value", s);
        val = args[++i];
      }
      if (!apply(*s, spelled, val)) return false;
      continue;
    }
    if (a.size() > 1 && a[0] == '-') {
      // Short options, clustered like -qS; a value option takes the rest of
      // the word (-ofile) or the next argument.
      for (size_t j = 1; j < a.size(); ++j) {
        if (a[j] == 'h' && !find_short('h')) return help();
        const OptionSpec* s = find_short(a[j]);
        std::string spelled = std::string("-") + a[j];
        if (!s) return fail("unknown switch '" + spelled + "'", nullptr, true);
        if (s->value_name.empty()) {
          if (j + 1 < a.size() && a[j + 1] == '=')
            return fail("switch '" + spelled + "' takes no value", s);
          if (!apply(*s, spelled, "")) return false;
          continue;
        }
        std::string val;
        if (j + 1 < a.size())
          val = a.substr(j + 1);
        else if (i + 1 < args.size())
          val = args[++i];
        else
          return fail("switch '" + spelled + "' requires a value", s);
        if (!apply(*s, spelled, val)) return false;
        break;
      }
      continue;
    }
    if (!allow_command) return fail("unexpected argument '" + a + "'", nullptr, true);
    rest->assign(args.begin() + long(i), args.end());
    return run_checks();
  }
  return run_checks();
}

std::string parse_number(const std::string& text, uint64_t min, uint64_t max, uint64_t* out) {
  if (text.empty()) return "empty, expected a number";
  int base = 10;
  size_t start = 0;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    start = 2;
  }
  for (size_t i = start; i < text.size(); ++i) {
    bool ok =
        base == 16 ? std::isxdigit(static_cast<unsigned char>(text[i])) != 0 : is_digit(text[i]);
    if (!ok) return "not a number";
  }
  errno = 0;
  unsigned long long v = std::strtoull(text.c_str() + start, nullptr, base);
  std::string range = "expected " + std::to_string(min) + " to " + std::to_string(max);
  if (max == UINT64_MAX) range = "expected at least " + std::to_string(min);
  if (errno == ERANGE || v < min || v > max) return "out of range, " + range;
  *out = v;
  return "";
}

std::string parse_fraction(const std::string& text, double* out) {
  size_t n = scan_decimal(text);
  if (n == 0 || n != text.size()) return "not a number, expected a fraction like 0.5";
  double v = std::strtod(text.c_str(), nullptr);
  if (!(v > 0 && v <= 1)) return "out of range, expected a fraction above 0 and at most 1";
  *out = v;
  return "";
}

std::string parse_duration_ms(const std::string& text, uint64_t* ms) {
  size_t n = scan_decimal(text);
  if (n == 0) return "not a duration, expected e.g. 100ms, 2s or 1.5s";
  std::string unit = text.substr(n);
  uint64_t scale;
  if (unit.empty() || unit == "ms")
    scale = 1;
  else if (unit == "s")
    scale = 1000;
  else if (unit == "m" || unit == "min")
    scale = 60000;
  else if (unit == "us" || unit == "ns")
    return "below a millisecond: epochs are whole milliseconds";
  else
    return "unknown unit '" + unit + "' (ms, s, m)";
  // Exact decimal arithmetic: 1.1s is 1100ms, not 1100.0000000000002.
  std::string number = text.substr(0, n), whole = number, frac;
  if (auto dot = number.find('.'); dot != std::string::npos) {
    whole = number.substr(0, dot);
    frac = number.substr(dot + 1);
  }
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  while (whole.size() > 1 && whole[0] == '0') whole.erase(0, 1);
  const std::string too_long = "too long, at most 4294967295ms (config:0-31)";
  if (whole.size() > 10) return too_long;
  if (frac.size() > 6) return "not a whole number of milliseconds";
  uint64_t pow10 = 1;
  for (size_t i = 0; i < frac.size(); ++i) pow10 *= 10;
  uint64_t frac_scaled = (frac.empty() ? 0 : std::stoull(frac)) * scale;
  if (frac_scaled % pow10) return "not a whole number of milliseconds";
  uint64_t r = (whole.empty() ? 0 : std::stoull(whole)) * scale + frac_scaled / pow10;
  if (r > 4294967295ULL) return too_long;
  *ms = r;
  return "";
}

std::string parse_mmap_pages(const std::string& text, uint64_t page_size, uint64_t* pages,
                             bool* rounded) {
  if (text.find(',') != std::string::npos) return "no AUX area here: give the data pages only";
  size_t digits = 0;
  while (digits < text.size() && is_digit(text[digits])) ++digits;
  if (digits == 0) return "not a page count or size (e.g. 512, 2M)";
  std::string unit = text.substr(digits);
  uint64_t mult = 0;  // 0: a page count
  if (unit == "B" || unit == "b")
    mult = 1;
  else if (unit == "K" || unit == "k")
    mult = 1ULL << 10;
  else if (unit == "M" || unit == "m")
    mult = 1ULL << 20;
  else if (unit == "G" || unit == "g")
    mult = 1ULL << 30;
  else if (!unit.empty())
    return "unknown size unit '" + unit + "' (B, K, M, G)";
  errno = 0;
  unsigned long long v = std::strtoull(text.substr(0, digits).c_str(), nullptr, 10);
  // Like perf: at most UINT_MAX pages.
  const uint64_t max_pages = 1ULL << 31;
  std::string too_big = "too large, at most " + std::to_string(max_pages) + " pages";
  if (errno == ERANGE) return too_big;
  uint64_t n = v;
  if (mult) {
    if (v > UINT64_MAX / mult) return too_big;
    n = (v * mult + page_size - 1) / page_size;
  }
  if (n == 0) return "at least one page";
  if (n > max_pages) return too_big;
  uint64_t p = 1;
  while (p < n) p <<= 1;
  *rounded = p != n;
  *pages = p;
  return "";
}

}  // namespace perf_pml
