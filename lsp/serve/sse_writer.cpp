#include "lsp/serve/sse_writer.h"

#include <cstdio>
#include <string>

namespace coderx::serve {

std::string sse_event(std::string_view data) {
  std::string out = "data: ";
  for (char c : data) {
    if (c == '\n') out += "\ndata: ";
    else if (c != '\r') out.push_back(c);
  }
  out += "\n\n";
  return out;
}

bool SseWriter::begin() {
  std::string head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n";
  if (chunked_) head += "Transfer-Encoding: chunked\r\n";
  head += keep_alive_ ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
  return client_.write(head);
}

bool SseWriter::chunk(std::string_view payload) {
  if (!chunked_) return client_.write(payload);
  char size[24];
  std::snprintf(size, sizeof size, "%zx\r\n", payload.size());
  std::string bytes = size;
  bytes += payload;
  bytes += "\r\n";
  return client_.write(bytes);
}

bool SseWriter::event(std::string_view data) { return chunk(sse_event(data)); }

bool SseWriter::done() { return chunk(sse_event("[DONE]")) && (!chunked_ || client_.write("0\r\n\r\n")); }

}  // namespace coderx::serve
