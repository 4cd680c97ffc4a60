#include "options.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace perf_pml {

OptionParser::OptionParser(std::string command, std::string usage)
    : command_(std::move(command)), usage_(std::move(usage)) {}

void OptionParser::flag(char s, std::string l, std::string help, bool* out) {
  specs_.push_back({s, std::move(l), "", std::move(help), [out](const std::string&) {
                      *out = true;
                      return true;
                    }});
}

void OptionParser::value(char s, std::string l, std::string value_name, std::string help,
                         std::string* out) {
  specs_.push_back({s, std::move(l), std::move(value_name), std::move(help),
                    [out](const std::string& v) {
                      *out = v;
                      return true;
                    }});
}

void OptionParser::custom(char s, std::string l, std::string value_name, std::string help,
                          std::function<bool(const std::string&)> set) {
  specs_.push_back({s, std::move(l), std::move(value_name), std::move(help), std::move(set)});
}

const OptionSpec* OptionParser::find_long(const std::string& name) const {
  for (auto& s : specs_)
    if (!s.long_name.empty() && s.long_name == name) return &s;
  return nullptr;
}

const OptionSpec* OptionParser::find_short(char c) const {
  for (auto& s : specs_)
    if (s.short_name == c) return &s;
  return nullptr;
}

void OptionParser::print_usage(FILE* out) const {
  std::fprintf(out, "\n Usage: %s\n\n", usage_.c_str());
  for (auto& s : specs_) {
    std::string left = "    ";
    left += s.short_name ? std::string("-") + s.short_name : "  ";
    if (!s.long_name.empty()) left += (s.short_name ? ", --" : "  --") + s.long_name;
    if (!s.value_name.empty()) left += " <" + s.value_name + ">";
    std::fprintf(out, "%-34s %s\n", left.c_str(), s.help.c_str());
  }
  std::fprintf(out, "\n");
}

bool OptionParser::parse(const std::vector<std::string>& args, std::vector<std::string>* rest,
                         bool allow_command) {
  auto fail = [&](const std::string& msg) {
    std::fprintf(stderr, "  Error: %s\n", msg.c_str());
    print_usage(stderr);
    return false;
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      if (!allow_command) return fail("unexpected '--'");
      rest->assign(args.begin() + long(i) + 1, args.end());
      return true;
    }
    if (a == "-h" || a == "--help") {
      help_ = true;
      print_usage(stdout);
      return false;
    }
    if (a.rfind("--", 0) == 0) {
      std::string name = a.substr(2), val;
      bool has_eq = false;
      if (auto eq = name.find('='); eq != std::string::npos) {
        val = name.substr(eq + 1);
        name = name.substr(0, eq);
        has_eq = true;
      }
      const OptionSpec* s = find_long(name);
      if (!s) return fail("unknown option `" + name + "'");
      if (!s->value_name.empty() && !has_eq) {
        if (i + 1 >= args.size()) return fail("option `" + name + "' requires a value");
        val = args[++i];
      }
      if (!s->set(val)) return fail("invalid value '" + val + "' for option `" + name + "'");
      continue;
    }
    if (a.size() > 1 && a[0] == '-') {
      const OptionSpec* s = find_short(a[1]);
      if (!s) return fail(std::string("unknown switch `") + a[1] + "'");
      std::string val;
      if (!s->value_name.empty()) {
        if (a.size() > 2) val = a.substr(2);
        else if (i + 1 < args.size()) val = args[++i];
        else return fail(std::string("switch `") + a[1] + "' requires a value");
      } else if (a.size() > 2) {
        return fail(std::string("switch `") + a[1] + "' takes no value");
      }
      if (!s->set(val)) return fail("invalid value '" + val + "' for switch `" + a[1] + "'");
      continue;
    }
    if (!allow_command) return fail("unexpected argument '" + a + "'");
    rest->assign(args.begin() + long(i), args.end());
    return true;
  }
  return true;
}

bool parse_duration_ms(const std::string& text, uint64_t* ms) {
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || v < 0 || !std::isfinite(v)) return false;
  std::string unit(end);
  double scale;
  if (unit.empty() || unit == "ms") scale = 1;
  else if (unit == "s") scale = 1000;
  else if (unit == "us") scale = 0.001;
  else if (unit == "m" || unit == "min") scale = 60000;
  else return false;
  double r = v * scale;
  if (r > 4294967295.0) return false;
  *ms = uint64_t(std::llround(r));
  return true;
}

}  // namespace perf_pml
