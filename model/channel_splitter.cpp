#include "model/channel_splitter.h"

#include <algorithm>

namespace coderx::model {

namespace {

constexpr std::string_view kOpen = "<|channel>";
constexpr std::string_view kClose = "<channel|>";
constexpr std::string_view kLabel = "thought";
constexpr std::string_view kStrayLabel = "thought\n";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// s is a proper prefix of `whole` (could still become it).
bool proper_prefix(std::string_view s, std::string_view whole) {
  return s.size() < whole.size() && whole.substr(0, s.size()) == s;
}

// Length of the longest suffix of s that is a proper prefix of either marker.
std::size_t held_suffix(std::string_view s) {
  std::size_t longest = std::min(s.size(), std::max(kOpen.size(), kClose.size()) - 1);
  for (std::size_t n = longest; n > 0; --n) {
    std::string_view tail = s.substr(s.size() - n);
    if (proper_prefix(tail, kOpen) || proper_prefix(tail, kClose)) return n;
  }
  return 0;
}

// Whether the label "thought" at the start of s is a label: what follows decides.
// Returns 1 = label, 0 = not a label, -1 = undecided yet.
int label_decision(std::string_view s, bool final) {
  std::string_view rest = s.substr(kLabel.size());
  if (rest.empty()) return final ? 1 : -1;
  if (is_space(rest[0]) || starts_with(rest, kClose)) return 1;
  if (proper_prefix(rest, kClose)) return final ? 0 : -1;
  return 0;
}

}  // namespace

ChannelDelta ChannelSplitter::feed(std::string_view text) {
  ChannelDelta out;
  pending_.append(text);
  drain(out, false);
  return out;
}

ChannelDelta ChannelSplitter::finish() {
  ChannelDelta out;
  drain(out, true);
  pending_.clear();
  state_ = State::start;
  return out;
}

void ChannelSplitter::drain(ChannelDelta& out, bool final) {
  while (step(out, final)) {
  }
}

bool ChannelSplitter::step(ChannelDelta& out, bool final) {
  switch (state_) {
    case State::start: return step_start(final);
    case State::answer:
    case State::thought: return step_text(out, final);
    case State::label: return step_label(final);
    case State::label_space: return step_label_space();
  }
  return false;
}

// At the very start: drop a stray "thought\n".
bool ChannelSplitter::step_start(bool final) {
  if (pending_.empty()) return false;
  if (proper_prefix(pending_, kStrayLabel) && !final) return false;
  if (starts_with(pending_, kStrayLabel)) pending_.erase(0, kStrayLabel.size());
  state_ = State::answer;
  return true;
}

// Answer or thought text up to the next marker.
bool ChannelSplitter::step_text(ChannelDelta& out, bool final) {
  if (pending_.empty()) return false;
  std::string& sink = state_ == State::answer ? out.answer : out.thinking;
  std::size_t open = pending_.find(kOpen), close = pending_.find(kClose);
  std::size_t at = std::min(open, close);
  if (at == std::string::npos) {
    std::size_t keep = final ? 0 : held_suffix(pending_);
    sink.append(pending_, 0, pending_.size() - keep);
    pending_.erase(0, pending_.size() - keep);
    return false;
  }
  sink.append(pending_, 0, at);
  bool is_open = at == open;
  pending_.erase(0, at + (is_open ? kOpen.size() : kClose.size()));
  state_ = is_open ? State::label : State::answer;
  return true;
}

// Right after <|channel>: drop a "thought" label.
bool ChannelSplitter::step_label(bool final) {
  if (proper_prefix(pending_, kLabel)) {
    if (!final) return false;
    state_ = State::thought;  // cut off before it became "thought": ordinary thinking text
    return true;
  }
  if (pending_.empty()) return false;
  int label = starts_with(pending_, kLabel) ? label_decision(pending_, final) : 0;
  if (label < 0) return false;
  if (label == 1) {
    pending_.erase(0, kLabel.size());
    state_ = State::label_space;
  } else {
    state_ = State::thought;
  }
  return true;
}

// Whitespace after the label.
bool ChannelSplitter::step_label_space() {
  std::size_t n = 0;
  while (n < pending_.size() && is_space(pending_[n])) ++n;
  pending_.erase(0, n);
  if (pending_.empty()) return false;
  state_ = State::thought;
  return true;
}

ChannelDelta split_channels(std::string_view s) {
  ChannelDelta out;
  if (starts_with(s, kStrayLabel)) s.remove_prefix(kStrayLabel.size());
  bool thought = false;
  while (!s.empty()) {
    std::size_t open = s.find(kOpen), close = s.find(kClose);
    std::size_t at = std::min(open, close);
    (thought ? out.thinking : out.answer).append(s.substr(0, at));
    if (at == std::string_view::npos) break;
    bool is_open = at == open;
    s.remove_prefix(at + (is_open ? kOpen.size() : kClose.size()));
    thought = is_open;
    if (!is_open || !starts_with(s, kLabel)) continue;
    std::string_view rest = s.substr(kLabel.size());
    if (rest.empty() || is_space(rest[0]) || starts_with(rest, kClose)) {
      s = rest;
      while (!s.empty() && is_space(s[0])) s.remove_prefix(1);
    }
  }
  return out;
}

}  // namespace coderx::model
