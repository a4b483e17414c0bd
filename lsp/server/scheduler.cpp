#include "lsp/server/scheduler.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <optional>

namespace coderx::server {

enum class EntryState { queued, running, done };

struct Scheduler::Entry {
  Job job;
  std::uint64_t seq = 0;
  std::atomic<EntryState> state{EntryState::queued};
  std::optional<std::stop_callback<std::function<void()>>> on_cancel;
};

Scheduler::Scheduler(std::function<void(std::size_t)> on_load)
    : on_load_(std::move(on_load)), thread_([this](std::stop_token st) { worker(st); }) {}

Scheduler::~Scheduler() { shutdown(); }

void Scheduler::submit(Job job) {
  auto entry = std::make_shared<Entry>();
  entry->job = std::move(job);
  std::stop_token token = entry->job.responder.stop_token();
  // Cancelled while queued: answer now, from the cancelling thread; the worker drops it.
  // Registered before the entry is visible to the worker (the callback may fire right here).
  std::weak_ptr<Entry> weak = entry;
  entry->on_cancel.emplace(token, std::function<void()>([this, weak] {
    auto e = weak.lock();
    EntryState expected = EntryState::queued;
    if (!e || !e->state.compare_exchange_strong(expected, EntryState::done)) return;
    e->job.responder.error(lsp::ErrorCode::RequestCancelled, "request cancelled");
    cv_.notify_all();
    report_load();
  }));
  {
    std::lock_guard lock(mu_);
    entry->seq = next_seq_++;
    queue_.push_back(entry);
  }
  cv_.notify_all();
  report_load();
}

std::size_t Scheduler::load() const {
  std::lock_guard lock(mu_);
  std::size_t queued = 0;
  for (const auto& e : queue_) queued += e->state.load() == EntryState::queued;
  return queued + running_;
}

void Scheduler::report_load() {
  if (on_load_) on_load_(load());
}

std::shared_ptr<Scheduler::Entry> Scheduler::take_next(std::unique_lock<std::mutex>& lock,
                                                       std::stop_token stop) {
  for (;;) {
    std::erase_if(queue_, [](const auto& e) { return e->state.load() != EntryState::queued; });
    if (stop.stop_requested()) return nullptr;
    auto now = std::chrono::steady_clock::now();
    std::shared_ptr<Entry> best;
    auto wake = std::chrono::steady_clock::time_point::max();
    for (const auto& e : queue_) {
      if (e->job.not_before > now) {
        wake = std::min(wake, e->job.not_before);
        continue;
      }
      if (!best || std::pair(e->job.priority, e->seq) < std::pair(best->job.priority, best->seq))
        best = e;
    }
    if (best) {
      std::erase(queue_, best);
      return best;
    }
    if (wake == std::chrono::steady_clock::time_point::max())
      cv_.wait(lock, stop, [&] { return !queue_.empty(); });
    else
      cv_.wait_until(lock, stop, wake, [] { return false; });
  }
}

void Scheduler::run_entry(Entry& entry) {
  EntryState expected = EntryState::queued;
  if (!entry.state.compare_exchange_strong(expected, EntryState::running)) return;
  lsp::Responder& responder = entry.job.responder;
  try {
    if (responder.cancelled())
      responder.error(lsp::ErrorCode::RequestCancelled, "request cancelled");
    else
      entry.job.run(responder, responder.stop_token());
  } catch (const std::exception& e) {
    spdlog::error("job for '{}' threw: {}", responder.method(), e.what());
    responder.error(lsp::ErrorCode::InternalError, std::string("internal error: ") + e.what());
  } catch (...) {
    responder.error(lsp::ErrorCode::InternalError, "internal error");
  }
  entry.state = EntryState::done;
}

void Scheduler::worker(std::stop_token stop) {
  for (;;) {
    std::shared_ptr<Entry> entry;
    {
      std::unique_lock lock(mu_);
      entry = take_next(lock, stop);
      if (!entry) return;
      ++running_;
    }
    report_load();
    run_entry(*entry);
    entry->on_cancel.reset();
    {
      std::lock_guard lock(mu_);
      --running_;
    }
    report_load();
  }
}

void Scheduler::shutdown() {
  std::vector<std::shared_ptr<Entry>> queued;
  {
    std::lock_guard lock(mu_);
    queued = queue_;
  }
  for (auto& e : queued) e->job.responder.stop_source().request_stop();
  thread_.request_stop();
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  // Anything still queued (cancel callbacks already answered it) is dropped here.
  std::lock_guard lock(mu_);
  for (auto& e : queue_) {
    EntryState expected = EntryState::queued;
    if (e->state.compare_exchange_strong(expected, EntryState::done))
      e->job.responder.error(lsp::ErrorCode::RequestCancelled, "server shutting down");
  }
  queue_.clear();
}

}  // namespace coderx::server
