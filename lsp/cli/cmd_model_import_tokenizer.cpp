// `coderx model import-tokenizer --tokenizer tokenizer.json [--config tokenizer_config.json]
//  --out vocab.gguf [--gemma4-patch auto|always|never]`: writes a vocabulary-only GGUF
// (general.architecture = gemma4 plus the tokenizer.* keys) that `--model` options and
// `coderx model make-test --vocab-from` accept. Gemma 3's tokenizer.json gets Gemma 4's special
// tokens patched in (spec §4.3; see lsp/cli/hf_tokenizer.h). The result is checked by building
// a tokenizer from it before anything is written.
#include <cstdio>
#include <string>

#include "lsp/cli/args.h"
#include "lsp/cli/commands.h"
#include "lsp/cli/hf_tokenizer.h"
#include "model/gguf_writer.h"
#include "model/vocab_gguf.h"

namespace coderx::cli {

namespace {

int fail(const std::string& message) {
  std::fprintf(stderr, "coderx model import-tokenizer: %s\n", message.c_str());
  return 1;
}

}  // namespace

int run_model_import_tokenizer(Args args) {
  ArgParser parser("coderx model import-tokenizer",
                   "Convert a Hugging Face tokenizer.json into a vocabulary-only Gemma 4 GGUF.");
  std::string tokenizer, config, out, patch = "auto";
  parser.option("--tokenizer", &tokenizer, "FILE", "tokenizer.json (required)");
  parser.option("--config", &config, "FILE", "tokenizer_config.json (bos/eos names, add_bos)");
  parser.option("--out", &out, "FILE", "the GGUF to write (required)");
  parser.option("--gemma4-patch", &patch, "MODE",
                "auto (patch Gemma 3 vocabularies), always or never: write Gemma 4's special tokens");
  if (auto rc = parser.parse(args)) return *rc;
  if (tokenizer.empty() || out.empty()) {
    std::fprintf(stderr, "coderx model import-tokenizer: --tokenizer and --out are required\n");
    return 2;
  }
  HfTokenizerFiles files{tokenizer, std::nullopt, Gemma4Patch::auto_detect};
  if (!config.empty()) files.config_json = config;
  if (patch == "always") {
    files.patch = Gemma4Patch::always;
  } else if (patch == "never") {
    files.patch = Gemma4Patch::never;
  } else if (patch != "auto") {
    std::fprintf(stderr, "coderx model import-tokenizer: --gemma4-patch must be auto, always or never\n");
    return 2;
  }
  auto data = import_hf_tokenizer(files);
  if (!data) return fail(data.error().message);
  model::GgufWriter writer;
  writer.set_string("general.architecture", "gemma4");
  model::write_vocab(writer, *data);
  auto check = model::Tokenizer::create(std::move(*data));
  if (!check) return fail(tokenizer + ": " + check.error().message);
  if (auto r = writer.write(out); !r) return fail(r.error().message);
  std::fprintf(stderr, "wrote %s: %zu tokens, %zu merges\n", out.c_str(), check->vocab().size(),
               check->vocab().merge_count());
  return 0;
}

}  // namespace coderx::cli
