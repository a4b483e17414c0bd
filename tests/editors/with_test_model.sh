#!/usr/bin/env bash
# Runs an editor-client test against the real coderx binary:
#   tests/editors/with_test_model.sh CODERX_BIN COMMAND [ARGS...]
# Exports for the test: CODERX_BIN, CODERX_LSP_ARGS (arguments after `coderx lsp`) and
# CODERX_SETTINGS (the editor's `coderx` settings object, JSON).
#   CODERX_EDITORS_ENGINE=model   a generated random-weight model (`coderx model make-test`)
#   CODERX_EDITORS_ENGINE=canned  the server's canned engine: fixed outputs, no model (default)
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
    "$bin" model make-test --out "$tmp/test.gguf" >&2
    export CODERX_LSP_ARGS="--model $tmp/test.gguf"
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
