// Host-side plan of how weights go from the mapped GGUF file to device memory. GGUF blocks are
// copied unchanged (no repacking: the device decoders read the file's block layout, spec §8),
// each tensor at an offset of one device arena aligned to `alignment` bytes (256: cudaMalloc's
// guarantee, enough for the 16-byte vector loads of f32 rows). The copy goes through a pinned
// staging buffer in pieces of at most staging_bytes.
// Used by model/backend_cuda.cpp; unit-tested on the CPU. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <vector>

namespace coderx::kernels {

constexpr std::size_t kUploadAlignment = 256;

struct UploadPlan {
  std::vector<std::size_t> offsets;  // [n_tensors] byte offset of each tensor in the arena
  std::size_t total = 0;             // arena bytes (a multiple of alignment)
};

// sizes[i] = bytes of tensor i (0 allowed: it gets an offset but no space). alignment: power of 2.
UploadPlan plan_upload(const std::vector<std::size_t>& sizes, std::size_t alignment = kUploadAlignment);

// One staged copy: bytes [offset, offset + size) of a tensor.
struct CopyPiece {
  std::size_t offset;
  std::size_t size;
};

// Pieces that cover [0, bytes) in order, each at most staging_bytes (> 0).
std::vector<CopyPiece> staging_pieces(std::size_t bytes, std::size_t staging_bytes);

}  // namespace coderx::kernels
