// Device-side entry to the block decoders (kernels/block_decode.h) plus the dispatch from a
// runtime WeightType to the per-type template instantiation. Included by the .cu files of
// kernels/ and by host tests (it is plain C++ outside nvcc). The oracle is model::quant::dequantize_row_ref (checked on the CPU by
// tests/kernels/block_decode_test.cpp and on the GPU by tests/kernels/dequant_gpu_test.cpp).
#pragma once

#include <type_traits>

#include "kernels/block_decode.h"

namespace coderx::kernels::detail {

// Calls f(std::integral_constant<WeightType, T>{}) for the runtime type t; false for an
// unknown type. Keeps the per-type instantiations in one place for every launcher. Use inside
// the lambda: `constexpr WeightType T = decltype(tag)::value;`.
template <WeightType T>
using TypeTag = std::integral_constant<WeightType, T>;

template <class F>
bool dispatch_weight_type(WeightType t, F&& f) {
  switch (t) {
    case WeightType::F32: f(TypeTag<WeightType::F32>{}); return true;
    case WeightType::F16: f(TypeTag<WeightType::F16>{}); return true;
    case WeightType::BF16: f(TypeTag<WeightType::BF16>{}); return true;
    case WeightType::Q4_0: f(TypeTag<WeightType::Q4_0>{}); return true;
    case WeightType::Q4_1: f(TypeTag<WeightType::Q4_1>{}); return true;
    case WeightType::Q5_0: f(TypeTag<WeightType::Q5_0>{}); return true;
    case WeightType::Q5_1: f(TypeTag<WeightType::Q5_1>{}); return true;
    case WeightType::Q8_0: f(TypeTag<WeightType::Q8_0>{}); return true;
    case WeightType::IQ4_NL: f(TypeTag<WeightType::IQ4_NL>{}); return true;
    case WeightType::MXFP4: f(TypeTag<WeightType::MXFP4>{}); return true;
    case WeightType::NVFP4: f(TypeTag<WeightType::NVFP4>{}); return true;
    case WeightType::Q2_K: f(TypeTag<WeightType::Q2_K>{}); return true;
    case WeightType::Q3_K: f(TypeTag<WeightType::Q3_K>{}); return true;
    case WeightType::IQ4_XS: f(TypeTag<WeightType::IQ4_XS>{}); return true;
    case WeightType::Q4_K: f(TypeTag<WeightType::Q4_K>{}); return true;
    case WeightType::Q5_K: f(TypeTag<WeightType::Q5_K>{}); return true;
    case WeightType::Q6_K: f(TypeTag<WeightType::Q6_K>{}); return true;
  }
  return false;
}

}  // namespace coderx::kernels::detail
