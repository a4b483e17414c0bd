// Runs a program to completion for integration tests: argv, optional stdin text, captured
// stdout and stderr, exit code. Blocks; no shell is involved (arguments are passed as is).
#pragma once

#include <string>
#include <vector>

namespace coderx::testing {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal number when killed by a signal
  std::string out;
  std::string err;
};

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input = "");

// run_process({coderx_binary(), args...}).
ProcessResult run_coderx(const std::vector<std::string>& args, const std::string& input = "");

}  // namespace coderx::testing
