#include "tests/support/background_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include "tests/support/paths.h"

namespace coderx::testing {

std::vector<std::string> BackgroundProcess::coderx(std::vector<std::string> args) {
  args.insert(args.begin(), coderx_binary().string());
  return args;
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  int err[2];
  if (pipe(err) != 0) return;
  pid_ = fork();
  if (pid_ == 0) {
    dup2(err[1], 1);
    dup2(err[1], 2);
    close(err[0]);
    close(err[1]);
    int devnull_in = ::open("/dev/null", 0);
    dup2(devnull_in, 0);
    for (const std::string& e : env) putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(err[1]);
  err_fd_ = err[0];
  reader_ = std::thread([this] {
    char buf[4096];
    for (ssize_t n; (n = read(err_fd_, buf, sizeof buf)) > 0;) {
      std::lock_guard lock(mu_);
      err_.append(buf, static_cast<std::size_t>(n));
      grew_.notify_all();
    }
    std::lock_guard lock(mu_);
    eof_ = true;
    grew_.notify_all();
  });
}

BackgroundProcess::~BackgroundProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  if (reader_.joinable()) reader_.join();
  if (err_fd_ >= 0) close(err_fd_);
}

std::string BackgroundProcess::wait_for_line(const std::string& marker, int timeout_ms) {
  std::unique_lock lock(mu_);
  grew_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                 [&] { return eof_ || err_.find(marker) != std::string::npos; });
  std::size_t at = err_.find(marker);
  if (at == std::string::npos) return "";
  std::size_t start = err_.rfind('\n', at);
  start = start == std::string::npos ? 0 : start + 1;
  return err_.substr(start, err_.find('\n', at) - start);
}

unsigned short BackgroundProcess::wait_for_port(int timeout_ms) {
  std::string line = wait_for_line("listening on http://", timeout_ms);
  std::size_t at = line.find("http://");
  if (at == std::string::npos) return 0;
  std::size_t colon = line.find(':', at + 7);
  if (colon == std::string::npos) return 0;
  return static_cast<unsigned short>(std::atoi(line.c_str() + colon + 1));
}

std::string BackgroundProcess::stderr_text() {
  std::lock_guard lock(mu_);
  return err_;
}

}  // namespace coderx::testing
