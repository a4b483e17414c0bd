#include "lsp/server/progress.h"

#include "lsp/protocol/types_sync.h"

namespace coderx::server {

namespace json = boost::json;
using lsp::WorkDoneProgress;

std::shared_ptr<Progress> Progress::with_token(lsp::Dispatcher& d, std::optional<json::value> token) {
  std::shared_ptr<Progress> p(new Progress(d));
  if (token && !token->is_int64() && !token->is_uint64() && !token->is_string()) token.reset();  // not a ProgressToken
  p->token_ = std::move(token);
  p->usable_ = p->token_.has_value();
  return p;
}

std::shared_ptr<Progress> Progress::create(lsp::Dispatcher& d, bool supported, const std::string& token) {
  std::shared_ptr<Progress> p(new Progress(d));
  if (!supported) return p;
  p->token_ = json::value(token);
  // The callback owns the reporter until the client answers: work that ended before the answer
  // (and dropped its reference) still gets its begin and end sent.
  d.call("window/workDoneProgress/create", json::object{{"token", token}},
         [self = p](const json::value*, const lsp::ResponseError* error) {
           if (error) return;
           std::lock_guard lock(self->mu_);
           self->usable_ = true;
           if (self->want_begin_) self->send_begin_locked();
           if (self->ended_ && self->begun_) {
             WorkDoneProgress end{WorkDoneProgress::Kind::end, "", self->message_, {}, false};
             self->send(json::value_from(end));
           }
         });
  return p;
}

void Progress::send(const json::value& value) {
  dispatcher_.notify("$/progress", json::object{{"token", *token_}, {"value", value}});
}

void Progress::send_begin_locked() {
  if (begun_) return;
  begun_ = true;
  WorkDoneProgress b{WorkDoneProgress::Kind::begin, title_, message_, {}, false};
  if (b.message->empty()) b.message.reset();
  send(json::value_from(b));
}

void Progress::begin(const std::string& title, const std::string& message) {
  std::lock_guard lock(mu_);
  title_ = title;
  message_ = message;
  want_begin_ = true;
  if (usable_) send_begin_locked();
}

void Progress::report(const std::string& message, std::optional<unsigned> percentage) {
  std::lock_guard lock(mu_);
  message_ = message;
  if (!usable_ || !begun_ || ended_) return;
  send(json::value_from(WorkDoneProgress{WorkDoneProgress::Kind::report, "", message, percentage, false}));
}

void Progress::end(const std::string& message) {
  std::lock_guard lock(mu_);
  if (ended_) return;
  ended_ = true;
  message_ = message;
  if (!usable_ || !begun_) return;
  send(json::value_from(WorkDoneProgress{WorkDoneProgress::Kind::end, "", message, {}, false}));
}

}  // namespace coderx::server
