// A small fork-join thread pool for the CPU ops: parallel_for splits [0, n) into chunks that
// the calling thread and the workers take from a shared counter. Sized to the machine
// (std::thread::hardware_concurrency) unless told otherwise. Workers spin briefly after a job
// (decode issues hundreds of short jobs per token) and then sleep on an atomic wait.
// Threading: one caller at a time per pool (the forward pass of one worker); fn must be safe to
// run concurrently on disjoint ranges. No allocation per job. Nested parallel_for is not allowed.
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

namespace coderx::model {

class ThreadPool {
 public:
  explicit ThreadPool(int n_threads = 0);  // 0: hardware_concurrency; counts the caller
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  // Calls fn(begin, end) over chunks of at most `grain` indices covering [0, n); returns when
  // all are done. Runs inline when n ≤ grain or the pool has one thread.
  template <class Fn>
  void parallel_for(std::int64_t n, std::int64_t grain, Fn&& fn) {
    start(n, grain, false, fn);
  }

  // As parallel_for, but each claim takes a share of what is left (half of it divided among
  // the threads), a multiple of min_grain: long contiguous stretches first, short ones at the
  // end, so the threads finish together. Chunks start at multiples of min_grain. For
  // memory-bound products that read each index once.
  template <class Fn>
  void parallel_for_guided(std::int64_t n, std::int64_t min_grain, Fn&& fn) {
    start(n, min_grain, true, fn);
  }

 private:
  using Trampoline = void (*)(void*, std::int64_t, std::int64_t);
  template <class Fn>
  static void invoke(void* fn, std::int64_t begin, std::int64_t end) {
    (*static_cast<Fn*>(fn))(begin, end);
  }
  template <class Fn>
  void start(std::int64_t n, std::int64_t grain, bool guided, Fn& fn) {
    if (n <= 0) return;
    if (grain < 1) grain = 1;
    if (n <= grain || workers_.empty()) {
      fn(std::int64_t{0}, n);
      return;
    }
    run(n, grain, guided, &invoke<std::remove_reference_t<Fn>>, &fn);
  }

  void run(std::int64_t n, std::int64_t grain, bool guided, Trampoline tramp, void* fn);
  void work_on_job();
  bool claim(std::int64_t& begin, std::int64_t& end);
  void worker_loop();

  std::vector<std::thread> workers_;
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<std::int64_t> next_{0};
  std::atomic<bool> stop_{false};
  std::int64_t n_ = 0, grain_ = 1;
  bool guided_ = false;
  Trampoline tramp_ = nullptr;
  void* fn_ = nullptr;
};

// Threads to use when the caller says 0: hardware_concurrency (at least 1).
int default_thread_count();

}  // namespace coderx::model
