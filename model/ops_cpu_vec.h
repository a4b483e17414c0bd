// Vectorised f32 kernels for the CPU op set (ops_cpu): dot products, axpy, sums of squares.
// AVX2+FMA when the CPU has it (chosen once at run time), portable loops otherwise.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>

namespace coderx::model::vec {

float dot(const float* a, const float* b, std::int64_t n);
void axpy(float a, const float* x, float* y, std::int64_t n);  // y += a·x
// out[j] = dot(a, b[j]) for j < 4 (attention scores of one query against four keys).
void dot4(const float* a, const float* const* b, std::int64_t n, float* out);
// y += Σ_j a[j]·x[j] for j < 4 (attention: four weighted values per pass over y).
void axpy4(const float* a, const float* const* x, float* y, std::int64_t n);
double sum_squares(const float* x, std::int64_t n);            // f32 lanes, f64 total
void scale(const float* x, float s, float* y, std::int64_t n);  // y = x·s (y may alias x)
void scale_mul(const float* x, float s, const float* w, float* y, std::int64_t n);  // y = (x·s)·w
void mul(const float* x, const float* w, float* y, std::int64_t n);  // y = x·w elementwise
// NEOX rotation of the pairs (v[i], v[i + half]) for i < n by angles with cosines c and sines
// s: v[i] = v[i]·c − v[i+half]·s, v[i+half] = v[i]·s + v[i+half]·c, each product rounded
// (no fused multiply-add, so every path gives the same bits).
void rotate_pairs(float* v, std::int64_t half, const float* c, const float* s, std::int64_t n);
bool has_avx2();

}  // namespace coderx::model::vec
