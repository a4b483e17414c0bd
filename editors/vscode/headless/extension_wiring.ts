// The extension itself (out/src/extension.js) activated under node with a mocked `vscode` module
// (vscode_mock.ts) and the real vscode-languageclient 11, against a server binary:
// activation starts the server with only the user's settings, the status bar follows
// coderx/status, the languageclient's inline-completion provider returns the server's ghost text,
// the three commands produce a webview, an applied edit and review diagnostics, and while the
// server starts again after a crash the status bar and the commands say "starting", and a restart
// (the command, or a changed model) while the server is still starting, or two restarts at once,
// leave one server process.
//   CODERX_BIN=tests/editors/fake_coderx.js node --test out/headless/extension_wiring.js
// The exact texts checked are the fake server's fixed answers (tests/editors/fake_coderx.js).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as mock from './vscode_mock';
import { routeVscodeToMock, until as waitUntil } from './harness';

// Route require('vscode') to the mock (with an inert fallback for names it does not model).
routeVscodeToMock();

const bin = process.env.CODERX_BIN ?? '';
// The fake server appends every message it receives here (a fresh file per run).
const serverLog = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'coderx-ext-log-')), 'server.log');
process.env.FAKE_CODERX_LOG = serverLog;

const until = <T>(what: string, fn: () => T | undefined | false, ms = 10000): Promise<T> =>
  waitUntil(what, fn, ms);

function loggedMessages(): { method?: string; params?: Record<string, unknown>; argv?: string[]; pid?: number }[] {
  if (!fs.existsSync(serverLog)) return [];
  return fs.readFileSync(serverLog, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

// The process ids of every `coderx lsp` started so far, oldest first, and those still alive.
const lspPids = (): number[] => loggedMessages().flatMap((m) => (m.argv?.[0] === 'lsp' && m.pid ? [m.pid] : []));
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Once things settle only the newest server runs (the others are killed afterwards either way).
async function onlyNewestServerAlive(): Promise<void> {
  const newest = lspPids().at(-1);
  try {
    await until('one live server', () => lspPids().filter(alive).length === 1).catch(() => undefined);
    assert.deepEqual(lspPids().filter(alive), [newest], 'only the newest server is alive');
  } finally {
    for (const pid of lspPids().filter((p) => p !== newest && alive(p))) process.kill(pid, 'SIGKILL');
  }
}

test('the extension activates and drives the server through vscode-languageclient', { timeout: 60000 }, async (t) => {
  assert.ok(bin && fs.existsSync(bin), 'CODERX_BIN names the server binary');
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'coderx-ext-'));
  fs.mkdirSync(path.join(ws, 'src'));
  fs.writeFileSync(path.join(ws, 'src', 'a.c'), 'int f(int *p) {\n    x = *p + 1;\n}\n');
  const file = path.join(ws, 'main.c');
  const text = 'int main() {\n  hello\n}\n';
  fs.writeFileSync(file, text);
  const doc = new mock.MockTextDocument(mock.Uri.file(file), 'c', text);
  // serverArgs written as a string (settings.json wants an array): ignored with a warning, not a failed activation
  const user = { path: bin, model: '/models/x.gguf', serverArgs: '--engine canned', budgets: { inlineCompletion: { answerTokens: 7 } }, review: { base: '' } };
  mock.setWorkspace(ws, [doc], { coderx: user });

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const extension = require('../src/extension') as { activate(c: unknown): Promise<void>; deactivate(): Promise<void> };
  const context = { subscriptions: [] as { dispose(): unknown }[] };

  try {
    await t.test('activation starts the server and the status bar follows coderx/status', async () => {
      await extension.activate(context);
      await until('status ready', () => mock.recorded.status.text === '$(check) coderx');
      for (const id of ['coderx.explainSelection', 'coderx.refactorSelection', 'coderx.reviewChanges', 'coderx.showLog', 'coderx.restart']) {
        assert.ok(mock.recorded.commands.has(id), `command ${id} registered`);
      }
    });

    await t.test('only the user-set server settings are sent, client-only keys stay behind', async () => {
      const init = loggedMessages().find((m) => m.method === 'initialize');
      assert.ok(init?.params);
      assert.deepEqual(init.params.initializationOptions, { budgets: { inlineCompletion: { answerTokens: 7 } } });
    });

    await t.test('the model goes on the server command line', async () => {
      const started = loggedMessages().find((m) => m.argv?.[0] === 'lsp');
      assert.deepEqual(started?.argv, ['lsp', '--model', '/models/x.gguf']);
    });

    await t.test('a serverArgs string is ignored with a warning, not split or fatal', async () => {
      assert.ok(mock.recorded.messages.some((m) => m.startsWith('warning coderx.serverArgs must be an array of strings')), mock.recorded.messages.join('\n'));
    });

    await t.test('inline completion: the registered provider returns the server ghost text', async () => {
      const provider = mock.recorded.providers.get('InlineCompletionItemProvider') as {
        provideInlineCompletionItems(d: unknown, p: unknown, c: unknown, tok: unknown): Promise<unknown>;
      };
      assert.ok(provider, 'inline completion provider registered by the languageclient');
      const result = await provider.provideInlineCompletionItems(doc, new mock.Position(1, 7), { triggerKind: 0, selectedCompletionInfo: undefined }, new mock.CancellationTokenSource().token);
      const items = (Array.isArray(result) ? result : (result as { items: mock.InlineCompletionItem[] }).items) as mock.InlineCompletionItem[];
      assert.equal(items.length, 1);
      assert.equal(items[0].insertText, ' world(); // done');
    });

    await t.test('Explain selection fills a side webview with the markdown and the usage', async () => {
      mock.window.activeTextEditor = { document: doc, selection: new mock.Selection(new mock.Position(0, 0), new mock.Position(1, 7)) };
      await mock.commands.executeCommand('coderx.explainSelection');
      const panel = mock.recorded.webviews.at(-1);
      assert.ok(panel, 'a webview panel');
      assert.match(panel.title, /^Explain: main\.c:1-2$/);
      assert.ok(panel.webview.html.includes('# Explanation'), panel.webview.html);
      assert.ok(panel.webview.html.includes('The selection has 2 line(s):'));
      assert.ok(panel.webview.html.includes('10 prompt (0 cached) + 0 thinking + 5 answer tokens in 1 ms'));
      assert.ok(!panel.webview.html.includes('coderx is writing'), 'finished');
    });

    await t.test('Refactor selection: the server workspace/applyEdit reaches VS Code annotated (VS Code previews it)', async () => {
      mock.window.activeTextEditor = { document: doc, selection: new mock.Selection(new mock.Position(1, 0), new mock.Position(1, 7)) };
      const before = mock.recorded.edits.length;
      await mock.commands.executeCommand('coderx.refactorSelection');
      const edit = await until('the applyEdit edit', () => mock.recorded.edits.length > before && mock.recorded.edits.at(-1));
      assert.equal(edit.entries_.length, 1);
      assert.equal(edit.entries_[0].newText, '  HELLO');
      assert.equal(edit.entries_[0].uri.fsPath, file);
      assert.equal(edit.entries_[0].metadata?.needsConfirmation, true, 'needsConfirmation reaches VS Code');
      const call = loggedMessages().filter((m) => m.method === 'workspace/executeCommand').at(-1);
      assert.deepEqual((call?.params?.arguments as { instruction: string }[])[0].instruction, 'shout it');
    });

    await t.test('an edit in the command result is applied annotated too', async () => {
      const before = mock.recorded.edits.length;
      mock.recorded.inputBoxAnswer = 'result: loud';
      await mock.commands.executeCommand('coderx.refactorSelection');
      assert.equal(mock.recorded.edits.length, before + 1, 'applied by the extension before the command returns');
      const edit = mock.recorded.edits.at(-1);
      assert.ok(edit);
      assert.equal(edit.entries_[0].newText, '  HELLO');
      assert.equal(edit.entries_[0].metadata?.needsConfirmation, true, 'VS Code previews it');
      mock.recorded.inputBoxAnswer = 'shout it';
    });

    await t.test('Refactor selection sends the document version; an edit for a document changed meanwhile is not applied', async () => {
      const before = mock.recorded.edits.length;
      const messages = mock.recorded.messages.length;
      const calls = () => loggedMessages().filter((m) => m.method === 'workspace/executeCommand').length;
      const sent = calls();
      mock.recorded.inputBoxAnswer = 'late: loud'; // the fake makes the edit now and answers 300 ms later
      const running = mock.commands.executeCommand('coderx.refactorSelection');
      await until('the command reached the server', () => calls() > sent);
      const call = loggedMessages().filter((m) => m.method === 'workspace/executeCommand').at(-1);
      assert.equal((call?.params?.arguments as { version?: number }[])[0].version, doc.version, 'the version of the selected text');
      doc.version += 1; // the user goes on typing while the model works
      try {
        await running;
      } finally {
        doc.version -= 1;
        mock.recorded.inputBoxAnswer = 'shout it';
      }
      assert.equal(mock.recorded.edits.length, before, 'nothing applied');
      const said = mock.recorded.messages.slice(messages);
      assert.ok(said.some((m) => m.startsWith('warning main.c changed while coderx was refactoring it')), said.join('\n'));
    });

    await t.test('Review changes turns rdjsonl findings into diagnostics', async () => {
      await mock.commands.executeCommand('coderx.reviewChanges');
      const review = loggedMessages().find((m) => m.argv?.[0] === 'review');
      assert.deepEqual(review?.argv, ['review', '--format', 'rdjsonl', '--model', '/models/x.gguf'], 'the same model reviews');
      const a = mock.recorded.diagnostics.get(mock.Uri.file(path.join(ws, 'src/a.c')).toString());
      const b = mock.recorded.diagnostics.get(mock.Uri.file(path.join(ws, 'src/b.py')).toString());
      assert.ok(a && b, `diagnostics for both files: ${[...mock.recorded.diagnostics.keys()].join(', ')}`);
      assert.equal(a.length, 1);
      assert.deepEqual([a[0].range.start.line, a[0].range.start.character, a[0].range.end.line, a[0].range.end.character], [1, 4, 1, 8]);
      assert.equal(a[0].severity, mock.DiagnosticSeverity.Warning);
      assert.equal(a[0].code, 'null-deref');
      assert.equal(b[0].severity, mock.DiagnosticSeverity.Error);
      assert.equal(b[0].range.start.line, 6);
    });

    await t.test('while the server starts again after a crash, the status bar and the commands say starting', async () => {
      const starts = () => loggedMessages().filter((m) => m.argv?.[0] === 'lsp');
      const inits = () => loggedMessages().filter((m) => m.method === 'initialize').length;
      const [before, initsBefore] = [starts().length, inits()];
      const gate = path.join(path.dirname(serverLog), 'initialize-gate'); // the new server answers once it exists
      process.env.FAKE_CODERX_INIT_GATE = gate;
      try {
        process.kill(starts().at(-1)?.pid ?? 0, 'SIGKILL');
        await until('the languageclient starts the server again', () => starts().length > before && inits() > initsBefore);
        await until('status starting', () => mock.recorded.status.text === '$(sync~spin) coderx: starting', 5000).catch(() => undefined);
        assert.equal(mock.recorded.status.text, '$(sync~spin) coderx: starting', 'status while initialize is unanswered');
        const said = mock.recorded.messages.length;
        await mock.commands.executeCommand('coderx.explainSelection');
        const messages = mock.recorded.messages.slice(said);
        assert.ok(messages.some((m) => m.startsWith('warning') && m.includes('starting')), messages.join('\n'));
        assert.ok(!messages.some((m) => m.includes('not running')), messages.join('\n'));
      } finally {
        fs.writeFileSync(gate, '');
        delete process.env.FAKE_CODERX_INIT_GATE;
      }
      await until('status ready again', () => mock.recorded.status.text === '$(check) coderx');
    });

    await t.test('a restart while the server is still starting leaves exactly one server process', async () => {
      const inits = () => loggedMessages().filter((m) => m.method === 'initialize').length;
      const gate = path.join(path.dirname(serverLog), 'restart-gate'); // every new server waits here
      const said = mock.recorded.messages.length;
      const restarts: unknown[] = [];
      const restartAndWait = async (restart: () => unknown): Promise<void> => {
        const n = inits();
        restarts.push(restart());
        await until(`server ${n + 1} waiting for its initialize answer`, () => inits() > n);
      };
      process.env.FAKE_CODERX_INIT_GATE = gate;
      try {
        await restartAndWait(() => mock.commands.executeCommand('coderx.restart')); // from running
        await restartAndWait(() => mock.commands.executeCommand('coderx.restart')); // while starting
        const changed = { ...mock.recorded.settings, coderx: { ...user, model: '/models/y.gguf' } };
        await restartAndWait(() => mock.changeSettings(changed, ['coderx.model'])); // while starting
        assert.deepEqual(loggedMessages().filter((m) => m.argv?.[0] === 'lsp').at(-1)?.argv, ['lsp', '--model', '/models/y.gguf']);
      } finally {
        fs.writeFileSync(gate, '');
        delete process.env.FAKE_CODERX_INIT_GATE;
      }
      await Promise.all(restarts);
      await until('status ready after the restarts', () => mock.recorded.status.text === '$(check) coderx');
      await onlyNewestServerAlive();
      const errors = mock.recorded.messages.slice(said).filter((m) => m.startsWith('error'));
      assert.deepEqual(errors, [], 'no error popups for the servers replaced while starting');
    });

    await t.test('two restarts at once leave exactly one server process', async () => {
      const before = lspPids().length;
      await Promise.all([mock.commands.executeCommand('coderx.restart'), mock.commands.executeCommand('coderx.restart')]);
      await until('status ready after the restarts', () => mock.recorded.status.text === '$(check) coderx');
      assert.ok(lspPids().length > before, 'restarted');
      await onlyNewestServerAlive();
    });

    await t.test('deactivate shuts the server down', async () => {
      await extension.deactivate();
      await until('shutdown and exit in the server log', () => {
        const methods = loggedMessages().map((m) => m.method);
        return methods.includes('shutdown') && methods.includes('exit');
      });
    });
  } finally {
    for (const d of context.subscriptions) d.dispose();
    fs.rmSync(ws, { recursive: true, force: true });
    fs.rmSync(path.dirname(serverLog), { recursive: true, force: true });
  }
});
