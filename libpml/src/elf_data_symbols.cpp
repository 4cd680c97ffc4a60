#include "elf_data_symbols.h"

#include <cxxabi.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <gelf.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "pml/unique_fd.h"

namespace pml {

std::string demangle(const char* name) {
  if (name[0] != '_' || name[1] != 'Z') return name;
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> out(
      abi::__cxa_demangle(name, nullptr, nullptr, &status), &std::free);
  return status == 0 && out ? std::string(out.get()) : std::string(name);
}

namespace {

struct DwflDeleter {
  void operator()(Dwfl* d) const { dwfl_end(d); }
};
using DwflPtr = std::unique_ptr<Dwfl, DwflDeleter>;

std::string dwfl_error(const std::string& what) {
  const char* msg = dwfl_errmsg(-1);
  return what + ": " + (msg ? msg : "unknown elfutils error");
}

// Only what the loader maps has data pages: an executable or a shared
// object. (elfutils 0.188 also crashes on some corrupt relocatable files.)
Result<void> check_loadable(int fd, const std::string& path) {
  elf_version(EV_CURRENT);
  Elf* elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
  if (!elf) return make_error("cannot read ELF file '" + path + "': " + elf_errmsg(-1), EINVAL);
  GElf_Ehdr eh;
  bool is_elf = elf_kind(elf) == ELF_K_ELF && gelf_getehdr(elf, &eh);
  Result<void> out;
  if (!is_elf)
    out = make_error("cannot read ELF file '" + path + "': not an ELF file", EINVAL);
  else if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
    out = make_error("cannot read ELF file '" + path + "': not an executable or shared object (type " +
                         std::to_string(eh.e_type) + ")",
                     EINVAL);
  elf_end(elf);
  return out;
}

}  // namespace

// Fills an ElfDataSymbols from a reported module.
struct ElfReader {
  static Result<ElfDataSymbols> read(Dwfl_Module* mod, const std::string& name) {
    GElf_Addr main_bias = 0;
    Elf* main = dwfl_module_getelf(mod, &main_bias);
    if (!main) return make_error(dwfl_error("'" + name + "'"), EINVAL);
    ElfDataSymbols out;
    size_t phnum = 0;
    if (elf_getphdrnum(main, &phnum) == 0) {
      for (size_t i = 0; i < phnum; ++i) {
        GElf_Phdr ph;
        if (gelf_getphdr(main, int(i), &ph) && ph.p_type == PT_LOAD)
          out.segments_.push_back(
              {ph.p_vaddr, ph.p_offset, ph.p_filesz, ph.p_memsz, (ph.p_flags & PF_W) != 0});
      }
    }
    // .symtab of the main file, else of its debug file, else .dynsym.
    int n = dwfl_module_getsymtab(mod);
    for (int i = 0; i < n; ++i) {
      GElf_Sym sym;
      GElf_Addr addr;
      GElf_Word shndx;
      Elf* elf = nullptr;
      Dwarf_Addr bias = 0;
      const char* sname = dwfl_module_getsym_info(mod, i, &sym, &addr, &shndx, &elf, &bias);
      if (!sname || !*sname || GELF_ST_TYPE(sym.st_info) != STT_OBJECT || sym.st_size == 0)
        continue;
      if (!elf || !is_data_section(elf, shndx)) continue;
      uint64_t start = addr - main_bias;  // link-time address in the main file
      if (start + sym.st_size < start) continue;
      out.symbols_.push_back({start, start + sym.st_size, demangle(sname)});
    }
    const char* debug = nullptr;
    dwfl_module_info(mod, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, &debug);
    if (debug && name != debug) out.debug_file_ = debug;
    finish(out);
    return out;
  }

  // Writable, allocated, not code: .data, .bss, .data.rel.ro; not TLS,
  // whose addresses are per thread.
  static bool is_data_section(Elf* elf, GElf_Word shndx) {
    if (shndx == SHN_UNDEF || shndx == GElf_Word(-1) || shndx >= SHN_LORESERVE) return false;
    GElf_Shdr sh;
    Elf_Scn* scn = elf_getscn(elf, shndx);
    if (!scn || !gelf_getshdr(scn, &sh)) return false;
    return (sh.sh_flags & SHF_ALLOC) && (sh.sh_flags & SHF_WRITE) && !(sh.sh_flags & SHF_EXECINSTR) &&
           !(sh.sh_flags & SHF_TLS);
  }

  static void finish(ElfDataSymbols& out) {
    auto& v = out.symbols_;
    std::sort(v.begin(), v.end(), [](const ElfDataSymbol& a, const ElfDataSymbol& b) {
      return a.start != b.start ? a.start < b.start : a.name < b.name;
    });
    v.erase(std::unique(v.begin(), v.end(),
                        [](const ElfDataSymbol& a, const ElfDataSymbol& b) {
                          return a.start == b.start && a.name == b.name;
                        }),
            v.end());
    for (auto& s : v) out.max_size_ = std::max(out.max_size_, s.end - s.start);
  }
};

const ElfSegment* ElfDataSymbols::segment_for_offset(uint64_t offset) const {
  // A read-only segment and the RW one often share a file page (both are
  // mapped with the same page offset): written pages are in the RW one.
  const ElfSegment* any = nullptr;
  for (const auto& s : segments_) {
    uint64_t lo = s.offset & ~0xfffULL;
    if (offset < lo || (offset >= s.offset && offset - s.offset >= std::max(s.filesz, uint64_t(1))))
      continue;
    if (s.writable) return &s;
    if (!any) any = &s;
  }
  return any;
}

Result<ElfDataSymbols> ElfDataSymbols::load(const std::string& path,
                                            const std::string& debuginfo_path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));  // never block on a FIFO
  if (!fd.valid()) return errno_error("cannot open '" + path + "'");
  struct stat st;
  if (fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
    return make_error("'" + path + "' is not a regular file", EINVAL);
  if (auto kind = check_loadable(fd.get(), path); !kind.ok()) return kind.error();
  std::string search = debuginfo_path;
  char* search_ptr = search.data();
  const Dwfl_Callbacks callbacks = {
      .find_elf = dwfl_build_id_find_elf,
      .find_debuginfo = dwfl_standard_find_debuginfo,
      .section_address = dwfl_offline_section_address,
      .debuginfo_path = &search_ptr,
  };
  DwflPtr dwfl(dwfl_begin(&callbacks));
  if (!dwfl) return make_error(dwfl_error("cannot start elfutils"), ENOMEM);
  Dwfl_Module* mod = dwfl_report_offline(dwfl.get(), path.c_str(), path.c_str(), fd.get());
  if (!mod) return make_error(dwfl_error("cannot read ELF file '" + path + "'"), EINVAL);
  fd.release();  // the module owns it now
  dwfl_report_end(dwfl.get(), nullptr, nullptr);
  return ElfReader::read(mod, path);
}

}  // namespace pml
