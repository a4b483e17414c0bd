// `coderx model logits --model F --tokens 2,316,… --out FILE [--path ref|fast] [--threads N]
// [--device auto|cpu|cuda]`:
// runs the forward pass over the token list (one sequence, positions from 0) and writes the
// logits after the final softcap as raw little-endian float32, one row of n_vocab per token,
// so any reference (llama.cpp fixtures, another engine) can be compared. The file is written
// to a temporary name and renamed: a failure leaves no partial output.
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "lsp/cli/args.h"
#include "lsp/cli/commands.h"
#include "lsp/cli/device_option.h"
#include "lsp/server/model_ref.h"
#include "model/backend_factory.h"
#include "model/model_file.h"

namespace coderx::cli {

namespace {

// "2,316,360" → ids; empty string on success, else the error.
std::string parse_tokens(const std::string& text, std::int64_t vocab, std::vector<std::int32_t>& out) {
  std::size_t i = 0;
  while (i <= text.size()) {
    const std::size_t comma = std::min(text.find(',', i), text.size());
    const std::string item = text.substr(i, comma - i);
    char* end = nullptr;
    errno = 0;
    const long long v = std::strtoll(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || errno != 0 || v < 0 || v >= vocab)
      return "bad token id '" + item + "' (expected 0.." + std::to_string(vocab - 1) + ")";
    out.push_back(static_cast<std::int32_t>(v));
    i = comma + 1;
  }
  return "";
}

// Why `path` cannot be the output ("" when it can): renaming over a directory fails, and over
// a device such as /dev/null or a FIFO would replace it.
std::string bad_target(const std::filesystem::path& path) {
  std::error_code ec;
  const auto target = std::filesystem::status(path, ec);  // follows a link
  if (std::filesystem::exists(target) && !std::filesystem::is_regular_file(target))
    return "cannot write " + path.string() +
           ": it exists and is not a regular file (a directory, device or pipe)";
  return "";
}

// Writes `data` to a fresh temporary file next to `path` and renames it over `path`; a failure
// removes the temporary file. Returns "" or the error.
std::string write_atomically(const std::filesystem::path& path, const std::vector<float>& data) {
  std::error_code ec;
  if (std::string e = bad_target(path); !e.empty()) return e;
  std::string tmp = path.string() + ".tmp-XXXXXX";
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) return "cannot create a file next to " + path.string() + ": " + std::strerror(errno);
  ::fchmod(fd, 0644);
  std::FILE* f = ::fdopen(fd, "wb");
  bool ok = f && std::fwrite(data.data(), sizeof(float), data.size(), f) == data.size();
  std::string error = ok ? "" : std::string("write failed: ") + std::strerror(errno);
  if (f ? std::fclose(f) != 0 : ::close(fd) != 0) ok = false;
  if (ok && std::rename(tmp.c_str(), path.c_str()) != 0) ok = false;
  if (ok) return "";
  if (error.empty()) error = std::strerror(errno);
  std::filesystem::remove(tmp, ec);
  return "cannot write " + path.string() + ": " + error;
}

}  // namespace

int run_model_logits(Args args) {
  ArgParser parser("coderx model logits",
                   "Write the logits of a token sequence as raw float32 rows x vocab.");
  std::string model_path, tokens_text, out_path, path = "fast";
  std::int64_t threads = 0;
  model::DeviceKind device = model::DeviceKind::auto_select;
  parser.option("--model", &model_path, "FILE", "GGUF model file");
  parser.option("--tokens", &tokens_text, "IDS", "comma-separated token ids, e.g. 2,316,360");
  parser.option("--out", &out_path, "FILE", "output file (float32, tokens x vocab)");
  parser.option("--path", &path, "ref|fast", "reference ops (f64, slow) or the fast CPU ops (default)");
  parser.option("--threads", &threads, "N", "threads for the fast path (default: all cores)");
  add_device_option(parser, &device);  // --path ref always runs on the CPU
  if (auto rc = parser.parse(args)) return *rc;
  if (model_path.empty() || tokens_text.empty() || out_path.empty() || (path != "ref" && path != "fast") ||
      threads < 0) {
    std::fprintf(stderr, "coderx model logits: need --model, --tokens, --out; --path ref|fast; --threads >= 0\n");
    return 2;
  }
  if (std::string err = bad_target(out_path); !err.empty()) {  // before the forward pass
    std::fprintf(stderr, "coderx model logits: %s\n", err.c_str());
    return 1;
  }
  auto resolved = server::resolve_model_ref(model_path);
  if (!resolved) {
    std::fprintf(stderr, "coderx model logits: %s\n", resolved.error().message.c_str());
    return 1;
  }
  auto model = model::ModelFile::open(*resolved);
  if (!model) {
    std::fprintf(stderr, "coderx model logits: %s\n", model.error().message.c_str());
    return 1;
  }
  const model::ModelView& view = (*model)->view();
  std::vector<std::int32_t> tokens;
  if (std::string err = parse_tokens(tokens_text, view.dims.n_vocab, tokens); !err.empty()) {
    std::fprintf(stderr, "coderx model logits: --tokens: %s\n", err.c_str());
    return 2;
  }
  const auto n = static_cast<std::int64_t>(tokens.size());
  model::BackendOptions options;
  options.device = device;
  options.threads = static_cast<int>(threads);
  options.reference_ops = path == "ref";
  options.kv = model::KvCacheOptions{n, n};
  options.max_tokens = std::min<std::int64_t>(n, 512);
  options.weights_file = (*model)->gguf().bytes();  // the fast path's copy releases its pages
  auto backend = model::make_backend(view, options);
  auto cache = backend->new_sequence();
  std::vector<float> logits(static_cast<std::size_t>(n * view.lm_head().rows));
  if (auto ok = backend->prefill(tokens, *cache, logits.data(), true, 512); !ok) {
    std::fprintf(stderr, "coderx model logits: %s\n", ok.error().message.c_str());
    return 1;
  }
  if (std::string err = write_atomically(out_path, logits); !err.empty()) {
    std::fprintf(stderr, "coderx model logits: %s\n", err.c_str());
    return 1;
  }
  std::fprintf(stderr, "wrote %lld x %lld logits to %s\n", static_cast<long long>(n),
               static_cast<long long>(view.lm_head().rows), out_path.c_str());
  return 0;
}

}  // namespace coderx::cli
