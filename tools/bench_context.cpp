// bench_context: numbers for the workspace-context module (issue 6).
//   1. index throughput (files/s, MB/s) and memory on real trees, cold (no cache) and warm
//      (restart with the on-disk cache);
//   2. gather latency p50/p99 on a generated 5,000-file workspace;
//   3. incremental reparse after one keystroke in generated 5,000-line files, one per language
//      shape (bench_context_sources.h), p50/p99 each (with --keystroke-broken, while the file
//      has a syntax error near its top);
//   4. with --reuse-report, per keystroke source: what tree-sitter reused and re-lexed for one
//      keystroke (bench_context_reuse.h), which explains the keystroke cost per language.
// Usage: bench_context [--threads N] [--gather-iters N] [--keystroke-only]
//                      [--keystroke-filter SUBSTRING] [--keystroke-edits N] [--keystroke-broken]
//                      [--keystroke-top LINES]
//                      [--reuse-report]
//                      [ROOT...]
//   (default roots: /usr/include /usr/include/boost /usr/lib/python3.11)
// Run it once; it is not a test. Output: one line per measurement on stdout.
#include "context/document.h"
#include "context/gather.h"
#include "context/index.h"
#include "bench_context_reuse.h"
#include "bench_context_sources.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <random>
#include <stop_token>
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

// Column just past the last identifier on `line`, or -1 when it has none: typing there extends
// a name (the common keystroke) and keeps the file free of syntax errors.
int after_last_identifier(std::string_view line) {
  auto ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (int i = static_cast<int>(line.size()); i > 0; --i)
    if (ident(line[i - 1]) && !std::isdigit(static_cast<unsigned char>(line[i - 1]))) {
      int start = i;
      while (start > 0 && ident(line[start - 1])) --start;
      if (!std::isdigit(static_cast<unsigned char>(line[start]))) return i;
    }
  return -1;
}

// Where the next keystroke goes: after the last identifier of a random line (of the first
// `top_lines` when not 0).
Position pick_keystroke(const Document& doc, std::mt19937& rng, std::uint32_t top_lines = 0) {
  const std::uint32_t lines = top_lines ? std::min(top_lines, doc.lines().line_count()) : doc.lines().line_count();
  for (std::uint32_t line = static_cast<std::uint32_t>(rng() % lines);; line = (line + 1) % lines) {
    const std::uint32_t begin = doc.lines().line_start(line);
    const int column = after_last_identifier(std::string_view(doc.text()).substr(begin, doc.lines().line_end(line) - begin));
    if (column >= 0) return Position{line, static_cast<std::uint32_t>(column)};
  }
}

// CPU time of `edits` keystrokes applied without parsing (a stop token already fired): what
// the LSP reader thread does per didChange (text, line index, tree edit).
Percentiles text_only_keystrokes(const coderx::bench::BenchSource& src, int edits) {
  Document doc(language_by_id(src.language_id), src.text, 1);
  std::stop_source stopped;
  stopped.request_stop();
  ParseLimits no_parse;
  no_parse.stop = stopped.get_token();
  std::mt19937 rng(3);
  std::vector<double> us;
  for (int it = 0; it < edits; ++it) {
    const Position at = pick_keystroke(doc, rng);
    std::vector<TextChange> change{{Range{at, at}, "x"}};
    const double c = thread_cpu_seconds();
    (void)doc.apply(change, it + 2, no_parse);
    us.push_back((thread_cpu_seconds() - c) * 1e6);
  }
  return percentiles(us);
}

// `edits` one-character insertions (pick_keystroke) into a generated 5,000-line file; each is
// timed from apply() (edit + line index + incremental reparse) to the new tree, and in CPU
// time also with freeing the tree it replaced (which the LSP parse thread does after handing
// out the new tree). At the end the tree is compared with a full parse of the text.
// `broken`: first an unclosed "(" goes after a name near the top, so that every keystroke is
// parsed while the file has a syntax error (the document then also reparses its whole tree).
// `top_lines`: keystrokes only in the first lines (the head of a class that is the whole file).
void bench_keystroke(const coderx::bench::BenchSource& src, int edits, bool broken, std::uint32_t top_lines) {
  Document doc(language_by_id(src.language_id), src.text, 1);
  doc.defer_whole_check(true);  // as the LSP store: the whole-tree check runs after the pieces are out
  std::mt19937 rng(2);
  if (broken) {
    std::mt19937 top(1);
    Position at = pick_keystroke(doc, top);
    while (at.line > 100) at = pick_keystroke(doc, top);
    (void)doc.apply(std::vector<TextChange>{{Range{at, at}, "("}}, 1);
  }
  std::vector<double> us_apply, us_cpu, us_total, us_whole;
  for (int it = 0; it < edits; ++it) {
    const Position at = pick_keystroke(doc, rng, top_lines);
    std::vector<TextChange> change{{Range{at, at}, "x"}};
    auto t = Clock::now();
    const double c = thread_cpu_seconds();
    auto r = doc.apply(change, it + 2);
    us_apply.push_back(seconds_since(t) * 1e6);
    us_cpu.push_back((thread_cpu_seconds() - c) * 1e6);
    doc.take_retired_trees().clear();  // what the LSP parse thread does after publishing the trees
    us_total.push_back((thread_cpu_seconds() - c) * 1e6);
    if (!r || *r != ParseStatus::parsed) std::printf("keystroke: parse did not finish\n");
    if (doc.whole_check_pending()) {  // then, in the background, cancelled by the next edit
      t = Clock::now();
      doc.check_whole();
      us_whole.push_back(seconds_since(t) * 1e6);
      doc.take_retired_trees().clear();
    }
  }
  Document full(language_by_id(src.language_id), doc.text(), 1);
  const bool same = doc.syntax().sexp() == full.syntax().sexp();
  const char* differs = doc.syntax().has_error() && full.syntax().has_error() ? "differs (both have errors) from" : "DIFFERS FROM";
  const Percentiles p = percentiles(us_apply);
  const Percentiles pc = percentiles(us_cpu);
  const Percentiles pt = percentiles(us_total);
  const Percentiles text_only = text_only_keystrokes(src, edits);
  const std::string where = top_lines ? " in its first " + std::to_string(top_lines) + " lines" : "";
  std::printf("keystroke %-38s %u lines%s%s: wall p50 %5.0f us, p99 %5.0f us; CPU p50 %5.0f us, p99 %5.0f us; "
              "CPU with freeing the old tree p50 %5.0f us; without parsing (reader thread) CPU p50 %4.1f us; "
              "%d edits; %zu pieces; tree %s full reparse\n",
              (src.name + ",").c_str(), doc.lines().line_count(), where.c_str(), broken ? " with a syntax error" : "",
              p.p50, p.p99,
              pc.p50, pc.p99, pt.p50, text_only.p50, edits, doc.syntax().size(), same ? "==" : differs);
  if (!us_whole.empty())
    std::printf("  then the whole-tree check (piecewise_parse.h) after %zu of them: wall p50 %.0f us, p99 %.0f us\n",
                us_whole.size(), percentiles(us_whole).p50, percentiles(us_whole).p99);
}

void bench_keystrokes(const std::string& only, int edits, bool reuse_report, bool broken, std::uint32_t top_lines) {
  for (const coderx::bench::BenchSource& src : coderx::bench::keystroke_sources()) {
    if (!only.empty() && src.name.find(only) == std::string::npos) continue;
    bench_keystroke(src, edits, broken, top_lines);
    if (reuse_report) coderx::bench::print_reuse_report(src);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress is visible when redirected
  spdlog::set_level(spdlog::level::warn);
  unsigned threads = 1;
  int gather_iters = 1000;
  bool keystroke_only = false, reuse_report = false, broken = false;
  std::string keystroke_filter;
  int keystroke_edits = 300;
  std::uint32_t keystroke_top = 0;
  std::vector<fs::path> roots;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--threads" && i + 1 < argc) threads = static_cast<unsigned>(std::stoul(argv[++i]));
    else if (a == "--gather-iters" && i + 1 < argc) gather_iters = std::stoi(argv[++i]);
    else if (a == "--keystroke-only") keystroke_only = true;
    else if (a == "--keystroke-filter" && i + 1 < argc) keystroke_filter = argv[++i];
    else if (a == "--keystroke-edits" && i + 1 < argc) keystroke_edits = std::stoi(argv[++i]);
    else if (a == "--reuse-report") reuse_report = true;
    else if (a == "--keystroke-broken") broken = true;
    else if (a == "--keystroke-top" && i + 1 < argc) keystroke_top = static_cast<std::uint32_t>(std::stoul(argv[++i]));
    else if (a.rfind("--", 0) == 0) {
      std::fprintf(stderr, "bench_context: unknown flag %s\n", a.c_str());
      return 2;
    } else roots.emplace_back(a);
  }
  if (roots.empty()) roots = {"/usr/include", "/usr/include/boost", "/usr/lib/python3.11"};
  const fs::path tmp = fs::temp_directory_path() / ("coderx-bench-context-" + std::to_string(::getpid()));
  fs::create_directories(tmp);
  bench_keystrokes(keystroke_filter, keystroke_edits, reuse_report, broken, keystroke_top);
  if (keystroke_only) return 0;
  bench_gather(tmp, gather_iters);
  for (const fs::path& root : roots) bench_index(root, threads, tmp);
  std::error_code ec;
  fs::remove_all(tmp, ec);
  return 0;
}
