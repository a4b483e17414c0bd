// Splits Gemma 4 output into answer and thinking (spec §5.2–5.4), streaming.
//
// Rules (the one-shot split_channels() and the streaming ChannelSplitter agree exactly):
// * Text outside a thought block is answer; `<|channel>` opens a block, `<channel|>` closes it.
// * Right after `<|channel>`, a label "thought" followed by whitespace (all of it dropped), by
//   `<channel|>` (budget 0) or by the end of the output is dropped. Anything else stays thinking.
// * Everything after an unclosed `<|channel>` is thinking (reasoning never reaches the answer).
// * A `<channel|>` outside a block (a lone trailing one) is dropped; a `<|channel>` inside a
//   block is dropped and restarts the label check (repeated or extra empty blocks vanish).
// * A stray "thought\n" at the very start of the output (before any other byte) is dropped.
// * Markers may arrive split across tokens or bytes: a tail that may still become a marker or
//   the label is held back until it is decided (or until finish()).
// Other special texts (`<|tool_call>`, `<turn|>`) pass through as answer.
// The splitter is byte-transparent: it never splits or alters bytes other than markers and
// labels, so feed it whole UTF-8 characters (StreamingDetokenizer output) to get whole
// characters back.
//
// Who calls it: the engine's generation loop, lsp/features. Threading: one per stream.
// Errors: none.
#pragma once

#include <string>
#include <string_view>

namespace coderx::model {

struct ChannelDelta {
  std::string answer;
  std::string thinking;
};

class ChannelSplitter {
 public:
  // New text of the output (any chunking); returns what became decided.
  ChannelDelta feed(std::string_view text);
  // End of output: releases what was held back.
  ChannelDelta finish();
  bool in_thought() const { return state_ != State::answer && state_ != State::start; }

 private:
  enum class State { start, answer, label, label_space, thought };
  // Processes pending_ as far as it is decided; with `final` nothing is held back.
  void drain(ChannelDelta& out, bool final);
  bool step(ChannelDelta& out, bool final);
  bool step_start(bool final);
  bool step_text(ChannelDelta& out, bool final);
  bool step_label(bool final);
  bool step_label_space();

  State state_ = State::start;
  std::string pending_;
};

// The same split in one go (the reference the streaming splitter is tested against).
ChannelDelta split_channels(std::string_view output);

}  // namespace coderx::model
