// The embedded inference engine (architecture.md "Engine contract"): loads a Gemma 4 GGUF
// (mmap, validated, memory reported), queues generation requests by priority and runs them on
// one worker thread that owns the compute (a model/backend.h backend: the CPU, or one GPU when
// EngineOptions::device allows it and the model fits): prompts are prefilled (reusing the longest cached
// token prefix of recent requests from several LRU KV slots, sliding layers included within
// their slack), then all running requests are decoded together, one batched forward pass per
// step. Between tokens the worker checks each request's stop token, deadline and budgets;
// text is streamed as answer/thinking events; the thinking budget (model/reasoning_budget.h)
// forces `<channel|>` after N thought tokens.
//
// Threading: submit() may be called from any number of threads; it blocks its caller until
// the request finishes. on_event runs on the worker thread (keep it short, do not call submit
// from it). Destroying the Engine finishes queued requests as cancelled.
// Errors: load() reports file/format problems; submit() returns Errc::invalid_argument for an
// empty or over-long prompt and Errc::unsupported for a thinking budget on a vocabulary without
// channel tokens; cancellation and budgets are finish reasons, not errors.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "model/chat.h"
#include "model/device_select.h"
#include "model/error.h"
#include "model/kv_type.h"
#include "model/model_file.h"
#include "model/sampler.h"
#include "model/tokenizer.h"

namespace coderx::model {

struct EngineOptions {
  int threads = 0;                  // compute threads; 0 = all cores
  std::int64_t max_context = 8192;  // positions per sequence (KV cache limit)
  std::int64_t sliding_slack = 256; // extra ring slots on sliding layers (prefix reuse, chunks)
  int kv_slots = 4;                 // cached sequences kept for prefix reuse (≥ max_streams)
  int max_streams = 4;              // requests decoded together
  std::int64_t prefill_chunk = 512; // tokens per prefill forward pass
  bool reference_ops = false;       // run the slow reference ops (tests, debugging; implies cpu)
  // How the CPU keeps K/V (kv_type.h). Half: half the cache memory and half the K/V bytes each
  // decode step reads (at 2,048 tokens of context f32 K/V is 18 % of a step's reads on the
  // real-size model); q8_0: 17/32 of f16's, for a little more rounding. Unset:
  // KvCache::half_suits(model) decides, i.e. f16 for quantised attention weights (their own
  // rounding dwarfs it) and f32 for float ones (on the F16 fixture half K/V moves the logits
  // from NMSE 7.0e-7 to 1.1e-6 against the float reference, past 1.5× llama.cpp's). The
  // reference ops always keep f32.
  std::optional<KvType> kv_type;
  // Where the forward pass runs (model/device_select.h). The CLI and the LSP default to auto;
  // library users (tests) get the CPU unless they ask. A CUDA backend that cannot start, or a
  // model that does not fit the device, falls back to the CPU with a one-line log message.
  DeviceKind device = DeviceKind::cpu;
};

// Lower value = served first (architecture.md: inline completion > completion > explain/refactor > review).
enum class Priority { inline_completion = 0, completion = 1, interactive = 2, batch = 3 };

struct Budgets {
  std::int64_t context_tokens = 0;   // prompt + generated; 0 = the engine's max_context
  int thinking_tokens = -1;          // thought tokens before `<channel|>` is forced; -1 = no limit
  std::int64_t answer_tokens = 512;  // answer tokens before finish_reason answer_budget
  std::optional<std::chrono::steady_clock::time_point> deadline;
};

enum class FinishReason { stop, answer_budget, context_budget, deadline, cancelled, error };
const char* to_string(FinishReason reason);

struct GenerationRequest {
  std::vector<TokenId> prompt;  // token ids (BOS included); used when chat is empty
  std::optional<ChatRequest> chat;  // rendered with tokenize_chat when set
  Budgets budgets;
  std::optional<SamplingParams> sampling;  // default: general.sampling.* of the file
  Priority priority = Priority::interactive;
};

struct Usage {
  std::int64_t prompt_tokens = 0, cached_tokens = 0, thinking_tokens = 0, answer_tokens = 0;
};

struct GenerationEvent {
  enum class Kind { answer, thinking } kind = Kind::answer;
  std::string text;  // whole UTF-8 characters
  Usage usage;       // the counts so far, the token that produced `text` included
};

struct Timings {
  double queue_ms = 0, prefill_ms = 0, time_to_first_token_ms = 0, decode_ms = 0;
};

struct GenerationResult {
  std::string answer;    // answer text (thought blocks removed)
  std::string thinking;  // thought text, kept apart
  std::vector<TokenId> tokens;  // every generated token, forced ones included
  FinishReason finish = FinishReason::stop;
  Usage usage;
  Timings timings;
};

struct MemoryReport {
  std::uint64_t mapped_weight_bytes = 0;   // tensors the engine reads (mmap, shared page cache)
  std::uint64_t kv_bytes = 0;              // KV caches allocated now
  std::uint64_t kv_bytes_per_position = 0; // growth per position on full-attention layers
  std::uint64_t active_bytes_per_token = 0;
};

class Engine {
 public:
  static Result<std::unique_ptr<Engine>> load(const std::filesystem::path& path,
                                              EngineOptions options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  using EventFn = std::function<void(const GenerationEvent&)>;
  Result<GenerationResult> submit(GenerationRequest request, std::stop_token stop = {},
                                  EventFn on_event = {});

  const Tokenizer& tokenizer() const;
  const ModelFile& model() const;
  MemoryReport memory() const;
  SamplingParams default_sampling() const;
  // The backend the forward pass runs on, e.g. "cpu (8 threads)" or "cuda:0 NVIDIA H200".
  std::string backend() const;

 private:
  struct Impl;
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace coderx::model
