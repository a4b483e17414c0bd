// The real `coderx lsp` binary under hostile input: a 100 MB message is rejected by the size
// limit without being buffered (peak memory stays far below it, memory returns to baseline)
// and the session goes on; a burst of 1,000 requests with 1,000 cancels answers each exactly
// once; a broken stream ends the server with a log line; --listen serves one client over TCP.
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "lsp/protocol/framing.h"
#include "tests/support/paths.h"
#include "tests/support/process.h"

namespace coderx::testing {
namespace {

namespace json = boost::json;

std::string message(const std::string& body) { return lsp::frame(body); }
std::string initialize(int id = 1) {
  return message(R"({"jsonrpc":"2.0","id":)" + std::to_string(id) +
                 R"(,"method":"initialize","params":{"capabilities":{},"initializationOptions":{"debounceMs":0}}})") +
         message(R"({"jsonrpc":"2.0","method":"initialized","params":{}})");
}
std::string shutdown_exit(int id) {
  return message(R"({"jsonrpc":"2.0","id":)" + std::to_string(id) + R"(,"method":"shutdown"})") +
         message(R"({"jsonrpc":"2.0","method":"exit"})");
}

std::vector<json::object> parse_output(const std::string& out) {
  lsp::FrameReader reader;
  reader.feed(out);
  std::vector<json::object> messages;
  while (auto f = reader.next()) messages.push_back(json::parse(f->body).as_object());
  EXPECT_FALSE(reader.broken()) << reader.error();
  return messages;
}

// A server process driven step by step (to sample its memory between messages).
class Server {
 public:
  explicit Server(std::vector<std::string> args) {
    int in[2], out[2];
    EXPECT_EQ(pipe(in), 0);
    EXPECT_EQ(pipe(out), 0);
    signal(SIGPIPE, SIG_IGN);
    pid_ = fork();
    if (pid_ == 0) {
      dup2(in[0], 0);
      dup2(out[1], 1);
      int devnull = open("/dev/null", O_WRONLY);
      dup2(devnull, 2);
      for (int fd : {in[0], in[1], out[0], out[1], devnull}) close(fd);
      std::vector<char*> argv;
      std::string bin = coderx_binary().string();
      argv.push_back(bin.data());
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    to_ = in[1];
    from_ = out[0];
  }
  ~Server() {
    if (to_ >= 0) close(to_);
    close(from_);
    if (pid_ > 0) waitpid(pid_, nullptr, 0);
  }
  void write_all(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::write(to_, bytes.data(), bytes.size());
      ASSERT_GT(n, 0);
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  // Reads until a response with `id` (or id null when id < 0) arrives.
  json::object wait_response(int id) {
    char buf[65536];
    for (;;) {
      while (auto f = reader_.next()) {
        json::object m = json::parse(f->body).as_object();
        const json::value* v = m.if_contains("id");
        if (v && !m.contains("method") && (id < 0 ? v->is_null() : (v->is_int64() && v->as_int64() == id)))
          return m;
      }
      ssize_t n = ::read(from_, buf, sizeof buf);
      if (n <= 0) return {};
      reader_.feed(std::string_view(buf, static_cast<std::size_t>(n)));
    }
  }
  // Everything the server writes until it closes stdout.
  std::string read_all() {
    std::string out;
    char buf[65536];
    for (ssize_t n; (n = ::read(from_, buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
    return out;
  }
  void close_input() {
    close(to_);
    to_ = -1;
  }
  long status_kb(const std::string& field) const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
    std::string line;
    while (std::getline(in, line))
      if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
    return -1;
  }
  // True once the server closed its output (it ended) within `timeout_ms`; what it wrote is read
  // and dropped.
  bool wait_eof(int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    char buf[65536];
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      pollfd p{from_, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
      if (::read(from_, buf, sizeof buf) <= 0) return true;
    }
  }
  int finish() {
    if (to_ >= 0) close_input();
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
  int to_ = -1, from_ = -1;
  lsp::FrameReader reader_;
};

TEST(LspRobustness, HundredMegabyteMessageIsRejectedWithoutBufferingAndTheSessionGoesOn) {
  Server server({"lsp", "--engine", "canned"});
  server.write_all(initialize());
  ASSERT_TRUE(server.wait_response(1).contains("result"));
  long baseline = server.status_kb("VmRSS");
  ASSERT_GT(baseline, 0);
  const std::size_t size = 100u << 20;
  std::string chunk(1 << 20, ' ');
  server.write_all("Content-Length: " + std::to_string(size) + "\r\n\r\n");
  for (std::size_t sent = 0; sent < size; sent += chunk.size()) server.write_all(chunk);
  json::object rejected = server.wait_response(-1);
  EXPECT_EQ(rejected.at("error").at("code").as_int64(), -32600);
  server.write_all(message(R"({"jsonrpc":"2.0","id":2,"method":"no/such"})"));
  EXPECT_EQ(server.wait_response(2).at("error").at("code").as_int64(), -32601);  // still serving
  long after = server.status_kb("VmRSS"), peak = server.status_kb("VmHWM");
  EXPECT_LT(after, baseline + 8 * 1024) << "RSS grew from " << baseline << " kB to " << after << " kB";
  EXPECT_LT(peak, baseline + 16 * 1024) << "peak RSS " << peak << " kB: the body was buffered";
  server.write_all(shutdown_exit(3));
  EXPECT_EQ(server.finish(), 0);
}

TEST(LspRobustness, ThousandCancelledRequestsAreEachAnsweredOnce) {
  std::string input = initialize();
  input += message(R"({"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///a.c","languageId":"c","version":1,"text":"int x = \n"}}})");
  const int n = 1000;
  for (int i = 10; i < 10 + n; ++i)
    input += message(R"({"jsonrpc":"2.0","id":)" + std::to_string(i) +
                     R"(,"method":"textDocument/inlineCompletion","params":{"textDocument":{"uri":"file:///a.c"},"position":{"line":0,"character":8}}})");
  for (int i = 10; i < 10 + n; ++i)
    input += message(R"({"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":)" + std::to_string(i) + "}}");
  input += shutdown_exit(2);
  // Written from another thread while this one reads: the server answers as it reads.
  Server server({"lsp", "--engine", "canned", "--token-delay-ms", "1000"});
  std::thread writer([&] {
    server.write_all(input);
    server.close_input();
  });
  std::string out = server.read_all();
  writer.join();
  EXPECT_EQ(server.finish(), 0);
  std::map<std::int64_t, int> answers;
  int cancelled = 0;
  for (const json::object& m : parse_output(out)) {
    if (m.contains("method")) continue;
    std::int64_t id = m.at("id").as_int64();
    ++answers[id];
    if (id < 10) continue;
    // RequestCancelled, or a normal answer sent before the cancel was read (a request that
    // started while the engine was still loading is answered at once with no items).
    if (m.contains("error")) {
      EXPECT_EQ(m.at("error").at("code").as_int64(), -32800) << json::serialize(m);
      ++cancelled;
    } else {
      ASSERT_TRUE(m.contains("result")) << json::serialize(m);
      EXPECT_TRUE(m.at("result").is_null() || m.at("result").is_object() || m.at("result").is_array())
          << json::serialize(m);
    }
  }
  EXPECT_GT(cancelled, n / 2);  // the engine is slow (1 s a word): most never finish
  for (int i = 10; i < 10 + n; ++i) EXPECT_EQ(answers[i], 1) << "id " << i;
  EXPECT_EQ(answers[2], 1);  // shutdown
}

// `exit` while the model is still loading ends the process at once. The model is a FIFO that no
// one writes: opening it blocks, like a load that takes minutes.
TEST(LspRobustness, ExitWhileTheModelLoadsEndsTheProcessAtOnce) {
  TempDir dir;
  const std::string fifo = (dir / "model.gguf").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  Server server({"lsp", "--model", fifo});
  server.write_all(initialize());
  ASSERT_TRUE(server.wait_response(1).contains("result"));
  server.write_all(shutdown_exit(2));
  bool ended = server.wait_eof(20000);
  if (!ended) {  // let the stuck load go on, so that the test itself ends
    int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
    if (fd >= 0) ::close(fd);
  }
  EXPECT_TRUE(ended) << "still running 20 s after exit";
  EXPECT_EQ(server.finish(), 0);
}

TEST(LspRobustness, ABrokenStreamEndsTheServerWithALogLine) {
  ProcessResult r = run_coderx({"lsp"}, initialize() + "Content-Length: banana\r\n\r\n{}");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("broken input stream"), std::string::npos) << r.err;
  ProcessResult eof = run_coderx({"lsp"}, initialize());
  EXPECT_EQ(eof.exit_code, 1);
  EXPECT_NE(eof.err.find("without 'exit'"), std::string::npos) << eof.err;
  for (const json::object& m : parse_output(eof.out)) EXPECT_EQ(m.at("jsonrpc"), "2.0");  // stdout: JSON-RPC only
}

TEST(LspRobustness, ListenRejectsABadAddress) {
  ProcessResult bad = run_coderx({"lsp", "--listen", "127.0.0.1:notaport"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("HOST:PORT"), std::string::npos);
}

TEST(LspRobustness, ListenServesOneClientOverTcp) {
  // The server reports its port on stderr (port 0: any free one); stdout is discarded.
  std::string command = coderx_binary().string() + " lsp --listen 127.0.0.1:0 2>&1 >/dev/null";
  FILE* server = popen(command.c_str(), "r");
  ASSERT_NE(server, nullptr);
  char line[256] = {};
  ASSERT_NE(fgets(line, sizeof line, server), nullptr);
  std::string text(line);
  std::size_t at = text.find("listening on port ");
  ASSERT_NE(at, std::string::npos) << text;
  auto port = static_cast<unsigned short>(std::stoi(text.substr(at + 18)));
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  boost::asio::write(socket, boost::asio::buffer(initialize() + shutdown_exit(2)));
  std::string out;
  char buf[4096];
  boost::system::error_code ec;
  for (std::size_t n; (n = socket.read_some(boost::asio::buffer(buf), ec)) > 0 && !ec;) out.append(buf, n);
  // Responses only: notifications (status, log messages) may come in any order around them.
  std::vector<json::object> messages;
  for (json::object& m : parse_output(out))
    if (m.contains("id") && (m.contains("result") || m.contains("error"))) messages.push_back(std::move(m));
  ASSERT_GE(messages.size(), 2u) << out;
  EXPECT_EQ(messages.front().at("id").as_int64(), 1);
  EXPECT_TRUE(messages.front().at("result").as_object().contains("capabilities"));
  EXPECT_EQ(messages.back().at("id").as_int64(), 2);
  EXPECT_EQ(WEXITSTATUS(pclose(server)), 0);
}

}  // namespace
}  // namespace coderx::testing
