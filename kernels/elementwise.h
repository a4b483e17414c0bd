// Element-wise ops the forward pass needs between the big kernels:
//   geglu:  out[i] = gelu_tanh(gate[i]) · up[i]   (the dense MLP of a prefill batch, spec §2.1)
// Called by the CUDA backend. Errors: Status.
#pragma once

#include <cstdint>

#include "kernels/status.h"

namespace coderx::kernels {

// Reference: model/ops_ref geglu. One thread per element, 256-thread blocks. out may alias.
Status geglu(const float* gate, const float* up, float* out, std::int64_t n, void* stream);

}  // namespace coderx::kernels
