// The demo's LSP session (scripts/demo.sh): starts `coderx lsp`, runs the whole lifecycle with a
// vscode-jsonrpc client on a small sample workspace, and prints what happened.
// Usage: node tests/lsp/node/demo_session.mjs [coderx lsp args...]
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { proto, startServer, initialize, shutdown } from './client.mjs';

const args = process.argv.slice(2);
const server = startServer(['lsp', ...(args.length ? args : ['--engine', 'canned'])]);
const workspace = mkdtempSync(path.join(os.tmpdir(), 'coderx-demo-'));
const file = path.join(workspace, 'stats.py');
const text = 'def mean(values):\n    """Average of a list of numbers."""\n    \n';
writeFileSync(file, text);
const uri = pathToFileURL(file).href;
const show = (label, value) => console.log(`  ${label.padEnd(22)} ${value}`);

console.log(`coderx demo: LSP session against ${server.proc.spawnfile} ${['lsp', ...args].join(' ')}`);
const init = await initialize(server, pathToFileURL(workspace).href);
show('initialize', `${init.serverInfo.name} ${init.serverInfo.version}, positionEncoding ${init.capabilities.positionEncoding}`);
show('engine status', server.statuses.map((s) => `${s.state} (${s.message})`).join(' -> '));
await server.conn.sendNotification(proto.DidOpenTextDocumentNotification.type,
  { textDocument: { uri, languageId: 'python', version: 1, text } });
show('didOpen', `${path.basename(file)} (${text.split('\n').length - 1} lines)`);
const at = { line: 2, character: 4 };
const inline = await server.conn.sendRequest('textDocument/inlineCompletion',
  { textDocument: { uri }, position: at, context: { triggerKind: 1 } });
show('inline completion', JSON.stringify(inline.items.map((i) => i.insertText)) +
  (inline.items.length ? '' : '  (none: context::cut drops generated text that does not parse where it would land)'));
const range = { start: { line: 0, character: 0 }, end: { line: 3, character: 0 } };
const actions = await server.conn.sendRequest(proto.CodeActionRequest.type,
  { textDocument: { uri }, range, context: { diagnostics: [] } });
show('code actions', actions.map((a) => a.title).join(' | '));
try {
  const resolved = await server.conn.sendRequest(proto.CodeActionResolveRequest.type, actions[0]);
  const edit = resolved.edit.documentChanges[0].edits[0];
  show('refactor (resolved)', JSON.stringify(edit.newText));
} catch (e) {
  // Random weights seldom end an answer: the server refuses to turn an answer cut off by its
  // budget into an edit, and says so.
  if (!String(e?.message).includes('cut short')) throw e;
  show('refactor (resolved)', `no edit: ${e.message}`);
}
const explained = await server.conn.sendRequest('coderx/explain', { textDocument: { uri }, range, workDoneToken: 'demo' });
show('explain', JSON.stringify(explained.markdown));
const exitCode = await shutdown(server);
show('shutdown + exit', `exit code ${exitCode}`);
if (args.includes('--engine')) console.log('  (outputs come from the canned engine: fixed texts, no model)');
process.exit(exitCode === 0 ? 0 : 1);
