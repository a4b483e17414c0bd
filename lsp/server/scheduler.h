// Scheduler: runs the server's model work (inline completion, completion, refactor, explain)
// on one worker thread, highest priority first (inline completion ahead of queued refactor
// and explain work), FIFO within a priority, each job no earlier than its `not_before` time
// (server-side debounce).
//
// Every job owns the Responder of its request, so every request is answered exactly once:
//   - a job cancelled while queued ($/cancelRequest, superseded, shutdown) is answered
//     RequestCancelled at once, from the thread that cancelled it, and never runs;
//   - a running job sees the cancellation on its stop token and answers itself;
//   - a job that throws is answered InternalError; the worker keeps going.
// `on_load` is called (from any thread) with the number of jobs queued or running whenever it
// changes. Thread-safe. The destructor cancels queued work and joins the worker.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "lsp/protocol/responder.h"

namespace coderx::server {

enum class Priority { inline_completion = 0, completion = 1, interactive = 2 };

struct Job {
  Priority priority = Priority::interactive;
  std::chrono::steady_clock::time_point not_before{};
  lsp::Responder responder;
  std::function<void(lsp::Responder& responder, std::stop_token stop)> run;
};

class Scheduler {
 public:
  explicit Scheduler(std::function<void(std::size_t load)> on_load = {});
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void submit(Job job);
  std::size_t load() const;
  // Cancels everything queued and running; returns when the worker has stopped.
  void shutdown();

 private:
  struct Entry;
  void worker(std::stop_token stop);
  std::shared_ptr<Entry> take_next(std::unique_lock<std::mutex>& lock, std::stop_token stop);
  void run_entry(Entry& entry);
  void report_load();

  mutable std::mutex mu_;
  std::condition_variable_any cv_;
  std::vector<std::shared_ptr<Entry>> queue_;
  std::size_t running_ = 0;
  std::uint64_t next_seq_ = 0;
  std::function<void(std::size_t)> on_load_;
  std::jthread thread_;
};

}  // namespace coderx::server
