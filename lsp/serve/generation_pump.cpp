#include "lsp/serve/generation_pump.h"

#include "lsp/serve/stop_sequences.h"

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

// The output as if the generator had stopped before the first stop string by itself.
void end_at_stop(features::GenerationOutput& out, const std::vector<std::string>& stops, bool cancelled_at_stop) {
  std::string cut = truncate_at_stop(out.answer, stops);
  bool cut_short = cut.size() < out.answer.size();
  if (cut_short || (cancelled_at_stop && out.finish == features::FinishReason::cancelled)) {
    out.answer = std::move(cut);
    if (out.finish != features::FinishReason::error) out.finish = features::FinishReason::stop;
  }
}

}  // namespace

PumpResult pump_generation(features::TextGenerator& generator, const features::GenerationInput& input,
                           const std::vector<std::string>& stops, ClientStream& client,
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
      out = generator.generate_streams(input, source.get_token(), callbacks);
    } catch (const std::exception& e) {  // the contract says never; one request must not end the server
      out.finish = features::FinishReason::error;
      out.error = std::string("internal error: ") + e.what();
    }
    std::lock_guard lock(box.mu);
    result.output = std::move(out);
    box.done = true;
    box.cv.notify_one();
  });
  StopMatcher matcher(stops);
  for (bool done = false; !done;) {
    auto [delta, ended] = box.take();
    done = ended;
    delta.answer = matcher.feed(delta.answer);
    if (!result.client_gone && !delta.empty() && forward && !forward(delta)) result.client_gone = true;
    if (!result.client_gone && client.hung_up()) result.client_gone = true;
    if (result.client_gone || matcher.stopped()) source.request_stop();
  }
  worker.join();
  end_at_stop(result.output, stops, matcher.stopped());
  const std::string& answer = result.output.answer;
  if (answer.starts_with(matcher.sent())) result.unforwarded_answer = answer.substr(matcher.sent().size());
  return result;
}

}  // namespace coderx::serve
