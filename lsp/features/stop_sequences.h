// Stop strings (GenerationInput::stops: the OpenAI `stop` parameter of `coderx serve`, and where a
// completion can end early): the answer ends just before the first stop string to be complete,
// which is not returned (as OpenAI, vLLM and llama-server do). "First"
// is as if the text were checked after every byte, so how the answer arrives in pieces never
// changes where it ends.
//
// StopMatcher filters a streamed answer: feed() returns the text that can be sent now and holds
// back a tail that may still grow into a stop string ("\n" while the stop is "\n\n"), so no
// client ever sees part of a stop string. Once a stop string is seen, stopped() is true, the
// generation should be cancelled, and nothing more is returned. truncate_at_stop() does the same
// for a whole answer.
//
// Who uses it: stop_generation (every generation with stops). Not thread-safe: one matcher per
// request, fed from one thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace coderx::features {

class StopMatcher {
 public:
  explicit StopMatcher(std::vector<std::string> stops);

  // The next piece of the answer → what may be sent now (possibly "").
  std::string feed(std::string_view text);
  bool stopped() const { return stopped_; }
  // Everything returned so far (the answer as the client has it).
  const std::string& sent() const { return sent_; }

 private:
  // Bytes at the end of `held_` that could begin a stop string.
  std::size_t partial_tail() const;

  std::vector<std::string> stops_;
  std::string held_;  // fed, not yet returned
  std::string sent_;
  bool stopped_ = false;
};

// `answer` up to the first stop string to be complete (all of it when none occurs).
std::string truncate_at_stop(std::string_view answer, const std::vector<std::string>& stops);

}  // namespace coderx::features
