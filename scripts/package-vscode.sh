#!/usr/bin/env bash
# Packages the VS Code extension (editors/vscode) as a .vsix with @vscode/vsce, offline: the
# dependencies come from editors/vscode/package-lock.json, nothing is published or downloaded
# beyond `npm ci` (which the npm cache can satisfy).
#   scripts/package-vscode.sh [OUT.vsix]     default: editors/vscode/coderx-<version>.vsix
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ext="$root/editors/vscode"
out=${1:-}
if [ -n "$out" ] && [ "${out#/}" = "$out" ]; then out="$PWD/$out"; fi

"$ext/scripts/setup.sh"
cd "$ext"
[ -n "$out" ] || out="$ext/coderx-$(node -p "require('./package.json').version").vsix"
node_modules/.bin/vsce package --allow-missing-repository --skip-license --out "$out" >&2
echo "$out"
