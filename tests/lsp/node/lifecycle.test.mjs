// The whole LSP session through vscode-languageserver-protocol against the real binary:
// initialize, open, edit, inline completion, completion, code action + resolve, explain with
// progress, executeCommand, cancel, shutdown, exit code.
import test from 'node:test';
import assert from 'node:assert/strict';
import { proto, startServer, initialize, shutdown } from './client.mjs';

const uri = 'file:///tmp/coderx-node-test/a.py';
const text = 'def add(a, b):\n    \n';

function open(server, content = text) {
  return server.conn.sendNotification(proto.DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId: 'python', version: 1, text: content },
  });
}

test('lifecycle: initialize advertises the capabilities, shutdown + exit gives 0', async () => {
  const server = startServer();
  const init = await initialize(server);
  const caps = init.capabilities;
  assert.equal(caps.positionEncoding, 'utf-16');
  assert.equal(caps.inlineCompletionProvider, true);
  assert.equal(caps.textDocumentSync.change, 2);
  assert.equal(caps.codeActionProvider.resolveProvider, true);
  assert.deepEqual(caps.executeCommandProvider.commands, ['coderx.explain', 'coderx.refactor']);
  assert.equal(init.serverInfo.name, 'coderx');
  assert.equal(await shutdown(server), 0);
});

test('editing and the features, end to end', async () => {
  const server = startServer();
  await initialize(server);
  await open(server, 'def add(a, b):\n');
  await server.conn.sendNotification(proto.DidChangeTextDocumentNotification.type, {
    textDocument: { uri, version: 2 },
    contentChanges: [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: '    \n' }],
  });
  const at = { line: 1, character: 4 };
  const inline = await server.conn.sendRequest('textDocument/inlineCompletion', {
    textDocument: { uri }, position: at, context: { triggerKind: 1 },
  });
  assert.equal(inline.items.length, 1);
  assert.equal(inline.items[0].insertText, 'return None  # canned completion');
  assert.deepEqual(inline.items[0].range, { start: at, end: at });

  const completion = await server.conn.sendRequest(proto.CompletionRequest.type, { textDocument: { uri }, position: at });
  assert.equal(completion.items.length, 1);
  assert.equal(completion.items[0].textEdit.newText, 'return None  # canned completion');

  const range = { start: { line: 0, character: 0 }, end: { line: 2, character: 0 } };
  const actions = await server.conn.sendRequest(proto.CodeActionRequest.type, {
    textDocument: { uri }, range, context: { diagnostics: [] },
  });
  const rewrite = actions.find((a) => a.kind === 'refactor.rewrite');
  assert.ok(rewrite && !rewrite.edit);
  const resolved = await server.conn.sendRequest(proto.CodeActionResolveRequest.type, rewrite);
  const change = resolved.edit.documentChanges[0];
  assert.equal(change.textDocument.version, 2);
  assert.match(change.edits[0].newText, /canned refactor/);
  assert.equal(resolved.edit.changeAnnotations[change.edits[0].annotationId].needsConfirmation, true);

  const explained = await server.conn.sendRequest('coderx/explain', { textDocument: { uri }, range, workDoneToken: 'explain-1' });
  assert.match(explained.markdown, /Canned explanation/);
  const kinds = server.progress.filter((p) => p.token === 'explain-1').map((p) => p.value.kind);
  assert.equal(kinds[0], 'begin');
  assert.equal(kinds.at(-1), 'end');

  const viaCommand = await server.conn.sendRequest(proto.ExecuteCommandRequest.type, {
    command: 'coderx.explain', arguments: [{ textDocument: { uri }, range }],
  });
  assert.match(viaCommand.markdown, /Canned explanation/);

  await assert.rejects(server.conn.sendRequest('no/such/method', {}), (e) => e.code === -32601);
  assert.equal(await shutdown(server), 0);
});

test('cancel: a slow generation cancelled by the client answers RequestCancelled', async () => {
  const server = startServer(['lsp', '--engine', 'canned', '--token-delay-ms', '2000']);
  await initialize(server);
  await open(server);
  const source = new proto.CancellationTokenSource();
  const pending = server.conn.sendRequest('textDocument/inlineCompletion', {
    textDocument: { uri }, position: { line: 1, character: 4 }, context: { triggerKind: 2 },
  }, source.token);
  setTimeout(() => source.cancel(), 50);
  await assert.rejects(pending, (e) => e.code === proto.LSPErrorCodes.RequestCancelled);
  assert.equal(await shutdown(server), 0);
});

test('errors: before initialize, and exit without shutdown gives 1', async () => {
  const server = startServer();
  await assert.rejects(server.conn.sendRequest(proto.HoverRequest.type, {
    textDocument: { uri }, position: { line: 0, character: 0 },
  }), (e) => e.code === -32002);
  await server.conn.sendNotification(proto.ExitNotification.type);
  assert.equal(await server.exited, 1);
});
