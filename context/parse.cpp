#include "context/parse.h"

#include <cstdlib>
#include <string>

namespace coderx::context {

std::string node_sexp(TSNode node) {
  char* raw = ts_node_string(node);
  std::string out = raw ? raw : "";
  std::free(raw);
  return out;
}

namespace {

struct ParseState {
  std::string_view text;
  const ParseLimits* limits;
  std::chrono::steady_clock::time_point deadline;
  bool timed_out = false;
};

const char* read_text(void* payload, std::uint32_t byte, TSPoint, std::uint32_t* bytes_read) {
  auto* state = static_cast<ParseState*>(payload);
  if (byte >= state->text.size()) {
    *bytes_read = 0;
    return "";
  }
  *bytes_read = static_cast<std::uint32_t>(state->text.size() - byte);
  return state->text.data() + byte;
}

bool should_halt(TSParseState* progress) {
  auto* state = static_cast<ParseState*>(progress->payload);
  if (state->limits->stop.stop_requested()) return true;
  if (state->limits->time_limit.count() > 0 && std::chrono::steady_clock::now() > state->deadline) {
    state->timed_out = true;
    return true;
  }
  return false;
}

}  // namespace

ParserPtr make_parser(const TSLanguage* grammar) {
  ParserPtr parser(ts_parser_new());
  ts_parser_set_language(parser.get(), grammar);
  return parser;
}

Result<TreePtr> parse(TSParser* parser, std::string_view text, const TSTree* old_tree,
                      const ParseLimits& limits) {
  if (text.size() > UINT32_MAX / 2)
    return make_error(Errc::invalid_argument, "text of " + std::to_string(text.size()) +
                                                  " bytes is too large to parse");
  if (limits.stop.stop_requested()) return make_error(Errc::cancelled, "parse cancelled");  // no parser work
  ParseState state{text, &limits, std::chrono::steady_clock::now() + limits.time_limit};
  TSInput input{&state, read_text, TSInputEncodingUTF8, nullptr};
  TSParseOptions options{&state, should_halt};
  TSTree* tree = ts_parser_parse_with_options(parser, old_tree, input, options);
  if (tree) return TreePtr(tree);
  ts_parser_reset(parser);
  if (state.timed_out)
    return make_error(Errc::cancelled, "parse exceeded its time limit of " +
                                           std::to_string(limits.time_limit.count()) + " us");
  return make_error(Errc::cancelled, "parse cancelled");
}

}  // namespace coderx::context
