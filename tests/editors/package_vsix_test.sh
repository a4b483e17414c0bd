#!/usr/bin/env bash
# Packages the VS Code extension offline (scripts/package-vscode.sh) into a temp dir and checks the
# .vsix holds the compiled extension and its runtime dependency, and none of the sources or tests.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$root/scripts/package-vscode.sh" "$tmp/coderx.vsix" >/dev/null 2>"$tmp/vsce.log" || { cat "$tmp/vsce.log" >&2; exit 1; }
node - "$tmp/coderx.vsix" <<'JS'
// List the zip's central directory (no unzip needed): signature 0x02014b50 entries.
const fs = require('fs');
const buf = fs.readFileSync(process.argv[2]);
const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
if (eocd < 0) throw new Error('not a zip file');
let p = buf.readUInt32LE(eocd + 16);
const count = buf.readUInt16LE(eocd + 10);
const names = [];
for (let i = 0; i < count; i++) {
  if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('bad central directory');
  const n = buf.readUInt16LE(p + 28), m = buf.readUInt16LE(p + 30), k = buf.readUInt16LE(p + 32);
  names.push(buf.toString('utf8', p + 46, p + 46 + n));
  p += 46 + n + m + k;
}
const need = ['extension/package.json', 'extension/out/src/extension.js', 'extension/out/src/rdjsonl.js',
  'extension/node_modules/vscode-languageclient/package.json', 'extension.vsixmanifest'];
for (const f of need) if (!names.includes(f)) throw new Error(`missing ${f} in the .vsix`);
const bad = names.filter((f) => /^extension\/(src|test|headless)\//.test(f) || /^extension\/out\/(test|headless)\//.test(f));
if (bad.length) throw new Error(`sources or tests packaged: ${bad.slice(0, 5).join(', ')}`);
console.log(`ok: ${names.length} files in the .vsix`);
JS
