#include "model/remote/sse_parser.h"

namespace coderx::model::remote {

bool SseParser::feed(std::string_view bytes, std::vector<SseEvent>& out) {
  if (!error_.empty()) return false;
  for (char c : bytes) {
    if (after_cr_ && c == '\n') {
      after_cr_ = false;
      continue;
    }
    after_cr_ = c == '\r';
    if (c == '\r' || c == '\n') {
      if (!line(partial_, out)) return false;
      partial_.clear();
      continue;
    }
    if (partial_.size() + event_.data.size() >= max_) {
      error_ = "server-sent event longer than " + std::to_string(max_) + " bytes";
      return false;
    }
    partial_.push_back(c);
  }
  return true;
}

bool SseParser::line(std::string_view text, std::vector<SseEvent>& out) {
  if (text.empty()) {
    dispatch(out);
    return true;
  }
  if (text.front() == ':') return true;  // comment (keep-alive)
  std::size_t colon = text.find(':');
  std::string_view field = text.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
  if (value.starts_with(" ")) value.remove_prefix(1);
  if (field == "data") {
    if (has_data_) event_.data.push_back('\n');
    event_.data.append(value);
    has_data_ = true;
  } else if (field == "event") {
    event_.event = std::string(value);
  }
  return true;
}

void SseParser::dispatch(std::vector<SseEvent>& out) {
  if (has_data_) out.push_back(std::move(event_));
  event_ = SseEvent{};
  has_data_ = false;
}

}  // namespace coderx::model::remote
