// bench_context: numbers for the workspace-context module (issue 6).
//   1. index throughput (files/s, MB/s) and memory on real trees, cold (no cache) and warm
//      (restart with the on-disk cache);
//   2. gather latency p50/p99 on a generated 5,000-file workspace;
//   3. incremental reparse after one keystroke in generated 5,000-line files.
// Usage: bench_context [--threads N] [--gather-iters N] [--keystroke-only] [ROOT...]
//   (default roots: /usr/include /usr/include/boost /usr/lib/python3.11)
// Run it once; it is not a test. Output: one line per measurement on stdout.
#include "context/document.h"
#include "context/gather.h"
#include "context/index.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <random>
#include <unistd.h>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace coderx::context;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// CPU seconds of the calling thread (the machine may be shared: wall time then overstates).
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

long rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string key;
  long value = 0;
  while (in >> key) {
    if (key == "VmRSS:") {
      in >> value;
      return value;
    }
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

struct Percentiles {
  double p50, p99, max;
};

Percentiles percentiles(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<std::size_t>(q * v.size()))]; };
  return {at(0.5), at(0.99), v.back()};
}

void bench_index(const fs::path& root, unsigned threads, const fs::path& tmp) {
  if (!fs::is_directory(root)) {
    std::printf("index %s: not found, skipped\n", root.c_str());
    return;
  }
  IndexOptions opts;
  opts.threads = threads;
  opts.cache_file = tmp / (std::to_string(std::hash<std::string>{}(root.string())) + ".idx");
  fs::remove(opts.cache_file);
  const long rss0 = rss_kib();
  auto t0 = Clock::now();
  const double c0 = process_cpu_seconds();
  auto idx = WorkspaceIndex::build(root, opts);
  const double cold = seconds_since(t0);
  const double cold_cpu = process_cpu_seconds() - c0;
  if (!idx) {
    std::printf("index %s: %s\n", root.c_str(), idx.error().message.c_str());
    return;
  }
  const IndexStats st = (*idx)->stats();
  const long rss1 = rss_kib();
  auto t1 = Clock::now();
  (void)(*idx)->save_cache();
  const double save = seconds_since(t1);
  idx->reset();
  auto t2 = Clock::now();
  const double c2 = process_cpu_seconds();
  auto warm = WorkspaceIndex::build(root, opts);
  const double warm_s = seconds_since(t2);
  const double warm_cpu = process_cpu_seconds() - c2;
  const double mb = static_cast<double>(st.bytes) / 1e6;
  std::printf("index %s: %zu files (%zu skipped: %zu large, %zu binary, %zu no language), %zu symbols, "
              "%.1f MB; cold %.2f s wall, %.2f s CPU = %.0f files/s, %.2f MB/s per CPU second (threads %u); "
              "memory +%.0f MB RSS; cache save %.2f s, %.1f MB on disk; warm restart %.2f s wall, %.2f s CPU "
              "(%zu from cache, %zu parsed)\n",
              root.c_str(), st.files, st.skipped_large + st.skipped_binary + st.skipped_other,
              st.skipped_large, st.skipped_binary, st.skipped_other, st.symbols, mb, cold, cold_cpu,
              static_cast<double>(st.files) / cold_cpu, mb / cold_cpu, threads, (rss1 - rss0) / 1024.0, save,
              static_cast<double>(fs::file_size(opts.cache_file)) / 1e6, warm_s, warm_cpu,
              warm ? (*warm)->stats().from_cache : 0, warm ? (*warm)->stats().parsed : 0);
}

// A workspace of `n` Python modules; each imports two others and calls their functions.
void generate_workspace(const fs::path& dir, int n) {
  for (int i = 0; i < n; ++i) {
    const int a = (i * 7 + 1) % n, b = (i * 13 + 5) % n;
    std::string s = "from pkg" + std::to_string(a / 100) + ".mod" + std::to_string(a) + " import f" +
                    std::to_string(a) + "_0\nfrom pkg" + std::to_string(b / 100) + ".mod" +
                    std::to_string(b) + " import f" + std::to_string(b) + "_1\n\n";
    for (int k = 0; k < 8; ++k) {
      s += "def f" + std::to_string(i) + "_" + std::to_string(k) + "(x, y):\n";
      s += "    \"\"\"Function " + std::to_string(k) + " of module " + std::to_string(i) + ".\"\"\"\n";
      s += "    total = f" + std::to_string(a) + "_0(x, 1) + f" + std::to_string(b) + "_1(y, 2)\n";
      for (int l = 0; l < 4; ++l) s += "    total = total * " + std::to_string(l + 2) + " + x\n";
      s += "    return total\n\n";
    }
    const fs::path p = dir / ("pkg" + std::to_string(i / 100)) / ("mod" + std::to_string(i) + ".py");
    fs::create_directories(p.parent_path());
    std::ofstream(p) << s;
    if (i % 100 == 0) std::ofstream(p.parent_path() / "__init__.py") << "";
  }
}

void bench_gather(const fs::path& tmp, int iters) {
  const fs::path ws = tmp / "ws5000";
  generate_workspace(ws, 5000);
  auto t0 = Clock::now();
  auto idx = WorkspaceIndex::build(ws);
  const double build_s = seconds_since(t0);
  if (!idx) return;
  std::mt19937 rng(1);
  std::vector<double> ms, cpu_ms;
  std::size_t defs = 0;
  for (int it = 0; it < iters; ++it) {
    const int i = static_cast<int>(rng() % 5000);
    const std::string rel = "pkg" + std::to_string(i / 100) + "/mod" + std::to_string(i) + ".py";
    std::ifstream in(ws / rel);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    Document doc(language_by_id("python"), text, 1);
    DocumentSnapshot snap = doc.snapshot();
    GatherRequest req;
    req.document = &snap;
    req.path = rel;
    const auto at = text.find("total = total", rng() % text.size());
    req.start_byte = req.end_byte = static_cast<std::uint32_t>(at == std::string::npos ? text.size() / 2 : at);
    req.budget_tokens = 2048;
    req.count_tokens = [](std::string_view s) { return (s.size() + 3) / 4; };
    req.index = idx->get();
    auto t = Clock::now();
    const double c = thread_cpu_seconds();
    GatherResult r = gather(req);
    ms.push_back(seconds_since(t) * 1e3);
    cpu_ms.push_back((thread_cpu_seconds() - c) * 1e3);
    for (const Snippet& s : r.snippets) defs += s.kind == SnippetKind::definition;
  }
  const Percentiles p = percentiles(ms);
  const Percentiles pc = percentiles(cpu_ms);
  std::printf("gather on a 5,000-file workspace (indexed in %.2f s): wall p50 %.3f ms, p99 %.3f ms, max %.3f ms; "
              "CPU p50 %.3f ms, p99 %.3f ms; over %d cursors (%.1f cross-file definitions per gather)\n",
              build_s, p.p50, p.p99, p.max, pc.p50, pc.p99, iters, static_cast<double>(defs) / iters);
}

// One-character insertions at random lines of a 5,000-line C file; `small_functions` picks
// 1,000 five-line functions (many top-level nodes: the worst case for reuse) or 50 functions
// of 100 lines.
void bench_keystroke(bool small_functions) {
  std::string text;
  if (small_functions) {
    for (int i = 0; i < 1000; ++i) {
      text += "int func" + std::to_string(i) + "(int a, int b) {\n";
      text += "  int c = a * " + std::to_string(i) + ";\n  c += b;\n  return c;\n}\n";
    }
  } else {
    for (int f = 0; f < 50; ++f) {
      text += "int func" + std::to_string(f) + "(int a, int b) {\n  int c = 0;\n";
      for (int l = 0; l < 97; ++l) text += "  c += a * " + std::to_string(l) + " + b;\n";
      text += "}\n";
    }
  }
  Document doc(language_by_id("c"), text, 1);
  std::mt19937 rng(2);
  std::vector<double> us_apply, us_cpu;
  for (int it = 0; it < 300; ++it) {
    const std::uint32_t line = small_functions ? 1 + 5 * static_cast<std::uint32_t>(rng() % 1000)
                                               : 2 + static_cast<std::uint32_t>(rng() % 4990);
    std::vector<TextChange> change{{Range{{line, 7}, {line, 7}}, "x"}};
    auto t = Clock::now();
    const double c = thread_cpu_seconds();
    auto r = doc.apply(change, it + 2);
    us_apply.push_back(seconds_since(t) * 1e6);
    us_cpu.push_back((thread_cpu_seconds() - c) * 1e6);
    if (!r || *r != ParseStatus::parsed) std::printf("keystroke: parse did not finish\n");
  }
  const Percentiles p = percentiles(us_apply);
  const Percentiles pc = percentiles(us_cpu);
  std::printf("keystroke in a %u-line C file of %s (apply edit + incremental reparse): wall p50 %.0f us, "
              "p99 %.0f us; CPU p50 %.0f us, p99 %.0f us; over 300 edits\n",
              doc.lines().line_count(), small_functions ? "1,000 small functions" : "50 long functions",
              p.p50, p.p99, pc.p50, pc.p99);
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress is visible when redirected
  spdlog::set_level(spdlog::level::warn);
  unsigned threads = 1;
  int gather_iters = 1000;
  bool keystroke_only = false;
  std::vector<fs::path> roots;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--threads" && i + 1 < argc) threads = static_cast<unsigned>(std::stoul(argv[++i]));
    else if (a == "--gather-iters" && i + 1 < argc) gather_iters = std::stoi(argv[++i]);
    else if (a == "--keystroke-only") keystroke_only = true;
    else if (a.rfind("--", 0) == 0) {
      std::fprintf(stderr, "bench_context: unknown flag %s\n", a.c_str());
      return 2;
    } else roots.emplace_back(a);
  }
  if (roots.empty()) roots = {"/usr/include", "/usr/include/boost", "/usr/lib/python3.11"};
  const fs::path tmp = fs::temp_directory_path() / ("coderx-bench-context-" + std::to_string(::getpid()));
  fs::create_directories(tmp);
  bench_keystroke(true);
  bench_keystroke(false);
  if (keystroke_only) return 0;
  bench_gather(tmp, gather_iters);
  for (const fs::path& root : roots) bench_index(root, threads, tmp);
  std::error_code ec;
  fs::remove_all(tmp, ec);
  return 0;
}
