// `coderx bench --model F [--lengths 128,512,2048] [--streams 1,4] [--decode N] [--threads N]
// [--ops] [--json] [--kv auto|f32|f16|q8_0] [--device auto|cpu|cuda]`: engine throughput on this
// machine, straight through the forward pass (no sampling): prefill tokens/s and time to first
// token per prompt length, decode tokens/s with 1 and several concurrent streams (one batched
// forward pass per step), peak resident memory. Prints a table, then one JSON object (only the
// JSON with --json).
// --ops adds, for the prefill and the decode of the first single-stream measurement, the time
// per op kind and the weight bandwidth each reached. Prompts are token ids cycling through the
// vocabulary; the numbers do not depend on the text.
// Each single-stream row also gets the read bandwidth measured around its decode (the bound
// moves with it on a shared host) and the K/V bytes its decode steps read, so its speed
// is reported against the weights-only bound and against the bound with those reads, and
// against a plain read of one step's active weights where they lie, probed around each window
// like the bandwidth (the experts, read a few slices at a time, can read slower than the
// bandwidth probe's hot buffer).
// On a GPU (--device cuda, or auto with a device) the same measurements run through the CUDA
// backend (model/backend.h); there each extra stream is prefilled untimed (device KV caches
// cannot be copied), and the CPU bandwidth bound and --ops are not reported.
#include <sys/resource.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "lsp/cli/args.h"
#include "lsp/cli/commands.h"
#include "lsp/cli/device_option.h"
#include "lsp/server/model_ref.h"
#include "model/active_weights_read.h"
#include "model/backend_factory.h"
#include "model/forward.h"
#include "model/huge_pages.h"
#include "model/model_file.h"
#include "model/ops_cpu.h"
#include "model/page_warmer.h"
#include "model/read_bandwidth.h"
#include "model/repacked_weights.h"
#include "model/timed_ops.h"

namespace coderx::cli {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::int64_t kMaxLength = 1 << 20;  // prompt tokens, and decode steps × windows
constexpr std::int64_t kMaxStreams = 256;     // each stream holds a copy of the K/V cache

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// "128,512" → {128, 512}; empty (an error) unless every item is a whole number in [1, max].
std::vector<std::int64_t> parse_list(const std::string& s, std::int64_t max) {
  std::vector<std::int64_t> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (item.empty()) continue;
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (ec != std::errc() || end != item.data() + item.size() || v < 1 || v > max) return {};
    out.push_back(v);
  }
  return out;
}

double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

struct Row {
  std::int64_t length = 0, streams = 0;
  double prefill_tps = 0, ttft_ms = 0, decode_tps = 0;
  double bandwidth = 0;  // read bandwidth measured around this row's decode (1 stream)
  std::uint64_t kv_bytes_per_token = 0;  // K/V bytes one decode step reads per stream
  // Single-stream rows decoded in several windows: each window's tok/s and the bandwidth around
  // it, the mean of the probes right before and right after it (decode_tps and bandwidth above
  // are then their medians).
  std::vector<double> window_tps, window_bandwidth;
  // Seconds a plain read of one step's active weights took where the forward pass reads them
  // (active_weights_read.h), around each window as the bandwidth, and their median.
  std::vector<double> window_weights_read;
  double weights_read_s = 0;
};

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

std::vector<std::int32_t> prompt_tokens(std::int64_t n, std::int64_t vocab, std::int64_t salt) {
  std::vector<std::int32_t> t(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) t[i] = static_cast<std::int32_t>(i == 0 ? 2 : (i * 131 + salt * 17) % vocab);
  return t;
}

// The inputs of decode step `step` for every stream s: a token cycling through the vocabulary,
// at the stream's next position, stream s reading cache s and giving logits row s.
template <class Cache>
void next_step(std::int64_t step, std::int64_t vocab, const std::vector<Cache*>& caches,
               std::vector<std::int32_t>& tok, std::vector<std::int32_t>& pos,
               std::vector<std::int32_t>& seq, std::vector<std::int32_t>& rows) {
  for (std::size_t s = 0; s < caches.size(); ++s) {
    tok[s] = static_cast<std::int32_t>((step * 7 + static_cast<std::int64_t>(s)) % vocab);
    pos[s] = static_cast<std::int32_t>(caches[s]->n_past());
    seq[s] = rows[s] = static_cast<std::int32_t>(s);
  }
}

// How the decode steps of a measurement are taken: `windows` runs of `steps` steps, with
// `bandwidth` (when set) probed before the first run and after each: a window is set against
// the mean of the probes on either side of it, which halves what a drift within a window
// (20-30 % over a minute on a shared host) does to its ratio.
struct DecodePlan {
  std::int64_t steps = 16;
  std::int64_t windows = 1;
  std::function<double()> bandwidth;
  std::function<double()> weights_read;  // seconds, probed as `bandwidth`
};

// Prefills a prompt of `length` (timed), gives `streams` sequences that context, then decodes
// plan.windows × plan.steps steps of all streams together. With `timed`, the op costs of the
// prefill are moved into *prefill_costs and those of the decode steps are left in `timed`.
Row measure(const model::ModelView& view, model::Forward& forward, std::int64_t length,
            std::int64_t streams, const DecodePlan& plan, model::KvType kv_type,
            model::TimedOps* timed = nullptr,
            std::map<std::string, model::OpCost>* prefill_costs = nullptr) {
  const std::int64_t decode = plan.steps * plan.windows;
  Row row{length, streams};
  const std::int64_t vocab = view.lm_head().rows;
  std::vector<std::unique_ptr<model::KvCache>> caches;
  std::vector<float> logits(static_cast<std::size_t>(vocab * streams));
  caches.push_back(std::make_unique<model::KvCache>(
      view, model::KvCacheOptions{length + decode + 1, 512, kv_type}));
  if (timed) timed->reset();
  const auto t0_prefill = Clock::now();
  forward.prefill(prompt_tokens(length, vocab, 0), *caches.back(), logits.data(), false);
  row.ttft_ms = seconds_since(t0_prefill) * 1000.0;
  row.prefill_tps = static_cast<double>(length) / seconds_since(t0_prefill);
  // The other streams start from a copy of the first one's cache: decode cost depends on the
  // context length, not on which tokens it holds, and prefilling each again would only repeat
  // the measurement above.
  for (std::int64_t s = 1; s < streams; ++s) caches.push_back(std::make_unique<model::KvCache>(*caches[0]));
  std::vector<std::int32_t> tok(static_cast<std::size_t>(streams)), pos(tok.size()), seq(tok.size()), rows(tok.size());
  std::vector<model::KvCache*> ptrs;
  for (auto& c : caches) ptrs.push_back(c.get());
  if (timed) {
    if (prefill_costs) *prefill_costs = timed->costs();
    timed->reset();
  }
  double probe_before = plan.bandwidth ? plan.bandwidth() : 0.0;
  double read_before = plan.weights_read ? plan.weights_read() : 0.0;
  for (std::int64_t w = 0; w < plan.windows; ++w) {
    const auto t0 = Clock::now();
    for (std::int64_t step = w * plan.steps; step < (w + 1) * plan.steps; ++step) {
      next_step(step, vocab, ptrs, tok, pos, seq, rows);
      forward.run(model::ForwardBatch{tok, pos, seq, ptrs, rows, logits.data()});
    }
    row.window_tps.push_back(static_cast<double>(plan.steps * streams) / seconds_since(t0));
    if (plan.bandwidth) {
      const double probe_after = plan.bandwidth();
      row.window_bandwidth.push_back((probe_before + probe_after) / 2.0);
      probe_before = probe_after;
    }
    if (plan.weights_read) {
      const double read_after = plan.weights_read();
      row.window_weights_read.push_back((read_before + read_after) / 2.0);
      read_before = read_after;
    }
  }
  row.weights_read_s = median(row.window_weights_read);
  row.decode_tps = median(row.window_tps);
  row.bandwidth = median(row.window_bandwidth);
  row.kv_bytes_per_token = model::KvCache::decode_read_bytes(view, length + decode / 2, kv_type);
  return row;
}

// One table line per measurement.
void print_row(const Row& r) {
  std::fprintf(stdout, "prompt %5lld  streams %2lld  prefill %8.2f tok/s  ttft %9.1f ms  decode %7.2f tok/s\n",
               static_cast<long long>(r.length), static_cast<long long>(r.streams), r.prefill_tps, r.ttft_ms,
               r.decode_tps);
  std::fflush(stdout);
}

// Single-stream decode against the bound: every active weight byte read once per token at the
// bandwidth measured next to that row (else `bandwidth`), and, where known, against the bound
// that also counts the K/V rows each step reads.
void print_bound_lines(const std::vector<Row>& rows, std::uint64_t active_bytes, double bandwidth) {
  const double active = static_cast<double>(std::max<std::uint64_t>(active_bytes, 1));
  for (const Row& r : rows) {
    if (r.streams != 1) continue;
    const double gbs = r.bandwidth > 0 ? r.bandwidth : bandwidth;
    const double weights_only = gbs / active;
    std::fprintf(stdout,
                 "prompt %5lld  decode %.2f tok/s = %.0f%% of the bound (%.2f GB/s: %.2f tok/s)",
                 static_cast<long long>(r.length), r.decode_tps,
                 100.0 * r.decode_tps / weights_only, gbs / 1e9, weights_only);
    if (r.window_bandwidth.size() > 1) {
      std::vector<double> ratio;
      for (std::size_t w = 0; w < r.window_bandwidth.size(); ++w)
        ratio.push_back(100.0 * r.window_tps[w] * active / r.window_bandwidth[w]);
      std::fprintf(
          stdout,
          " [median of %zu windows, each against the bandwidth around it: %.0f%%; %.0f-%.0f%%]",
          ratio.size(), median(ratio), *std::min_element(ratio.begin(), ratio.end()),
          *std::max_element(ratio.begin(), ratio.end()));
    }
    if (!r.window_weights_read.empty()) {
      std::vector<double> ratio;
      for (std::size_t w = 0; w < r.window_weights_read.size(); ++w)
        ratio.push_back(100.0 * r.window_tps[w] * r.window_weights_read[w]);
      std::fprintf(stdout,
                   "; %.0f%% (%.0f-%.0f%%) of the speed of a plain read of its active weights "
                   "where they lie (%.1f ms a step)",
                   median(ratio), *std::min_element(ratio.begin(), ratio.end()),
                   *std::max_element(ratio.begin(), ratio.end()), r.weights_read_s * 1e3);
    }
    if (r.kv_bytes_per_token > 0) {
      const double with_kv = gbs / (active + static_cast<double>(r.kv_bytes_per_token));
      std::fprintf(stdout, "; %.0f%% of it with the %.1f MB of K/V each step reads (%.2f tok/s)",
                   100.0 * r.decode_tps / with_kv, static_cast<double>(r.kv_bytes_per_token) / 1e6,
                   with_kv);
    }
    std::fprintf(stdout, "\n");
  }
}

// "[1.5,2.25]"
std::string json_numbers(const std::vector<double>& v, double scale) {
  std::string out = "[";
  char buf[32];
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%s%.3f", i ? "," : "", v[i] * scale);
    out += buf;
  }
  return out + "]";
}

// The JSON array of measurements and the closing of the object it ends.
void print_results_json(const std::vector<Row>& rows) {
  for (std::size_t i = 0; i < rows.size(); ++i)
    std::printf(
        "%s{\"prompt\":%lld,\"streams\":%lld,\"prefill_tps\":%.3f,\"ttft_ms\":%.1f,"
        "\"decode_tps\":%.3f,\"read_bandwidth_gbs\":%.3f,\"kv_bytes_per_token\":%llu,"
        "\"window_decode_tps\":%s,\"window_read_bandwidth_gbs\":%s,\"weights_read_ms\":%.2f,"
        "\"window_weights_read_ms\":%s}",
        i ? "," : "", static_cast<long long>(rows[i].length),
        static_cast<long long>(rows[i].streams), rows[i].prefill_tps, rows[i].ttft_ms,
        rows[i].decode_tps, rows[i].bandwidth / 1e9,
        static_cast<unsigned long long>(rows[i].kv_bytes_per_token),
        json_numbers(rows[i].window_tps, 1.0).c_str(),
        json_numbers(rows[i].window_bandwidth, 1e-9).c_str(), rows[i].weights_read_s * 1e3,
        json_numbers(rows[i].window_weights_read, 1e3).c_str());
  std::printf("]}\n");
}

// measure() through a backend (the CUDA path): the same prompt and decode steps.
Row measure_backend(model::Backend& backend, std::int64_t length, std::int64_t streams, std::int64_t decode) {
  Row row{length, streams};
  const std::int64_t vocab = backend.n_vocab();
  std::vector<std::unique_ptr<model::KvState>> caches;
  std::vector<float> logits(static_cast<std::size_t>(vocab * streams));
  const auto prompt = prompt_tokens(length, vocab, 0);
  for (std::int64_t s = 0; s < streams; ++s) {
    caches.push_back(backend.new_sequence());
    const auto t0_prefill = Clock::now();
    if (!backend.prefill(prompt, *caches.back(), logits.data(), false, 512)) return row;
    if (s == 0) {
      row.ttft_ms = seconds_since(t0_prefill) * 1000.0;
      row.prefill_tps = static_cast<double>(length) / seconds_since(t0_prefill);
    }
  }
  std::vector<std::int32_t> tok(static_cast<std::size_t>(streams)), pos(tok.size()), seq(tok.size()), rows(tok.size());
  std::vector<model::KvState*> ptrs;
  for (auto& c : caches) ptrs.push_back(c.get());
  const auto t0 = Clock::now();
  for (std::int64_t step = 0; step < decode; ++step) {
    next_step(step, vocab, ptrs, tok, pos, seq, rows);
    if (!backend.run(model::BackendBatch{tok, pos, seq, ptrs, rows, logits.data()})) return row;
  }
  row.decode_tps = static_cast<double>(decode * streams) / seconds_since(t0);
  return row;
}

// The whole bench on a device backend: the table and the JSON object (results only).
// The bound: every active weight byte read once per decoded token (one stream) at the device's
// measured copy bandwidth.
int bench_on_device(model::Backend& backend, const std::string& model_path, const std::vector<std::int64_t>& lengths,
                    const std::vector<std::int64_t>& streams, std::int64_t decode, bool json_only,
                    std::uint64_t active_bytes) {
  std::vector<Row> rows;
  for (std::int64_t len : lengths)
    for (std::int64_t s : streams) {
      rows.push_back(measure_backend(backend, len, s, decode));
      if (!json_only) print_row(rows.back());
    }
  const double bandwidth = backend.memory_bandwidth();
  const double bound_tps = bandwidth / static_cast<double>(std::max<std::uint64_t>(active_bytes, 1));
  if (!json_only && bandwidth > 0.0) {
    std::fprintf(stdout, "device copy bandwidth %.1f GB/s; active weights %.3f GB/token; decode bound %.1f tok/s\n",
                 bandwidth / 1e9, static_cast<double>(active_bytes) / 1e9, bound_tps);
    print_bound_lines(rows, active_bytes, bandwidth);
  }
  if (!json_only && backend.captured_step_nodes() > 0)
    std::fprintf(stdout, "last decode step captured as a graph of %lld kernel launches and copies\n",
                 static_cast<long long>(backend.captured_step_nodes()));
  std::printf("{\"model\":\"%s\",\"device\":\"%s\",\"active_bytes_per_token\":%llu,"
              "\"read_bandwidth_gbs\":%.3f,\"decode_bound_tps\":%.3f,\"results\":[",
              model_path.c_str(), backend.describe().c_str(), static_cast<unsigned long long>(active_bytes),
              bandwidth / 1e9, bound_tps);
  print_results_json(rows);
  return 0;
}

// One line per op kind: ms per step (a decode step, or the whole prefill), share, weight GB/s.
void print_op_costs(const char* what, const std::map<std::string, model::OpCost>& costs,
                    std::int64_t steps) {
  double total = 0;
  for (const auto& [kind, c] : costs) total += c.seconds;
  std::fprintf(stdout, "%s by op (%lld steps, %.1f ms per step):\n", what, static_cast<long long>(steps),
               1000.0 * total / static_cast<double>(steps));
  for (const auto& [kind, c] : costs) {
    const double ms = 1000.0 * c.seconds / static_cast<double>(steps);
    std::fprintf(stdout, "  %-16s %8.2f ms %5.1f%%", kind.c_str(), ms, 100.0 * c.seconds / total);
    if (c.weight_bytes > 0)
      std::fprintf(stdout, "  %7.1f MB  %6.2f GB/s", static_cast<double>(c.weight_bytes) / 1e6 / static_cast<double>(steps),
                   static_cast<double>(c.weight_bytes) / c.seconds / 1e9);
    std::fprintf(stdout, "\n");
  }
}

}  // namespace

int run_bench(Args args) {
  ArgParser parser("coderx bench", "Measure prefill and decode throughput of the CPU engine.");
  std::string model_path, lengths_text = "128,512,2048", streams_text = "1,4";
  std::int64_t decode = 16, windows = 1, threads = 0;
  bool json_only = false, op_costs = false, file_layout = false;
  std::string kv_text = "auto";
  model::DeviceKind device = model::DeviceKind::auto_select;
  parser.option("--model", &model_path, "FILE", "GGUF model file");
  parser.option("--lengths", &lengths_text, "N,N", "prompt lengths (default 128,512,2048)");
  parser.option("--streams", &streams_text, "N,N", "concurrent decode streams (default 1,4)");
  parser.option("--decode", &decode, "N", "decode steps per measurement (default 16)");
  parser.option("--windows", &windows, "N",
                "single-stream decode in N windows of --decode steps, the bandwidth probed before "
                "and after each; medians reported (default 1)");
  parser.option("--threads", &threads, "N", "compute threads (default: all cores)");
  parser.flag("--ops", &op_costs, "print the time per op kind of one prefill and its decode");
  parser.flag("--json", &json_only, "print only the JSON object");
  parser.flag("--file-layout", &file_layout,
              "run on the file's own weight layout, without the CPU engine's repacked copy "
              "(CpuBackendOptions::repack off; for comparisons)");
  parser.option(
      "--kv", &kv_text, "auto|f32|f16|q8_0",
      "K/V storage on the CPU (EngineOptions::kv_type; default auto: the engine's choice, "
      "half for quantised attention weights)");
  add_device_option(parser, &device);
  if (auto rc = parser.parse(args)) return *rc;
  const std::vector<std::int64_t> lengths = parse_list(lengths_text, kMaxLength);
  const std::vector<std::int64_t> streams = parse_list(streams_text, kMaxStreams);
  if (model_path.empty() || lengths.empty() || streams.empty() || decode <= 0 || windows <= 0 ||
      decode > kMaxLength || windows > kMaxLength || threads < 0 ||
      (kv_text != "auto" && !model::parse_kv_type(kv_text))) {
    std::fprintf(stderr,
                 "coderx bench: need --model; --lengths are comma-separated numbers from 1 to "
                 "%lld, --streams from 1 to %lld; --decode and --windows at least 1; --kv is auto, "
                 "f32, f16 or q8_0\n",
                 static_cast<long long>(kMaxLength), static_cast<long long>(kMaxStreams));
    return 2;
  }
  const auto load_start = Clock::now();
  auto resolved = server::resolve_model_ref(model_path);
  if (!resolved) {
    std::fprintf(stderr, "coderx bench: %s\n", resolved.error().message.c_str());
    return 1;
  }
  auto model = model::ModelFile::open(*resolved);
  if (!model) {
    std::fprintf(stderr, "coderx bench: %s\n", model.error().message.c_str());
    return 1;
  }
  const double load_s = seconds_since(load_start);
  if (device != model::DeviceKind::cpu) {
    model::BackendOptions options;
    options.device = device;
    options.threads = static_cast<int>(threads);
    options.kv = model::KvCacheOptions{*std::max_element(lengths.begin(), lengths.end()) + decode + 1, 512};
    options.n_sequences = static_cast<int>(*std::max_element(streams.begin(), streams.end()));
    options.max_tokens = 512;
    options.repack = false;  // a CPU backend here is only asked whether it is on a device
    auto backend = model::make_backend((*model)->view(), options);
    if (backend->on_device())
      return bench_on_device(*backend, model_path, lengths, streams, decode, json_only,
                             (*model)->weights().memory.active_bytes_per_token);
  }
  // Steady-state numbers: every weight page mapped before the first timed token, as in a server
  // that has been up a while (the engine does this in the background after loading).
  const auto populate_start = Clock::now();
  const model::WarmedWeights warmed = model::worth_populating((*model)->gguf().bytes().size())
                                          ? model::warm_weights((*model)->gguf().bytes())
                                          : model::WarmedWeights{};
  const double populate_s = seconds_since(populate_start);
  const model::KvType kv_type = kv_text != "auto" ? *model::parse_kv_type(kv_text)
                                                  : model::KvCache::default_type((*model)->view());
  const std::string kv_name(model::kv_type_name(kv_type));
  model::ThreadPool pool(static_cast<int>(threads));
  model::CpuOps ops(pool);
  // As CpuBackend: the fast ops on the repacked copy of the weights they read fastest.
  const auto repack_start = Clock::now();
  std::optional<model::RepackedModel> repacked;
  if (!file_layout) repacked.emplace((*model)->view(), &pool, (*model)->gguf().bytes());
  const double repack_s = seconds_since(repack_start);
  const model::ModelView& weights = repacked ? repacked->view : (*model)->view();
  model::Forward forward(weights, ops);
  std::vector<Row> rows;
  std::mt19937 rng(1);  // the experts the weights-read probe picks
  for (std::int64_t len : lengths)
    for (std::int64_t s : streams) {
      // The machine's bandwidth drifts by 20 % over minutes here: measure it next to each
      // single-stream decode window.
      DecodePlan plan{decode, s == 1 ? windows : 1, {}};
      if (s == 1) {
        plan.bandwidth = [&pool] { return model::read_bandwidth(pool, std::size_t{1} << 30, 3); };
        plan.weights_read = [&pool, &weights, &rng] {
          return model::read_spans(pool, model::active_weight_spans(weights, rng)).seconds;
        };
      }
      rows.push_back(measure((*model)->view(), forward, len, s, plan, kv_type));
      if (op_costs && s == 1 && !json_only) {
        op_costs = false;
        model::TimedOps timed(ops);
        model::Forward timed_forward(weights, timed);
        std::map<std::string, model::OpCost> prefill;
        measure((*model)->view(), timed_forward, len, 1, DecodePlan{decode, 1, {}}, kv_type, &timed,
                &prefill);
        print_op_costs("prefill", prefill, 1);
        print_op_costs("decode step", timed.costs(), decode);
      }
      if (!json_only) print_row(rows.back());
    }
  const auto& mem = (*model)->weights().memory;
  const double rss_mib = peak_rss_mib();  // before the bandwidth buffer below
  // The bound: every active weight byte is read once per decoded token (one stream).
  const double bandwidth = model::read_bandwidth(pool);
  const double bound_tps = bandwidth / static_cast<double>(std::max<std::uint64_t>(mem.active_bytes_per_token, 1));
  if (!json_only) {
    std::fprintf(stdout,
                 "weights mapped ahead of the runs: %.1f GB in %.2f s (%.1f GB re-read into 2 MiB "
                 "pages; %.1f GB in 2 MiB pages)\n",
                 static_cast<double>(warmed.populated) / 1e9, populate_s,
                 static_cast<double>(warmed.remapped) / 1e9,
                 static_cast<double>(warmed.huge) / 1e9);
    if (repacked)
      std::fprintf(
          stdout,
          "weights repacked for the CPU kernels: %.1f GB in %.2f s (%.1f GB in 2 MiB pages)\n",
          static_cast<double>(repacked->weights.bytes()) / 1e9, repack_s,
          static_cast<double>(model::huge_mapped_bytes(repacked->weights.copy())) / 1e9);
    std::fprintf(stdout,
                 "read bandwidth %.2f GB/s (%d threads); active weights %.3f GB/token; decode "
                 "bound %.2f tok/s; K/V in %s\n",
                 bandwidth / 1e9, pool.size(),
                 static_cast<double>(mem.active_bytes_per_token) / 1e9, bound_tps, kv_name.c_str());
    print_bound_lines(rows, mem.active_bytes_per_token, bandwidth);
  }
  std::printf(
      "{\"model\":\"%s\",\"threads\":%d,\"kv\":\"%s\",\"load_s\":%.3f,\"populate_s\":%.3f,"
      "\"repacked_bytes\":%llu,\"repack_s\":%.3f,\"huge_page_bytes\":%llu,"
      "\"weight_bytes\":%llu,\"active_bytes_per_token\":%llu,\"read_bandwidth_gbs\":%.3f,"
      "\"decode_bound_tps\":%.3f,\"peak_rss_mib\":%.1f,\"results\":[",
      model_path.c_str(), pool.size(), kv_name.c_str(), load_s, populate_s,
      static_cast<unsigned long long>(repacked ? repacked->weights.bytes() : 0), repack_s,
      static_cast<unsigned long long>(warmed.huge),
      static_cast<unsigned long long>(mem.weight_bytes),
      static_cast<unsigned long long>(mem.active_bytes_per_token), bandwidth / 1e9, bound_tps,
      rss_mib);
  print_results_json(rows);
  return 0;
}

}  // namespace coderx::cli
