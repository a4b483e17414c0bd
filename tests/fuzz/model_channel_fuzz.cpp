// libFuzzer target: the streaming channel splitter against the one-shot split.
// The input is read as a program: each byte picks an element of a model output (thinking or
// answer text from disjoint alphabets, markers, the label, partial markers), and a second
// stream of bytes picks chunk sizes. Invariants: streaming output == split_channels(output);
// no thinking-alphabet byte ever reaches the answer.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <string>
#include <string_view>

#include "model/channel_splitter.h"

namespace {

constexpr std::string_view kPieces[] = {"<|channel>", "<channel|>", "thought", "\n", " ",
                                        "<|chan", "<channel", "|>", "<", "thought\n",
                                        "<|tool_call>", "<turn|>"};

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "model_channel_fuzz: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string output;
  bool inside = false;  // whether the output is inside a thought block so far
  std::size_t i = 0;
  for (; i < size && data[i] != 0xFF; ++i) {
    std::uint8_t b = data[i];
    if (b < 0xA0) {
      // Text: lowercase answer letters outside blocks, uppercase thinking letters inside.
      output.push_back(static_cast<char>((inside ? 'A' : 'a') + b % 26));
    } else {
      output.append(kPieces[(b - 0xA0) % std::size(kPieces)]);
      // Pieces can combine into markers ("<channel" + "|>"): decide from the text itself.
      std::size_t open = output.rfind("<|channel>"), close = output.rfind("<channel|>");
      inside = open != std::string::npos && (close == std::string::npos || open > close);
    }
  }
  coderx::model::ChannelSplitter sp;
  coderx::model::ChannelDelta streamed;
  std::size_t at = 0;
  for (++i; at < output.size(); ++i) {
    std::size_t n = i < size ? 1 + data[i] % 13 : output.size() - at;
    auto d = sp.feed(std::string_view(output).substr(at, n));
    streamed.answer += d.answer;
    streamed.thinking += d.thinking;
    at += std::min(n, output.size() - at);
  }
  auto d = sp.finish();
  streamed.answer += d.answer;
  streamed.thinking += d.thinking;
  auto once = coderx::model::split_channels(output);
  check(streamed.answer == once.answer, "streamed answer differs from the one-shot split");
  check(streamed.thinking == once.thinking, "streamed thinking differs from the one-shot split");
  for (char c : once.answer) check(!(c >= 'A' && c <= 'Z'), "thinking text leaked into the answer");
  return 0;
}
