#!/usr/bin/env bash
# Runs an editor-client test against the real coderx binary:
#   tests/editors/with_test_model.sh CODERX_BIN COMMAND [ARGS...]
# Exports for the test: CODERX_BIN, CODERX_LSP_ARGS (arguments after `coderx lsp`) and
# CODERX_SETTINGS (the editor's `coderx` settings object, JSON).
#   CODERX_EDITORS_ENGINE=model   a generated random-weight model: CODERX_EDITORS_MODEL when it
#                                 names a file (the ctest fixture editors_test_model makes one per
#                                 run), else a fresh `coderx model make-test` in a temp dir
#   CODERX_EDITORS_ENGINE=canned  the server's canned engine: fixed outputs, no model (default)
# With a model, CODERX_SETTINGS defaults to small budgets (docs/protocol.md "Settings") so that
# random weights, which rarely stop by themselves, answer in a few seconds.
# Exits 77 (ctest SKIP_RETURN_CODE) when the binary cannot serve that way yet.
set -euo pipefail
bin=$1
shift
engine=${CODERX_EDITORS_ENGINE:-canned}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

lsp_help=$("$bin" lsp --help 2>&1 || true)
case "$engine" in
  canned)
    if ! grep -q -- "--engine" <<<"$lsp_help"; then
      echo "with_test_model.sh: SKIP: '$bin lsp' has no --engine option yet" >&2
      exit 77
    fi
    export CODERX_LSP_ARGS="--engine canned"
    ;;
  model)
    if ! "$bin" model make-test --help >/dev/null 2>&1; then
      echo "with_test_model.sh: SKIP: '$bin model make-test' is not available" >&2
      exit 77
    fi
    model=${CODERX_EDITORS_MODEL:-}
    if [ -z "$model" ] || [ ! -f "$model" ]; then
      model=$tmp/test.gguf
      "$bin" model make-test --out "$model" --layers 2 --sliding-pattern SF --n-embd 128 \
        --ffn 256 --experts 4 --expert-ffn 128 >&2
    fi
    export CODERX_LSP_ARGS="--model $model"
    export CODERX_SETTINGS=${CODERX_SETTINGS:-'{"debounceMs": 0, "budgets": {
      "inlineCompletion": {"answerTokens": 24},
      "completion": {"answerTokens": 16},
      "refactor": {"thinkingTokens": 8, "answerTokens": 48},
      "explain": {"thinkingTokens": 8, "answerTokens": 48}}}'}
    ;;
  *)
    echo "with_test_model.sh: CODERX_EDITORS_ENGINE must be canned or model" >&2
    exit 2
    ;;
esac
export CODERX_BIN=$bin
export CODERX_SETTINGS=${CODERX_SETTINGS:-"{}"}
echo "with_test_model.sh: $bin lsp $CODERX_LSP_ARGS" >&2
"$@"
