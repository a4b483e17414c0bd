// Work-done progress for one piece of work ($/progress begin / report / end). The token is the
// client's workDoneToken from the request, or a server-created one (window/workDoneProgress/
// create, only when the client supports it): a created token is used once the client has
// accepted it — nothing waits for that answer; reports sent before it are dropped, and `end` is
// always sent if `begin` was. Without a token every call is a no-op.
// Thread-safe (one mutex); share with shared_ptr when the client's answer may come later.
#pragma once

#include <boost/json.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "lsp/protocol/dispatcher.h"

namespace coderx::server {

class Progress : public std::enable_shared_from_this<Progress> {
 public:
  // With the client's token (or none; a token that is neither an integer nor a string counts as none).
  static std::shared_ptr<Progress> with_token(lsp::Dispatcher& d, std::optional<boost::json::value> token);
  // Asks the client for a new token when `supported`; otherwise a no-op reporter.
  static std::shared_ptr<Progress> create(lsp::Dispatcher& d, bool supported, const std::string& token);

  void begin(const std::string& title, const std::string& message = "");
  void report(const std::string& message, std::optional<unsigned> percentage = std::nullopt);
  void end(const std::string& message);

 private:
  explicit Progress(lsp::Dispatcher& d) : dispatcher_(d) {}
  void send_begin_locked();
  void send(const boost::json::value& value);

  lsp::Dispatcher& dispatcher_;
  std::mutex mu_;
  std::optional<boost::json::value> token_;
  bool usable_ = false;  // the token may be used (client token, or creation accepted)
  bool begun_ = false, ended_ = false, want_begin_ = false;
  std::string title_, message_;
};

}  // namespace coderx::server
