#!/usr/bin/env bash
# Installs the extension's pinned npm dependencies (only when package-lock.json changed since the
# last install) and compiles it with tsc (strict). Used by scripts/package-vscode.sh and the tests.
#   editors/vscode/scripts/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

stamp=node_modules/.coderx-lock-sha
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "editors/vscode: npm ci --ignore-scripts" >&2
  npm ci --ignore-scripts --no-audit --no-fund --prefer-offline >&2
  echo "$want" > "$stamp"
fi
node_modules/.bin/tsc -p .
