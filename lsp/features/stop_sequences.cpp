#include "lsp/features/stop_sequences.h"

#include <algorithm>

namespace coderx::features {

namespace {

// Where the stop string that is complete first in `text` starts (as if the text were checked
// after every byte: the occurrence that ends first, the longest of those), or npos.
std::size_t first_stop(std::string_view text, const std::vector<std::string>& stops) {
  std::size_t best_end = std::string_view::npos, best_at = std::string_view::npos;
  for (const std::string& s : stops) {
    if (s.empty()) continue;  // would match everywhere; request_mapping never passes one
    std::size_t at = text.find(s);
    if (at == std::string_view::npos) continue;
    std::size_t end = at + s.size();
    if (end < best_end || (end == best_end && at < best_at)) best_end = end, best_at = at;
  }
  return best_at;
}

}  // namespace

StopMatcher::StopMatcher(std::vector<std::string> stops) : stops_(std::move(stops)) {}

std::size_t StopMatcher::partial_tail() const {
  std::size_t longest = 0;
  for (const std::string& s : stops_) {
    if (s.empty()) continue;
    for (std::size_t n = std::min(s.size() - 1, held_.size()); n > longest; --n)
      if (std::string_view(held_).substr(held_.size() - n) == std::string_view(s).substr(0, n)) {
        longest = n;
        break;
      }
  }
  return longest;
}

std::string StopMatcher::feed(std::string_view text) {
  if (stopped_) return {};
  held_ += text;
  std::size_t stop_at = first_stop(held_, stops_);
  std::size_t ready = stop_at != std::string::npos ? stop_at : held_.size() - partial_tail();
  stopped_ = stop_at != std::string::npos;
  std::string out = held_.substr(0, ready);
  held_.erase(0, stopped_ ? held_.size() : ready);
  sent_ += out;
  return out;
}

std::string truncate_at_stop(std::string_view answer, const std::vector<std::string>& stops) {
  return std::string(answer.substr(0, first_stop(answer, stops)));
}

}  // namespace coderx::features
