#include "lsp/serve/generation_pump.h"

#include "lsp/features/stop_generation.h"

#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>

namespace coderx::serve {

namespace {

constexpr std::chrono::milliseconds kWatchPeriod{50};

// What the generator thread hands to the connection thread.
struct Mailbox {
  std::mutex mu;
  std::condition_variable cv;
  TextDelta pending;
  bool done = false;

  void add(std::string TextDelta::*field, std::string_view text) {
    std::lock_guard lock(mu);
    (pending.*field).append(text);
    cv.notify_one();
  }
  void set_usage(const features::Usage& usage) {  // rides with the next text; wakes nobody
    std::lock_guard lock(mu);
    pending.usage = usage;
  }
  // Waits up to one watch period; returns what arrived and whether the generation ended.
  std::pair<TextDelta, bool> take() {
    std::unique_lock lock(mu);
    cv.wait_for(lock, kWatchPeriod, [this] { return done || !pending.empty(); });
    return {std::exchange(pending, TextDelta{}), done};
  }
};

}  // namespace

PumpResult pump_generation(features::TextGenerator& generator, const features::GenerationInput& input,
                           ClientStream& client,
                           const std::function<bool(const TextDelta&)>& forward) {
  PumpResult result;
  Mailbox box;
  std::stop_source source;
  std::thread worker([&] {
    features::StreamCallbacks callbacks{
        [&box](std::string_view t) { box.add(&TextDelta::answer, t); },
        [&box](std::string_view t) { box.add(&TextDelta::thinking, t); },
        [&box](const features::Usage& u) { box.set_usage(u); }};
    features::GenerationOutput out;
    try {
      out = features::generate_until_stop(generator, input, source.get_token(), callbacks);
    } catch (const std::exception& e) {  // the contract says never; one request must not end the server
      out.finish = features::FinishReason::error;
      out.error = std::string("internal error: ") + e.what();
    }
    std::lock_guard lock(box.mu);
    result.output = std::move(out);
    box.done = true;
    box.cv.notify_one();
  });
  std::string taken;  // the answer as the connection thread has had it
  for (bool done = false; !done;) {
    auto [delta, ended] = box.take();
    done = ended;
    taken += delta.answer;
    if (!result.client_gone && !delta.empty() && forward && !forward(delta)) result.client_gone = true;
    if (!result.client_gone && client.hung_up()) result.client_gone = true;
    if (result.client_gone) source.request_stop();
  }
  worker.join();
  const std::string& answer = result.output.answer;
  if (answer.starts_with(taken)) result.unforwarded_answer = answer.substr(taken.size());
  return result;
}

}  // namespace coderx::serve
