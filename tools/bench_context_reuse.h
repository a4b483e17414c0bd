// Why a keystroke costs what it does: tree-sitter's own parse log, summarised, for one
// keystroke in the middle of a bench_context source. Counts how many tokens the incremental
// parse lexed again (against a full parse), how many subtrees it reused, and how many it refused
// and why (e.g. "first leaf": the item's first token was lexed in a parse state whose lex mode
// differs from the state it is reached in now; "fragile": built while the parse stack was split).
// Used by bench_context --reuse-report. Deterministic; prints one line.
#pragma once

#include "bench_context_sources.h"

namespace coderx::bench {

void print_reuse_report(const BenchSource& src);

}  // namespace coderx::bench
