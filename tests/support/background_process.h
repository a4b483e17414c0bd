// A child process that keeps running while a test talks to it (`coderx serve`, `openssl
// s_server`): starts it, waits for a line of its output (stdout and stderr together) that
// contains a marker, and kills it (SIGTERM, then waits) on destruction. Output is drained into
// a buffer all along so the child never blocks.
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace coderx::testing {

class BackgroundProcess {
 public:
  // Starts argv[0] (a path) with `env` entries ("NAME=value") added to the environment.
  BackgroundProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env = {});
  // Starts the built coderx binary with `args`.
  static std::vector<std::string> coderx(std::vector<std::string> args);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  // The first stderr line containing `marker` (waits up to timeout_ms; "" if none or exited).
  std::string wait_for_line(const std::string& marker, int timeout_ms = 30000);
  // The port N of the first "http://HOST:N" in the ready line of `coderx serve` (0 on failure).
  unsigned short wait_for_port(int timeout_ms = 30000);
  std::string stderr_text();
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int err_fd_ = -1;
  std::mutex mu_;
  std::condition_variable grew_;
  std::string err_;
  bool eof_ = false;
  std::thread reader_;
};

}  // namespace coderx::testing
