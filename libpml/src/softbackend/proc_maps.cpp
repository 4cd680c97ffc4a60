#include "proc_maps.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>

#include "pml/unique_fd.h"

namespace pml::soft {

namespace {

std::string proc_path(pid_t pid, const char* file) {
  return pid == 0 ? std::string("/proc/self/") + file
                  : "/proc/" + std::to_string(pid) + "/" + file;
}

Result<std::string> read_whole_file(const std::string& path) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return errno_error("open " + path);
  std::string text;
  char buf[16384];
  for (;;) {
    ssize_t n = read(fd.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_error("read " + path);
    if (n == 0) break;
    text.append(buf, size_t(n));
  }
  return text;
}

bool parse_line(std::string_view line, Vma* vma) {
  // "start-end perms offset dev inode   path"
  std::string copy(line);
  char perms[5] = {};
  unsigned dev_major, dev_minor;
  int path_pos = -1;
  if (sscanf(copy.c_str(), "%" SCNx64 "-%" SCNx64 " %4s %" SCNx64 " %x:%x %" SCNu64 " %n",
             &vma->start, &vma->end, perms, &vma->offset, &dev_major, &dev_minor, &vma->inode,
             &path_pos) < 7) {
    return false;
  }
  if (perms[3] == '\0' || vma->end <= vma->start) return false;
  vma->readable = perms[0] == 'r';
  vma->writable = perms[1] == 'w';
  vma->executable = perms[2] == 'x';
  vma->shared = perms[3] == 's';
  vma->path = path_pos >= 0 && size_t(path_pos) <= copy.size() ? copy.substr(size_t(path_pos)) : "";
  return true;
}

}  // namespace

Result<std::vector<Vma>> parse_vmas(std::string_view text) {
  std::vector<Vma> vmas;
  while (!text.empty()) {
    size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    if (line.empty()) continue;
    Vma vma;
    if (!parse_line(line, &vma)) {
      return make_error("malformed maps line: " + std::string(line), EINVAL);
    }
    vmas.push_back(std::move(vma));
  }
  return vmas;
}

Result<std::vector<Vma>> read_vmas(pid_t pid) {
  auto text = read_whole_file(proc_path(pid, "maps"));
  if (!text) return text.error();
  return parse_vmas(*text);
}

bool is_trackable(const Vma& vma) {
  if (!vma.writable) return false;
  // Kernel-provided mappings: not ordinary memory of the program.
  return vma.path != "[vvar]" && vma.path != "[vvar_vclock]" && vma.path != "[vsyscall]" &&
         vma.path != "[vdso]";
}

}  // namespace pml::soft
