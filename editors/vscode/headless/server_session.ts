// Headless end-to-end test: drives a real `coderx lsp` process through the protocol library the
// extension ships (vscode-languageserver-protocol / vscode-jsonrpc as resolved in
// editors/vscode/package-lock.json, i.e. what vscode-languageclient 11 runs on), with the
// extension's own request builders (src/commands.ts, src/settings.ts, src/status.ts,
// src/rdjsonl.ts). VS Code itself cannot run here; everything between VS Code and the wire is
// this library, so this is the session the extension would have.
//
//   node out/headless/server_session.js            (node:test; TAP on stdout)
// Environment:
//   CODERX_BIN       the binary (required)
//   CODERX_SETTINGS  JSON object passed as the `coderx` settings (e.g. {"debounceMs": 0})
//   CODERX_LSP_ARGS  extra arguments after `coderx lsp`, space-separated (e.g. "--engine canned")
//   CODERX_TIMEOUT_MS per-request timeout (default 60000)
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  InitializeRequest,
  InitializedNotification,
  DidOpenTextDocumentNotification,
  DidChangeTextDocumentNotification,
  DidChangeConfigurationNotification,
  InlineCompletionRequest,
  InlineCompletionTriggerKind,
  CompletionRequest,
  CodeActionRequest,
  CodeActionResolveRequest,
  ExecuteCommandRequest,
  ShutdownRequest,
  ExitNotification,
  CancellationTokenSource,
  ResponseError,
  LSPErrorCodes,
  WorkDoneProgress,
  type ProtocolConnection,
  type InitializeResult,
  type InlineCompletionList,
  type InlineCompletionItem,
  type CodeAction,
  type Command,
  type WorkDoneProgressBegin,
  type WorkDoneProgressReport,
  type WorkDoneProgressEnd,
} from 'vscode-languageserver-protocol/node';
import { serverSettings, didChangeConfigurationParams } from '../src/settings';
import { statusView } from '../src/status';
import { lspArgs, explainParams, refactorCommand, needsConfirmation, textEditsOf, accumulate } from '../src/commands';

const bin = process.env.CODERX_BIN ?? '';
const timeoutMs = Number(process.env.CODERX_TIMEOUT_MS ?? 60000);
const userSettings: unknown = process.env.CODERX_SETTINGS ? JSON.parse(process.env.CODERX_SETTINGS) : undefined;

const SOURCE = ['def add(a, b):', '    return a + b', '', 'def mul(a, b):', '    ', ''].join('\n');

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no reply within ${timeoutMs} ms`)), timeoutMs);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

function itemsOf(result: InlineCompletionList | InlineCompletionItem[] | null): InlineCompletionItem[] {
  if (result === null) return [];
  return Array.isArray(result) ? result : result.items;
}

test('a whole editor session against coderx lsp', { timeout: 10 * timeoutMs }, async (t) => {
  assert.ok(bin && fs.existsSync(bin), `CODERX_BIN must name the coderx binary (got '${bin}')`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coderx-vscode-'));
  const file = path.join(dir, 'calc.py');
  fs.writeFileSync(file, SOURCE);
  const uri = pathToFileURL(file).toString();

  const extra = (process.env.CODERX_LSP_ARGS ?? '').split(' ').filter((a) => a !== '');
  const proc: ChildProcessWithoutNullStreams = spawn(bin, lspArgs({}, extra), { cwd: dir, stdio: 'pipe' });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const conn: ProtocolConnection = createProtocolConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  const statuses: unknown[] = [];
  conn.onNotification('coderx/status', (p: unknown) => {
    statuses.push(p);
  });
  conn.onNotification('window/logMessage', () => undefined);
  conn.onRequest('window/workDoneProgress/create', () => null);
  conn.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) => p.items.map(() => null));
  // A server may deliver a refactor as workspace/applyEdit (VS Code's languageclient applies it,
  // previewing annotated edits) instead of in the command's result.
  const applyEdits: { label?: string; edit: unknown }[] = [];
  conn.onRequest('workspace/applyEdit', (p: { label?: string; edit: unknown }) => {
    applyEdits.push(p);
    return { applied: true };
  });
  conn.listen();

  const settings = serverSettings([userSettings]);
  let caps: InitializeResult['capabilities'] | undefined;
  let version = 1;

  try {
    await t.test('initialize with the settings passed through', async () => {
      const result = await withTimeout(
        conn.sendRequest(InitializeRequest.type, {
          processId: process.pid,
          rootUri: pathToFileURL(dir).toString(),
          workspaceFolders: [{ uri: pathToFileURL(dir).toString(), name: 'ws' }],
          initializationOptions: settings,
          capabilities: {
            general: { positionEncodings: ['utf-16'] },
            window: { workDoneProgress: true },
            workspace: {
              configuration: true, didChangeConfiguration: { dynamicRegistration: false }, workspaceFolders: true, applyEdit: true,
              workspaceEdit: { documentChanges: true, changeAnnotationSupport: { groupsOnLabel: true } },
            },
            textDocument: {
              synchronization: { dynamicRegistration: false },
              inlineCompletion: { dynamicRegistration: false },
              completion: { completionItem: { snippetSupport: false } },
              codeAction: { resolveSupport: { properties: ['edit'] }, dataSupport: true, codeActionLiteralSupport: { codeActionKind: { valueSet: ['', 'quickfix', 'refactor', 'refactor.rewrite'] } } },
            },
          },
        }),
        'initialize',
      );
      caps = result.capabilities;
      assert.ok(caps.inlineCompletionProvider, 'server offers inline completion');
      const commands = caps.executeCommandProvider?.commands ?? [];
      assert.ok(commands.includes('coderx.refactor'), `coderx.refactor among ${JSON.stringify(commands)}`);
      await conn.sendNotification(InitializedNotification.type, {});
      await conn.sendNotification(DidChangeConfigurationNotification.type, didChangeConfigurationParams(settings));
    });

    await t.test('coderx/status notifications reach a known state', async () => {
      const deadline = Date.now() + timeoutMs;
      while (!statuses.some((s) => statusView(s).state === 'ready') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(statuses.length > 0, 'at least one coderx/status');
      for (const s of statuses) assert.notEqual(statusView(s).state, 'unknown', `documented state: ${JSON.stringify(s)}`);
      assert.ok(statuses.some((s) => statusView(s).state === 'ready'), `ready among ${JSON.stringify(statuses)}`);
    });

    await t.test('open, edit, inline completion at the cursor', async () => {
      await conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'python', version, text: SOURCE } });
      version++;
      await conn.sendNotification(DidChangeTextDocumentNotification.type, {
        textDocument: { uri, version },
        contentChanges: [{ range: { start: { line: 4, character: 4 }, end: { line: 4, character: 4 } }, text: 'return' }],
      });
      const position = { line: 4, character: 10 };
      const result = await withTimeout(
        conn.sendRequest(InlineCompletionRequest.type, { textDocument: { uri }, position, context: { triggerKind: InlineCompletionTriggerKind.Invoked } }),
        'inlineCompletion',
      );
      for (const item of itemsOf(result)) {
        const text = typeof item.insertText === 'string' ? item.insertText : item.insertText.value;
        assert.equal(typeof text, 'string');
        if (item.range) {
          assert.ok(item.range.start.line <= position.line && item.range.end.line >= position.line, 'range covers the cursor line');
        }
      }
    });

    await t.test('a cancelled inline completion gets exactly one reply', async () => {
      const source = new CancellationTokenSource();
      const pending = conn.sendRequest(InlineCompletionRequest.type, { textDocument: { uri }, position: { line: 4, character: 10 }, context: { triggerKind: InlineCompletionTriggerKind.Automatic } }, source.token);
      source.cancel();
      try {
        const r = await withTimeout(pending, 'cancelled inlineCompletion');
        assert.ok(r === null || Array.isArray(r) || Array.isArray(r.items), 'a normal reply is a list');
      } catch (e) {
        assert.ok(e instanceof ResponseError, `a JSON-RPC error, not ${String(e)}`);
        assert.equal(e.code, LSPErrorCodes.RequestCancelled);
      }
    });

    await t.test('completion (when offered)', async (tt) => {
      if (!caps?.completionProvider) return tt.skip('server offers no completion');
      const r = await withTimeout(conn.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line: 4, character: 10 } }), 'completion');
      const items = r === null ? [] : Array.isArray(r) ? r : r.items;
      for (const item of items) assert.equal(typeof item.label, 'string');
    });

    await t.test('code action and resolve (when offered)', async (tt) => {
      if (!caps?.codeActionProvider) return tt.skip('server offers no code actions');
      const range = { start: { line: 0, character: 0 }, end: { line: 1, character: 16 } };
      const actions = (await withTimeout(conn.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range, context: { diagnostics: [] } }), 'codeAction')) ?? [];
      const literal = actions.find((a): a is CodeAction => 'title' in a && !('command' in a && typeof (a as Command).command === 'string'));
      if (!literal) return;
      const resolved = literal.edit ? literal : await withTimeout(conn.sendRequest(CodeActionResolveRequest.type, literal), 'codeAction/resolve');
      assert.ok(resolved.edit, 'resolved action carries an edit');
      for (const doc of textEditsOf(resolved.edit)) assert.equal(doc.uri, uri);
    });

    await t.test('coderx/explain returns markdown, streamed through progress', async () => {
      const token = 'explain-1';
      const reports: string[] = [];
      const sub = conn.onProgress(WorkDoneProgress.type, token, (v: WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd) => {
        if (v.kind === 'report' && v.message) reports.push(v.message);
      });
      const range = { start: { line: 0, character: 0 }, end: { line: 1, character: 16 } };
      const r = (await withTimeout(conn.sendRequest('coderx/explain', explainParams(uri, range, token)), 'coderx/explain')) as { markdown?: unknown; usage?: unknown };
      sub.dispose();
      assert.equal(typeof r.markdown, 'string');
      // usage is optional (docs/protocol.md): an object when present, the usage line otherwise absent
      assert.ok(r.usage === undefined || (typeof r.usage === 'object' && r.usage !== null), 'usage is an object when present');
      if (r.usage === undefined) t.diagnostic('this server sends no "usage" with coderx/explain');
      const markdown = r.markdown as string;
      // reports carry the markdown so far, batched: a long answer has some, a short one may have none
      if (markdown.length >= 256) assert.ok(reports.length > 0, 'partial markdown arrived as $/progress reports');
      let streamed = '';
      for (const report of reports) {
        const next = accumulate(streamed, report);
        assert.ok(next.startsWith(streamed), 'each report extends what was shown');
        streamed = next;
      }
      assert.ok(markdown.startsWith(streamed), `streamed text ${JSON.stringify(streamed)} is a prefix of the result`);
    });

    await t.test('coderx.refactor returns a versioned edit that needs confirmation', async () => {
      const range = { start: { line: 0, character: 0 }, end: { line: 1, character: 16 } };
      const cmd = refactorCommand(uri, range, 'add a docstring');
      assert.ok(cmd);
      type Edit = { documentChanges?: { textDocument: { uri: string; version: number | null } }[] };
      const r = (await withTimeout(conn.sendRequest(ExecuteCommandRequest.type, cmd), 'coderx.refactor')) as { edit?: Edit } | null;
      const edit = (r?.edit ?? applyEdits.at(-1)?.edit) as Edit | undefined;
      // docs/protocol.md: the edit comes as workspace/applyEdit and the command replies null; a
      // result carrying {edit} is accepted too (the extension handles both)
      assert.ok(edit, 'an edit, as workspace/applyEdit or in the result');
      if (applyEdits.length > 0) assert.match(applyEdits.at(-1)?.label ?? '', /^coderx: /, 'applyEdit label');
      const change = edit.documentChanges?.[0];
      assert.ok(change, 'documentChanges');
      assert.equal(change.textDocument.uri, uri);
      assert.equal(change.textDocument.version, version, 'versioned for the current document');
      assert.equal(needsConfirmation(edit), true, 'annotated with needsConfirmation');
    });

    await t.test('shutdown and exit end the process cleanly', async () => {
      await withTimeout(conn.sendRequest(ShutdownRequest.type), 'shutdown');
      await conn.sendNotification(ExitNotification.type);
      assert.equal(await withTimeout(exited, 'process exit'), 0);
    });
  } finally {
    conn.dispose();
    if (proc.exitCode === null) proc.kill();
    if (process.env.CODERX_SHOW_STDERR) process.stderr.write(stderr);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
