#include "common/checked.h"

#include <string>

namespace llmem {

void throw_overflow(std::string_view what) {
  throw RangeError(std::string(what) + " overflows 64 bits: the input values are too large");
}

}  // namespace llmem
