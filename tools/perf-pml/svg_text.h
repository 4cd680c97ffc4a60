// Text for SVG/XML documents: any bytes (file names need not be UTF-8) in,
// well-formed XML character data out.
#pragma once

#include <string>
#include <string_view>

namespace perf_pml {

// Valid UTF-8: each invalid byte, and each character XML 1.0 forbids
// (control characters but tab and newline), becomes U+FFFD.
std::string valid_utf8(std::string_view bytes);

// valid_utf8 and then &, <, >, " escaped: usable in text and attributes.
std::string xml_escape(std::string_view bytes);

// Number of characters of valid UTF-8 text.
size_t utf8_length(std::string_view text);

// At most max_chars characters of valid UTF-8 text; a longer one keeps its
// end (where a path has its file name) behind "...".
std::string elide_front(std::string_view text, size_t max_chars);

}  // namespace perf_pml
