// Owning handles for tree-sitter objects (parser, tree, query, query cursor) so that every
// exit path frees them. Used throughout context/. Same thread rules as tree-sitter: a parser or
// cursor is used by one thread at a time; a tree may be copied (ts_tree_copy, cheap) to hand
// to another thread; a query is immutable and may be shared by cursors on several threads.
#pragma once

#include <tree_sitter/api.h>

#include <memory>
#include <string>

namespace coderx::context {

struct TsParserDeleter {
  void operator()(TSParser* p) const { ts_parser_delete(p); }
};
struct TsTreeDeleter {
  void operator()(TSTree* t) const { ts_tree_delete(t); }
};
struct TsQueryDeleter {
  void operator()(TSQuery* q) const { ts_query_delete(q); }
};
struct TsQueryCursorDeleter {
  void operator()(TSQueryCursor* c) const { ts_query_cursor_delete(c); }
};

using ParserPtr = std::unique_ptr<TSParser, TsParserDeleter>;
using TreePtr = std::unique_ptr<TSTree, TsTreeDeleter>;
using QueryPtr = std::unique_ptr<TSQuery, TsQueryDeleter>;
using QueryCursorPtr = std::unique_ptr<TSQueryCursor, TsQueryCursorDeleter>;

// The S-expression of `node` (ts_node_string), freed properly.
std::string node_sexp(TSNode node);

}  // namespace coderx::context
