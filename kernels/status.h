// Status: what every kernel launcher returns. Plain C++ (no CUDA types), so model/ and the
// tests can inspect it in any build. ok() is true when the launch was valid and the CUDA
// runtime reported no error at launch time (asynchronous faults surface at the next sync).
// Launchers never exit and never throw; the caller checks the status.
#pragma once

#include <string>
#include <utility>

namespace coderx::kernels {

enum class StatusCode {
  ok,
  invalid_argument,  // a shape, pointer or option the kernel cannot take
  unsupported,       // a valid request this kernel does not implement (e.g. a weight type)
  cuda_error,        // the CUDA runtime or cuBLAS reported an error
};

struct Status {
  StatusCode code = StatusCode::ok;
  std::string message;  // "rms_norm: n = 0" — names the launcher and the offending value

  bool ok() const { return code == StatusCode::ok; }
  static Status success() { return {}; }
};

inline Status invalid(std::string message) { return {StatusCode::invalid_argument, std::move(message)}; }
inline Status unsupported(std::string message) { return {StatusCode::unsupported, std::move(message)}; }

}  // namespace coderx::kernels
