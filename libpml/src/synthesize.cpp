#include "pml/synthesize.h"

#include <dirent.h>

#include <algorithm>
#include <time.h>

#include <fstream>
#include <sstream>

namespace pml {

uint64_t monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ULL + uint64_t(ts.tv_nsec);
}

std::vector<Mmap> parse_proc_maps(const std::string& text, uint32_t pid, uint64_t time) {
  std::vector<Mmap> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream l(line);
    std::string range, perms, off, dev, inode, path;
    if (!(l >> range >> perms >> off >> dev >> inode)) continue;
    std::getline(l, path);
    path.erase(0, path.find_first_not_of(' '));
    auto dash = range.find('-');
    auto colon = dev.find(':');
    if (dash == std::string::npos || colon == std::string::npos || perms.size() < 4) continue;
    Mmap m;
    m.pid = m.tid = pid;
    m.start = std::stoull(range.substr(0, dash), nullptr, 16);
    m.len = std::stoull(range.substr(dash + 1), nullptr, 16) - m.start;
    m.pgoff = std::stoull(off, nullptr, 16);
    m.maj = uint32_t(std::stoul(dev.substr(0, colon), nullptr, 16));
    m.min = uint32_t(std::stoul(dev.substr(colon + 1), nullptr, 16));
    m.ino = std::stoull(inode);
    m.prot = (perms[0] == 'r' ? 1 : 0) | (perms[1] == 'w' ? 2 : 0) | (perms[2] == 'x' ? 4 : 0);
    m.flags = perms[3] == 's' ? 1 /*MAP_SHARED*/ : 2 /*MAP_PRIVATE*/;
    m.data = perms[2] != 'x';
    m.filename = path.empty() ? "//anon" : path;
    m.sid.pid = m.sid.tid = pid;
    m.sid.time = time;
    out.push_back(std::move(m));
  }
  return out;
}

Result<std::vector<Mmap>> read_proc_maps(pid_t pid, uint64_t time) {
  std::string path = "/proc/" + std::to_string(pid) + "/maps";
  std::ifstream f(path);
  if (!f) return errno_error("cannot read " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  return parse_proc_maps(ss.str(), uint32_t(pid), time);
}

Result<std::vector<Comm>> read_proc_comms(pid_t pid, uint64_t time) {
  std::vector<Comm> out;
  std::string dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* d = opendir(dir.c_str());
  if (!d) return errno_error("cannot list " + dir);
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    std::ifstream f(dir + "/" + e->d_name + "/comm");
    Comm c;
    c.pid = uint32_t(pid);
    c.tid = uint32_t(std::stoul(e->d_name));
    if (!std::getline(f, c.comm)) continue;
    c.sid.pid = c.pid;
    c.sid.tid = c.tid;
    c.sid.time = time;
    out.push_back(std::move(c));
  }
  closedir(d);
  // Main thread first, like perf.
  std::stable_partition(out.begin(), out.end(), [&](const Comm& c) { return c.tid == c.pid; });
  return out;
}

Result<std::vector<Mmap>> MapsWatcher::poll(uint64_t time) {
  auto maps = read_proc_maps(pid_, time);
  if (!maps.ok()) return maps.error();
  std::vector<Mmap> fresh;
  for (auto& m : *maps) {
    auto key = std::make_tuple(m.start, m.len, m.pgoff, m.filename);
    if (known_.insert(key).second) fresh.push_back(m);
  }
  return fresh;
}

}  // namespace pml
