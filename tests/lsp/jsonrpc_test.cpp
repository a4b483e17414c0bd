// decode_message and the serialisers against hand-written JSON-RPC 2.0 messages.
#include "lsp/protocol/jsonrpc.h"

#include <gtest/gtest.h>

namespace coderx::lsp {
namespace {

using Kind = Incoming::Kind;

TEST(JsonRpc, DecodesRequestsNotificationsAndResponses) {
  Incoming r = decode_message(R"({"jsonrpc":"2.0","id":7,"method":"m","params":{"x":1}})");
  EXPECT_EQ(r.kind, Kind::request);
  EXPECT_EQ(std::get<std::int64_t>(*r.id), 7);
  EXPECT_EQ(r.method, "m");
  EXPECT_EQ(r.params.at("x").as_int64(), 1);

  Incoming s = decode_message(R"({"jsonrpc":"2.0","id":"abc","method":"m"})");
  EXPECT_EQ(s.kind, Kind::request);
  EXPECT_EQ(std::get<std::string>(*s.id), "abc");
  EXPECT_TRUE(s.params.is_null());

  Incoming n = decode_message(R"({"jsonrpc":"2.0","method":"n","params":[1]})");
  EXPECT_EQ(n.kind, Kind::notification);
  EXPECT_FALSE(n.id);

  Incoming ok = decode_message(R"({"jsonrpc":"2.0","id":3,"result":[1,2]})");
  EXPECT_EQ(ok.kind, Kind::response);
  EXPECT_FALSE(ok.error);
  EXPECT_EQ(ok.result.as_array().size(), 2u);

  Incoming err = decode_message(R"({"jsonrpc":"2.0","id":3,"error":{"code":-32601,"message":"no"}})");
  EXPECT_EQ(err.kind, Kind::response);
  ASSERT_TRUE(err.error);
  EXPECT_EQ(err.error->code, ErrorCode::MethodNotFound);
  EXPECT_EQ(err.error->message, "no");
}

TEST(JsonRpc, StringsWithInvalidUtf8AreKeptByteForByte) {
  // A Latin-1 buffer as Neovim sends it: byte 0x9C alone, and a cut-off 3-byte sequence.
  const std::string body = "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\","
                           "\"params\":{\"text\":\"a\x9c b\xE2\x82\"}}";
  Incoming n = decode_message(body);
  ASSERT_EQ(n.kind, Kind::notification) << (n.error ? n.error->message : "");
  EXPECT_EQ(n.params.at("text").as_string(), "a\x9c b\xE2\x82");
  // Whatever goes back out is valid UTF-8: the bad bytes become U+FFFD.
  const std::string out = serialize_error(RequestId{std::string("id\x9c")},
                                          ResponseError{ErrorCode::MethodNotFound, "unknown method 'm\xE2\x82' (é)"});
  boost::system::error_code ec;
  json::parse(out, ec);  // strict UTF-8
  EXPECT_FALSE(ec) << out;
  EXPECT_NE(out.find("id\xEF\xBF\xBD"), std::string::npos) << out;
  EXPECT_NE(out.find("m\xEF\xBF\xBD\xEF\xBF\xBD' (é)"), std::string::npos) << out;
}

TEST(JsonRpc, MalformedInputBecomesTheRightError) {
  struct Case {
    const char* body;
    ErrorCode code;
    bool has_id;
  };
  for (Case c : {Case{"{", ErrorCode::ParseError, false}, Case{"", ErrorCode::ParseError, false},
                 Case{"\"\\ud800\"", ErrorCode::ParseError, false},
                 Case{R"({"method":"x","params":"\ud800"})", ErrorCode::ParseError, false},
                 Case{"[]", ErrorCode::InvalidRequest, false}, Case{"42", ErrorCode::InvalidRequest, false},
                 Case{R"({"id":1,"method":5})", ErrorCode::InvalidRequest, true},
                 Case{R"({"id":{},"method":"m"})", ErrorCode::InvalidRequest, false},
                 Case{R"({"id":1.5,"method":"m"})", ErrorCode::InvalidRequest, false},
                 Case{R"({"id":1,"method":"m","params":3})", ErrorCode::InvalidRequest, true},
                 Case{R"({"id":1})", ErrorCode::InvalidRequest, true}}) {
    Incoming in = decode_message(c.body);
    EXPECT_EQ(in.kind, Kind::invalid) << c.body;
    ASSERT_TRUE(in.error) << c.body;
    EXPECT_EQ(in.error->code, c.code) << c.body;
    EXPECT_EQ(in.id.has_value(), c.has_id) << c.body;
  }
}

TEST(JsonRpc, SerialisesWithJsonrpcVersionAndNullIds) {
  EXPECT_EQ(json::parse(serialize_result(RequestId(std::int64_t{4}), json::array{1})),
            json::parse(R"({"jsonrpc":"2.0","id":4,"result":[1]})"));
  EXPECT_EQ(json::parse(serialize_error(std::nullopt, {ErrorCode::ParseError, "bad"})),
            json::parse(R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"bad"}})"));
  EXPECT_EQ(json::parse(serialize_notification("n", nullptr)), json::parse(R"({"jsonrpc":"2.0","method":"n"})"));
  EXPECT_EQ(json::parse(serialize_request(RequestId(std::string("s")), "m", json::object{})),
            json::parse(R"({"jsonrpc":"2.0","id":"s","method":"m","params":{}})"));
}

}  // namespace
}  // namespace coderx::lsp
