#include "model/rope_angle_cache.h"

#include "model/ops_ref.h"

namespace coderx::model {

RopeAngleCache::Angles RopeAngleCache::get(std::int64_t pos, const RopeSpec& spec) {
  for (const Entry& e : entries_)
    if (e.pos == pos && e.n_dims == spec.n_dims && e.base == spec.base &&
        e.freq_factors == spec.freq_factors)
      return {e.cos.data(), e.sin.data()};
  Entry& e = entries_[next_];
  next_ = (next_ + 1) % kEntries;
  e.pos = pos;
  e.n_dims = spec.n_dims;
  e.base = spec.base;
  e.freq_factors = spec.freq_factors;
  e.cos.resize(static_cast<std::size_t>(spec.n_dims / 2));
  e.sin.resize(e.cos.size());
  ref::rope_angles(pos, spec, e.cos.data(), e.sin.data());
  return {e.cos.data(), e.sin.data()};
}

}  // namespace coderx::model
