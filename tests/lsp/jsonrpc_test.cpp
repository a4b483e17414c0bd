// decode_message and the serialisers against hand-written JSON-RPC 2.0 messages.
#include "lsp/protocol/jsonrpc.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>

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

// UTF-8 of one code point.
std::string utf8(std::uint32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else if (cp < 0x800) {
    s += static_cast<char>(0xC0 | (cp >> 6));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    s += static_cast<char>(0xE0 | (cp >> 12));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    s += static_cast<char>(0xF0 | (cp >> 18));
    s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return s;
}

// Random UTF-16 texts (pairs, lone halves, quotes, backslashes followed by "u..." text), written
// as JSON the way JSON.stringify does: every string decodes to the text with each lone half as
// U+FFFD, which is what a decoder that accepted them would give after replacing them.
TEST(JsonRpc, LoneSurrogateEscapesBecomeReplacementCharacters) {
  std::mt19937 rng(99);
  const std::uint16_t pool[] = {'a', '"', '\\', 'u', 'd', '8', 0xE9, 0x65E5, 0xD83D, 0xDE00, 0xDBFF, 0xDC00};
  for (int trial = 0; trial < 3000; ++trial) {
    std::vector<std::uint16_t> units(rng() % 12);
    for (auto& u : units) u = pool[rng() % std::size(pool)];
    std::string escaped, expected;
    for (std::size_t i = 0; i < units.size(); ++i) {
      std::uint16_t u = units[i];
      bool high = u >= 0xD800 && u <= 0xDBFF, low = u >= 0xDC00 && u <= 0xDFFF;
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\u%04x", u);
      if (high && i + 1 < units.size() && units[i + 1] >= 0xDC00 && units[i + 1] <= 0xDFFF) {
        char low_hex[8];
        std::snprintf(low_hex, sizeof low_hex, "\\u%04X", units[i + 1]);
        escaped += std::string(hex) + low_hex;
        expected += utf8(0x10000 + ((u - 0xD800) << 10) + (units[i + 1] - 0xDC00));
        ++i;
      } else if (high || low) {
        escaped += hex;
        expected += "\xEF\xBF\xBD";
      } else if (u == '"' || u == '\\') {
        escaped += '\\';
        escaped += static_cast<char>(u);
        expected += static_cast<char>(u);
      } else {
        escaped += utf8(u);
        expected += utf8(u);
      }
    }
    Incoming n = decode_message(R"({"jsonrpc":"2.0","method":"m","params":{"t\ud83d":")" + escaped + R"("}})");
    ASSERT_EQ(n.kind, Kind::notification) << escaped << ": " << (n.error ? n.error->message : "");
    ASSERT_EQ(n.params.at("t\xEF\xBF\xBD").as_string(), expected) << escaped;
  }
}

TEST(JsonRpc, MalformedInputBecomesTheRightError) {
  struct Case {
    const char* body;
    ErrorCode code;
    bool has_id;
  };
  for (Case c : {Case{"{", ErrorCode::ParseError, false}, Case{"", ErrorCode::ParseError, false},
                 Case{"\"\\uZZ00\"", ErrorCode::ParseError, false},
                 Case{"\"\\ud800\"", ErrorCode::InvalidRequest, false},  // a string, not an object
                 Case{R"({"method":"x","params":"\ud800"})", ErrorCode::InvalidRequest, false},
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
