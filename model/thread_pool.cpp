#include "model/thread_pool.h"

#include <algorithm>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace coderx::model {

namespace {

inline void cpu_relax() {
#if defined(__x86_64__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

constexpr int kSpinIterations = 4000;  // a few µs before sleeping (the machine may be shared)

}  // namespace

int default_thread_count() { return std::max(1u, std::thread::hardware_concurrency()); }

ThreadPool::ThreadPool(int n_threads) {
  if (n_threads <= 0) n_threads = default_thread_count();
  workers_.reserve(static_cast<std::size_t>(n_threads - 1));
  for (int i = 1; i < n_threads; ++i) workers_.emplace_back([this] { worker_loop(); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true);
  generation_.fetch_add(1);
  generation_.notify_all();
  for (auto& t : workers_) t.join();
}

// The next chunk [begin, end) of the current job; false when none is left.
bool ThreadPool::claim(std::int64_t& begin, std::int64_t& end) {
  if (!guided_) {
    begin = next_.fetch_add(grain_);
    end = std::min(n_, begin + grain_);
    return begin < n_;
  }
  const std::int64_t share = 2 * size();
  begin = next_.load(std::memory_order_relaxed);
  do {
    if (begin >= n_) return false;
    end = std::min(n_, begin + std::max<std::int64_t>(1, (n_ - begin) / share / grain_) * grain_);
  } while (!next_.compare_exchange_weak(begin, end, std::memory_order_relaxed));
  return true;
}

void ThreadPool::work_on_job() {
  for (std::int64_t begin, end; claim(begin, end);) tramp_(fn_, begin, end);
}

void ThreadPool::run(std::int64_t n, std::int64_t grain, bool guided, Trampoline tramp, void* fn) {
  n_ = n;
  grain_ = grain;
  guided_ = guided;
  tramp_ = tramp;
  fn_ = fn;
  next_.store(0);
  pending_.store(static_cast<int>(workers_.size()));
  generation_.fetch_add(1, std::memory_order_release);
  generation_.notify_all();
  work_on_job();
  int spins = 0;
  for (int left; (left = pending_.load(std::memory_order_acquire)) != 0;) {
    if (++spins < kSpinIterations) {
      cpu_relax();
    } else {
      pending_.wait(left);
    }
  }
}

void ThreadPool::worker_loop() {
  std::uint64_t seen = 0;  // the value before any job: a late-starting worker still sees job 1
  for (;;) {
    int spins = 0;
    std::uint64_t now;
    while ((now = generation_.load(std::memory_order_acquire)) == seen) {
      if (++spins < kSpinIterations) {
        cpu_relax();
      } else {
        generation_.wait(seen);
      }
    }
    seen = now;
    if (stop_.load()) return;
    work_on_job();
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) pending_.notify_one();
  }
}

}  // namespace coderx::model
