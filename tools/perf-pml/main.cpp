// perf-pml: run by perf as "perf pml <subcommand>" (perf finds perf-pml in
// its exec path or PATH), or directly.
#include <unistd.h>

#include <cerrno>
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

// As "perf help CMD": the man page, with man's exit status. perf pml has
// one, perf-pml(1).
int man_page() {
  std::fflush(nullptr);
  execlp("man", "man", "perf-pml", static_cast<char*>(nullptr));
  std::fprintf(stderr, "perf pml: cannot run man for perf-pml(1): %s\n", std::strerror(errno));
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    usage(stdout);  // as perf alone
    return 1;
  }
  std::string sub = args[0];
  args.erase(args.begin());
  // perf turns "perf CMD --help" into "perf help CMD" (the man page); -h
  // and a later --help are the option parser's.
  if (!args.empty() && args[0] == "--help") return man_page();
  if (sub == "help" && !args.empty()) return man_page();
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
