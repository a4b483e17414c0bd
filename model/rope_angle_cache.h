// Memoised RoPE angles (ref::rope_angles) of the last few (position, spec) pairs. A decode step
// asks for one position's angles in every layer (the queries, the keys, the cache's derived
// keys) under two specs, and their cosines and sines in double cost more than the rotation.
// The same values as ref::rope_angles, bit for bit. Not thread-safe: one owner.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "model/op_args.h"

namespace coderx::model {

class RopeAngleCache {
 public:
  static constexpr std::size_t kEntries = 16;

  struct Angles {
    const float* cos;
    const float* sin;  // [spec.n_dims / 2] each
  };
  // The angles of pos under spec (whose freq_factors must not change while cached), valid until
  // the next call.
  Angles get(std::int64_t pos, const RopeSpec& spec);

 private:
  struct Entry {
    std::int64_t pos = -1, n_dims = 0;
    float base = 0.0f;
    const float* freq_factors = nullptr;
    std::vector<float> cos, sin;
  };
  std::array<Entry, kEntries> entries_;
  std::size_t next_ = 0;  // the entry the next miss replaces (oldest first)
};

}  // namespace coderx::model
