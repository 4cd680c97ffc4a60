#include "process_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <poll.h>
#include <sys/ptrace.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <vector>

#include "pml/synthesize.h"
#include "remote_syscall.h"

namespace pml::soft {

namespace {

// The longest we sleep between looks at the tasks, should SIGCHLD go to
// another thread of ours and not reach the signalfd.
constexpr int kMaxSleepMs = 50;

int event_of(int status) { return status >> 16; }

bool is_stop_signal(int sig) {
  return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

std::string proc_field(pid_t pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.compare(0, key.size() + 1, key + ":") == 0) {
      size_t v = line.find_first_not_of(" \t", key.size() + 1);
      return v == std::string::npos ? "" : line.substr(v);
    }
  return "";
}

std::string read_comm(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/comm");
  std::string comm;
  std::getline(in, comm);
  return comm;
}

// Whether delivering `sig` ends the process: its default action terminates
// and the process neither catches nor ignores it.
bool kills_process(pid_t tgid, int sig) {
  switch (sig) {
    case SIGCHLD: case SIGCONT: case SIGURG: case SIGWINCH:
    case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
      return false;
    default:
      break;
  }
  const uint64_t bit = 1ull << (sig - 1);
  for (const char* key : {"SigIgn", "SigCgt"}) {
    std::string mask = proc_field(tgid, key);
    if (mask.empty()) return false;
    if (std::stoull(mask, nullptr, 16) & bit) return false;
  }
  return true;
}

std::vector<pid_t> other_threads(pid_t pid) {
  std::vector<pid_t> tids;
  std::string dir = "/proc/" + std::to_string(pid) + "/task";
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      pid_t tid = pid_t(atoi(e->d_name));
      if (tid > 0 && tid != pid) tids.push_back(tid);
    }
    closedir(d);
  }
  return tids;
}

// Whether two tasks share one mm; CLONE_VM is not visible otherwise.
bool same_mm(pid_t a, pid_t b, bool fallback) {
  long r = syscall(SYS_kcmp, a, b, KCMP_VM, 0, 0);
  return r < 0 ? fallback : r == 0;
}

}  // namespace

int trace_options() {
  return PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT | PTRACE_O_TRACEFORK |
         PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE;
}

Result<std::unique_ptr<ProcessTree>> ProcessTree::start(pid_t pid, Kind kind, bool launched) {
  std::unique_ptr<ProcessTree> tree(new ProcessTree(pid, kind, launched));
  tree->tasks_[pid] = Task{pid, false, false};
  tree->processes_[pid].tids.insert(pid);
  tree->processes_[pid].ppid = pid_t(std::stol("0" + proc_field(pid, "PPid")));
  if (!launched) {
    // The other threads of a running process: seize each (new ones are
    // followed from here on through the seized threads' clone events).
    for (pid_t tid : other_threads(pid)) {
      if (ptrace(PTRACE_SEIZE, tid, nullptr, reinterpret_cast<void*>(long(trace_options()))) != 0)
        continue;  // exited meanwhile
      tree->tasks_[tid] = Task{pid, false, false};
      tree->processes_[pid].tids.insert(tid);
    }
  }
  Result<void> sig = tree->open_sigchld();
  if (!sig) return sig.error();
  Result<void> armed = tree->arm_and_resume(pid, pid);
  if (!armed) return armed.error();
  return tree;
}

Result<void> ProcessTree::open_sigchld() {
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  // Blocked so the signalfd sees it; the launched child was forked before.
  if (pthread_sigmask(SIG_BLOCK, &chld, &old_mask_) != 0) return errno_error("pthread_sigmask");
  mask_changed_ = true;
  sigchld_.reset(signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!sigchld_.valid()) return errno_error("signalfd");
  return {};
}

ProcessTree::~ProcessTree() {
  if (launched_ && !main_status_) {
    kill(main_pid_, SIGKILL);
    (void)wait_exit();
  }
  (void)stop_tracing();
  if (mask_changed_ && !sigismember(&old_mask_, SIGCHLD)) {
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    pthread_sigmask(SIG_UNBLOCK, &chld, nullptr);
  }
}

Result<void> ProcessTree::arm_and_resume(pid_t tgid, pid_t tid, int signal) {
  RemoteSyscalls stopped(tid);
  auto armed = RemoteTracker::arm(tgid, kind_, &stopped);
  Result<void> restored = stopped.restore();
  if (armed) processes_[tgid].mm = std::move(*armed);
  std::vector<int> pending = stopped.pending_signals();
  if (signal) pending.insert(pending.begin(), signal);
  resume(tid, pending.empty() ? 0 : pending[0]);
  for (size_t i = 1; i < pending.size(); ++i) syscall(SYS_tgkill, tgid, tid, pending[i]);
  if (!armed) return armed.error();
  if (!restored) return restored.error();
  return {};
}

void ProcessTree::resume(pid_t tid, int signal) {
  ptrace(PTRACE_CONT, tid, nullptr, reinterpret_cast<void*>(long(signal)));
}

bool ProcessTree::mm_shared_with_others(pid_t tgid) const {
  const auto& mm = processes_.at(tgid).mm;
  if (!mm) return false;
  for (const auto& [other, p] : processes_)
    if (other != tgid && p.mm == mm) return true;
  return false;
}

Result<void> ProcessTree::collect_final(pid_t tgid, pid_t tid, bool whole_process, uint64_t epoch,
                                  const DirtyPageCallback& pages, const TaskEventCallback& events) {
  Process& p = processes_.at(tgid);
  if (!p.mm || mm_shared_with_others(tgid)) return {};
  if (!whole_process) {
    for (pid_t other : p.tids)
      if (other != tid && !tasks_.at(other).exiting) return {};  // it keeps the mm
  }
  if (p.mm_gone) {
    drop_uncollected(tgid, events);
    return {};
  }
  p.mm->set_live_thread(tid);
  auto got = p.mm->collect(epoch, pages);
  if (!got && got.error().errnum == ESRCH) {
    drop_uncollected(tgid, events);
    return {};
  }
  p.mm.reset();  // collected for good: no later collect reports it again
  if (!got) return got.error();
  return {};
}

void ProcessTree::drop_uncollected(pid_t tgid, const TaskEventCallback& events) {
  Process& p = processes_.at(tgid);
  if (!p.mm) return;
  const bool shared = mm_shared_with_others(tgid);
  p.mm.reset();
  p.mm_gone = false;
  if (shared) return;  // a vfork child's exec: the parent keeps the mm and its pages
  TaskEvent e;
  e.type = TaskEvent::Type::kUncollected;
  e.pid = e.tid = uint32_t(tgid);
  e.time_ns = monotonic_ns();
  events(e);
}

void ProcessTree::on_new_task(pid_t parent_tid, int event, const TaskEventCallback& events) {
  unsigned long msg = 0;
  if (ptrace(PTRACE_GETEVENTMSG, parent_tid, nullptr, &msg) != 0 || msg == 0) return;
  const pid_t child = pid_t(msg);
  const pid_t parent_tgid = tasks_.at(parent_tid).tgid;
  std::string tgid_text = proc_field(child, "Tgid");
  const pid_t child_tgid = tgid_text.empty() ? child : pid_t(std::stol(tgid_text));
  Task task{child_tgid, true, false};
  if (child_tgid == parent_tgid) {
    processes_[parent_tgid].tids.insert(child);
  } else {
    Process& p = processes_[child_tgid];
    p.ppid = parent_tgid;
    p.tids.insert(child);
    if (same_mm(parent_tid, child, event == PTRACE_EVENT_VFORK))
      p.mm = processes_[parent_tgid].mm;
    else
      task.arm_at_first = true;
  }
  tasks_[child] = task;
  TaskEvent e;
  e.type = TaskEvent::Type::kFork;
  e.pid = uint32_t(child_tgid);
  e.tid = uint32_t(child);
  e.ppid = uint32_t(parent_tgid);
  e.ptid = uint32_t(parent_tid);
  e.time_ns = monotonic_ns();
  events(e);
}

Result<void> ProcessTree::on_exec(pid_t tid, const TaskEventCallback& events) {
  unsigned long former = 0;
  ptrace(PTRACE_GETEVENTMSG, tid, nullptr, &former);
  const pid_t tgid = tasks_.at(tid).tgid;
  // A non-leader thread that execs takes over the leader's tid; the
  // leader's own end is not reported.
  if (pid_t(former) != tgid && tasks_.count(pid_t(former))) {
    tasks_.erase(pid_t(former));
    processes_[tgid].tids.erase(pid_t(former));
  }
  // The old image's mm is gone, with what it wrote since the previous
  // collect (a vfork parent keeps its own mm).
  drop_uncollected(tgid, events);
  TaskEvent e;
  e.type = TaskEvent::Type::kExec;
  e.pid = e.tid = uint32_t(tgid);
  e.time_ns = monotonic_ns();
  e.comm = read_comm(tgid);
  events(e);
  Result<void> armed = arm_and_resume(tgid, tgid);
  if (!armed) {
    return make_error("cannot track process " + std::to_string(tgid) + " after its exec of " +
                          e.comm + ": " + armed.error().message,
                      armed.error().errnum);
  }
  return {};
}

void ProcessTree::on_gone(pid_t tid, int status, const TaskEventCallback& events) {
  auto it = tasks_.find(tid);
  if (it == tasks_.end()) return;
  const pid_t tgid = it->second.tgid;
  tasks_.erase(it);
  Process& p = processes_[tgid];
  p.tids.erase(tid);
  // The last task gone and the mm never collected at an exit or signal
  // stop: SIGKILL (it stops nowhere).
  if (p.tids.empty()) drop_uncollected(tgid, events);
  TaskEvent e;
  e.type = TaskEvent::Type::kExit;
  e.pid = uint32_t(tgid);
  e.tid = uint32_t(tid);
  e.ppid = e.ptid = uint32_t(p.ppid);
  e.time_ns = monotonic_ns();
  events(e);
  if (tid == main_pid_) main_status_ = status;
  if (p.tids.empty()) processes_.erase(tgid);
}

Result<void> ProcessTree::handle(pid_t tid, int status, uint64_t epoch, const DirtyPageCallback& pages,
                           const TaskEventCallback& events) {
  if (WIFEXITED(status) || WIFSIGNALED(status)) {
    on_gone(tid, status, events);
    return {};
  }
  Task& task = tasks_.at(tid);
  const int sig = WSTOPSIG(status);
  const int event = event_of(status);
  // The first stop of an auto-attached task; unless it is killed before
  // we take that stop (an exec's de_thread()), and its exit stop is the
  // first we see: then it is handled as an exit, which may end the mm.
  if (task.fresh && event == PTRACE_EVENT_EXIT) task.fresh = false;
  if (task.fresh) {
    task.fresh = false;
    if (task.arm_at_first) {
      task.arm_at_first = false;
      Result<void> armed = arm_and_resume(task.tgid, tid);
      if (!armed) {
        // Refuse rather than record a tree with a blind spot.
        return make_error("cannot track process " + std::to_string(task.tgid) + ", forked by " +
                              std::to_string(processes_[task.tgid].ppid) + ": " +
                              armed.error().message,
                          armed.error().errnum);
      }
      return {};
    }
    resume(tid, 0);
    return {};
  }
  switch (event) {
    case PTRACE_EVENT_FORK:
    case PTRACE_EVENT_VFORK:
    case PTRACE_EVENT_CLONE:
      on_new_task(tid, event, events);
      resume(tid, 0);
      return {};
    case PTRACE_EVENT_EXEC:
      return on_exec(tid, events);
    case PTRACE_EVENT_EXIT: {
      // exit_group() ends every thread; exit() only this one (the others,
      // if any, keep the mm and their own exit stops come later).
      user_regs_struct regs{};
      ptrace(PTRACE_GETREGS, tid, nullptr, &regs);
      task.exiting = true;
      Result<void> final =
          collect_final(task.tgid, tid, regs.orig_rax != SYS_exit, epoch, pages, events);
      resume(tid, 0);
      return final;
    }
    case PTRACE_EVENT_STOP:
      // Group-stop (SIGSTOP and friends): stay stopped until SIGCONT.
      if (is_stop_signal(sig)) {
        ptrace(PTRACE_LISTEN, tid, nullptr, nullptr);
      } else {
        resume(tid, 0);
      }
      return {};
    case 0:
      break;
    default:
      resume(tid, 0);
      return {};
  }
  if (sig == (SIGTRAP | 0x80)) {  // not ours to trace: go on
    resume(tid, 0);
    return {};
  }
  // A signal about to be delivered. If it kills the process, this is the
  // last moment its mm exists.
  Result<void> final;
  if (kills_process(task.tgid, sig))
    final = collect_final(task.tgid, tid, true, epoch, pages, events);
  resume(tid, sig);
  return final;
}

Result<bool> ProcessTree::handle_one(pid_t tid, uint64_t epoch, const DirtyPageCallback& pages,
                                     const TaskEventCallback& events) {
  int status = 0;
  pid_t r = waitpid(tid, &status, __WALL | WNOHANG);
  if (r == 0 || (r < 0 && errno == EINTR)) return false;
  if (r < 0) {
    // ECHILD: gone without a report we could take (reaped elsewhere).
    on_gone(tid, 0, events);
    return true;
  }
  Result<void> handled = handle(tid, status, epoch, pages, events);
  if (!handled) return handled.error();
  return true;
}

Result<bool> ProcessTree::poll_tasks(uint64_t epoch, const DirtyPageCallback& pages,
                                     const TaskEventCallback& events) {
  // Peek first: one syscall says whether any task has something to report
  // and usually which, so a process with many threads costs no scan.
  siginfo_t si{};
  if (waitid(P_ALL, 0, &si, WEXITED | WSTOPPED | WNOHANG | WNOWAIT | __WALL) == 0) {
    if (si.si_pid == 0) return false;
    if (tasks_.count(si.si_pid)) return handle_one(si.si_pid, epoch, pages, events);
  }
  // Another child of this process is waitable (not ours to take): look at
  // each of ours.
  bool any = false;
  std::vector<pid_t> tids;
  for (const auto& [tid, task] : tasks_) tids.push_back(tid);
  for (pid_t tid : tids) {
    if (!tasks_.count(tid)) continue;
    auto got = handle_one(tid, epoch, pages, events);
    if (!got) return got.error();
    any = any || *got;
  }
  return any;
}

Result<bool> ProcessTree::wait(int timeout_ms, uint64_t epoch, const DirtyPageCallback& pages,
                               const TaskEventCallback& events) {
  const uint64_t deadline = monotonic_ns() + uint64_t(timeout_ms > 0 ? timeout_ms : 0) * 1000000u;
  for (;;) {
    for (;;) {
      auto any = poll_tasks(epoch, pages, events);
      if (!any) return any.error();
      if (!*any) break;
    }
    if (main_status_) return false;
    const uint64_t now = monotonic_ns();
    if (now >= deadline) return true;
    int sleep_ms = int(std::min<uint64_t>((deadline - now + 999999) / 1000000, kMaxSleepMs));
    pollfd p{sigchld_.get(), POLLIN, 0};
    poll(&p, 1, sleep_ms);
    signalfd_siginfo info;
    while (read(sigchld_.get(), &info, sizeof info) == sizeof info) {
    }
  }
}

Result<size_t> ProcessTree::collect(uint64_t epoch, const DirtyPageCallback& callback) {
  size_t total = 0;
  std::set<RemoteTracker*> done;
  for (auto& [tgid, p] : processes_) {
    if (!p.mm || p.mm_gone || !done.insert(p.mm.get()).second) continue;
    pid_t live = tgid;
    for (pid_t tid : p.tids)
      if (!tasks_.at(tid).exiting) {
        live = tid;
        break;
      }
    p.mm->set_live_thread(live);
    auto got = p.mm->collect(epoch, callback);
    if (got) {
      total += *got;
    } else if (got.error().errnum == ESRCH || got.error().errnum == ENOENT) {
      // The mm is gone (killed, or exec'ed and not yet re-armed): wait()
      // says so when it handles the exec or the death.
      p.mm_gone = true;
    } else {
      return got.error();
    }
  }
  return total;
}

Result<int> ProcessTree::wait_exit() {
  auto ignore_pages = [](const DirtyPage&) {};
  auto ignore_events = [](const TaskEvent&) {};
  while (!main_status_) {
    if (tasks_.count(main_pid_) == 0) return make_error("process already gone", ECHILD);
    auto more = wait(1000, 0, ignore_pages, ignore_events);
    if (!more) return more.error();
  }
  return *main_status_;
}

Result<void> ProcessTree::stop_tracing() {
  // Each task must be in a ptrace stop to be detached: interrupt them all,
  // then detach each as it stops, handing back a signal it was about to get.
  for (const auto& [tid, task] : tasks_) ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr);
  while (!tasks_.empty()) {
    const pid_t tid = tasks_.begin()->first;
    int status = 0;
    pid_t r = waitpid(tid, &status, __WALL);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 || WIFEXITED(status) || WIFSIGNALED(status)) {
      if (tid == main_pid_ && r == tid) main_status_ = status;
      tasks_.erase(tid);
      continue;
    }
    int sig = event_of(status) == 0 && WSTOPSIG(status) != (SIGTRAP | 0x80) ? WSTOPSIG(status) : 0;
    if (event_of(status) == PTRACE_EVENT_STOP && is_stop_signal(WSTOPSIG(status))) sig = 0;
    if (event_of(status) != 0 && event_of(status) != PTRACE_EVENT_STOP) {
      // An event stop (fork, exit...) came first; the interrupt is still
      // pending and traps next.
      if (event_of(status) == PTRACE_EVENT_FORK || event_of(status) == PTRACE_EVENT_VFORK ||
          event_of(status) == PTRACE_EVENT_CLONE) {
        unsigned long child = 0;
        ptrace(PTRACE_GETEVENTMSG, tid, nullptr, &child);
        if (child) tasks_[pid_t(child)] = Task{pid_t(child), true, false};
      }
      resume(tid, 0);
      continue;
    }
    ptrace(PTRACE_DETACH, tid, nullptr, reinterpret_cast<void*>(long(sig)));
    tasks_.erase(tid);
  }
  processes_.clear();
  launched_ = false;  // detached: no longer ours to kill
  return {};
}

}  // namespace pml::soft
