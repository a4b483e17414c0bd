// Vectorised f32 kernels for the CPU op set (ops_cpu): dot products, axpy, sums of squares.
// AVX2+FMA when the CPU has it (chosen once at run time), portable loops otherwise.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>

namespace coderx::model::vec {

float dot(const float* a, const float* b, std::int64_t n);
void axpy(float a, const float* x, float* y, std::int64_t n);  // y += a·x
double sum_squares(const float* x, std::int64_t n);            // f32 lanes, f64 total
void scale(const float* x, float s, float* y, std::int64_t n);  // y = x·s (y may alias x)
void scale_mul(const float* x, float s, const float* w, float* y, std::int64_t n);  // y = (x·s)·w
bool has_avx2();

}  // namespace coderx::model::vec
