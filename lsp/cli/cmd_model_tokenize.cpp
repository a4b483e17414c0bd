// `coderx model tokenize --model FILE [--special] [--no-bos]`: text on stdin, the token ids
// as a JSON array on stdout.
#include <cstdio>
#include <string>

#include "lsp/cli/args.h"
#include "lsp/cli/commands.h"
#include "lsp/cli/model_tokenizer.h"

namespace coderx::cli {

int run_model_tokenize(Args args) {
  ArgParser parser("coderx model tokenize",
                   "Tokenize the text on stdin; print the ids as a JSON array.");
  std::string model;
  bool special = false, no_bos = false;
  parser.option("--model", &model, "FILE", "GGUF model or vocabulary (or a tokenizer.json)");
  parser.flag("--special", &special, "parse special-token texts such as <|turn> into their ids");
  parser.flag("--no-bos", &no_bos, "do not prepend the BOS token");
  if (auto rc = parser.parse(args)) return *rc;
  if (model.empty()) {
    std::fprintf(stderr, "coderx model tokenize: --model is required\n");
    return 2;
  }
  auto tok = load_cli_tokenizer(model);
  if (!tok) {
    std::fprintf(stderr, "coderx model tokenize: %s\n", tok.error().message.c_str());
    return 1;
  }
  auto ids = tok->encode(read_stdin(), {.add_bos = !no_bos, .parse_special = special});
  std::string out = "[";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(ids[i]);
  }
  out += "]\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace coderx::cli
