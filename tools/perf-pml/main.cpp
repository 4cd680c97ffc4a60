// perf-pml: run by perf as "perf pml <subcommand>" (perf finds perf-pml in
// its exec path or PATH), or directly.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "commands.h"
#include "common.h"

namespace {

void usage(FILE* out) {
  std::fprintf(out,
               "\n usage: perf pml <command> [<options>]\n\n"
               " Per-task dirty-page tracking with Intel Page Modification Logging.\n\n"
               "   record   Run a command and record the pages it writes into perf.data\n"
               "   report   Working set, dirty rate, hot pages, mappings, huge pages\n"
               "   stat     Run a command and print a one-screen summary\n"
               "   script   Print one line per record of a perf.data file\n"
               "   diff     Compare the pages two recordings wrote, per mapping\n\n"
               " See 'man perf-pml' or 'perf pml <command> -h'.\n\n");
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    usage(stderr);
    return 129;
  }
  std::string sub = args[0];
  args.erase(args.begin());
  perf_pml::catch_broken_pipe();
  using Command = int (*)(const std::vector<std::string>&);
  Command command = sub == "record"   ? perf_pml::cmd_record
                    : sub == "report" ? perf_pml::cmd_report
                    : sub == "stat"   ? perf_pml::cmd_stat
                    : sub == "script" ? perf_pml::cmd_script
                    : sub == "diff"   ? perf_pml::cmd_diff
                                      : nullptr;
  if (command) return perf_pml::finish_stdout(sub.c_str(), command(args));
  if (sub == "-h" || sub == "--help" || sub == "help") {
    usage(stdout);
    return 0;
  }
  if (sub == "--version" || sub == "version") {
    std::printf("perf-pml version 0.1\n");
    return 0;
  }
  std::fprintf(stderr, "perf pml: '%s' is not a perf pml command. See 'perf pml --help'.\n",
               sub.c_str());
  return 129;
}
