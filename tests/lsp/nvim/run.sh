#!/bin/sh
# Runs one headless Neovim test script with private XDG dirs; the script exits with 0 on success.
#   CODERX_BIN=build/bin/coderx sh tests/lsp/nvim/run.sh tests/lsp/nvim/session_test.lua
set -eu
script="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data" XDG_STATE_HOME="$tmp/state" XDG_CACHE_HOME="$tmp/cache"
export CODERX_TEST_DIR="$tmp"
timeout 90 nvim --headless --clean -n -u NONE -c "luafile $script"
