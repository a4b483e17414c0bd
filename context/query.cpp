#include "context/query.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace coderx::context {

std::string_view node_text(TSNode node, std::string_view text) {
  const std::uint32_t start = ts_node_start_byte(node);
  const std::uint32_t end = ts_node_end_byte(node);
  if (start > end || end > text.size()) return {};
  return text.substr(start, end - start);
}

namespace {

const char* error_kind(TSQueryError e) {
  switch (e) {
    case TSQueryErrorSyntax: return "syntax error";
    case TSQueryErrorNodeType: return "invalid node type";
    case TSQueryErrorField: return "invalid field";
    case TSQueryErrorCapture: return "invalid capture";
    case TSQueryErrorStructure: return "impossible pattern structure";
    case TSQueryErrorLanguage: return "language mismatch";
    default: return "error";
  }
}

std::string location(std::string_view source, std::uint32_t offset) {
  offset = std::min<std::uint32_t>(offset, static_cast<std::uint32_t>(source.size()));
  const auto head = source.substr(0, offset);
  const auto line = std::count(head.begin(), head.end(), '\n') + 1;
  const auto nl = head.rfind('\n');
  const auto col = offset - (nl == std::string_view::npos ? 0 : nl + 1) + 1;
  return std::to_string(line) + ":" + std::to_string(col);
}

struct Step {
  bool is_capture;
  std::uint32_t id;
};

// Splits the flat predicate steps of one pattern into predicates (one per Done step).
std::vector<std::vector<Step>> split_steps(const TSQuery* q, std::uint32_t pattern) {
  std::uint32_t n = 0;
  const TSQueryPredicateStep* steps = ts_query_predicates_for_pattern(q, pattern, &n);
  std::vector<std::vector<Step>> out(1);
  for (std::uint32_t i = 0; i < n; ++i) {
    if (steps[i].type == TSQueryPredicateStepTypeDone) {
      out.emplace_back();
      continue;
    }
    out.back().push_back({steps[i].type == TSQueryPredicateStepTypeCapture, steps[i].value_id});
  }
  out.pop_back();
  return out;
}

}  // namespace

Result<Query> Query::compile(const TSLanguage* grammar, std::string_view source,
                             std::string_view name) {
  std::uint32_t error_offset = 0;
  TSQueryError error = TSQueryErrorNone;
  TSQuery* raw = ts_query_new(grammar, source.data(), static_cast<std::uint32_t>(source.size()),
                              &error_offset, &error);
  if (!raw)
    return make_error(Errc::format, std::string(name) + ":" + location(source, error_offset) + ": " +
                                        error_kind(error));
  Query q;
  q.query_ = std::shared_ptr<TSQuery>(raw, ts_query_delete);
  for (std::uint32_t i = 0; i < ts_query_capture_count(raw); ++i) {
    std::uint32_t len = 0;
    const char* s = ts_query_capture_name_for_id(raw, i, &len);
    q.capture_names_.emplace_back(s, len);
  }
  auto str = [raw](std::uint32_t id) {
    std::uint32_t len = 0;
    const char* s = ts_query_string_value_for_id(raw, id, &len);
    return std::string(s, len);
  };
  q.predicates_.resize(ts_query_pattern_count(raw));
  for (std::uint32_t p = 0; p < q.predicates_.size(); ++p) {
    for (const auto& steps : split_steps(raw, p)) {
      if (steps.empty() || steps[0].is_capture) continue;
      const std::string op = str(steps[0].id);
      if (!op.empty() && op.back() == '!') continue;  // directive: no effect on matching
      Predicate pred;
      pred.negate = op.rfind("not-", 0) == 0;
      pred.any = op.rfind("any-", 0) == 0 && op != "any-of?";
      std::string base = op.substr(pred.negate ? 4 : pred.any ? 4 : 0);
      if (base == "eq?") pred.op = Predicate::Op::eq;
      else if (base == "match?") pred.op = Predicate::Op::match;
      else if (base == "any-of?" || op == "any-of?") pred.op = Predicate::Op::any_of;
      else {
        spdlog::debug("query {}: predicate #{} is not evaluated (treated as true)", name, op);
        continue;
      }
      if (steps.size() < 2 || !steps[1].is_capture)
        return make_error(Errc::format, std::string(name) + ": #" + op + " needs a capture first");
      pred.capture = steps[1].id;
      for (std::size_t i = 2; i < steps.size(); ++i) {
        if (steps[i].is_capture) pred.other_capture = static_cast<int>(steps[i].id);
        else pred.values.push_back(str(steps[i].id));
      }
      if (pred.op == Predicate::Op::match) {
        if (pred.values.size() != 1)
          return make_error(Errc::format, std::string(name) + ": #" + op + " needs one regex");
        try {
          pred.regex = std::make_shared<const std::regex>(pred.values[0], std::regex::ECMAScript);
        } catch (const std::regex_error& e) {
          return make_error(Errc::format, std::string(name) + ": bad regex \"" + pred.values[0] +
                                              "\": " + e.what());
        }
      }
      q.predicates_[p].push_back(std::move(pred));
    }
  }
  return q;
}

bool Query::holds(const Predicate& p, const TSQueryMatch& m, std::string_view text) const {
  bool seen = false;
  bool all = true;
  bool any = false;
  for (std::uint16_t i = 0; i < m.capture_count; ++i) {
    if (m.captures[i].index != p.capture) continue;
    seen = true;
    std::string_view value = node_text(m.captures[i].node, text);
    bool ok = false;
    switch (p.op) {
      case Predicate::Op::eq:
        if (p.other_capture >= 0) {
          for (std::uint16_t k = 0; k < m.capture_count; ++k)
            if (m.captures[k].index == static_cast<std::uint32_t>(p.other_capture))
              ok = ok || node_text(m.captures[k].node, text) == value;
        } else {
          ok = !p.values.empty() && value == p.values[0];
        }
        break;
      case Predicate::Op::match:
        value = value.substr(0, 4096);
        ok = std::regex_search(value.begin(), value.end(), *p.regex);
        break;
      case Predicate::Op::any_of:
        ok = std::find(p.values.begin(), p.values.end(), value) != p.values.end();
        break;
    }
    if (p.negate) ok = !ok;
    all = all && ok;
    any = any || ok;
  }
  if (!seen) return true;  // an optional capture that did not match constrains nothing
  return p.any ? any : all;
}

namespace {

struct CursorLimits {
  const ParseLimits* limits;
  std::chrono::steady_clock::time_point deadline;
  bool halted = false;
};

bool cursor_should_halt(TSQueryCursorState* state) {
  auto* l = static_cast<CursorLimits*>(state->payload);
  l->halted = l->limits->stop.stop_requested() ||
              (l->limits->time_limit.count() > 0 && std::chrono::steady_clock::now() > l->deadline);
  return l->halted;
}

}  // namespace

Result<void> Query::for_each_match(TSNode node, std::string_view text, ByteRange range,
                                   const std::function<bool(const QueryMatch&)>& fn,
                                   const ParseLimits& limits) const {
  QueryCursorPtr cursor(ts_query_cursor_new());
  ts_query_cursor_set_match_limit(cursor.get(), 1024);
  if (range.end > range.start) ts_query_cursor_set_byte_range(cursor.get(), range.start, range.end);
  CursorLimits state{&limits, std::chrono::steady_clock::now() + limits.time_limit};
  TSQueryCursorOptions options{&state, cursor_should_halt};
  ts_query_cursor_exec_with_options(cursor.get(), query_.get(), node, &options);
  TSQueryMatch m;
  while (ts_query_cursor_next_match(cursor.get(), &m)) {
    const auto& preds = predicates_[m.pattern_index];
    if (!std::all_of(preds.begin(), preds.end(), [&](const Predicate& p) { return holds(p, m, text); }))
      continue;
    if (!fn(QueryMatch{m.pattern_index, {m.captures, m.capture_count}})) break;
  }
  if (state.halted) return make_error(Errc::cancelled, "query cancelled or out of time");
  return {};
}

}  // namespace coderx::context
