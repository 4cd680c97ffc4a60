// A small perf-style option parser: -o FILE, -oFILE, --output FILE,
// --output=FILE, unambiguous prefixes of long names, clustered short flags
// (-qS), and everything after "--" (or the first non-option) as a command.
// Values are checked when parsed: a bad one is a usage error (exit 129).
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace perf_pml {

// Applies an option's value; returns "" or why the value is bad.
using Setter = std::function<std::string(const std::string& value)>;

struct OptionSpec {
  char short_name = 0;     // 0 = none
  std::string long_name;   // "" = none
  std::string value_name;  // "" = a flag without a value
  std::string help;
  Setter set;
};

class OptionParser {
 public:
  OptionParser(std::string command, std::string usage);
  void flag(char s, std::string l, std::string help, bool* out);
  void value(char s, std::string l, std::string value_name, std::string help, std::string* out);
  void custom(char s, std::string l, std::string value_name, std::string help, Setter set);
  // An unsigned number in [min, max], decimal or 0x hex.
  void number(char s, std::string l, std::string value_name, std::string help, uint64_t* out,
              uint64_t min = 0, uint64_t max = UINT64_MAX);
  // A fraction in (0, 1].
  void fraction(char s, std::string l, std::string value_name, std::string help, double* out);
  // A check across options, run after all of them are parsed: "" or the error.
  void check(std::function<std::string()> check);

  // Parses argv (without the subcommand name). On failure prints a perf-style
  // message and usage to stderr and returns false (exit 129, like perf); -h
  // and --help print the usage on stderr and return false too: perf's
  // subcommands exit 129 then. (A --help right after the subcommand's name
  // is the man page: main.cpp.)
  // `rest` gets the command after "--" or the first non-option argument when
  // allow_command is set.
  bool parse(const std::vector<std::string>& args, std::vector<std::string>* rest,
             bool allow_command);
  void print_usage(FILE* out) const;

 private:
  const OptionSpec* find_long(const std::string& name, std::string* error) const;
  const OptionSpec* find_short(char c) const;
  bool fail(const std::string& message, const OptionSpec* spec, bool list_all = false) const;
  bool help() const;
  bool apply(const OptionSpec& spec, const std::string& spelled, const std::string& value) const;

  std::string command_, usage_;
  std::vector<OptionSpec> specs_;
  std::vector<std::function<std::string()>> checks_;
};

// Value parsers: each returns "" or why `text` is not acceptable.

// An unsigned integer, decimal or 0x hex, nothing else around it.
std::string parse_number(const std::string& text, uint64_t min, uint64_t max, uint64_t* out);
// A decimal fraction in (0, 1], e.g. 0.5 or .25.
std::string parse_fraction(const std::string& text, double* out);
// "100ms", "2s", "1.5s", "1m", "10" (ms) into whole milliseconds below 2^32
// (the pml event's config:0-31); "500us" is refused, not rounded.
std::string parse_duration_ms(const std::string& text, uint64_t* ms);
// perf record's -m: a page count or a size with B/K/M/G (512K, 4M), rounded
// up to a power of two pages like perf; at least one page. Sets *rounded
// when it had to round.
std::string parse_mmap_pages(const std::string& text, uint64_t page_size, uint64_t* pages,
                             bool* rounded);
}  // namespace perf_pml
