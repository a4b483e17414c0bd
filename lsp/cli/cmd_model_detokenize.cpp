// `coderx model detokenize --model FILE [--special]`: token ids on stdin (a JSON array or
// whitespace/comma-separated), the text on stdout (no newline added).
#include <cctype>
#include <charconv>
#include <cstdio>
#include <string>
#include <vector>

#include "lsp/cli/args.h"
#include "lsp/cli/commands.h"
#include "lsp/cli/model_tokenizer.h"

namespace coderx::cli {

namespace {

// Ids from "[1, 2, 3]" or "1 2 3"; an error message for anything else.
std::string parse_ids(const std::string& in, std::vector<model::TokenId>& ids) {
  std::size_t i = 0, n = in.size();
  auto skip = [&] {
    while (i < n && (std::isspace(static_cast<unsigned char>(in[i])) || in[i] == ',')) ++i;
  };
  skip();
  bool bracket = i < n && in[i] == '[';
  if (bracket) ++i;
  for (skip(); i < n && !(bracket && in[i] == ']'); skip()) {
    model::TokenId v = 0;
    auto [end, ec] = std::from_chars(in.data() + i, in.data() + n, v);
    if (ec != std::errc())
      return "expected a token id at byte " + std::to_string(i) + " of stdin";
    i = static_cast<std::size_t>(end - in.data());
    ids.push_back(v);
  }
  if (bracket) {
    if (i >= n) return "missing ']' at the end of stdin";
    ++i;
    skip();
    if (i < n) return "unexpected text after ']' at byte " + std::to_string(i) + " of stdin";
  }
  return {};
}

}  // namespace

int run_model_detokenize(Args args) {
  ArgParser parser("coderx model detokenize",
                   "Turn token ids on stdin (JSON array or whitespace-separated) into text.");
  std::string model;
  bool special = false;
  parser.option("--model", &model, "FILE", "GGUF model or vocabulary (or a tokenizer.json)");
  parser.flag("--special", &special, "render control tokens such as <|turn> as text");
  if (auto rc = parser.parse(args)) return *rc;
  if (model.empty()) {
    std::fprintf(stderr, "coderx model detokenize: --model is required\n");
    return 2;
  }
  std::vector<model::TokenId> ids;
  if (std::string err = parse_ids(read_stdin(), ids); !err.empty()) {
    std::fprintf(stderr, "coderx model detokenize: %s\n", err.c_str());
    return 1;
  }
  auto tok = load_cli_tokenizer(model);
  if (!tok) {
    std::fprintf(stderr, "coderx model detokenize: %s\n", tok.error().message.c_str());
    return 1;
  }
  auto text = tok->decode(ids, special);
  if (!text) {
    std::fprintf(stderr, "coderx model detokenize: %s\n", text.error().message.c_str());
    return 1;
  }
  std::fwrite(text->data(), 1, text->size(), stdout);
  return 0;
}

}  // namespace coderx::cli
