#include "model/detokenizer.h"

#include "model/utf8.h"

namespace coderx::model {

Result<std::string> StreamingDetokenizer::push(TokenId id) {
  if (!tokenizer_->vocab().valid(id))
    return make_error(Errc::invalid_argument, "token id " + std::to_string(id) +
                                                  " is outside the vocabulary of " +
                                                  std::to_string(tokenizer_->vocab().size()) + " tokens");
  pending_.append(tokenizer_->piece(id, render_special_));
  std::size_t done = utf8::complete_prefix(pending_);
  std::string out = pending_.substr(0, done);
  pending_.erase(0, done);
  return out;
}

std::string StreamingDetokenizer::finish() {
  std::string out;
  out.swap(pending_);
  return out;
}

}  // namespace coderx::model
