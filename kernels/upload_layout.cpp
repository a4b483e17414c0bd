#include "kernels/upload_layout.h"

#include <algorithm>
#include <cassert>

namespace coderx::kernels {

UploadPlan plan_upload(const std::vector<std::size_t>& sizes, std::size_t alignment) {
  assert(alignment > 0 && (alignment & (alignment - 1)) == 0);
  UploadPlan plan;
  plan.offsets.reserve(sizes.size());
  std::size_t at = 0;
  for (std::size_t bytes : sizes) {
    plan.offsets.push_back(at);
    at = (at + bytes + alignment - 1) & ~(alignment - 1);
  }
  plan.total = at;
  return plan;
}

std::vector<CopyPiece> staging_pieces(std::size_t bytes, std::size_t staging_bytes) {
  assert(staging_bytes > 0);
  std::vector<CopyPiece> pieces;
  for (std::size_t at = 0; at < bytes; at += staging_bytes) pieces.push_back({at, std::min(staging_bytes, bytes - at)});
  return pieces;
}

}  // namespace coderx::kernels
