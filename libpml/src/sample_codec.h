// Internal: sample encoding shared by the writer and the live reader.
#pragma once

#include <linux/perf_event.h>

#include "byte_cursor.h"
#include "pml/records.h"

namespace pml {

size_t sample_id_size(const perf_event_attr& attr);
void encode_sample(const perf_event_attr& attr, const Sample& s, detail::ByteAppender& a);
void encode_sample_id(const perf_event_attr& attr, const SampleId& sid, detail::ByteAppender& a);

}  // namespace pml
