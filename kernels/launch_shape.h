// Host-side launch arithmetic shared by the kernel launchers: grid sizes from problem sizes.
// Plain C++ so that it is compiled and tested on machines without CUDA.
#pragma once

#include <cstdint>

namespace coderx::kernels {

// Number of blocks of `block` items needed to cover `n` items (ceil division); 0 for n == 0.
constexpr std::int64_t blocks_for(std::int64_t n, std::int64_t block) {
  return block <= 0 ? 0 : (n + block - 1) / block;
}

}  // namespace coderx::kernels
