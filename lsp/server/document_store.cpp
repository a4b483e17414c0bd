#include "lsp/server/document_store.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace coderx::server {

// One open document. `doc` is used under `doc_mu` only (by the reader thread to apply edits
// and by the parse thread to reparse); everything else under the store's mutex.
struct DocumentStore::Entry {
  std::string language_id;
  std::mutex doc_mu;
  std::unique_ptr<context::Document> doc;
  std::stop_source parse_stop;       // stops the parse of the current version
  context::DocumentSnapshot latest;  // published after every edit and every parse
  bool parse_failed = false;         // the latest version's parse ran out of time
  std::string lost;                  // why the copy no longer follows the editor ("" = in sync)
};

namespace {

// A parse slower than this is abandoned (the document keeps its edited old tree).
constexpr std::chrono::seconds kParseTimeLimit{5};
// The whole-tree check of a document with a broken piece (context/piecewise_parse.h) waits for
// this long a pause in parse work, so that typing does not start and cancel it at every key.
constexpr std::chrono::milliseconds kWholeCheckPause{60};

const context::Language* language_for(const std::string& language_id, const std::string& uri) {
  if (const context::Language* l = context::language_by_id(language_id)) return l;
  std::size_t dot = uri.rfind('.');
  return dot == std::string::npos ? nullptr : context::language_by_extension(uri.substr(dot));
}

// Limits under which Document updates its text without parsing (the parse thread does it).
context::ParseLimits no_parse() {
  static const std::stop_source stopped = [] {
    std::stop_source s;
    s.request_stop();
    return s;
  }();
  context::ParseLimits limits;
  limits.stop = stopped.get_token();
  return limits;
}

bool parsed_or_final(const context::DocumentSnapshot& s, bool failed) {
  return s.tree_current || s.language == nullptr || failed;
}

std::uint32_t newlines(std::string_view s) { return static_cast<std::uint32_t>(std::count(s.begin(), s.end(), '\n')); }

}  // namespace

DocumentStore::DocumentStore() : parser_([this](std::stop_token stop) { parse_loop(stop); }) {}

DocumentStore::~DocumentStore() {
  parser_.request_stop();
  {
    std::lock_guard lock(mu_);
    for (auto& [uri, e] : docs_) e->parse_stop.request_stop();
  }
  work_cv_.notify_all();
}

void DocumentStore::open(const lsp::TextDocumentItem& item) {
  auto entry = std::make_shared<Entry>();
  entry->language_id = item.language_id;
  entry->doc = std::make_unique<context::Document>(language_for(item.language_id, item.uri), item.text,
                                                   item.version, encoding_, no_parse());
  entry->doc->defer_whole_check(true);  // parse_one() checks after publishing the pieces
  entry->latest = entry->doc->snapshot();
  std::shared_ptr<Entry> replaced;
  {
    std::lock_guard lock(mu_);
    auto& slot = docs_[item.uri];
    replaced = std::exchange(slot, entry);
  }
  if (replaced) replaced->parse_stop.request_stop();
  schedule_parse(item.uri);
  parsed_cv_.notify_all();
}

context::Result<void> DocumentStore::change(const lsp::DidChangeTextDocumentParams& params) {
  const std::string& uri = params.text_document.uri;
  std::vector<context::TextChange> changes;
  changes.reserve(params.content_changes.size());
  for (const auto& c : params.content_changes) {
    context::TextChange change;
    if (c.range) change.range = context::Range{to_context(c.range->start), to_context(c.range->end)};
    change.text = c.text;
    changes.push_back(std::move(change));
  }
  std::shared_ptr<Entry> e;
  std::string lost;
  {
    std::lock_guard lock(mu_);
    auto it = docs_.find(uri);
    if (it == docs_.end())
      return context::make_error(context::Errc::not_found, "didChange for a document that is not open: " + uri);
    e = it->second;
    lost = e->lost;
    e->parse_stop.request_stop();  // a parse of the previous version ends at once
  }
  if (!lost.empty()) {  // only a full text can bring the copy back: start from the last one
    auto full = std::find_if(changes.rbegin(), changes.rend(), [](const auto& c) { return !c.range; });
    if (full == changes.rend())
      return context::make_error(context::Errc::invalid_argument,
                                 "ignored: " + uri + " is out of sync (" + lost + ") until a full-text change");
    changes.erase(changes.begin(), full.base() - 1);
  }
  {
    std::lock_guard doc_lock(e->doc_mu);
    int version = params.text_document.version.value_or(e->doc->version() + 1);
    auto status = e->doc->apply(changes, version, no_parse());
    if (!status) {
      std::lock_guard lock(mu_);
      e->lost = "version " + std::to_string(version) + ": " + status.error().message;
      return context::make_error(status.error().code, uri + ": " + status.error().message +
                                                          "; the server's copy is now out of sync with the editor's");
    }
    context::DocumentSnapshot snapshot = e->doc->snapshot();
    std::lock_guard lock(mu_);
    std::swap(e->latest, snapshot);  // the previous one is freed after the store lock is released
    e->parse_stop = std::stop_source();
    e->parse_failed = false;
    e->lost.clear();
  }
  for (const context::TextChange& c : changes)
    if (c.range) note_edit(uri, c.range->start.line, c.range->start.line + newlines(c.text));
  schedule_parse(uri);
  return {};
}

bool DocumentStore::close(const std::string& uri) {
  std::shared_ptr<Entry> e;
  {
    std::lock_guard lock(mu_);
    auto it = docs_.find(uri);
    if (it == docs_.end()) return false;
    e = std::move(it->second);
    docs_.erase(it);
    std::erase_if(recent_, [&](const EditRegion& r) { return r.uri == uri; });
  }
  e->parse_stop.request_stop();
  parsed_cv_.notify_all();
  return true;
}

// ---- parsing ----

void DocumentStore::schedule_parse(const std::string& uri) {
  {
    std::lock_guard lock(mu_);
    to_parse_.insert(uri);
  }
  work_cv_.notify_all();
}

void DocumentStore::parse_loop(std::stop_token stop) {
  for (;;) {
    std::string uri;
    {
      std::unique_lock lock(mu_);
      if (!work_cv_.wait(lock, stop, [&] { return !to_parse_.empty(); })) return;
      uri = std::move(to_parse_.extract(to_parse_.begin()).value());
    }
    parse_one(uri);
  }
}

void DocumentStore::parse_one(const std::string& uri) {
  // Declared before the locks, so destroyed after them and after waiters were notified:
  // freeing the replaced tree and snapshot does not delay whoever waits for the new tree.
  std::vector<context::TreePtr> retired;
  std::vector<context::DocumentSnapshot> previous;
  std::shared_ptr<Entry> e;
  std::stop_token token;
  {
    std::lock_guard lock(mu_);
    auto it = docs_.find(uri);
    if (it == docs_.end()) return;
    e = it->second;
    token = e->parse_stop.get_token();
  }
  std::unique_lock doc_lock(e->doc_mu);
  if (token.stop_requested()) return;  // superseded by an edit, which scheduled a new parse
  context::ParseLimits limits;
  limits.stop = token;
  limits.time_limit = kParseTimeLimit;
  context::ParseStatus status = e->doc->reparse(limits);
  auto publish = [&] {
    for (context::TreePtr& t : e->doc->take_retired_trees()) retired.push_back(std::move(t));
    context::DocumentSnapshot snapshot = e->doc->snapshot();
    std::lock_guard lock(mu_);
    if (e->latest.version != snapshot.version || token.stop_requested()) return false;
    previous.push_back(std::exchange(e->latest, std::move(snapshot)));
    e->parse_failed = status == context::ParseStatus::stale;
    return true;
  };
  if (!publish()) return;
  if (status == context::ParseStatus::stale) spdlog::warn("{}: parse exceeded {} s; using the old tree", uri, kParseTimeLimit.count());
  parsed_cv_.notify_all();
  // While a piece has a syntax error, the whole tree is checked too, and framed pieces catch up
  // with an edit to their container's head or tail (context/piecewise_parse.h): after the pieces
  // are out and a pause in parse work; the next edit cancels it. Changed pieces are published
  // the same way.
  if (status != context::ParseStatus::parsed || !e->doc->whole_check_pending()) return;
  doc_lock.unlock();
  if (!pause_in_parse_work(token)) return;
  doc_lock.lock();
  if (!token.stop_requested() && e->doc->check_whole(limits) && publish()) parsed_cv_.notify_all();
}

bool DocumentStore::pause_in_parse_work(std::stop_token token) {
  std::unique_lock lock(mu_);
  const bool busy = work_cv_.wait_for(lock, token, kWholeCheckPause, [&] { return !to_parse_.empty(); });
  return !busy && !token.stop_requested();
}

// ---- reads ----

std::optional<DocumentInfo> DocumentStore::get(const std::string& uri) const {
  std::lock_guard lock(mu_);
  auto it = docs_.find(uri);
  if (it == docs_.end() || !it->second->lost.empty()) return std::nullopt;
  return DocumentInfo{uri, it->second->language_id, it->second->latest};
}

std::optional<DocumentInfo> DocumentStore::get_parsed(const std::string& uri, std::stop_token stop,
                                                      std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  std::shared_ptr<Entry> e;
  auto ready = [&] {
    auto it = docs_.find(uri);
    e = it == docs_.end() ? nullptr : it->second;
    return !e || parsed_or_final(e->latest, e->parse_failed);
  };
  parsed_cv_.wait_for(lock, stop, timeout, ready);
  if (!e || !e->lost.empty()) return std::nullopt;
  return DocumentInfo{uri, e->language_id, e->latest};
}

std::optional<int> DocumentStore::version(const std::string& uri) const {
  std::lock_guard lock(mu_);
  auto it = docs_.find(uri);
  if (it == docs_.end() || !it->second->lost.empty()) return std::nullopt;
  return it->second->latest.version;
}

std::string DocumentStore::unavailable(const std::string& uri) const {
  std::lock_guard lock(mu_);
  auto it = docs_.find(uri);
  if (it == docs_.end()) return "document is not open: " + uri;
  return uri + " is out of sync with the editor since a change could not be applied (" + it->second->lost +
         "); close and reopen it";
}

bool DocumentStore::out_of_sync(const std::string& uri) const {
  std::lock_guard lock(mu_);
  auto it = docs_.find(uri);
  return it != docs_.end() && !it->second->lost.empty();
}

std::size_t DocumentStore::count() const {
  std::lock_guard lock(mu_);
  return docs_.size();
}

std::size_t DocumentStore::text_bytes() const {
  std::lock_guard lock(mu_);
  std::size_t total = 0;
  for (const auto& [uri, e] : docs_) total += e->latest.text->size();
  return total;
}

std::vector<std::string> DocumentStore::uris() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [uri, e] : docs_) out.push_back(uri);
  return out;
}

// ---- context for gather ----

// Consecutive edits on the same lines (typing) merge into one region, moved to the front.
void DocumentStore::note_edit(const std::string& uri, std::uint32_t first_line, std::uint32_t last_line) {
  std::lock_guard lock(mu_);
  if (!recent_.empty() && recent_.front().uri == uri && first_line <= recent_.front().last_line + 1 &&
      recent_.front().first_line <= last_line + 1) {
    recent_.front().first_line = std::min(recent_.front().first_line, first_line);
    recent_.front().last_line = std::max(recent_.front().last_line, last_line);
    return;
  }
  std::erase_if(recent_, [&](const EditRegion& r) {
    return r.uri == uri && r.first_line <= last_line && first_line <= r.last_line;
  });
  recent_.push_front({uri, first_line, last_line});
  if (recent_.size() > 32) recent_.pop_back();
}

std::vector<context::RecentEdit> DocumentStore::recent_edits(std::size_t limit) const {
  std::lock_guard lock(mu_);
  std::vector<context::RecentEdit> out;
  for (const EditRegion& r : recent_) {
    if (out.size() >= limit) break;
    auto it = docs_.find(r.uri);
    if (it == docs_.end() || !it->second->lost.empty()) continue;
    const context::DocumentSnapshot& s = it->second->latest;
    std::uint32_t lines = s.lines->line_count();
    if (r.first_line >= lines) continue;
    std::uint32_t last = std::min({r.last_line, lines - 1, r.first_line + 19});
    std::uint32_t begin = s.lines->line_start(r.first_line);
    std::uint32_t end = last + 1 < lines ? s.lines->line_start(last + 1) : static_cast<std::uint32_t>(s.text->size());
    out.push_back({r.uri, r.first_line, s.text->substr(begin, end - begin)});
  }
  return out;
}

std::vector<context::OpenDocument> DocumentStore::open_documents(const std::string& except, std::size_t limit,
                                                                 std::size_t max_bytes) const {
  std::lock_guard lock(mu_);
  std::vector<context::OpenDocument> out;
  for (const auto& [uri, e] : docs_) {
    if (uri == except || !e->lost.empty() || e->latest.text->size() > max_bytes) continue;
    if (out.size() >= limit) break;
    out.push_back({uri, *e->latest.text});
  }
  return out;
}

}  // namespace coderx::server
