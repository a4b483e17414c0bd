#include "lsp/features/stop_generation.h"

#include "lsp/features/stop_sequences.h"

namespace coderx::features {

namespace {

// The output as if the generator had stopped before the first stop string by itself.
void end_at_stop(GenerationOutput& out, const std::vector<std::string>& stops, bool cancelled_at_stop) {
  std::string cut = truncate_at_stop(out.answer, stops);
  const bool cut_short = cut.size() < out.answer.size();
  if (cut_short || (cancelled_at_stop && out.finish == FinishReason::cancelled)) {
    out.answer = std::move(cut);
    if (out.finish != FinishReason::error) out.finish = FinishReason::stop;
  }
}

}  // namespace

GenerationOutput generate_until_stop(TextGenerator& generator, const GenerationInput& input, std::stop_token stop,
                                     const StreamCallbacks& callbacks,
                                     const std::function<bool(std::string_view answer)>& ended) {
  if (input.stops.empty() && !ended) return generator.generate_streams(input, stop, callbacks);
  std::stop_source at_stop;
  std::stop_callback forward_cancel(stop, [&at_stop] { at_stop.request_stop(); });
  StopMatcher matcher(input.stops);
  std::string answer;  // as generated, for `ended`
  bool ended_early = false;
  StreamCallbacks filtered = callbacks;
  filtered.on_answer = [&](std::string_view text) {
    const std::string ready = matcher.feed(text);
    if (!ready.empty() && callbacks.on_answer) callbacks.on_answer(ready);
    if (ended && !ended_early) {
      answer += text;
      ended_early = ended(answer);
    }
    if (matcher.stopped() || ended_early) at_stop.request_stop();
  };
  GenerationOutput out = generator.generate_streams(input, at_stop.get_token(), filtered);
  end_at_stop(out, input.stops, matcher.stopped());
  if (ended_early && out.finish == FinishReason::cancelled) out.finish = FinishReason::stop;
  const std::string& sent = matcher.sent();
  if (callbacks.on_answer && out.answer.size() > sent.size() && out.answer.starts_with(sent))
    callbacks.on_answer(std::string_view(out.answer).substr(sent.size()));
  return out;
}

}  // namespace coderx::features
