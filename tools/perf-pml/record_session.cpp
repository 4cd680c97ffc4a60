#include "record_session.h"

#include <signal.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "common.h"

namespace perf_pml {

std::atomic<bool>& stop_requested() {
  static std::atomic<bool> flag{false};
  return flag;
}

static std::atomic<int> stop_signal{0};

static void on_signal(int sig) {
  stop_signal.store(sig);
  stop_requested().store(true);
}

ExitCode exit_code_for(const char* cmd, int st, int stop_sig, bool launched) {
  ExitCode e;
  if (st < 0) {
    e.code = 1;
    return e;
  }
  const bool record = std::string(cmd) == "record";
  // On a stop the session SIGTERMs the command: that death is ours, not
  // the command's.
  const bool own_kill = stop_sig && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM;
  if (record && launched && WIFSIGNALED(st) && !own_kill) {
    e.reraise = WTERMSIG(st);
  } else if (stop_sig && (record || !launched)) {
    e.reraise = stop_sig;
  } else if (launched && WIFEXITED(st)) {
    e.code = WEXITSTATUS(st);
  }
  return e;
}

int RecordSession::finish(int wait_status) {
  ExitCode e = exit_code_for(cmd_, wait_status, stop_signal.load(), !target_.argv.empty());
  if (e.reraise) {
    std::fflush(nullptr);
    signal(e.reraise, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, e.reraise);
    sigprocmask(SIG_UNBLOCK, &set, nullptr);
    raise(e.reraise);
    e.code = 128 + e.reraise;  // a signal that does not kill (none here)
  }
  return e.code;
}

std::unique_ptr<RecordSession> RecordSession::prepare(const char* cmd, SessionOptions o) {
  auto s = std::unique_ptr<RecordSession>(new RecordSession);
  s->cmd_ = cmd;
  if (o.command.empty() == (o.pid == 0)) {
    print_error(cmd, o.command.empty() ? "give a command after '--' or a pid with -p"
                                       : "give either a command or -p, not both");
    return nullptr;
  }
  if (o.pid) s->target_.pid = o.pid;
  s->target_.argv = o.command;
  auto kind = pml::parse_backend_kind(o.backend);
  if (!kind.ok()) {
    print_error(cmd, kind.error().message);
    return nullptr;
  }
  pml::BackendConfig cfg;
  cfg.epoch_ms = uint32_t(o.epoch_ms);
  if (o.ring_pages) cfg.ring_pages = o.ring_pages;
  auto choice = pml::choose_backend(*kind, cfg);
  if (!choice.ok()) {
    print_error(cmd, choice.error().message);
    return nullptr;
  }
  s->choice_ = std::move(choice.value());
  s->opts_ = std::move(o);
  if (!s->opts_.quiet)
    std::fprintf(stderr, "[ perf pml %s: using backend %s: %s ]\n", cmd,
                 pml::backend_kind_name(s->choice_.backend->kind()), s->choice_.reason.c_str());
  return s;
}

std::string RecordSession::target_name() const {
  if (!target_.argv.empty()) {
    std::string s;
    for (auto& a : target_.argv) s += (s.empty() ? "" : " ") + a;
    return s;
  }
  return "process " + std::to_string(target_.pid);
}

bool RecordSession::start() {
  // Before the target starts: a Ctrl-C from its first instruction on stops
  // the session (and is re-raised at the end) rather than killing us.
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  auto r = choice_.backend->start(target_);
  if (!r.ok()) {
    print_error(cmd_, "cannot start tracking " + target_name() + ": " + r.error().to_string());
    return false;
  }
  return true;
}

int RecordSession::run(pml::RecordSink& sink, bool output_pipe) {
  auto r = choice_.backend->run(sink, stop_requested());
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  if (!r.ok()) {
    if (!(output_pipe && r.error().errnum == EPIPE)) print_error(cmd_, r.error().to_string());
    return -1;
  }
  int st = *r;
  if (!target_.argv.empty() && !opts_.quiet) {
    if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
      std::fprintf(stderr, "[ perf pml %s: %s exited with status %d ]\n", cmd_,
                   target_.argv[0].c_str(), WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
      std::fprintf(stderr, "[ perf pml %s: %s killed by signal %d (%s) ]\n", cmd_,
                   target_.argv[0].c_str(), WTERMSIG(st), strsignal(WTERMSIG(st)));
  }
  return st;
}

}  // namespace perf_pml
