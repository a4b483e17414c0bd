#include "context/gather.h"

#include "context/read_file.h"
#include "context/symbols.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_set>

namespace coderx::context {

namespace {

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (true) {
    const auto nl = text.find('\n');
    lines.push_back(text.substr(0, nl == std::string_view::npos ? text.size() : nl + 1));
    if (nl == std::string_view::npos) break;
    text = text.substr(nl + 1);
  }
  return lines;
}

std::string join_lines(const std::vector<std::string_view>& lines, std::size_t from, std::size_t to) {
  std::string out;
  for (std::size_t i = from; i < to && i < lines.size(); ++i) out += lines[i];
  return out;
}

std::string make_header(const Snippet& s) {
  return "--- " + s.path + ":" + std::to_string(s.start_line + 1) + "-" +
         std::to_string(s.end_line + 1) + " (" + std::string(to_string(s.kind)) + ")\n";
}

bool overlaps(std::uint32_t a0, std::uint32_t a1, std::uint32_t b0, std::uint32_t b1) {
  return a0 <= b1 && b0 <= a1;
}

bool is_identifier(TSNode n) {
  std::string_view type = ts_node_type(n);
  if (type.size() >= 10 && type.substr(type.size() - 10) == "identifier") return true;
  // shell: the command word names a function
  return type == "word" && std::string_view(ts_node_type(ts_node_parent(n))) == "command_name";
}

struct NearName {
  std::string name;
  std::uint32_t distance;  // lines from the cursor
};

// Adds the identifiers in [from, to) bytes that piece i of `trees` shows to `best` (name ->
// lines from the cursor).
void collect_identifiers(const SyntaxTrees& trees, std::size_t i, std::string_view text, std::uint32_t from,
                         std::uint32_t to, std::uint32_t cursor_line, std::map<std::string, std::uint32_t>& best) {
  TSTreeCursor cur = ts_tree_cursor_new(trees.root(i));
  bool descend = true;
  std::size_t visited = 0;
  while (visited++ < 200000) {
    TSNode n = ts_tree_cursor_current_node(&cur);
    const bool in_range = ts_node_end_byte(n) > from && ts_node_start_byte(n) < to;
    if (descend && in_range && ts_tree_cursor_goto_first_child(&cur)) continue;
    if (in_range && ts_node_child_count(n) == 0 && is_identifier(n) && trees.shows(i, ts_node_start_byte(n))) {
      const std::uint32_t row = ts_node_start_point(n).row;
      const std::uint32_t d = row > cursor_line ? row - cursor_line : cursor_line - row;
      auto [it, fresh] = best.emplace(std::string(node_text(n, text)), d);
      if (!fresh) it->second = std::min(it->second, d);
    }
    if (ts_tree_cursor_goto_next_sibling(&cur)) { descend = true; continue; }
    if (!ts_tree_cursor_goto_parent(&cur)) break;
    descend = false;
  }
  ts_tree_cursor_delete(&cur);
}

// Identifiers in [from, to) bytes of the document, nearest to `cursor_line` first.
std::vector<NearName> identifiers_near(const SyntaxTrees& trees, std::string_view text, std::uint32_t from,
                                       std::uint32_t to, std::uint32_t cursor_line, std::size_t limit) {
  std::map<std::string, std::uint32_t> best;
  for (std::size_t i : trees.pieces_between(from, to)) collect_identifiers(trees, i, text, from, to, cursor_line, best);
  std::vector<NearName> out;
  for (auto& [name, d] : best)
    if (name.size() > 1) out.push_back({name, d});
  std::stable_sort(out.begin(), out.end(), [](const NearName& a, const NearName& b) { return a.distance < b.distance; });
  if (out.size() > limit) out.resize(limit);
  return out;
}

std::set<std::string> word_set(std::string_view text) {
  std::set<std::string> words;
  std::string cur;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') { cur += c; continue; }
    if (cur.size() > 1) words.insert(cur);
    cur.clear();
  }
  if (cur.size() > 1) words.insert(cur);
  return words;
}

double jaccard(const std::set<std::string>& a, const std::set<std::string>& b) {
  if (a.empty() || b.empty()) return 0;
  std::size_t common = 0;
  for (const auto& w : a) common += b.count(w);
  return static_cast<double>(common) / static_cast<double>(a.size() + b.size() - common);
}

class Gatherer {
 public:
  explicit Gatherer(const GatherRequest& r)
      : req_(r), text_(*r.document->text), lines_(*r.document->lines), opt_(r.options) {}

  GatherResult run();

 private:
  void local_window();
  void scopes();
  void definitions();
  void imports();
  void recent_edits();
  void open_documents();
  void pack();
  const std::string* file_text(const std::string& path);
  void add(Snippet s) { candidates_.push_back(std::move(s)); }
  std::size_t count(const Snippet& s) const { return req_.count_tokens(s.header + s.text); }

  const GatherRequest& req_;
  std::string_view text_;
  const LineIndex& lines_;
  const GatherOptions& opt_;
  std::uint32_t cursor_line_ = 0, window_first_ = 0, window_last_ = 0;
  std::vector<Snippet> candidates_;
  std::unordered_set<std::string> near_names_;
  std::map<std::string, std::string> files_;
  GatherResult out_;
};

// Builds a local-window snippet from lines [first, last] (clipped at the cursor), dropping the
// farthest lines until it fits `share` tokens.
void Gatherer::local_window() {
  const auto n_text = static_cast<std::uint32_t>(text_.size());
  const std::uint32_t start = std::min(req_.start_byte, n_text);
  const std::uint32_t end = std::min(std::max(req_.end_byte, start), n_text);
  cursor_line_ = lines_.line_of(start);
  const std::uint32_t end_line = lines_.line_of(end);
  window_first_ = cursor_line_ > opt_.before_lines ? cursor_line_ - opt_.before_lines : 0;
  window_last_ = std::min(lines_.line_count() - 1, end_line + opt_.after_lines);
  const auto budget = static_cast<double>(req_.budget_tokens);
  auto fit = [&](SnippetKind kind, std::uint32_t first, std::uint32_t last, double share) {
    Snippet s{kind, req_.path, first, last, "", "", 1.0, 0};
    for (;;) {
      const std::uint32_t b = kind == SnippetKind::local_before ? lines_.line_start(s.start_line) : end;
      const std::uint32_t e = kind == SnippetKind::local_before ? end
                            : (s.end_line + 1 < lines_.line_count() ? lines_.line_start(s.end_line + 1) : n_text);
      s.text = std::string(text_.substr(b, e - b));
      s.header = make_header(s);
      s.tokens = count(s);
      if (s.tokens <= share * budget || s.text.empty()) break;
      if (s.start_line == s.end_line) { s.text.clear(); s.tokens = count(s); break; }
      if (kind == SnippetKind::local_before) ++s.start_line; else --s.end_line;
    }
    if (kind == SnippetKind::local_before) window_first_ = s.start_line; else window_last_ = s.end_line;
    if (s.tokens <= req_.budget_tokens - std::min(req_.budget_tokens, out_.tokens_used) && !s.text.empty()) {
      out_.tokens_used += s.tokens;
      out_.snippets.push_back(std::move(s));
    } else {
      out_.dropped.push_back({kind, s.path, s.start_line, s.end_line, 1.0, "local window does not fit the budget"});
    }
  };
  // for a range (refactor/explain), "before" holds the range itself too
  fit(SnippetKind::local_before, window_first_, end_line, opt_.before_share + (end > start ? 0.3 : 0));
  fit(SnippetKind::local_after, end_line, window_last_, opt_.after_share);
}

void Gatherer::scopes() {
  const DocumentSnapshot& doc = *req_.document;
  if (!doc.language || doc.trees.empty()) return;
  auto scopes = enclosing_scopes(*doc.language, doc.trees.root_at(req_.start_byte), text_, req_.start_byte);
  double score = 0.9;
  for (auto it = scopes.rbegin(); it != scopes.rend(); ++it) {
    if (it->signature.empty() || it->start_line >= window_first_) continue;
    add({SnippetKind::enclosing_scope, req_.path, it->start_line, it->start_line, "", it->signature + "\n", score, 0});
    score -= 0.02;
  }
}

const std::string* Gatherer::file_text(const std::string& path) {
  auto it = files_.find(path);
  if (it != files_.end()) return &it->second;
  for (const OpenDocument& d : req_.open_documents)
    if (d.path == path) return &files_.emplace(path, d.text).first->second;
  // The file may have changed since it was indexed: into a FIFO or past the size limit.
  auto s = read_regular_file(req_.index->root() / path, req_.index->options().max_file_bytes);
  if (!s) return nullptr;
  return &files_.emplace(path, std::move(*s)).first->second;
}

void Gatherer::definitions() {
  const DocumentSnapshot& doc = *req_.document;
  if (!req_.index || doc.trees.empty()) return;
  const std::uint32_t from = lines_.line_start(window_first_);
  const std::uint32_t to = window_last_ + 1 < lines_.line_count() ? lines_.line_start(window_last_ + 1)
                                                                 : static_cast<std::uint32_t>(text_.size());
  for (const NearName& near : identifiers_near(doc.trees, text_, from, to,
                                               cursor_line_, opt_.max_identifiers)) {
    near_names_.insert(near.name);
    auto hits = req_.index->find_definitions(near.name, opt_.max_hits_per_name + 1);
    std::erase_if(hits, [&](const SymbolHit& h) { return h.path == req_.path; });
    if (hits.empty() || hits.size() > opt_.max_hits_per_name) continue;
    for (const SymbolHit& h : hits) {
      const std::string* body = file_text(h.path);
      if (!body) continue;
      auto file_lines = split_lines(*body);
      if (h.symbol.start_line >= file_lines.size()) continue;
      const std::uint32_t last = std::min(h.symbol.end_line, h.symbol.start_line + opt_.max_definition_lines - 1);
      const double score = 0.85 / (1.0 + near.distance / 8.0) + 0.05;
      add({SnippetKind::definition, h.path, h.symbol.start_line, last, "",
           join_lines(file_lines, h.symbol.start_line, last + 1), score, 0});
    }
  }
}

void Gatherer::imports() {
  if (!req_.index) return;
  std::set<std::string> seen;
  for (const auto& resolved : req_.index->resolved_imports(req_.path)) {
    for (const std::string& path : resolved) {
      if (path == req_.path || !seen.insert(path).second || seen.size() > 8) continue;
      auto file = req_.index->file(path);
      if (!file) continue;
      std::string text;
      std::uint32_t first = UINT32_MAX, last = 0, n = 0;
      bool used = false;
      for (const Symbol& s : file->symbols) {
        if (!s.container.empty() || s.signature.empty() || n >= 30) continue;
        text += s.signature + "\n";
        first = std::min(first, s.start_line);
        last = std::max(last, s.start_line);
        used = used || near_names_.count(s.name) > 0;
        ++n;
      }
      if (n > 0) add({SnippetKind::import_summary, path, first, last, "", text, used ? 0.6 : 0.4, 0});
    }
  }
}

void Gatherer::recent_edits() {
  double score = 0.7;
  for (const RecentEdit& e : req_.recent_edits) {
    auto lines = split_lines(e.text);
    const auto n = static_cast<std::uint32_t>(std::min<std::size_t>(lines.size(), 20));
    add({SnippetKind::recent_edit, e.path, e.start_line, e.start_line + n - 1, "", join_lines(lines, 0, n),
         std::max(0.2, score), 0});
    score -= 0.05;
  }
}

void Gatherer::open_documents() {
  // similarity to the lines right around the cursor (the whole window would dilute it)
  const std::uint32_t near_first = cursor_line_ > 10 ? cursor_line_ - 10 : 0;
  const std::uint32_t near_last = std::min(lines_.line_count() - 1, cursor_line_ + 5);
  const auto local = word_set(text_.substr(lines_.line_start(near_first),
                                           lines_.line_end(near_last) - lines_.line_start(near_first)));
  for (const OpenDocument& d : req_.open_documents) {
    if (d.path == req_.path) continue;
    auto lines = split_lines(d.text);
    double best = 0;
    std::size_t best_at = 0;
    for (std::size_t i = 0; i < lines.size(); i += 10) {
      const double sim = jaccard(local, word_set(join_lines(lines, i, i + 20)));
      if (sim > best) { best = sim; best_at = i; }
    }
    if (best < 0.05) continue;
    const auto last = static_cast<std::uint32_t>(std::min(lines.size(), best_at + 20) - 1);
    add({SnippetKind::open_document, d.path, static_cast<std::uint32_t>(best_at), last, "",
         join_lines(lines, best_at, last + 1), 0.15 + 0.4 * best, 0});
  }
}

void Gatherer::pack() {
  std::stable_sort(candidates_.begin(), candidates_.end(),
                   [](const Snippet& a, const Snippet& b) { return a.score > b.score; });
  std::set<std::string> texts;
  std::vector<const Snippet*> kept_ranges;
  for (Snippet& s : candidates_) {
    auto drop = [&](std::string why) {
      out_.dropped.push_back({s.kind, s.path, s.start_line, s.end_line, s.score, std::move(why)});
    };
    if (s.path == req_.path && s.kind != SnippetKind::enclosing_scope &&
        overlaps(s.start_line, s.end_line, window_first_, window_last_)) {
      drop("duplicate of the local window");
      continue;
    }
    if (!texts.insert(s.text).second) { drop("duplicate text"); continue; }
    auto covered = std::find_if(out_.snippets.begin(), out_.snippets.end(), [&](const Snippet& k) {
      return k.path == s.path && k.kind != SnippetKind::enclosing_scope && k.start_line <= s.start_line &&
             s.end_line <= k.end_line;
    });
    if (covered != out_.snippets.end()) { drop("inside a kept " + std::string(to_string(covered->kind))); continue; }
    s.header = make_header(s);
    s.tokens = count(s);
    const std::size_t left = req_.budget_tokens - out_.tokens_used;
    if (s.tokens > left) {
      drop("over budget: needs " + std::to_string(s.tokens) + " tokens, " + std::to_string(left) + " left");
      continue;
    }
    out_.tokens_used += s.tokens;
    out_.snippets.push_back(std::move(s));
  }
}

GatherResult Gatherer::run() {
  local_window();
  scopes();
  definitions();
  imports();
  recent_edits();
  open_documents();
  pack();
  return std::move(out_);
}

}  // namespace

std::string_view to_string(SnippetKind kind) {
  switch (kind) {
    case SnippetKind::local_before: return "local_before";
    case SnippetKind::local_after: return "local_after";
    case SnippetKind::enclosing_scope: return "enclosing_scope";
    case SnippetKind::definition: return "definition";
    case SnippetKind::import_summary: return "import_summary";
    case SnippetKind::recent_edit: return "recent_edit";
    case SnippetKind::open_document: return "open_document";
  }
  return "other";
}

GatherResult gather(const GatherRequest& request) {
  if (!request.document || !request.document->text || !request.count_tokens) return {};
  return Gatherer(request).run();
}

}  // namespace coderx::context
