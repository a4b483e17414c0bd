// Small element-wise ops the forward pass needs between the big kernels:
//   geglu:  out[i] = gelu_tanh(gate[i]) · up[i]   (dense MLP, spec §2.1)
//   add:    out[i] = a[i] + b[i]                   (dense MLP + experts before the third norm)
//   scale:  y[i] *= s[0]                           (a linear's `.scale` after a prefill GEMM)
// Called by the CUDA backend. Errors: Status.
#pragma once

#include <cstdint>

#include "kernels/status.h"

namespace coderx::kernels {

// Reference: model/ops_ref geglu. One thread per element, 256-thread blocks. out may alias.
Status geglu(const float* gate, const float* up, float* out, std::int64_t n, void* stream);

// Reference: plain f32 addition. One thread per element. out may alias a or b.
Status add(const float* a, const float* b, float* out, std::int64_t n, void* stream);

// Reference: the out_scale of model/ops_ref linear. s is a device pointer to one float.
Status scale(float* y, std::int64_t n, const float* s, void* stream);

}  // namespace coderx::kernels
