// A real LSP client for the tests: spawns `coderx lsp` and talks to it through
// vscode-languageserver-protocol (vscode-jsonrpc underneath), as VS Code does.
// CODERX_BIN names the binary (ctest sets it); else build/bin/coderx from the repository root.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
export const proto = require('vscode-languageserver-protocol/node');

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const coderxBin = process.env.CODERX_BIN || path.join(root, 'build/bin/coderx');

// Starts the server; returns { conn, proc, stderr(), exited (promise of the exit code) }.
export function startServer(args = ['lsp', '--engine', 'canned']) {
  const proc = spawn(coderxBin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
  const conn = proto.createProtocolConnection(
    new proto.StreamMessageReader(proc.stdout), new proto.StreamMessageWriter(proc.stdin));
  const progress = [];
  const statuses = [];
  conn.onNotification('$/progress', (p) => progress.push(p));
  conn.onNotification('coderx/status', (s) => statuses.push(s));
  conn.onRequest('window/workDoneProgress/create', () => null);
  conn.onRequest('client/registerCapability', () => null);
  conn.onRequest('workspace/configuration', (p) => p.items.map(() => ({ debounceMs: 0 })));
  conn.listen();
  return { conn, proc, exited, progress, statuses, stderr: () => stderr };
}

export const capabilities = {
  general: { positionEncodings: ['utf-16'] },
  window: { workDoneProgress: true },
  workspace: {
    configuration: true, workspaceFolders: true, didChangeWatchedFiles: { dynamicRegistration: true }, applyEdit: true,
    workspaceEdit: { documentChanges: true, changeAnnotationSupport: { groupsOnLabel: true } },
  },
  textDocument: {
    inlineCompletion: {},
    synchronization: { dynamicRegistration: false },
    codeAction: { resolveSupport: { properties: ['edit'] } },
  },
};

// initialize + initialized, then waits for coderx/status ready (the engine has loaded).
export async function initialize(server, rootUri = 'file:///tmp/coderx-node-test') {
  const result = await server.conn.sendRequest(proto.InitializeRequest.type, {
    processId: process.pid, rootUri, capabilities, initializationOptions: { debounceMs: 0 },
    workspaceFolders: [{ uri: rootUri, name: 'test' }], clientInfo: { name: 'node-test' },
  });
  const ready = new Promise((resolve) => {
    const check = () => (server.statuses.some((s) => s.state === 'ready' || s.state === 'error')
      ? resolve() : setTimeout(check, 5));
    check();
  });
  await server.conn.sendNotification(proto.InitializedNotification.type, {});
  await ready;
  return result;
}

export async function shutdown(server) {
  await server.conn.sendRequest(proto.ShutdownRequest.type);
  await server.conn.sendNotification(proto.ExitNotification.type);
  return server.exited;
}
