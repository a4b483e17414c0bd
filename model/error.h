// Error and Result types of the model module (GGUF, quantisation, tokenizer, engine).
// Every expected failure in model/ is returned as Result<T>; no exception crosses the public
// API. Messages say what and where, e.g.
//   "tensor blk.3.ffn_down_exps: expected [704,2816,98], file has [704,2816,64]".
// Thread-safe: plain values.
#pragma once

#include <boost/system/result.hpp>
#include <stdexcept>
#include <string>

namespace coderx::model {

enum class Errc {
  invalid_argument,  // a caller passed something unusable
  io,                // the OS refused (open, read, mmap, write, rename)
  format,            // a file is malformed (bad magic, truncated, inconsistent)
  unsupported,       // well-formed but not something we run (other architecture, unknown type)
  not_found,         // a named model, tensor or key does not exist
  out_of_memory,     // host or device memory exhausted
  cancelled,         // the caller's stop token fired
  internal,          // a bug: should not happen
};

struct Error {
  Errc code;
  std::string message;
};

template <class T>
using Result = boost::system::result<T, Error>;

inline Error make_error(Errc code, std::string message) { return Error{code, std::move(message)}; }

// Called by Result<T>::value() on an error (found by ADL). Only reached by code that chose to
// throw; library code checks results instead.
[[noreturn]] inline void throw_exception_from_error(Error const& e, boost::source_location const&) {
  throw std::runtime_error(e.message);
}

}  // namespace coderx::model
