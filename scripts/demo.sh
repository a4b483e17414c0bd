#!/usr/bin/env bash
# The main job (README command 1): set up if needed, build coderx, start the language server and
# run a whole LSP session through a Node client on vscode-jsonrpc (initialize, open, inline
# completion, code action + resolve, explain, shutdown, exit) on a generated random-weight model,
# then run one CLI command.
# Prints what happened; the exit code is 0 when every step worked.
#   scripts/demo.sh [--build-dir DIR]
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build_dir="$2"; shift ;;
    *) echo "demo.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done

echo "== setup (apt packages and node_modules, only what is missing)"
scripts/setup.sh --no-build
echo "== build"
[ -f "$build_dir/build.ninja" ] || cmake -S . -B "$build_dir" -G Ninja >/dev/null
cmake --build "$build_dir" --target coderx -j "$(nproc)" | tail -n 1
bin="$build_dir/bin/coderx"

echo "== a random-weight Gemma 4 MoE model (6 layers, 8 experts, built-in vocabulary): coderx model make-test"
mkdir -p "$build_dir/demo"
"$bin" model make-test --seed 7 --out "$build_dir/demo/model.gguf"
"$bin" model info "$build_dir/demo/model.gguf" > "$build_dir/demo/model-info.txt"
# the summary lines, then the memory block (its figures are on the indented lines after "memory:")
grep -E "^(file|size|model|layers|ffn):" "$build_dir/demo/model-info.txt" || head -n 5 "$build_dir/demo/model-info.txt"
sed -n '/^memory:/,/^$/p' "$build_dir/demo/model-info.txt"

echo "== the language server on that model: one LSP session (stdout carries JSON-RPC only; logs go to stderr)"
CODERX_BIN="$bin" node tests/lsp/node/demo_session.mjs --model "$build_dir/demo/model.gguf"
echo "   (the texts above come from RANDOM weights: they show the pipeline works, not what a trained model says)"

echo "== one CLI command: coderx --version"
"$bin" --version
echo "== demo: done"
