// Channel splitter: hand-written expectations for each form of spec §5.2–5.4, streaming output
// equal to the one-shot split for every split of the input at every byte boundary.
#include "model/channel_splitter.h"

#include <gtest/gtest.h>

namespace coderx::testing {
namespace {

using model::ChannelDelta;

struct Case {
  std::string output, answer, thinking;
};

const std::vector<Case>& cases() {
  static const std::vector<Case> c = {
      {"<|channel>thought\nI think<channel|>The answer<turn|>", "The answer<turn|>", "I think"},
      {"plain answer", "plain answer", ""},
      {"", "", ""},
      // thinking off: the model continues after the pre-filled empty block
      {"x = 1\n", "x = 1\n", ""},
      // missing end marker: everything after <|channel> is thinking
      {"<|channel>thought\nstill thinking <chan", "", "still thinking <chan"},
      {"A<|channel>thought\nno end", "A", "no end"},
      // a lone trailing end marker is dropped
      {"answer<channel|>", "answer", ""},
      // a stray label at the start
      {"thought\nanswer", "answer", ""},
      {"thoughts are free", "thoughts are free", ""},
      // an extra empty thought block at the end
      {"<|channel>thought\nR<channel|>A<|channel>thought\n<channel|>", "A", "R"},
      // budget 0: the end marker right after the label
      {"<|channel>thought<channel|>A", "A", ""},
      // the label followed by other whitespace, or no label at all
      {"<|channel>thought  \n\n R\n<channel|>A", "A", "R\n"},
      {"<|channel>thoughtful<channel|>A", "A", "thoughtful"},
      {"<|channel>R<channel|>A", "A", "R"},
      {"<|channel>thou", "", "thou"},
      {"<|channel>thought", "", ""},
      // repeated opening inside a block
      {"<|channel>thought\n<|channel>thought\nR<channel|>A", "A", "R"},
      // marker look-alikes stay text
      {"a <|chan b <channel| c", "a <|chan b <channel| c", ""},
      {"<|channel>thought\n<|tool_call>x<channel|>y", "y", "<|tool_call>x"},
      // non-ASCII text around markers
      {"\xE2\x82\xAC<|channel>thought\n\xC3\xA9<channel|>\xF0\x9F\x98\x80", "\xE2\x82\xAC\xF0\x9F\x98\x80",
       "\xC3\xA9"},
  };
  return c;
}

ChannelDelta feed_chunks(const std::string& s, const std::vector<std::size_t>& cuts) {
  model::ChannelSplitter sp;
  ChannelDelta all;
  std::size_t at = 0;
  auto take = [&](const ChannelDelta& d) {
    all.answer += d.answer;
    all.thinking += d.thinking;
  };
  for (std::size_t cut : cuts) {
    take(sp.feed(std::string_view(s).substr(at, cut - at)));
    at = cut;
  }
  take(sp.feed(std::string_view(s).substr(at)));
  take(sp.finish());
  return all;
}

TEST(ChannelSplitter, OneShotSplitMatchesHandWrittenExpectations) {
  for (const Case& c : cases()) {
    ChannelDelta d = model::split_channels(c.output);
    EXPECT_EQ(d.answer, c.answer) << c.output;
    EXPECT_EQ(d.thinking, c.thinking) << c.output;
  }
}

TEST(ChannelSplitter, StreamingEqualsOneShotForEverySplitPoint) {
  for (const Case& c : cases()) {
    const std::string& s = c.output;
    for (std::size_t i = 0; i <= s.size(); ++i) {
      ChannelDelta d = feed_chunks(s, {i});
      EXPECT_EQ(d.answer, c.answer) << "split at " << i << " of '" << s << "'";
      EXPECT_EQ(d.thinking, c.thinking) << "split at " << i << " of '" << s << "'";
    }
  }
}

TEST(ChannelSplitter, StreamingEqualsOneShotForEveryPairOfSplitPointsAndBytewise) {
  for (const Case& c : cases()) {
    const std::string& s = c.output;
    for (std::size_t i = 0; i <= s.size(); ++i)
      for (std::size_t j = i; j <= s.size(); ++j) {
        ChannelDelta d = feed_chunks(s, {i, j});
        ASSERT_EQ(d.answer, c.answer) << i << "," << j << " '" << s << "'";
        ASSERT_EQ(d.thinking, c.thinking) << i << "," << j << " '" << s << "'";
      }
    std::vector<std::size_t> every;
    for (std::size_t i = 1; i < s.size(); ++i) every.push_back(i);
    ChannelDelta d = feed_chunks(s, every);
    EXPECT_EQ(d.answer, c.answer) << s;
    EXPECT_EQ(d.thinking, c.thinking) << s;
  }
}

TEST(ChannelSplitter, HoldsBackPartialMarkersAndNeverLeaksThinking) {
  model::ChannelSplitter sp;
  EXPECT_EQ(sp.feed("Answer <|chan").answer, "Answer ");
  ChannelDelta d = sp.feed("nel>thought\nsecret");
  EXPECT_EQ(d.answer, "");
  EXPECT_EQ(d.thinking, "secret");
  EXPECT_TRUE(sp.in_thought());
  d = sp.feed(" more<channel");
  EXPECT_EQ(d.thinking, " more");
  d = sp.feed("|>done");
  EXPECT_EQ(d.answer, "done");
  EXPECT_FALSE(sp.in_thought());
  d = sp.finish();
  EXPECT_EQ(d.answer, "");
}

TEST(ChannelSplitter, HoldsTheLabelUntilDecided) {
  model::ChannelSplitter sp;
  ChannelDelta d = sp.feed("<|channel>thou");
  EXPECT_EQ(d.thinking, "");
  d = sp.feed("ght");
  EXPECT_EQ(d.thinking, "");
  d = sp.feed("\nstep 1");
  EXPECT_EQ(d.thinking, "step 1");
}

}  // namespace
}  // namespace coderx::testing
