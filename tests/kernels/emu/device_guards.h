// Guard bytes after every emulated device allocation (runtime_stubs.cpp): cudaMalloc puts 64
// bytes of a known pattern after the bytes asked for, every emulated launch ends with this check,
// and cudaFree aborts on a damaged guard (a host copy past the end). On a GPU such writes corrupt
// a neighbour silently.
#pragma once

#include <string>

namespace coderx::emu {

// "" when every live allocation's guard is intact; otherwise which one a write went past (its
// guard is then restored, so each overrun is reported once).
std::string check_device_guards();

}  // namespace coderx::emu
