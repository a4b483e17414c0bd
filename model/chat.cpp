#include "model/chat.h"

namespace coderx::model {

namespace {

constexpr std::string_view kBos = "<bos>";
constexpr std::string_view kTurnOpen = "<|turn>";
constexpr std::string_view kTurnClose = "<turn|>\n";
constexpr std::string_view kThink = "<|think|>\n";
constexpr std::string_view kChannelOpen = "<|channel>";
constexpr std::string_view kChannelClose = "<channel|>";
constexpr std::string_view kEmptyThought = "<|channel>thought\n<channel|>";

std::string_view trim(std::string_view s) {
  constexpr std::string_view ws = " \t\n\r\f\v";
  std::size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

std::string_view role_name(ChatRole role) {
  switch (role) {
    case ChatRole::system: return "system";
    case ChatRole::user: return "user";
    case ChatRole::model: return "model";
  }
  return "user";
}

void append_turn(std::string& out, ChatRole role, std::string_view head, std::string_view content) {
  out.append(kTurnOpen).append(role_name(role)).append("\n");
  out.append(head);
  if (role == ChatRole::model)
    out.append(trim(strip_thoughts(content)));
  else
    out.append(trim(content));
  out.append(kTurnClose);
}

}  // namespace

std::string strip_thoughts(std::string_view text) {
  std::string out;
  for (std::size_t at = 0; at < text.size();) {
    std::size_t open = text.find(kChannelOpen, at);
    out.append(text.substr(at, open == std::string_view::npos ? std::string_view::npos : open - at));
    if (open == std::string_view::npos) break;
    std::size_t close = text.find(kChannelClose, open + kChannelOpen.size());
    if (close == std::string_view::npos) break;
    at = close + kChannelClose.size();
  }
  return out;
}

std::string render_chat(const ChatRequest& request) {
  std::string out(kBos);
  const auto& msgs = request.messages;
  bool first_is_system = !msgs.empty() && msgs.front().role == ChatRole::system;
  if (request.thinking || first_is_system)
    append_turn(out, ChatRole::system, request.thinking ? kThink : std::string_view(),
                first_is_system ? std::string_view(msgs.front().content) : std::string_view());
  for (std::size_t i = first_is_system ? 1 : 0; i < msgs.size(); ++i)
    append_turn(out, msgs[i].role, {}, msgs[i].content);
  if (request.add_generation_prompt) {
    out.append(kTurnOpen).append("model\n");
    if (!request.thinking) out.append(kEmptyThought);
    out.append(request.prefill);
  }
  return out;
}

std::vector<TokenId> tokenize_chat(const Tokenizer& tokenizer, const ChatRequest& request) {
  std::string text = render_chat(request);
  std::vector<TokenId> ids;
  if (tokenizer.bos() >= 0) ids.push_back(tokenizer.bos());
  tokenizer.encode_append(std::string_view(text).substr(kBos.size()),
                          EncodeOptions{.add_bos = false, .parse_special = true}, ids);
  return ids;
}

}  // namespace coderx::model
