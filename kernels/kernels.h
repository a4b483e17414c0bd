// The host-callable launchers of kernels/, in one include for the CUDA backend
// (model/backend_cuda.cpp). Every launcher takes a POD parameter struct (shapes, dtypes,
// device pointers) and a stream as void* (a cudaStream_t; nullptr = the default stream), and
// returns a Status; none exits or throws. No CUDA types appear in these headers. Each .cu file
// names the CPU reference op it must match and its launch geometry.
// Host-side arithmetic (plain C++, unit-tested on the CPU): moe_routing.h, split_k.h,
// upload_layout.h, weight_type.h.
#pragma once

#include "kernels/attention.h"    // kv_append, attention (decode + prefill, split-K)
#include "kernels/dense_gemm.h"   // cuBLAS bf16/fp16 GEMM with f32 accumulation
#include "kernels/elementwise.h"  // geglu
#include "kernels/embed.h"        // token embedding gather · √n_embd
#include "kernels/head_prep.h"    // q/k/v head norms + NEOX RoPE (both forms) + cache append
#include "kernels/logits.h"       // top-k / arg-max over soft-capped logits
#include "kernels/moe_gemm.h"     // MoE prefill: grouping, grouped GEMM, un-permute
#include "kernels/moe_gemv.h"     // MoE decode (<= 8 tokens)
#include "kernels/moe_router.h"   // router: softmax, top-k, renormalise, per-expert scale
#include "kernels/norm_chain.h"   // the RMSNorm chains after attention and after the FFN
#include "kernels/quant_gemv.h"   // quantised GEMV (+ softcap for the LM head)
#include "kernels/rms_norm.h"     // RMSNorm variants (+ residual, + layer output scale)
#include "kernels/split_gemm.h"   // prefill GEMMs at f32 accuracy on f16 tensor cores
