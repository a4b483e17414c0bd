// model/remote over TLS against a real TLS server (`openssl s_server -WWW`, serving files from
// a temporary directory) with a self-signed certificate made for the test: trusted through
// SSL_CERT_FILE the exchange works and the body arrives; untrusted, the handshake fails with
// OpenSSL's reason and is not retried. Skipped where the openssl program is missing.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "model/remote/chat_client.h"
#include "tests/support/background_process.h"
#include "tests/support/paths.h"
#include "tests/support/process.h"

namespace coderx::testing {
namespace {

const char* kOpenssl = "/usr/bin/openssl";

template <class T>
using Result = model::Result<T>;

unsigned short free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

class RemoteTls : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kOpenssl)) GTEST_SKIP() << "no " << kOpenssl;
    std::string cert = (dir_ / "cert.pem").string(), key = (dir_ / "key.pem").string();
    ProcessResult made = run_process({kOpenssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                                      "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
                                      "-days", "2", "-subj", "/CN=localhost", "-addext",
                                      "subjectAltName=DNS:localhost,IP:127.0.0.1"});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    std::filesystem::create_directories(dir_ / "www/v1");
    std::ofstream(dir_ / "www/v1/models") << R"({"object":"list","data":[{"id":"tls-model"}]})";
    port_ = free_port();
    std::string command = "cd '" + (dir_ / "www").string() + "' && exec " + kOpenssl + " s_server -WWW -accept 127.0.0.1:" +
                          std::to_string(port_) + " -cert " + cert + " -key " + key;
    server_ = std::make_unique<BackgroundProcess>(std::vector<std::string>{"/bin/sh", "-c", command});
    ASSERT_FALSE(server_->wait_for_line("ACCEPT", 20000).empty()) << server_->stderr_text();
    cert_ = cert;
  }
  void TearDown() override { ::unsetenv("SSL_CERT_FILE"); }

  Result<std::vector<std::string>> models() {
    auto endpoint = model::remote::parse_endpoint("https://127.0.0.1:" + std::to_string(port_) + "/v1");
    EXPECT_TRUE(endpoint);
    model::remote::ClientOptions o;
    o.initial_backoff = std::chrono::milliseconds(10);
    return model::remote::ChatClient(*endpoint, o).list_models(std::chrono::milliseconds(10000), {});
  }

  TempDir dir_;
  std::string cert_;
  unsigned short port_ = 0;
  std::unique_ptr<BackgroundProcess> server_;
};

TEST_F(RemoteTls, TrustedCertificateWorks) {
  ::setenv("SSL_CERT_FILE", cert_.c_str(), 1);
  auto ids = models();
  ASSERT_TRUE(ids) << ids.error().message;
  EXPECT_EQ(*ids, std::vector<std::string>{"tls-model"});
}

TEST_F(RemoteTls, UntrustedCertificateIsRefusedWithoutRetry) {
  ::setenv("SSL_CERT_FILE", (dir_ / "none.pem").string().c_str(), 1);
  auto ids = models();
  ASSERT_FALSE(ids);
  EXPECT_NE(ids.error().message.find("certificate verify failed"), std::string::npos) << ids.error().message;
  EXPECT_EQ(ids.error().message.find("attempts"), std::string::npos) << ids.error().message;
}

}  // namespace
}  // namespace coderx::testing
