// Embedding gather. Must match model/ops_ref embed (dequantised row times the √n_embd scale,
// spec §2.2). Launch geometry: grid = n_tokens, block = 128; thread k decodes chunks k, k+128, …
#include <cmath>

#include "kernels/cuda_util.cuh"
#include "kernels/decode.cuh"
#include "kernels/embed.h"

namespace coderx::kernels {

namespace {

template <WeightType T>
__global__ void embed_kernel(EmbedParams p, std::int64_t row_bytes) {
  const std::int32_t tok = p.tokens[blockIdx.x];
  float* y = p.y + static_cast<std::int64_t>(blockIdx.x) * p.n_embd;
  const int n_chunks = static_cast<int>(p.n_embd / 32);
  const bool valid = tok >= 0 && tok < p.n_vocab;
  const auto* row = static_cast<const std::uint8_t*>(p.table) + (valid ? tok : 0) * row_bytes;
  for (int c = threadIdx.x; c < n_chunks; c += blockDim.x) {
    float v[32];
    detail::Decoder<T>::chunk(row, c, v);
    for (int i = 0; i < 32; ++i) y[32 * c + i] = valid ? v[i] * p.scale : NAN;
  }
}

}  // namespace

Status embed(const EmbedParams& p, void* stream) {
  if (!p.table || !p.tokens || !p.y) return invalid("embed: table, tokens and y are required");
  if (p.n_tokens <= 0 || p.n_vocab <= 0) return invalid("embed: empty shape");
  if (!row_supported(p.type, p.n_embd)) return unsupported("embed: row length / type not supported");
  const std::int64_t row_bytes = weight_row_bytes(p.type, p.n_embd);
  cudaStream_t s = detail::as_stream(stream);
  const auto grid = static_cast<unsigned>(p.n_tokens);
  detail::dispatch_weight_type(p.type, [&](auto tag) {
    constexpr WeightType T = decltype(tag)::value;
    CODERX_LAUNCH(grid, 128, 0, s, embed_kernel<T>)(p, row_bytes);
  });
  return detail::launch_status("embed");
}

}  // namespace coderx::kernels
