// Page-epochs and distinct pages per mapping name.
#include <algorithm>

#include "pml/analysis.h"

namespace pml {

void MappingBreakdown::add(const ResolvedSample& s) {
  if (s.mapping_name >= by_name_.size()) by_name_.resize(s.mapping_name + 1);
  Counts& c = by_name_[s.mapping_name];
  ++c.page_epochs;
  c.pages += s.new_page;
}

std::vector<MappingUse> MappingBreakdown::result(const SampleResolver& resolver) const {
  std::vector<MappingUse> out;
  for (uint32_t id = 0; id < by_name_.size(); ++id)
    if (by_name_[id].page_epochs)
      out.push_back({resolver.mapping_name(id), by_name_[id].page_epochs, by_name_[id].pages});
  std::sort(out.begin(), out.end(), [](const MappingUse& a, const MappingUse& b) {
    if (a.page_epochs != b.page_epochs) return a.page_epochs > b.page_epochs;
    return a.name < b.name;
  });
  return out;
}

}  // namespace pml
