// The CUDA runtime and cuBLAS entry points the kernels and their tests call, served on the host
// for the CUDA emulation (cuda_emu.h): device memory is host memory, every stream is program
// order, a captured graph is the list of its work, one emulated device reports H200-like limits (132 SMs, 227 KiB of opt-in shared memory)
// so launch planning takes the paths it takes there, and cublasGemmEx is a plain loop with
// double accumulation. Only linked into the emulated test binaries, never with libcudart.
#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "device_guards.h"
#include "fiber_grid.h"

namespace coderx::emu {

namespace {

cudaError_t g_last_error = cudaSuccess;
constexpr int kSms = 132;
constexpr int kSharedOptin = 227 * 1024;

struct Event {
  std::chrono::steady_clock::time_point at;
};

// A captured graph, or an instantiated one: the work in stream order.
struct Graph {
  std::vector<std::function<void()>> work;
};

Graph* g_capture = nullptr;  // the graph being captured, if any

Graph* as_graph(void* g) { return static_cast<Graph*>(g); }

constexpr std::size_t kGuardBytes = 64;
constexpr unsigned char kGuardByte = 0xA5;
std::map<void*, std::size_t> g_allocations;  // device pointer → requested bytes
std::map<const void*, int> g_dynamic_smem_optin;  // kernel → its cudaFuncAttributeMaxDynamicSharedMemorySize
constexpr std::size_t kDefaultDynamicSmem = 48 * 1024;  // what a kernel may launch with before opting in

bool guard_intact(void* p, std::size_t bytes) {
  const auto* guard = static_cast<const unsigned char*>(p) + bytes;
  for (std::size_t i = 0; i < kGuardBytes; ++i)
    if (guard[i] != kGuardByte) return false;
  return true;
}

cudaError_t fail(cudaError_t e) {
  g_last_error = e;
  return e;
}

}  // namespace

void record_launch_error(const std::string& error, cudaError_t code) {
  if (error.empty()) return;
  std::fprintf(stderr, "cuda emulation: %s\n", error.c_str());
  g_last_error = code;
}

std::string dynamic_smem_error(const void* kernel, std::size_t bytes) {
  if (bytes <= kDefaultDynamicSmem) return "";
  const auto it = g_dynamic_smem_optin.find(kernel);
  const std::size_t allowed = it == g_dynamic_smem_optin.end() ? kDefaultDynamicSmem : static_cast<std::size_t>(it->second);
  if (bytes <= allowed) return "";
  return "a launch with " + std::to_string(bytes) + " bytes of dynamic shared memory, over the " + std::to_string(allowed) +
         " its kernel's cudaFuncAttributeMaxDynamicSharedMemorySize allows";
}

void run_or_capture(std::function<void()> work) {
  if (g_capture)
    g_capture->work.push_back(std::move(work));
  else
    work();
}

std::string check_device_guards() {
  for (const auto& [p, bytes] : g_allocations) {
    if (guard_intact(p, bytes)) continue;
    std::memset(static_cast<unsigned char*>(p) + bytes, kGuardByte, kGuardBytes);  // report once
    return "wrote past the end of a " + std::to_string(bytes) + "-byte device buffer";
  }
  return "";
}


}  // namespace coderx::emu

using coderx::emu::fail;

extern "C" {

cudaError_t cudaGetLastError() {
  const cudaError_t e = coderx::emu::g_last_error;
  coderx::emu::g_last_error = cudaSuccess;
  return e;
}

cudaError_t cudaPeekAtLastError() { return coderx::emu::g_last_error; }

const char* cudaGetErrorString(cudaError_t e) {
  switch (e) {
    case cudaSuccess: return "no error";
    case cudaErrorMemoryAllocation: return "out of memory (emulated)";
    case cudaErrorInvalidConfiguration: return "invalid configuration argument (emulated)";
    case cudaErrorLaunchFailure: return "unspecified launch failure (emulated: see the message above)";
    case cudaErrorInvalidValue: return "invalid argument (emulated)";
    default: return "error (emulated)";
  }
}

cudaError_t cudaGetDeviceCount(int* count) {
  *count = 1;
  return cudaSuccess;
}

cudaError_t cudaGetDevice(int* device) {
  *device = 0;
  return cudaSuccess;
}

cudaError_t cudaSetDevice(int device) { return device == 0 ? cudaSuccess : fail(cudaErrorInvalidDevice); }

cudaError_t cudaGetDeviceProperties(cudaDeviceProp* prop, int device) {
  if (device != 0) return fail(cudaErrorInvalidDevice);
  *prop = cudaDeviceProp{};
  std::strncpy(prop->name, "CUDA emulation on the CPU", sizeof prop->name - 1);
  prop->major = 9;
  prop->minor = 0;
  prop->totalGlobalMem = static_cast<std::size_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<std::size_t>(sysconf(_SC_PAGE_SIZE));
  prop->multiProcessorCount = coderx::emu::kSms;
  prop->sharedMemPerBlockOptin = coderx::emu::kSharedOptin;
  prop->warpSize = 32;
  prop->maxThreadsPerBlock = 1024;
  return cudaSuccess;
}

cudaError_t cudaDeviceGetAttribute(int* value, cudaDeviceAttr attr, int device) {
  if (device != 0) return fail(cudaErrorInvalidDevice);
  switch (attr) {
    case cudaDevAttrMaxSharedMemoryPerBlockOptin: *value = coderx::emu::kSharedOptin; return cudaSuccess;
    case cudaDevAttrMultiProcessorCount: *value = coderx::emu::kSms; return cudaSuccess;
    default: return fail(cudaErrorInvalidValue);
  }
}

cudaError_t cudaDriverGetVersion(int* v) {
  *v = CUDART_VERSION;
  return cudaSuccess;
}

cudaError_t cudaRuntimeGetVersion(int* v) {
  *v = CUDART_VERSION;
  return cudaSuccess;
}

cudaError_t cudaFuncSetAttribute(const void* kernel, cudaFuncAttribute attr, int value) {
  if (attr != cudaFuncAttributeMaxDynamicSharedMemorySize) return cudaSuccess;
  if (value < 0 || value > coderx::emu::kSharedOptin) return fail(cudaErrorInvalidValue);
  coderx::emu::g_dynamic_smem_optin[kernel] = value;
  return cudaSuccess;
}

cudaError_t cudaOccupancyMaxActiveBlocksPerMultiprocessorWithFlags(int* blocks, const void*, int, size_t smem,
                                                                    unsigned) {
  *blocks = smem == 0 ? 8 : std::max(1, std::min(8, static_cast<int>(coderx::emu::kSharedOptin / smem)));
  return cudaSuccess;
}

// Every allocation is followed by guard bytes; a kernel that writes into them fails its launch
// (check_device_guards), a host copy that does aborts at cudaFree. The bytes asked for start as
// 0xFF (NaN floats and halves, -1 integers): a GPU promises nothing about new memory, so a read of
// device memory nobody wrote (a counter never cleared, a cache slot past the valid length) shows.
cudaError_t cudaMalloc(void** p, size_t bytes) {
  *p = std::aligned_alloc(256, (bytes + coderx::emu::kGuardBytes + 255) / 256 * 256);
  if (!*p) return fail(cudaErrorMemoryAllocation);
  std::memset(*p, 0xFF, bytes);
  std::memset(static_cast<unsigned char*>(*p) + bytes, coderx::emu::kGuardByte, coderx::emu::kGuardBytes);
  coderx::emu::g_allocations[*p] = bytes;
  return cudaSuccess;
}

cudaError_t cudaFree(void* p) {
  if (!p) return cudaSuccess;
  const auto it = coderx::emu::g_allocations.find(p);
  if (it == coderx::emu::g_allocations.end()) return fail(cudaErrorInvalidValue);
  if (!coderx::emu::guard_intact(p, it->second)) {
    std::fprintf(stderr, "cuda emulation: a host copy wrote past the end of a %zu-byte device buffer\n", it->second);
    std::abort();
  }
  coderx::emu::g_allocations.erase(it);
  std::free(p);
  return cudaSuccess;
}

cudaError_t cudaMemGetInfo(size_t* free_bytes, size_t* total) {
  *total = static_cast<std::size_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<std::size_t>(sysconf(_SC_PAGE_SIZE));
  *free_bytes = static_cast<std::size_t>(sysconf(_SC_AVPHYS_PAGES)) * static_cast<std::size_t>(sysconf(_SC_PAGE_SIZE));
  return cudaSuccess;
}

cudaError_t cudaMemcpy(void* dst, const void* src, size_t bytes, cudaMemcpyKind) {
  if (bytes) std::memmove(dst, src, bytes);
  return cudaSuccess;
}

cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t bytes, cudaMemcpyKind, cudaStream_t) {
  coderx::emu::run_or_capture([=] {
    if (bytes) std::memmove(dst, src, bytes);
  });
  return cudaSuccess;
}

cudaError_t cudaMemset(void* dst, int value, size_t bytes) {
  if (bytes) std::memset(dst, value, bytes);
  return cudaSuccess;
}

cudaError_t cudaMemsetAsync(void* dst, int value, size_t bytes, cudaStream_t) {
  coderx::emu::run_or_capture([=] {
    if (bytes) std::memset(dst, value, bytes);
  });
  return cudaSuccess;
}

cudaError_t cudaMallocHost(void** p, size_t bytes) { return cudaMalloc(p, bytes); }
cudaError_t cudaFreeHost(void* p) { return cudaFree(p); }

// Synchronising a stream under capture is an error on the GPU; so it is here.
cudaError_t cudaDeviceSynchronize() {
  return coderx::emu::g_capture ? fail(cudaErrorStreamCaptureUnsupported) : cudaSuccess;
}
cudaError_t cudaStreamSynchronize(cudaStream_t) { return cudaDeviceSynchronize(); }

cudaError_t cudaStreamCreateWithFlags(cudaStream_t* stream, unsigned) {
  *stream = reinterpret_cast<cudaStream_t>(new int(0));
  return cudaSuccess;
}

cudaError_t cudaStreamDestroy(cudaStream_t stream) {
  delete reinterpret_cast<int*>(stream);
  return cudaSuccess;
}

// --- graphs: capture keeps the work, launch runs it in order ------------------------------

cudaError_t cudaStreamBeginCapture(cudaStream_t, cudaStreamCaptureMode) {
  if (coderx::emu::g_capture) return fail(cudaErrorIllegalState);
  coderx::emu::g_capture = new coderx::emu::Graph;
  return cudaSuccess;
}

cudaError_t cudaStreamEndCapture(cudaStream_t, cudaGraph_t* graph) {
  if (!coderx::emu::g_capture) return fail(cudaErrorIllegalState);
  *graph = reinterpret_cast<cudaGraph_t>(std::exchange(coderx::emu::g_capture, nullptr));
  return cudaSuccess;
}

cudaError_t cudaGraphInstantiate(cudaGraphExec_t* exec, cudaGraph_t graph, unsigned long long) {
  *exec = reinterpret_cast<cudaGraphExec_t>(new coderx::emu::Graph(*coderx::emu::as_graph(graph)));
  return cudaSuccess;
}

cudaError_t cudaGraphExecUpdate(cudaGraphExec_t exec, cudaGraph_t graph, cudaGraphExecUpdateResultInfo* info) {
  coderx::emu::as_graph(exec)->work = coderx::emu::as_graph(graph)->work;
  if (info) *info = cudaGraphExecUpdateResultInfo{};
  return cudaSuccess;
}

// The node count only (nodes == nullptr), as the backend asks for it.
cudaError_t cudaGraphGetNodes(cudaGraph_t graph, cudaGraphNode_t* nodes, size_t* count) {
  if (nodes || !count) return fail(cudaErrorNotSupported);
  *count = coderx::emu::as_graph(graph)->work.size();
  return cudaSuccess;
}

cudaError_t cudaGraphLaunch(cudaGraphExec_t exec, cudaStream_t) {
  for (const auto& work : coderx::emu::as_graph(exec)->work) work();
  return cudaSuccess;
}

cudaError_t cudaGraphDestroy(cudaGraph_t graph) {
  delete coderx::emu::as_graph(graph);
  return cudaSuccess;
}

cudaError_t cudaGraphExecDestroy(cudaGraphExec_t exec) {
  delete coderx::emu::as_graph(exec);
  return cudaSuccess;
}

cudaError_t cudaEventCreate(cudaEvent_t* e) {
  *e = reinterpret_cast<cudaEvent_t>(new coderx::emu::Event{});
  return cudaSuccess;
}

cudaError_t cudaEventDestroy(cudaEvent_t e) {
  delete reinterpret_cast<coderx::emu::Event*>(e);
  return cudaSuccess;
}

cudaError_t cudaEventRecord(cudaEvent_t e, cudaStream_t) {
  reinterpret_cast<coderx::emu::Event*>(e)->at = std::chrono::steady_clock::now();
  return cudaSuccess;
}

cudaError_t cudaEventSynchronize(cudaEvent_t) { return cudaSuccess; }

cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t start, cudaEvent_t end) {
  const auto d = reinterpret_cast<coderx::emu::Event*>(end)->at - reinterpret_cast<coderx::emu::Event*>(start)->at;
  *ms = std::chrono::duration<float, std::milli>(d).count();
  return cudaSuccess;
}

// --- cuBLAS -------------------------------------------------------------------------------

cublasStatus_t cublasCreate(cublasHandle_t* handle) {
  *handle = reinterpret_cast<cublasHandle_t>(new int(0));
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasDestroy(cublasHandle_t handle) {
  delete reinterpret_cast<int*>(handle);
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSetStream(cublasHandle_t, cudaStream_t) { return CUBLAS_STATUS_SUCCESS; }

}  // extern "C"

namespace {

double element(const void* base, cudaDataType_t type, std::size_t i) {
  switch (type) {
    case CUDA_R_32F: return static_cast<const float*>(base)[i];
    case CUDA_R_16F: return __half2float(static_cast<const __half*>(base)[i]);
    case CUDA_R_16BF: return __bfloat162float(static_cast<const __nv_bfloat16*>(base)[i]);
    default: return 0.0;
  }
}

bool supported(cudaDataType_t t) { return t == CUDA_R_32F || t == CUDA_R_16F || t == CUDA_R_16BF; }

// op(X) as a row-major rows × cols matrix of doubles (column-major storage with leading dim ld).
std::vector<double> op_matrix(const void* x, cudaDataType_t type, cublasOperation_t op, int rows, int cols, int ld) {
  std::vector<double> out(static_cast<std::size_t>(rows) * cols);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      const std::size_t i = op == CUBLAS_OP_N ? static_cast<std::size_t>(c) * ld + r : static_cast<std::size_t>(r) * ld + c;
      out[static_cast<std::size_t>(r) * cols + c] = element(x, type, i);
    }
  return out;
}

}  // namespace

extern "C" cublasStatus_t cublasGemmEx(cublasHandle_t, cublasOperation_t op_a, cublasOperation_t op_b, int m, int n,
                                       int k, const void* alpha, const void* a, cudaDataType_t a_type, int lda,
                                       const void* b, cudaDataType_t b_type, int ldb, const void* beta, void* c,
                                       cudaDataType_t c_type, int ldc, cublasComputeType_t, cublasGemmAlgo_t) {
  if (!supported(a_type) || !supported(b_type) || c_type != CUDA_R_32F) return CUBLAS_STATUS_NOT_SUPPORTED;
  const float al = *static_cast<const float*>(alpha), be = *static_cast<const float*>(beta);
  const std::vector<double> am = op_matrix(a, a_type, op_a, m, k, lda);   // m × k
  const std::vector<double> bt = op_matrix(b, b_type, op_b == CUBLAS_OP_N ? CUBLAS_OP_T : CUBLAS_OP_N, n, k, ldb);  // n × k
  auto* out = static_cast<float*>(c);
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < m; ++i) {
      const double* ar = am.data() + static_cast<std::size_t>(i) * k;
      const double* br = bt.data() + static_cast<std::size_t>(j) * k;
      double s = 0.0;
      for (int l = 0; l < k; ++l) s += ar[l] * br[l];
      float& dst = out[static_cast<std::size_t>(j) * ldc + i];
      dst = static_cast<float>(al * s + (be == 0.0f ? 0.0 : be * static_cast<double>(dst)));
    }
  return CUBLAS_STATUS_SUCCESS;
}
