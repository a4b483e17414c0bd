// The final logit softcap of spec gemma4-moe.md §2.5, x ← cap·tanh(x / cap), over a whole vocab
// row: vectorised (AVX2+FMA when the CPU has it, chosen at run time), std::tanh otherwise.
// The vector tanh is −m/(2 + m) with m = expm1(−2|x|) from a degree-8 polynomial after
// Cody-Waite range reduction, so small |x| keeps its relative precision; within 4 ulp of the
// exact value (tests/model/softcap_test.cpp). NaN stays NaN, ±inf gives ±cap. Pure; thread-safe.
#pragma once

#include <cstdint>

namespace coderx::model {

void softcap(float* x, std::int64_t n, float cap);

// tanh of each x[i] into y[i] (y may alias x): the vector kernel behind softcap, for tests.
void tanh_approx(const float* x, float* y, std::int64_t n);

}  // namespace coderx::model
