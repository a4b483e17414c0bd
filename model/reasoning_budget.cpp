#include "model/reasoning_budget.h"

#include "model/utf8.h"

namespace coderx::model {

Result<ReasoningBudget> ReasoningBudget::create(const Tokenizer& tokenizer, int budget,
                                                std::string_view message) {
  ReasoningBudget rb(tokenizer, budget < 0 ? -1 : budget);
  TokenId open = tokenizer.vocab().find("<|channel>");
  rb.end_ = tokenizer.vocab().find("<channel|>");
  if (open < 0 || rb.end_ < 0)
    return make_error(Errc::unsupported,
                      "reasoning budget: the vocabulary has no <|channel> / <channel|> token");
  rb.start_ = tokenizer.encode("<|channel>thought", {.add_bos = false, .parse_special = true});
  rb.forced_ = tokenizer.encode(message, {.add_bos = false, .parse_special = true});
  rb.forced_.push_back(rb.end_);
  return rb;
}

std::optional<TokenId> ReasoningBudget::forced_token() const {
  if (state_ != State::forcing) return std::nullopt;
  return forced_[forced_at_];
}

void ReasoningBudget::observe_prompt(std::span<const TokenId> tokens) {
  for (TokenId t : tokens) accept(t);
}

void ReasoningBudget::accept(TokenId token) {
  switch (state_) {
    case State::idle:
    case State::done:
      watch_start(token);
      return;
    case State::counting:
    case State::waiting:
      if (token == end_) {
        state_ = State::done;
        return;
      }
      count(token);
      return;
    case State::forcing:
      if (token == forced_[forced_at_]) ++forced_at_;
      if (token == end_ || forced_at_ == forced_.size()) state_ = State::done;
      return;
  }
}

void ReasoningBudget::watch_start(TokenId token) {
  if (token == start_[matched_]) {
    ++matched_;
  } else {
    matched_ = token == start_[0] ? 1 : 0;
  }
  if (matched_ < start_.size()) return;
  matched_ = 0;
  count_ = 0;
  tail_.clear();
  state_ = State::counting;
  if (budget_ == 0) begin_forcing();
}

void ReasoningBudget::count(TokenId token) {
  ++count_;
  if (tokenizer_->vocab().valid(token)) tail_.append(tokenizer_->piece(token, true));
  tail_.erase(0, utf8::complete_prefix(tail_));
  if (budget_ < 0 || count_ < budget_) return;
  if (tail_.empty())
    begin_forcing();
  else
    state_ = State::waiting;
}

void ReasoningBudget::begin_forcing() {
  state_ = State::forcing;
  forced_at_ = 0;
}

}  // namespace coderx::model
