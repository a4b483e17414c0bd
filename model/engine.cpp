#include "model/engine.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#include "model/backend_factory.h"
#include "model/channel_splitter.h"
#include "model/detokenizer.h"
#include "model/page_warmer.h"
#include "model/prefix_cache.h"
#include "model/reasoning_budget.h"
#include "model/vocab_gguf.h"

namespace coderx::model {

using Clock = std::chrono::steady_clock;

const char* to_string(FinishReason reason) {
  switch (reason) {
    case FinishReason::stop: return "stop";
    case FinishReason::answer_budget: return "answer_budget";
    case FinishReason::context_budget: return "context_budget";
    case FinishReason::deadline: return "deadline";
    case FinishReason::cancelled: return "cancelled";
    case FinishReason::error: return "error";
  }
  return "?";
}

namespace {

bool in_thought(const ReasoningBudget& b) {
  using S = ReasoningBudget::State;
  return b.state() == S::counting || b.state() == S::waiting || b.state() == S::forcing;
}

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

}  // namespace

// One request from submit() to its result.
struct Job {
  GenerationRequest request;
  std::stop_token stop;
  Engine::EventFn on_event;
  std::promise<Result<GenerationResult>> done;
  std::uint64_t order = 0;
  Clock::time_point enqueued;

  // Set when the worker starts it.
  std::vector<TokenId> prompt;
  std::int64_t context_limit = 0;
  int slot = -1;
  std::optional<Sampler> sampler;
  std::optional<ReasoningBudget> budget;
  std::optional<StreamingDetokenizer> detok;
  ChannelSplitter splitter;
  GenerationResult result;
  TokenId next = kNoToken;  // sampled, not yet fed through the model
  Clock::time_point prefill_start, first_token;
};

struct Engine::Impl {
  EngineOptions options;
  std::unique_ptr<ModelFile> model;
  std::optional<Tokenizer> tokenizer;
  std::unique_ptr<Backend> backend;
  std::unique_ptr<PrefixCache> slots;

  KvType kv_type = KvType::f32;  // the K/V storage in use (EngineOptions::kv_type resolved)
  std::atomic<std::uint64_t> kv_bytes{0};  // slots->memory_bytes(), published by the worker

  std::mutex mutex;
  std::condition_variable wake;
  std::deque<std::unique_ptr<Job>> queue;  // kept sorted by (priority, order)
  std::uint64_t next_order = 0;
  bool stopping = false;
  std::thread worker;
  // Declared after model: stopped and joined before the mapping it reads goes away.
  std::optional<PageWarmer> warmer;

  std::vector<std::unique_ptr<Job>> active;
  std::vector<float> logits;
  std::vector<TokenId> batch_tokens, batch_pos, batch_seq, batch_rows;
  std::vector<KvState*> batch_caches;

  void run_worker();
  std::unique_ptr<Job> pop_next();
  void start(std::unique_ptr<Job> job);
  Result<void> prepare(Job& job);
  bool step(Job& job, const float* row);  // true when the job finished
  void emit(Job& job, const ChannelDelta& delta);
  void finish(Job& job, FinishReason reason);
  void decode_active();
  void fail(Job& job, Error error);
  void abort_job(Job& job, Error error);
};

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Engine::~Engine() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  if (impl_->worker.joinable()) impl_->worker.join();
}

Result<std::unique_ptr<Engine>> Engine::load(const std::filesystem::path& path, EngineOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  auto model = ModelFile::open(path);
  if (!model) return model.error();
  impl->model = std::move(*model);
  auto vocab = read_vocab(impl->model->gguf());
  if (!vocab) return vocab.error();
  auto tokenizer = Tokenizer::create(std::move(*vocab));
  if (!tokenizer) return tokenizer.error();
  impl->tokenizer.emplace(std::move(*tokenizer));
  if (static_cast<std::int64_t>(impl->tokenizer->vocab().size()) > impl->model->view().dims.n_vocab)
    return make_error(Errc::format, path.string() + ": tokenizer has more tokens than the LM head rows");
  const ModelView& view = impl->model->view();
  impl->kv_type =
      options.reference_ops ? KvType::f32 : options.kv_type.value_or(KvCache::default_type(view));
  const KvCacheOptions kv{options.max_context, std::max<std::int64_t>(1, options.sliding_slack),
                          impl->kv_type};
  BackendOptions backend_options;
  backend_options.device = options.device;
  backend_options.threads = options.threads;
  backend_options.reference_ops = options.reference_ops;
  backend_options.kv = kv;
  backend_options.n_sequences = std::max(options.kv_slots, options.max_streams);
  backend_options.max_tokens = std::max<std::int64_t>({1, options.prefill_chunk, options.max_streams});
  backend_options.repack_in_background = true;  // serve at once, faster once the copy is done
  backend_options.weights_file = impl->model->gguf().bytes();
  impl->backend = make_backend(view, backend_options);
  Backend* backend = impl->backend.get();
  impl->slots = std::make_unique<PrefixCache>([backend] { return backend->new_sequence(); },
                                              std::max(options.kv_slots, options.max_streams));
  // The CPU reads the weights from the mapping on every token; a device backend has copied them.
  const std::span<const std::byte> mapped = impl->model->gguf().bytes();
  if (!impl->backend->on_device() && worth_populating(mapped.size()))
    impl->warmer.emplace(ranges_outside(mapped, impl->backend->unread_weights()));
  Impl* raw = impl.get();
  impl->worker = std::thread([raw] { raw->run_worker(); });
  return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

const Tokenizer& Engine::tokenizer() const { return *impl_->tokenizer; }
const ModelFile& Engine::model() const { return *impl_->model; }

std::string Engine::backend() const { return impl_->backend->describe(); }

SamplingParams Engine::default_sampling() const {
  SamplingParams p;
  const SamplingDefaults& d = impl_->model->config().sampling;
  if (d.temperature) p.temperature = *d.temperature;
  if (d.top_p) p.top_p = *d.top_p;
  if (d.top_k) p.top_k = *d.top_k;
  if (d.min_p) p.min_p = *d.min_p;
  return p;
}

MemoryReport Engine::memory() const {
  MemoryReport r;
  const MemorySummary& m = impl_->model->weights().memory;
  r.mapped_weight_bytes = m.weight_bytes;
  r.active_bytes_per_token = m.active_bytes_per_token;
  r.kv_bytes = impl_->kv_bytes.load();
  r.kv_bytes_per_position =
      KvCache::full_layer_bytes_per_position(impl_->model->view(), impl_->kv_type);
  return r;
}

Result<GenerationResult> Engine::submit(GenerationRequest request, std::stop_token stop, EventFn on_event) {
  auto job = std::make_unique<Job>();
  job->request = std::move(request);
  job->stop = std::move(stop);
  job->on_event = std::move(on_event);
  job->enqueued = Clock::now();
  auto future = job->done.get_future();
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->stopping) return make_error(Errc::cancelled, "engine is shutting down");
    job->order = impl_->next_order++;
    auto pos = std::upper_bound(impl_->queue.begin(), impl_->queue.end(), job,
                                [](const auto& a, const auto& b) {
                                  return std::pair(a->request.priority, a->order) <
                                         std::pair(b->request.priority, b->order);
                                });
    impl_->queue.insert(pos, std::move(job));
  }
  impl_->wake.notify_all();
  return future.get();
}

std::unique_ptr<Job> Engine::Impl::pop_next() {
  if (queue.empty()) return nullptr;
  auto job = std::move(queue.front());
  queue.pop_front();
  return job;
}

void Engine::Impl::run_worker() {
  for (;;) {
    std::vector<std::unique_ptr<Job>> admit;
    {
      std::unique_lock lock(mutex);
      wake.wait(lock, [&] { return stopping || !queue.empty() || !active.empty(); });
      if (stopping) {
        for (auto& j : queue) active.push_back(std::move(j));
        queue.clear();
        break;
      }
      while (static_cast<int>(active.size() + admit.size()) < options.max_streams && !queue.empty())
        admit.push_back(pop_next());
    }
    for (auto& job : admit) start(std::move(job));
    if (!active.empty()) decode_active();
  }
  for (auto& job : active) {
    if (job->prompt.empty()) {
      job->done.set_value(make_error(Errc::cancelled, "engine shut down before the request ran"));
    } else {
      finish(*job, FinishReason::cancelled);
    }
  }
  active.clear();
}

void Engine::Impl::fail(Job& job, Error error) { job.done.set_value(std::move(error)); }

// A backend failure mid-generation: the slot's KV state is unknown, so it is emptied.
void Engine::Impl::abort_job(Job& job, Error error) {
  slots->tokens(job.slot).clear();
  slots->cache(job.slot).set_n_past(0);
  slots->release(job.slot);
  kv_bytes.store(slots->memory_bytes());
  fail(job, std::move(error));
}

Result<void> Engine::Impl::prepare(Job& job) {
  const GenerationRequest& r = job.request;
  job.prompt = r.chat ? tokenize_chat(*tokenizer, *r.chat) : r.prompt;
  const std::int64_t n_vocab = model->view().dims.n_vocab;
  if (job.prompt.empty()) return make_error(Errc::invalid_argument, "empty prompt");
  for (TokenId t : job.prompt)
    if (t < 0 || t >= n_vocab)
      return make_error(Errc::invalid_argument, "prompt token " + std::to_string(t) + " outside the vocabulary");
  job.context_limit = r.budgets.context_tokens > 0
                          ? std::min(r.budgets.context_tokens, options.max_context)
                          : options.max_context;
  if (static_cast<std::int64_t>(job.prompt.size()) >= job.context_limit)
    return make_error(Errc::invalid_argument,
                      "prompt of " + std::to_string(job.prompt.size()) +
                          " tokens does not fit the context budget of " + std::to_string(job.context_limit));
  // The budget machine also tells thought tokens from answer tokens, so it runs (unlimited)
  // without a thinking budget too, where the vocabulary has the channel tokens.
  auto budget = ReasoningBudget::create(*tokenizer, std::max(-1, r.budgets.thinking_tokens));
  if (!budget && r.budgets.thinking_tokens >= 0)
    return make_error(Errc::unsupported, "thinking budget: " + budget.error().message);
  if (budget) {
    job.budget.emplace(std::move(*budget));
    job.budget->observe_prompt(job.prompt);
    if (in_thought(*job.budget)) job.splitter.feed("<|channel>thought");  // opened by the prompt
  }
  SamplingParams params = r.sampling ? *r.sampling : SamplingParams{};
  if (!r.sampling) {
    const SamplingDefaults& d = model->config().sampling;
    if (d.temperature) params.temperature = *d.temperature;
    if (d.top_p) params.top_p = *d.top_p;
    if (d.top_k) params.top_k = *d.top_k;
    if (d.min_p) params.min_p = *d.min_p;
  }
  job.sampler.emplace(params);
  job.detok.emplace(*tokenizer, false);  // control tokens never reach the text; channel markers are user-defined
  return {};
}

void Engine::Impl::start(std::unique_ptr<Job> job) {
  job->result.timings.queue_ms = ms_between(job->enqueued, Clock::now());
  if (job->stop.stop_requested()) {
    job->done.set_value(make_error(Errc::cancelled, "cancelled before it started"));
    return;
  }
  if (auto ok = prepare(*job); !ok) return fail(*job, ok.error());
  const PrefixCache::Lease lease = slots->acquire(job->prompt);
  if (lease.slot < 0) return fail(*job, make_error(Errc::internal, "no free KV slot"));
  job->slot = lease.slot;
  job->result.usage.prompt_tokens = static_cast<std::int64_t>(job->prompt.size());
  job->result.usage.cached_tokens = lease.reused;
  job->prefill_start = Clock::now();
  const std::span<const TokenId> rest = std::span(job->prompt).subspan(static_cast<std::size_t>(lease.reused));
  logits.resize(static_cast<std::size_t>(model->view().dims.n_vocab));
  if (auto ok = backend->prefill(rest, slots->cache(job->slot), logits.data(), false, options.prefill_chunk); !ok)
    return abort_job(*job, ok.error());
  auto& held = slots->tokens(job->slot);
  held.assign(job->prompt.begin(), job->prompt.end());
  job->result.timings.prefill_ms = ms_between(job->prefill_start, Clock::now());
  if (!step(*job, logits.data())) active.push_back(std::move(job));
}

void Engine::Impl::emit(Job& job, const ChannelDelta& delta) {
  if (!delta.thinking.empty()) {
    job.result.thinking += delta.thinking;
    if (job.on_event) job.on_event(GenerationEvent{GenerationEvent::Kind::thinking, delta.thinking, job.result.usage});
  }
  if (!delta.answer.empty()) {
    job.result.answer += delta.answer;
    if (job.on_event) job.on_event(GenerationEvent{GenerationEvent::Kind::answer, delta.answer, job.result.usage});
  }
}

// Chooses and emits the next token from `row` (the logits after the last fed token).
bool Engine::Impl::step(Job& job, const float* row) {
  const Budgets& b = job.request.budgets;
  if (job.stop.stop_requested()) return finish(job, FinishReason::cancelled), true;
  if (b.deadline && Clock::now() >= *b.deadline) return finish(job, FinishReason::deadline), true;
  const std::int64_t n_vocab = model->view().dims.n_vocab;
  std::optional<TokenId> forced = job.budget ? job.budget->forced_token() : std::nullopt;
  const TokenId token = forced ? *forced : job.sampler->sample(std::span(row, static_cast<std::size_t>(n_vocab)));
  const bool budget_thinking = job.budget && in_thought(*job.budget);
  if (job.budget) job.budget->accept(token);
  if (job.result.tokens.empty()) job.first_token = Clock::now();
  job.result.tokens.push_back(token);
  if (tokenizer->is_end_of_generation(token)) return finish(job, FinishReason::stop), true;
  const bool was_thinking = job.splitter.in_thought();
  auto text = job.detok->push(token);
  const ChannelDelta delta = text ? job.splitter.feed(*text) : ChannelDelta{};
  const bool thinking = budget_thinking || was_thinking || job.splitter.in_thought();
  (thinking ? job.result.usage.thinking_tokens : job.result.usage.answer_tokens)++;
  emit(job, delta);  // after counting, so the event's usage includes this token
  job.next = token;
  if (job.result.usage.answer_tokens >= b.answer_tokens) return finish(job, FinishReason::answer_budget), true;
  const auto used = static_cast<std::int64_t>(job.prompt.size() + job.result.tokens.size());
  if (used >= job.context_limit) return finish(job, FinishReason::context_budget), true;
  return false;
}

void Engine::Impl::decode_active() {
  const std::size_t n = active.size();
  batch_tokens.resize(n);
  batch_pos.resize(n);
  batch_seq.resize(n);
  batch_rows.resize(n);
  batch_caches.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    Job& j = *active[i];
    KvState& cache = slots->cache(j.slot);
    batch_tokens[i] = j.next;
    batch_pos[i] = static_cast<TokenId>(cache.n_past());
    batch_seq[i] = static_cast<TokenId>(i);
    batch_rows[i] = static_cast<TokenId>(i);
    batch_caches[i] = &cache;
    slots->tokens(j.slot).push_back(j.next);
  }
  const std::int64_t n_vocab = model->view().dims.n_vocab;
  logits.resize(n * static_cast<std::size_t>(n_vocab));
  if (auto ok = backend->run(BackendBatch{batch_tokens, batch_pos, batch_seq, batch_caches, batch_rows, logits.data()}); !ok) {
    for (auto& job : active) abort_job(*job, ok.error());
    active.clear();
    return;
  }
  std::vector<std::unique_ptr<Job>> still;
  for (std::size_t i = 0; i < n; ++i)
    if (!step(*active[i], logits.data() + i * n_vocab)) still.push_back(std::move(active[i]));
  active = std::move(still);
}

void Engine::Impl::finish(Job& job, FinishReason reason) {
  if (job.detok) emit(job, job.splitter.feed(job.detok->finish()));
  emit(job, job.splitter.finish());
  job.result.finish = reason;
  const auto now = Clock::now();
  if (!job.result.tokens.empty()) {
    job.result.timings.time_to_first_token_ms = ms_between(job.enqueued, job.first_token);
    job.result.timings.decode_ms = ms_between(job.first_token, now);
  }
  if (job.slot >= 0) slots->release(job.slot);
  kv_bytes.store(slots->memory_bytes());
  job.done.set_value(std::move(job.result));
}

}  // namespace coderx::model
