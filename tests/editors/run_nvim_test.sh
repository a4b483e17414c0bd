#!/usr/bin/env bash
# Runs one headless Neovim test file with the coderx plugin on the runtime path, in a throwaway
# XDG environment (no user config, no shada, no swap).
#   tests/editors/run_nvim_test.sh TEST.lua [CODERX_BIN]     default binary: the fake server
# Extra environment for the test: CODERX_TEST_BIN, CODERX_TEST_ROOT (repo), CODERX_TEST_TMP.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
test=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
bin=${2:-$here/fake_coderx.js}
command -v nvim >/dev/null || { echo "run_nvim_test.sh: nvim not found" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CONFIG_HOME=$tmp/config XDG_DATA_HOME=$tmp/data XDG_STATE_HOME=$tmp/state
export XDG_CACHE_HOME=$tmp/cache XDG_RUNTIME_DIR=$tmp/run
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
export CODERX_TEST_BIN=$bin CODERX_TEST_ROOT=$root CODERX_TEST_TMP=$tmp
export FAKE_CODERX_LOG=$tmp/server.log
cd "$tmp"
timeout "${CODERX_NVIM_TIMEOUT:-120}" nvim --headless --clean -n -u NONE -i NONE \
  -c "set rtp^=$root/editors/nvim" -c "runtime plugin/coderx.lua" \
  -c "luafile $here/nvim/harness.lua" -c "luafile $test" </dev/null
