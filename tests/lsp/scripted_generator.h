// ScriptedGenerator: a features::TextGenerator for tests. Answers come from `answer` (a
// function of the input), finishing with `finish`; every call is recorded. With hold(true) each generate() blocks after
// recording its call until release() or its stop token fires — so tests can cancel
// mid-generation, pile up requests behind a busy worker, or edit the document meanwhile,
// synchronising on wait_calls() instead of sleeping. Thread-safe.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "lsp/features/generator.h"

namespace coderx::testing {

class ScriptedGenerator : public features::TextGenerator {
 public:
  std::function<std::string(const features::GenerationInput&)> answer =
      [](const features::GenerationInput&) { return std::string("x + 1"); };
  features::FinishReason finish = features::FinishReason::stop;  // of every answered call

  void hold(bool on) {
    std::lock_guard lock(mu_);
    hold_ = on;
    cv_.notify_all();
  }
  void release() {
    std::lock_guard lock(mu_);
    ++released_;
    cv_.notify_all();
  }
  // Blocks until at least `n` calls have started (or 10 s passed; returns false then).
  bool wait_calls(std::size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return calls_.size() >= n; });
  }
  std::vector<features::GenerationInput> calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }
  std::size_t cancelled() {
    std::lock_guard lock(mu_);
    return cancelled_;
  }

  features::GenerationOutput generate(const features::GenerationInput& input, std::stop_token stop,
                                      const features::TextCallback& on_text) override {
    features::GenerationOutput out;
    {
      std::unique_lock lock(mu_);
      std::size_t index = calls_.size();
      calls_.push_back(input);
      cv_.notify_all();
      if (hold_) cv_.wait(lock, stop, [&] { return released_ > index || !hold_; });
      if (stop.stop_requested()) {
        ++cancelled_;
        out.finish = features::FinishReason::cancelled;
        return out;
      }
    }
    out.answer = answer(input);
    out.finish = finish;
    out.usage.prompt_tokens = static_cast<std::int64_t>(input.user.size() / 4);
    out.usage.answer_tokens = static_cast<std::int64_t>(out.answer.size() / 4);
    if (on_text) on_text(out.answer);
    return out;
  }
  std::string describe() const override { return "scripted"; }

 private:
  std::mutex mu_;
  std::condition_variable_any cv_;
  bool hold_ = false;
  std::size_t released_ = 0;
  std::size_t cancelled_ = 0;
  std::vector<features::GenerationInput> calls_;
};

}  // namespace coderx::testing
