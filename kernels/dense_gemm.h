// Dense GEMMs through cuBLAS: y[m][n] = Σ_k x[m][k] · w[n][k] with bf16 (or fp16) inputs and
// f32 accumulation and output (spec §7.10: never 16-bit accumulation). The prefill projections
// call it through split_gemm.h, whose operands are f16 hi/lo splits.
// BlasHandle wraps a cublasHandle_t without exposing cuBLAS types. One handle per stream /
// thread; not thread-safe. Errors: Status.
#pragma once

#include <cstdint>

#include "kernels/status.h"

namespace coderx::kernels {

class BlasHandle {
 public:
  BlasHandle() = default;
  ~BlasHandle();
  BlasHandle(const BlasHandle&) = delete;
  BlasHandle& operator=(const BlasHandle&) = delete;

  Status init();                   // creates the cuBLAS handle; call once before gemm
  void* raw() const { return handle_; }

 private:
  void* handle_ = nullptr;
};

struct DenseGemmParams {
  const void* x = nullptr;  // [m, k] bf16 (fp16 when fp16)
  const void* w = nullptr;  // [n, k] bf16 (fp16 when fp16)
  float* y = nullptr;       // [m, n] f32
  std::int64_t m = 0, n = 0, k = 0;
  bool fp16 = false;
  bool accumulate = false;  // y += x·wᵀ
};

// Reference: model/ops_ref linear. cublasGemmEx, CUBLAS_COMPUTE_32F, default algorithm.
Status dense_gemm(const BlasHandle& blas, const DenseGemmParams& p, void* stream);

}  // namespace coderx::kernels
