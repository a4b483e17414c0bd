// libFuzzer target: random LSP edit sequences on a document of a random language, cut into
// pieces of 16 bytes or of the default size. Checks that positions round-trip and that the
// incremental trees equal a fresh parse of the same text wherever either has no syntax error.
// Input: [language byte][encoding byte: bit 0 UTF-8, bit 1 small pieces] then ops of
//   [start line][start char][end line][end char][length] + length bytes of inserted text.
#include "context/document.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

using namespace coderx::context;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const auto languages = all_languages();
  const Language* lang = &languages[data[0] % languages.size()];
  const auto enc = (data[1] & 1) ? PositionEncoding::utf8 : PositionEncoding::utf16;
  const bool small_pieces = (data[1] & 2) != 0;
  Document doc(lang, "", 0, enc, {}, small_pieces ? 16 : PiecewiseTree::kPieceBytes);
  std::size_t pos = 2;
  int version = 0;
  while (pos + 5 <= size && version < 64) {
    const std::uint8_t* op = data + pos;
    const std::size_t len = std::min<std::size_t>(op[4], size - pos - 5);
    TextChange change{Range{{op[0] % 16u, op[1]}, {op[2] % 16u, op[3]}},
                      std::string(reinterpret_cast<const char*>(op + 5), len)};
    pos += 5 + len;
    std::vector<TextChange> changes{change};
    auto r = doc.apply(changes, ++version);
    if (!r) continue;  // reversed range: rejected, nothing changed
  }
  const Position end = doc.position_of(static_cast<std::uint32_t>(doc.text().size()));
  if (doc.offset_of(end) != doc.text().size()) std::abort();
  const SyntaxTrees trees = doc.syntax();
  if (!trees.empty()) {
    // Equal wherever either has no syntax error. With errors on both sides they may differ:
    // errors stay in their piece, and even tree-sitter's own incremental tree (one piece, at the
    // default size) may recover from errors differently than a fresh parse (corpus entry
    // bash_incremental_recovery: one Bash edit).
    auto parser = make_parser(lang->grammar);
    auto fresh = parse(parser.get(), doc.text(), nullptr, {});
    if (!fresh) std::abort();
    const TSNode root = ts_tree_root_node(fresh->get());
    const bool comparable = !ts_node_has_error(root) || !trees.has_error();
    if (comparable && node_sexp(root) != trees.sexp()) std::abort();
  }
  return 0;
}
