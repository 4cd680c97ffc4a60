// Builds pml::Error values from errno.
#pragma once

#include <errno.h>

#include <string>

#include "pml/result.h"

namespace pml::soft {

inline Error errnoError(int code, const std::string& what) { return make_error(what, code); }

// Uses the current errno.
inline Error errnoError(const std::string& what) { return make_error(what, errno); }

}  // namespace pml::soft
