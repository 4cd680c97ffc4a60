// A small perf-style option parser: -o FILE, --output FILE, --output=FILE,
// boolean flags, and everything after "--" (or the first non-option) as a
// command.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace perf_pml {

struct OptionSpec {
  char short_name = 0;           // 0 = none
  std::string long_name;         // "" = none
  std::string value_name;        // "" = a flag without a value
  std::string help;
  std::function<bool(const std::string&)> set;  // returns false on a bad value
};

class OptionParser {
 public:
  OptionParser(std::string command, std::string usage);
  void flag(char s, std::string l, std::string help, bool* out);
  void value(char s, std::string l, std::string value_name, std::string help, std::string* out);
  void custom(char s, std::string l, std::string value_name, std::string help,
              std::function<bool(const std::string&)> set);

  // Parses argv (without the subcommand name). On failure prints a perf-style
  // message and usage to stderr and returns false. `rest` gets the command
  // after "--" or the first non-option argument when allow_command is set.
  bool parse(const std::vector<std::string>& args, std::vector<std::string>* rest,
             bool allow_command);
  void print_usage(FILE* out) const;
  bool help_requested() const { return help_; }

 private:
  const OptionSpec* find_long(const std::string& name) const;
  const OptionSpec* find_short(char c) const;

  std::string command_, usage_;
  std::vector<OptionSpec> specs_;
  bool help_ = false;
};

// Parses "100ms", "2s", "1.5s", "500us", "10" (ms) into milliseconds.
bool parse_duration_ms(const std::string& text, uint64_t* ms);

}  // namespace perf_pml
