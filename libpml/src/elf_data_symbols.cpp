#include "elf_data_symbols.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "pml/unique_fd.h"

namespace pml {

namespace {

bool read_at(int fd, uint64_t off, void* buf, size_t n) {
  char* p = static_cast<char*>(buf);
  while (n > 0) {
    ssize_t r = ::pread(fd, p, n, off_t(off));
    if (r <= 0) return false;
    p += r;
    off += uint64_t(r);
    n -= size_t(r);
  }
  return true;
}

}  // namespace

const ElfSegment* ElfDataSymbols::segment_for_offset(uint64_t offset) const {
  for (const auto& s : segments_) {
    uint64_t lo = s.offset & ~0xfffULL;
    if (offset >= lo && offset < s.offset + std::max(s.filesz, uint64_t(1))) return &s;
  }
  return nullptr;
}

Result<ElfDataSymbols> ElfDataSymbols::load(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));  // never block on a FIFO
  if (!fd.valid()) return errno_error("cannot open '" + path + "'");
  struct stat st;
  if (fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
    return make_error("'" + path + "' is not a regular file", EINVAL);
  const uint64_t fsize = uint64_t(st.st_size);
  Elf64_Ehdr eh;
  if (!read_at(fd.get(), 0, &eh, sizeof eh) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
      eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB)
    return make_error("'" + path + "' is not a 64-bit little-endian ELF file", EINVAL);

  ElfDataSymbols out;
  if (eh.e_phentsize == sizeof(Elf64_Phdr) && eh.e_phnum < 4096) {
    std::vector<Elf64_Phdr> ph(eh.e_phnum);
    if (read_at(fd.get(), eh.e_phoff, ph.data(), ph.size() * sizeof(Elf64_Phdr)))
      for (auto& p : ph)
        if (p.p_type == PT_LOAD)
          out.segments_.push_back(
              {p.p_vaddr, p.p_offset, p.p_filesz, p.p_memsz, (p.p_flags & PF_W) != 0});
  }
  if (eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shnum == 0 || eh.e_shnum > 65000)
    return out;
  std::vector<Elf64_Shdr> sh(eh.e_shnum);
  if (!read_at(fd.get(), eh.e_shoff, sh.data(), sh.size() * sizeof(Elf64_Shdr))) return out;

  auto is_data_section = [&](uint16_t idx) {
    if (idx == SHN_UNDEF || idx >= sh.size()) return false;
    const auto& s = sh[idx];
    return (s.sh_flags & SHF_ALLOC) && (s.sh_flags & SHF_WRITE) && !(s.sh_flags & SHF_EXECINSTR);
  };
  // Prefer .symtab (has static objects); fall back to .dynsym.
  for (uint32_t want : {uint32_t(SHT_SYMTAB), uint32_t(SHT_DYNSYM)}) {
    for (const auto& s : sh) {
      if (s.sh_type != want || s.sh_entsize != sizeof(Elf64_Sym) || s.sh_link >= sh.size())
        continue;
      const auto& strsec = sh[s.sh_link];
      if (s.sh_offset + s.sh_size > fsize || strsec.sh_offset + strsec.sh_size > fsize) continue;
      std::vector<Elf64_Sym> syms(s.sh_size / sizeof(Elf64_Sym));
      std::vector<char> strs(strsec.sh_size + 1, 0);
      if (!read_at(fd.get(), s.sh_offset, syms.data(), syms.size() * sizeof(Elf64_Sym)) ||
          !read_at(fd.get(), strsec.sh_offset, strs.data(), strsec.sh_size))
        continue;
      for (const auto& sym : syms) {
        if (ELF64_ST_TYPE(sym.st_info) != STT_OBJECT && ELF64_ST_TYPE(sym.st_info) != STT_TLS)
          continue;
        if (ELF64_ST_TYPE(sym.st_info) == STT_TLS || sym.st_size == 0) continue;
        if (!is_data_section(sym.st_shndx) || sym.st_name >= strsec.sh_size) continue;
        out.symbols_.push_back({sym.st_value, sym.st_value + sym.st_size, &strs[sym.st_name]});
      }
    }
    if (!out.symbols_.empty()) break;
  }
  std::sort(out.symbols_.begin(), out.symbols_.end(),
            [](const ElfDataSymbol& a, const ElfDataSymbol& b) {
              return a.start != b.start ? a.start < b.start : a.name < b.name;
            });
  out.symbols_.erase(std::unique(out.symbols_.begin(), out.symbols_.end(),
                                 [](const ElfDataSymbol& a, const ElfDataSymbol& b) {
                                   return a.start == b.start && a.name == b.name;
                                 }),
                     out.symbols_.end());
  for (auto& s : out.symbols_) out.max_size_ = std::max(out.max_size_, s.end - s.start);
  return out;
}

}  // namespace pml
