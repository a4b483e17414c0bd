// `coderx generate --model F [--prompt T | --chat T] [--think N] [--max-tokens N] [--temp X]
// [--top-k K] [--top-p P] [--min-p P] [--seed S] [--threads N] [--ctx N] [--kv T] [--device D]`:
// raw generation with the embedded engine. The answer streams to stdout; thinking text and the
// usage/timing line go to stderr. --prompt is tokenized as is (BOS added, special-token texts
// parsed);
// --chat renders one user turn with the Gemma 4 template (thinking on with --think).
#include <cstdio>
#include <string>

#include "lsp/cli/args.h"
#include "lsp/cli/commands.h"
#include "lsp/cli/device_option.h"
#include "lsp/server/model_ref.h"
#include "model/engine.h"

namespace coderx::cli {

namespace {

struct GenerateArgs {
  std::string model, prompt, chat;
  std::int64_t think = -2, max_tokens = 256, top_k = -1, seed = 0, threads = 0, ctx = 4096;
  double temp = -1, top_p = -1, min_p = -1;
  std::string kv = "auto";
};

void apply_sampling(const GenerateArgs& a, model::SamplingParams& p) {
  if (a.temp >= 0) p.temperature = static_cast<float>(a.temp);
  if (a.top_k >= 0) p.top_k = static_cast<std::int32_t>(a.top_k);
  if (a.top_p >= 0) p.top_p = static_cast<float>(a.top_p);
  if (a.min_p >= 0) p.min_p = static_cast<float>(a.min_p);
  p.seed = static_cast<std::uint64_t>(a.seed);
}

}  // namespace

int run_generate(Args args) {
  ArgParser parser("coderx generate", "Generate text with the embedded engine.");
  GenerateArgs a;
  model::EngineOptions options;
  parser.option("--model", &a.model, "FILE", "GGUF model file");
  parser.option("--prompt", &a.prompt, "TEXT", "raw prompt (BOS added, special tokens parsed)");
  parser.option("--chat", &a.chat, "TEXT", "one user message, rendered with the chat template");
  parser.option("--think", &a.think, "N", "chat with thinking on and a budget of N thought tokens (-1: no limit)");
  parser.option("--max-tokens", &a.max_tokens, "N", "answer tokens (default 256)");
  parser.option("--temp", &a.temp, "X", "temperature (0: greedy; default from the file)");
  parser.option("--top-k", &a.top_k, "K", "top-k (0: off)");
  parser.option("--top-p", &a.top_p, "P", "top-p (1: off)");
  parser.option("--min-p", &a.min_p, "P", "min-p (0: off)");
  parser.option("--seed", &a.seed, "S", "sampling seed (default 0)");
  parser.option("--threads", &a.threads, "N", "compute threads (default: all cores)");
  parser.option("--ctx", &a.ctx, "N", "context size in tokens (default 4096)");
  parser.option("--kv", &a.kv, "auto|f32|f16|q8_0",
                "K/V storage on the CPU (default auto: half for quantised attention weights, else "
                "f32; q8_0 takes 17/32 of half's memory, rounds more and attends slower)");
  options.device = model::DeviceKind::auto_select;
  add_device_option(parser, &options.device);
  if (auto rc = parser.parse(args)) return *rc;
  if (a.model.empty() || a.prompt.empty() == a.chat.empty() || a.max_tokens <= 0 || a.ctx <= 1) {
    std::fprintf(stderr, "coderx generate: need --model and exactly one of --prompt / --chat\n");
    return 2;
  }
  if (a.kv != "auto") {
    options.kv_type = model::parse_kv_type(a.kv);
    if (!options.kv_type) {
      std::fprintf(stderr, "coderx generate: --kv is auto, f32, f16 or q8_0\n");
      return 2;
    }
  }
  options.threads = static_cast<int>(a.threads);
  options.max_context = a.ctx;
  options.kv_slots = options.max_streams = 1;
  auto resolved = server::resolve_model_ref(a.model);
  if (!resolved) {
    std::fprintf(stderr, "coderx generate: %s\n", resolved.error().message.c_str());
    return 1;
  }
  auto engine = model::Engine::load(*resolved, options);
  if (!engine) {
    std::fprintf(stderr, "coderx generate: %s\n", engine.error().message.c_str());
    return 1;
  }
  model::GenerationRequest req;
  if (!a.chat.empty()) {
    req.chat = model::ChatRequest{{{model::ChatRole::user, a.chat}}, a.think >= -1, true, ""};
  } else {
    req.prompt = (*engine)->tokenizer().encode(a.prompt, {true, true});
  }
  req.budgets.answer_tokens = a.max_tokens;
  req.budgets.thinking_tokens = a.think >= -1 ? static_cast<int>(a.think) : -1;
  model::SamplingParams sampling = (*engine)->default_sampling();
  apply_sampling(a, sampling);
  req.sampling = sampling;
  auto result = (*engine)->submit(std::move(req), {}, [](const model::GenerationEvent& ev) {
    std::FILE* out = ev.kind == model::GenerationEvent::Kind::answer ? stdout : stderr;
    std::fwrite(ev.text.data(), 1, ev.text.size(), out);
    std::fflush(out);
  });
  if (!result) {
    std::fprintf(stderr, "coderx generate: %s\n", result.error().message.c_str());
    return 1;
  }
  const model::Usage& u = result->usage;
  const model::Timings& t = result->timings;
  const double gen = static_cast<double>(u.thinking_tokens + u.answer_tokens);
  std::fprintf(stderr,
               "\n[finish %s] prompt %lld (cached %lld), thinking %lld, answer %lld tokens; "
               "prefill %.0f ms (%.1f tok/s), first token %.0f ms, decode %.1f tok/s\n",
               model::to_string(result->finish), static_cast<long long>(u.prompt_tokens),
               static_cast<long long>(u.cached_tokens), static_cast<long long>(u.thinking_tokens),
               static_cast<long long>(u.answer_tokens), t.prefill_ms,
               t.prefill_ms > 0 ? 1000.0 * static_cast<double>(u.prompt_tokens - u.cached_tokens) / t.prefill_ms : 0.0,
               t.time_to_first_token_ms, t.decode_ms > 0 ? 1000.0 * (gen - 1) / t.decode_ms : 0.0);
  std::fputc('\n', stdout);
  return 0;
}

}  // namespace coderx::cli
