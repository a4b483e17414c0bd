// The reasoning-budget state machine (spec §5.3, llama.cpp common/reasoning-budget): watches
// the token stream (the pre-filled prompt, then every generated token) for the start sequence
// (the tokens of "<|channel>thought": 100 45518 in the real vocabulary), counts the tokens of
// the thought that follow, and once `budget` of them are out — and the thought text ends on a
// complete UTF-8 character — forces the forced sequence (the tokens of `message`, then
// `<channel|>`, id 101 in the real vocabulary) one token at a time. The answer then continues
// normally. Budget 0 forces `<channel|>` right after "thought"; -1 never forces. `<channel|>`
// sampled by the model ends the thought early. A later start sequence re-arms the budget.
//
// Sampler protocol, per step:  if (auto t = budget.forced_token()) token = *t; else sample;
//                              budget.accept(token);
// Prompt tokens go through observe_prompt() (same state changes, e.g. the thinking-off
// prompt's "<|channel>thought\n<channel|>" leaves the machine done, not counting).
//
// Who calls it: the engine's sampler loop. Threading: one per generation; the Tokenizer must
// outlive it. Errors: create() fails when the vocabulary lacks `<|channel>` or `<channel|>`.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/error.h"
#include "model/tokenizer.h"

namespace coderx::model {

class ReasoningBudget {
 public:
  enum class State {
    idle,        // outside a thought; watching for the start sequence
    counting,    // inside a thought, below the budget
    waiting,     // budget spent; waiting for the thought to end on a whole UTF-8 character
    forcing,     // emitting the forced sequence
    done,        // the thought ended; watching for a new start sequence
  };

  // budget: thought tokens allowed (-1 unlimited); message: text forced before `<channel|>`.
  static Result<ReasoningBudget> create(const Tokenizer& tokenizer, int budget,
                                        std::string_view message = {});

  // The token the sampler must emit now, or nullopt to sample freely.
  std::optional<TokenId> forced_token() const;
  // The token that was emitted (sampled or forced).
  void accept(TokenId token);
  void observe_prompt(std::span<const TokenId> tokens);

  State state() const { return state_; }
  int thought_tokens() const { return count_; }  // counted in the current/last thought

 private:
  ReasoningBudget(const Tokenizer& tokenizer, int budget) : tokenizer_(&tokenizer), budget_(budget) {}
  void watch_start(TokenId token);
  void count(TokenId token);
  void begin_forcing();

  const Tokenizer* tokenizer_;
  int budget_;
  std::vector<TokenId> start_;   // "<|channel>thought"
  std::vector<TokenId> forced_;  // message tokens + "<channel|>"
  TokenId end_ = kNoToken;       // "<channel|>"
  State state_ = State::idle;
  std::size_t matched_ = 0;      // tokens of start_ matched so far
  int count_ = 0;
  std::size_t forced_at_ = 0;
  std::string tail_;             // an incomplete UTF-8 character at the end of the thought
};

}  // namespace coderx::model
