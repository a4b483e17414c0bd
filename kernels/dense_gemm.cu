// cuBLAS wrapper for dense prefill GEMMs. Must match model/ops_ref linear up to bf16/fp16
// rounding of the inputs (f32 accumulation). cuBLAS is column-major: row-major w [n][k] is the
// column-major k×n matrix W', x [m][k] is k×m X', y [m][n] is n×m Y'; so Y' = W'ᵀ·X', i.e.
// cublasGemmEx(OP_T, OP_N, n, m, k, w, ld k, x, ld k, y, ld n).
// Launch geometry: chosen by cuBLAS.
#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <string>

#include "kernels/cuda_util.cuh"
#include "kernels/dense_gemm.h"
#include "kernels/launch_shape.h"

namespace coderx::kernels {

namespace {

Status blas_status(cublasStatus_t st, const char* what) {
  if (st == CUBLAS_STATUS_SUCCESS) return Status::success();
  return {StatusCode::cuda_error, std::string(what) + ": cuBLAS status " + std::to_string(static_cast<int>(st))};
}

}  // namespace

BlasHandle::~BlasHandle() {
  if (handle_) cublasDestroy(static_cast<cublasHandle_t>(handle_));
}

Status BlasHandle::init() {
  if (handle_) return Status::success();
  cublasHandle_t h = nullptr;
  if (Status st = blas_status(cublasCreate(&h), "cublasCreate"); !st.ok()) return st;
  handle_ = h;
  return Status::success();
}

Status dense_gemm(const BlasHandle& blas, const DenseGemmParams& p, void* stream) {
  if (!blas.raw()) return invalid("dense_gemm: BlasHandle not initialised");
  if (!p.x || !p.w || !p.y) return invalid("dense_gemm: x, w and y are required");
  if (p.m <= 0 || p.n <= 0 || p.k <= 0) return invalid("dense_gemm: empty shape");
  if (p.m > 0x7fffffff || p.n > 0x7fffffff || p.k > 0x7fffffff) return invalid("dense_gemm: shape exceeds int");
  auto h = static_cast<cublasHandle_t>(blas.raw());
  if (Status st = blas_status(cublasSetStream(h, detail::as_stream(stream)), "cublasSetStream"); !st.ok()) return st;
  const float alpha = 1.0f, beta = p.accumulate ? 1.0f : 0.0f;
  const cudaDataType_t in_type = p.fp16 ? CUDA_R_16F : CUDA_R_16BF;
  const cublasComputeType_t compute = CUBLAS_COMPUTE_32F;
  const int m = static_cast<int>(p.m), n = static_cast<int>(p.n), k = static_cast<int>(p.k);
  return blas_status(cublasGemmEx(h, CUBLAS_OP_T, CUBLAS_OP_N, n, m, k, &alpha, p.w, in_type, k, p.x, in_type, k,
                                  &beta, p.y, CUDA_R_32F, n, compute, CUBLAS_GEMM_DEFAULT),
                     "cublasGemmEx");
}

}  // namespace coderx::kernels
