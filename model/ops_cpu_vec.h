// Vectorised f32 kernels for the CPU op set (ops_cpu): dot products, axpy, sums of squares.
// AVX2+FMA(+F16C) when the CPU has it (chosen once at run time), portable loops otherwise.
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
// Two queries at once, each bit-identical to dot4 / axpy4 on its own (the same f32 operations
// in the same order), with each key or value row loaded once for both: out0 = dot4(a0, b),
// out1 = dot4(a1, b); y0 += Σ a0[j]·x[j], y1 += Σ a1[j]·x[j]. Eight independent multiply-add
// chains instead of four, so the latency of each no longer bounds the rate.
void dot4x2(const float* a0, const float* a1, const float* const* b, std::int64_t n, float* out0,
            float* out1);
void axpy4x2(const float* a0, const float* a1, const float* const* x, float* y0, float* y1,
             std::int64_t n);
// One key row for two queries, bit-identical to that row's part of dot4x2 (and of dot4): a
// key's score does not depend on which keys it is grouped with.
void dot1x2(const float* a0, const float* a1, const float* b, std::int64_t n, float* out0,
            float* out1);
// The same on IEEE half rows (an f16 K/V cache), converted as they are read: bit-identical to
// converting the rows first (conversion is exact). Decode reads its cache rows through these
// instead of converting them into a scratch buffer. Chunk c (elements 8c … 8c+7) of a row
// starts chunk_stride · c elements after the row's start: 8 for a plain row, 32 for rows
// interleaved by four (op_args.h KvLayerView; n a multiple of 8 then).
void dot4x2(const float* a0, const float* a1, const std::uint16_t* const* b, std::int64_t n,
            float* out0, float* out1, std::int64_t chunk_stride = 8);
void axpy4x2(const float* a0, const float* a1, const std::uint16_t* const* x, float* y0, float* y1,
             std::int64_t n, std::int64_t chunk_stride = 8);
void dot1x2(const float* a0, const float* a1, const std::uint16_t* b, std::int64_t n, float* out0,
            float* out1, std::int64_t chunk_stride = 8);
// Four queries against four keys: out[h][j] = dot4(a[h], b)[j], bit for bit (each product's
// single multiply-add chain and dot4's reduction), with each key row loaded once for all four
// queries. Sixteen chains where AVX-512VL gives the registers for them, else two dot4x2 calls.
void dot4x4(const float* const* a, const float* const* b, std::int64_t n, float* const* out);
void dot4x4(const float* const* a, const std::uint16_t* const* b, std::int64_t n, float* const* out,
            std::int64_t chunk_stride = 8);
// axpy4x2 for four outputs: y[h] += Σ_{j<4} a[h][j]·x[j] for h < 4, bit for bit (per element
// the four multiply-adds in key order), each value row loaded once for the four.
void axpy4x4(const float* const* a, const float* const* x, float* const* y, std::int64_t n);
// y[h] += Σ_k p[h][k]·x[k] for every head h < n_heads and key k < n_keys, on half rows (chunks
// as above): the query heads of one kv head weighting the same value rows, each row converted
// once for all of them and each output chunk loaded and stored once per call. Per element the
// multiply-adds run in key order, one rounding each: the same bits as axpy4x2 or axpy over the
// same keys in order, however the keys are split between calls.
void axpy_heads(const float* const* p, std::int64_t n_heads, const std::uint16_t* const* x,
                std::int64_t n_keys, float* const* y, std::int64_t n,
                std::int64_t chunk_stride = 8);
// y[i] = gelu(g[i]) · u[i] with gelu read from `table` (65 536 floats indexed by the IEEE half
// rounding of g, nearest even) for −10 < g < 10, 0 at or below −10, g at or above 10: the
// lookup GELU of llama.cpp's CPU backend (ops_cpu.cpp builds the table). The same bits with or
// without AVX2 (F16C conversion and a gather there).
void geglu_table(const float* table, const float* g, const float* u, float* y, std::int64_t n);
double sum_squares(const float* x, std::int64_t n);            // f32 lanes, f64 total
float max_value(const float* x, std::int64_t n);  // the largest of x[0..n), n ≥ 1 (no NaN)
// The first i < n with x[i] == value, or n when there is none (a NaN value matches nothing).
std::int64_t first_index_of(const float* x, std::int64_t n, float value);
// s[j] = exp(s[j] − shift) for j < n (shift ≥ every s[j]: softmax's maximum); returns Σ s[j] in
// f64. Within 3 ulp of exp (a vector polynomial under AVX2; std::exp otherwise); arguments below
// −87.3 give 0.
double exp_shifted(float* s, std::int64_t n, float shift);
void scale(const float* x, float s, float* y, std::int64_t n);  // y = x·s (y may alias x)
void scale_mul(const float* x, float s, const float* w, float* y, std::int64_t n);  // y = (x·s)·w
void mul(const float* x, const float* w, float* y, std::int64_t n);  // y = x·w elementwise
// y = x·w elementwise for a half row x (chunks of eight chunk_stride apart, as dot4x2's): the
// same bits as f16_chunks_to_f32 and then mul, in one pass.
void half_mul(const std::uint16_t* x, std::int64_t chunk_stride, const float* w, float* y,
              std::int64_t n);
// NEOX rotation of the pairs (v[i], v[i + half]) for i < n by angles with cosines c and sines
// s: v[i] = v[i]·c − v[i+half]·s, v[i+half] = v[i]·s + v[i+half]·c, each product rounded
// (no fused multiply-add, so every path gives the same bits).
void rotate_pairs(float* v, std::int64_t half, const float* c, const float* s, std::int64_t n);
// IEEE half ↔ f32 (F16C when the CPU has AVX2, quant/half.h otherwise): f16_to_f32 is exact;
// f32_to_f16 rounds to nearest even, like quant::f32_to_f16 (bit-identical but for NaN payloads).
void f16_to_f32(const std::uint16_t* x, float* y, std::int64_t n);
void f32_to_f16(const float* x, std::uint16_t* y, std::int64_t n);
// f16_to_f32 of a half row whose chunks of eight lie chunk_stride elements apart (as above).
void f16_chunks_to_f32(const std::uint16_t* x, std::int64_t chunk_stride, float* y, std::int64_t n);
// An f16 row converted into this thread's buffer; valid until the next call on this thread.
const float* half_row_as_f32(const std::uint16_t* x, std::int64_t n, std::int64_t chunk_stride = 8);
bool has_avx2();
// AVX-512 F and VL as well (32 vector registers for dot4x4 and axpy_heads), and the quant
// kernels' SIMD level (quant::set_simd_level, CODERX_SIMD) at avx512.
bool has_avx512vl();

}  // namespace coderx::model::vec
