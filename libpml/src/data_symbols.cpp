// Names the .data/.bss objects of a binary that sample pages overlap.
#include <algorithm>
#include <unordered_map>

#include "elf_data_symbols.h"
#include "pml/analysis.h"

namespace pml {

struct DataSymbols::Impl {
  std::string debuginfo_path;
  // Per ELF path: symbols (or nullptr when it could not be read) and counters.
  struct File {
    std::string path;
    std::unique_ptr<ElfDataSymbols> elf;
    std::string error;  // why it could not be read
    std::vector<uint64_t> page_epochs, pages;
  };
  std::vector<File> files;
  std::unordered_map<std::string, uint32_t> file_index;
  // Per mapping id: file index + 1 and load bias, 0 = not a data mapping.
  struct Resolved {
    uint32_t file_plus1 = 0;
    uint64_t bias = 0;
    bool done = false;
  };
  std::vector<Resolved> resolved;

  File* file_for(const std::string& path) {
    auto [it, inserted] = file_index.emplace(path, uint32_t(files.size()));
    if (inserted) {
      File f;
      f.path = path;
      auto elf = ElfDataSymbols::load(path, debuginfo_path);
      if (!elf.ok()) f.error = elf.error().to_string();
      if (elf.ok() && elf->size() > 0) {
        f.elf = std::make_unique<ElfDataSymbols>(std::move(elf.value()));
        f.page_epochs.assign(f.elf->size(), 0);
        f.pages.assign(f.elf->size(), 0);
      }
      files.push_back(std::move(f));
    }
    return &files[it->second];
  }

  // Load bias of an ELF file mapping: runtime address minus link address.
  static bool bias_of(const Mapping& m, const ElfDataSymbols& elf, uint64_t& bias) {
    const ElfSegment* seg = elf.segment_for_offset(m.pgoff);
    if (!seg) return false;
    bias = m.start - m.pgoff - (seg->vaddr - seg->offset);
    return true;
  }

  Resolved resolve(uint32_t pid, const Mapping& m, const MappingTable& table) {
    Resolved r;
    r.done = true;
    const Mapping* file_map = &m;
    if (m.is_anon()) {
      // .bss past the file's end lives in the anon mapping that follows it.
      file_map = m.start ? table.find(pid, m.start - 1) : nullptr;
      if (!file_map || file_map->is_anon() || file_map->filename.empty() ||
          file_map->filename[0] != '/')
        return r;
    } else if (m.filename.empty() || m.filename[0] != '/') {
      return r;
    }
    File* f = file_for(file_map->filename);
    uint64_t bias;
    if (!f->elf || !bias_of(*file_map, *f->elf, bias)) return r;
    r.file_plus1 = uint32_t(f - files.data()) + 1;
    r.bias = bias;
    return r;
  }
};

DataSymbols::DataSymbols(std::string debuginfo_path) : impl_(std::make_unique<Impl>()) {
  impl_->debuginfo_path = debuginfo_path.empty() ? kDefaultDebuginfoPath : std::move(debuginfo_path);
}
DataSymbols::~DataSymbols() = default;
DataSymbols::DataSymbols(DataSymbols&&) noexcept = default;

void DataSymbols::add(const ResolvedSample& rs, const MappingTable& maps) {
  Impl& m = *impl_;
  const Mapping* map = rs.mapping;
  if (!map) return;
  if (m.resolved.size() <= map->id) m.resolved.resize(map->id + 1);
  Impl::Resolved& res = m.resolved[map->id];
  if (!res.done) res = m.resolve(rs.sample->pid, *map, maps);
  if (!res.file_plus1) return;
  Impl::File& f = m.files[res.file_plus1 - 1];
  uint64_t page = (rs.sample->addr & ~0xfffULL) - res.bias;
  f.elf->for_each_overlapping(page, page + 4096, [&](size_t i, const ElfDataSymbol&) {
    ++f.page_epochs[i];
    f.pages[i] += rs.new_page;
  });
}

std::vector<SymbolUse> DataSymbols::result() const {
  std::vector<SymbolUse> out;
  for (const auto& f : impl_->files) {
    if (!f.elf) continue;
    for (size_t i = 0; i < f.elf->size(); ++i)
      if (f.page_epochs[i])
        out.push_back({f.elf->symbol(i).name, f.path, f.page_epochs[i], f.pages[i]});
  }
  std::sort(out.begin(), out.end(), [](const SymbolUse& a, const SymbolUse& b) {
    if (a.page_epochs != b.page_epochs) return a.page_epochs > b.page_epochs;
    return a.symbol < b.symbol;
  });
  return out;
}

std::vector<std::string> DataSymbols::errors() const {
  std::vector<std::string> out;
  for (const auto& f : impl_->files)
    if (!f.error.empty()) out.push_back(f.error);
  return out;
}

}  // namespace pml
