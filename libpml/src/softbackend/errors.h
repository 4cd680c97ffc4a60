// Helpers to build pml::soft::Error values from errno.
#pragma once

#include <errno.h>
#include <string.h>

#include <string>

#include "pml/softbackend.h"

namespace pml::soft {

inline Error errnoError(int code, const std::string& what) {
  return Error{code, what + ": " + strerror(code)};
}

// Uses the current errno.
inline Error errnoError(const std::string& what) { return errnoError(errno, what); }

}  // namespace pml::soft
