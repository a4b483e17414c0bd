// The VS Code extension: starts `coderx lsp` through vscode-languageclient and wires the coderx
// features (docs/protocol.md) into VS Code:
//   - inline completions (ghost text): the languageclient's InlineCompletionItemFeature, on by
//     default once the server advertises `inlineCompletionProvider`;
//   - "Explain selection": `coderx/explain`, markdown streamed into a side webview;
//   - "Refactor selection…": an input box, then `coderx.refactor`; the server sends the edit as
//     workspace/applyEdit, which the languageclient applies (VS Code previews annotated edits);
//     an edit in the command's result is applied after confirmation too;
//   - "Review changes": `coderx review --format rdjsonl` in the workspace folder, as diagnostics;
//   - a status-bar item fed by `coderx/status`; the server's stderr in the "coderx" output channel;
//   - settings passed through untouched (settings.ts), except the model, engine and log level,
//     which go on the server's command line (commands.ts);
//   - restarts (the command, a setting on the server's command line) one at a time, each ending the
//     previous server whatever its state, also while it is still starting (server_client.ts).
// Everything that can be decided without VS Code lives in settings.ts, status.ts, rdjsonl.ts,
// commands.ts and explain_html.ts, which the unit tests cover.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import * as vscode from 'vscode';
import {
  LanguageClientOptions,
  ServerOptions,
  State,
  ExecuteCommandRequest,
  DidChangeConfigurationNotification,
  WorkDoneProgress,
  type WorkDoneProgressReport,
  type WorkDoneProgressBegin,
  type WorkDoneProgressEnd,
} from 'vscode-languageclient/node';
import { serverSettings, sectionValue, didChangeConfigurationParams, type JsonObject } from './settings';
import { statusView, localStatus, unavailableMessage, type StatusView } from './status';
import { parseRdjsonl, groupByPath, utf16Column, type Finding } from './rdjsonl';
import {
  resolveBinary,
  lspArgs,
  reviewArgs,
  explainParams,
  refactorCommand,
  type EngineOptions,
  badListSetting,
  staleDocument,
  needsConfirmation,
  summarizeEdit,
  accumulate,
} from './commands';
import { explainHtml, usageLine } from './explain_html';
import { ServerClient } from './server_client';

// Languages the server's tree-sitter registry knows (context/languages).
const LANGUAGES = ['c', 'cpp', 'python', 'javascript', 'javascriptreact', 'typescript', 'typescriptreact', 'go', 'rust', 'java', 'json', 'shellscript'];

let client: ServerClient | undefined;
let output: vscode.LogOutputChannel;
let statusItem: vscode.StatusBarItem;
let reviewDiagnostics: vscode.DiagnosticCollection;

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function binary(): string | undefined {
  const setting = vscode.workspace.getConfiguration('coderx').get<unknown>('path');
  return resolveBinary(setting, process.env, isExecutable);
}

function firstFolder(): vscode.WorkspaceFolder | undefined {
  const active = vscode.window.activeTextEditor?.document.uri;
  return (active && vscode.workspace.getWorkspaceFolder(active)) ?? vscode.workspace.workspaceFolders?.[0];
}

// What the user wrote under `coderx` (user < workspace < folder), never VS Code's invented defaults.
function currentSettings(): JsonObject {
  const info = vscode.workspace.getConfiguration(undefined, firstFolder()?.uri).inspect<unknown>('coderx');
  return serverSettings([info?.globalValue, info?.workspaceValue, info?.workspaceFolderValue]);
}

// The server's command-line options among the settings (commands.ts EngineOptions).
function engineOptions(): EngineOptions {
  const cfg = vscode.workspace.getConfiguration('coderx');
  return { model: cfg.get<unknown>('model'), engine: cfg.get<unknown>('engine'), logLevel: cfg.get<unknown>('logLevel') };
}

// Settings that change the server's command line: a change restarts it.
const RESTART_KEYS = ['coderx.path', 'coderx.serverArgs', 'coderx.model', 'coderx.engine', 'coderx.logLevel'];

function showStatus(view: StatusView): void {
  statusItem.text = view.text;
  statusItem.tooltip = view.tooltip;
  statusItem.backgroundColor = view.isError ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  statusItem.show();
}

function clientOptions(): LanguageClientOptions {
  return {
    documentSelector: LANGUAGES.flatMap((language) => [
      { scheme: 'file', language },
      { scheme: 'untitled', language },
    ]),
    outputChannel: output,
    initializationOptions: () => currentSettings(),
    middleware: {
      workspace: {
        // Answer workspace/configuration for `coderx` sections from what the user set only.
        configuration: async (params, token, next) => {
          const settings = currentSettings();
          const theirs = params.items.map((item) => sectionValue(settings, item.section));
          if (theirs.every((v) => v !== undefined)) return theirs;
          const fallback = await next(params, token);
          if (!Array.isArray(fallback)) return fallback;
          return theirs.map((v, i) => (v !== undefined ? v : fallback[i]));
        },
      },
    },
  };
}

// Makes the client of a new server (not started yet) and makes it the current one.
function createClient(): ServerClient | undefined {
  const bin = binary();
  if (!bin) {
    const why = 'coderx binary not found: set "coderx.path" or put coderx on PATH';
    showStatus(localStatus('stopped', why));
    output.error(why);
    void vscode.window.showErrorMessage(why, 'Open Settings').then((pick) => {
      if (pick) vscode.commands.executeCommand('workbench.action.openSettings', 'coderx.path').then(undefined, () => undefined);
    });
    return undefined;
  }
  const cfg = vscode.workspace.getConfiguration('coderx');
  const serverArgs = cfg.get<unknown>('serverArgs');
  const bad = badListSetting('coderx.serverArgs', serverArgs);
  if (bad) {
    output.warn(bad);
    void vscode.window.showWarningMessage(bad);
  }
  const args = lspArgs(engineOptions(), serverArgs);
  const serverOptions: ServerOptions = { command: bin, args, options: { cwd: firstFolder()?.uri.fsPath } };
  const c = new ServerClient(serverOptions, clientOptions());
  c.onNotification('coderx/status', (params: unknown) => {
    if (!c.retired) showStatus(statusView(params));
  });
  c.onDidChangeState((e) => {
    if (!c.retired) followState(e.newState, bin);
  });
  showStatus(localStatus('loading', `starting ${bin} lsp`));
  output.info(`starting ${bin} ${args.join(' ')}`);
  client = c;
  return c;
}

// Starts c's server; a failed start is reported unless c was replaced meanwhile.
async function launch(c: ServerClient | undefined): Promise<void> {
  try {
    await c?.start();
  } catch (e) {
    if (!c || c.retired) return; // replaced while starting: expected
    output.error(`coderx lsp failed to start: ${String(e)}`);
    showStatus(localStatus('stopped', String(e)));
  }
}

// The status bar across the languageclient's states: it also restarts a crashed server by itself
// (Stopped, then Starting), which must read "starting", not "stopped", until the server speaks.
function followState(state: State, bin: string): void {
  if (state === State.Starting) showStatus(localStatus('loading', `starting ${bin} lsp`));
  else if (state === State.Stopped || state === State.StartFailed) {
    showStatus(localStatus('stopped', 'the coderx server has stopped; see the coderx output'));
  }
}

async function stopClient(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) await c.retire().catch((e: unknown) => output.warn(`stopping coderx: ${String(e)}`));
}

// Starts and stops take turns: each retires the client the one before made (two restarts at once
// would both find the same client and each start a server). A turn ends once the new client is
// made, not once its server has started, so a server stuck starting never blocks a restart.
let turns: Promise<unknown> = Promise.resolve();

function inTurn<T>(step: () => T | Promise<T>): Promise<T> {
  const turn = turns.then(step);
  turns = turn.catch(() => undefined);
  return turn;
}

async function restartClient(): Promise<void> {
  const c = await inTurn(async () => {
    await stopClient();
    return createClient();
  });
  await launch(c);
}

function runningClient(): ServerClient | undefined {
  if (client?.isRunning()) return client;
  void vscode.window.showWarningMessage(unavailableMessage(client?.state === State.Starting ? 'starting' : 'stopped'));
  return undefined;
}

function selectionOrLine(editor: vscode.TextEditor): vscode.Range {
  const s = editor.selection;
  return s.isEmpty ? editor.document.lineAt(s.active.line).range : new vscode.Range(s.start, s.end);
}

async function renderMarkdown(markdown: string): Promise<string | undefined> {
  try {
    return await vscode.commands.executeCommand<string>('markdown.api.render', markdown);
  } catch {
    return undefined;
  }
}

async function explainSelection(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const c = runningClient();
  if (!editor || !c) return;
  const range = selectionOrLine(editor);
  const title = `Explain: ${path.basename(editor.document.uri.fsPath)}:${range.start.line + 1}-${range.end.line + 1}`;
  const panel = vscode.window.createWebviewPanel('coderx.explain', title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: false });
  let shown = '';
  let latest = 0; // renders are async: only the newest one may write the page
  const show = async (inProgress: boolean, footer?: string): Promise<void> => {
    const seq = ++latest;
    const markdown = shown;
    const bodyHtml = await renderMarkdown(markdown);
    if (seq === latest) panel.webview.html = explainHtml({ title, markdown, bodyHtml, inProgress, footer });
  };
  await show(true);
  const token = `coderx-explain-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const progress = c.onProgress(WorkDoneProgress.type, token, (value: WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd) => {
    if (value.kind === 'report' && value.message) {
      shown = accumulate(shown, value.message);
      void show(true);
    }
  });
  try {
    const params = explainParams(c.code2ProtocolConverter.asUri(editor.document.uri), c.code2ProtocolConverter.asRange(range), token);
    const result = (await c.sendRequest('coderx/explain', params)) as { markdown?: unknown; usage?: unknown } | null;
    shown = typeof result?.markdown === 'string' ? result.markdown : shown;
    await show(false, usageLine(result?.usage));
  } catch (e) {
    shown += `\n\n**coderx/explain failed:** ${String(e)}`;
    await show(false);
  } finally {
    progress.dispose();
  }
}

const CONTENT_MODIFIED = -32801; // LSP ErrorCodes.ContentModified

async function refactorSelection(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const c = runningClient();
  if (!editor || !c) return;
  const range = selectionOrLine(editor);
  const document = editor.document;
  const version = document.version; // the text the selection is in
  const instruction = await vscode.window.showInputBox({ prompt: 'Refactor the selection: what should change?', placeHolder: 'e.g. use early returns' });
  if (instruction === undefined) return;
  if (document.version !== version) {
    void vscode.window.showWarningMessage('The document changed while you typed the instruction; select again and rerun the refactor.');
    return;
  }
  const cmd = refactorCommand(c.code2ProtocolConverter.asUri(document.uri), c.code2ProtocolConverter.asRange(range), instruction, version);
  if (!cmd) return;
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'coderx: refactoring…', cancellable: true },
    (_progress, cancel) => c.sendRequest(ExecuteCommandRequest.type, cmd, cancel),
  ).then(
    (r) => r as { edit?: unknown } | null,
    (e: unknown) => {
      if ((e as { code?: unknown } | null)?.code === CONTENT_MODIFIED) {
        void vscode.window.showWarningMessage('The document changed before coderx could start the refactor; nothing was applied (run it again).');
      } else {
        void vscode.window.showErrorMessage(`coderx.refactor failed: ${String(e)}`);
      }
      return null;
    },
  );
  if (!result?.edit) return;
  // The user may have gone on typing while the model worked: an edit for an older text would
  // land on the wrong lines (checked again right before applying, after every await).
  const versionOf = (uri: string): number | undefined =>
    vscode.workspace.textDocuments.find((d: vscode.TextDocument) => c.code2ProtocolConverter.asUri(d.uri) === uri)?.version;
  const stale = (): boolean => {
    const uri = staleDocument(result.edit, versionOf);
    if (uri === undefined) return false;
    void vscode.window.showWarningMessage(`${path.basename(vscode.Uri.parse(uri).fsPath)} changed while coderx was refactoring it; nothing was applied (run the refactor again).`);
    return true;
  };
  if (stale()) return;
  const edit = await c.protocol2CodeConverter.asWorkspaceEdit(result.edit as Parameters<typeof c.protocol2CodeConverter.asWorkspaceEdit>[0]);
  if (!edit) return;
  // Annotated edits open VS Code's refactor preview; confirm others ourselves.
  if (!needsConfirmation(result.edit)) {
    const pick = await vscode.window.showInformationMessage(`Apply the coderx refactor (${summarizeEdit(result.edit)})?`, { modal: true }, 'Apply');
    if (pick !== 'Apply') return;
  }
  if (stale()) return;
  if (!(await vscode.workspace.applyEdit(edit))) void vscode.window.showWarningMessage('The refactor was not applied.');
}

async function lineText(uri: vscode.Uri): Promise<(line: number) => string> {
  try {
    const doc = await vscode.workspace.openTextDocument(uri);
    return (line) => (line < doc.lineCount ? doc.lineAt(line).text : '');
  } catch {
    return () => '';
  }
}

const SEVERITY: Record<Finding['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

function toDiagnostic(f: Finding, text: (line: number) => string): vscode.Diagnostic {
  const start = new vscode.Position(f.start.line, utf16Column(text(f.start.line), f.start.column));
  const end = new vscode.Position(f.end.line, utf16Column(text(f.end.line), f.end.column));
  const d = new vscode.Diagnostic(new vscode.Range(start, end), f.message, SEVERITY[f.severity]);
  d.source = f.source ?? 'coderx review';
  if (f.code) d.code = f.code;
  return d;
}

function runReview(bin: string, cwd: string): Promise<{ stdout: string; stderr: string; code: number }> {
  const cfg = vscode.workspace.getConfiguration('coderx.review');
  const extraArgs = cfg.get<unknown>('extraArgs');
  const bad = badListSetting('coderx.review.extraArgs', extraArgs);
  if (bad) output.warn(bad);
  const args = reviewArgs({ ...engineOptions(), base: cfg.get<unknown>('base'), extraArgs });
  output.info(`running ${bin} ${args.join(' ')} in ${cwd}`);
  return new Promise((resolve) => {
    execFile(bin, args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ stdout: String(stdout), stderr: String(stderr), code });
    });
  });
}

async function reviewChanges(): Promise<void> {
  const folder = firstFolder();
  const bin = binary();
  if (!folder || !bin) {
    void vscode.window.showErrorMessage(!folder ? 'Review needs an open workspace folder.' : 'coderx binary not found (coderx.path).');
    return;
  }
  const run = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'coderx: reviewing changes…' }, () => runReview(bin, folder.uri.fsPath));
  if (run.stderr.trim()) output.info(run.stderr.trimEnd());
  const parsed = parseRdjsonl(run.stdout);
  for (const e of parsed.errors) output.warn(`review output ${e}`);
  if (run.code !== 0 && parsed.findings.length === 0) {
    const last = run.stderr.trim().split('\n').pop() ?? '';
    void vscode.window.showErrorMessage(`coderx review failed (exit ${run.code}): ${last}`);
    return;
  }
  reviewDiagnostics.clear();
  for (const [file, findings] of groupByPath(parsed.findings)) {
    const uri = path.isAbsolute(file) ? vscode.Uri.file(file) : vscode.Uri.joinPath(folder.uri, file);
    const text = await lineText(uri);
    reviewDiagnostics.set(uri, findings.map((f) => toDiagnostic(f, text)));
  }
  const n = parsed.findings.length;
  void vscode.window.showInformationMessage(`coderx review: ${n} finding${n === 1 ? '' : 's'}.`);
  if (n > 0) vscode.commands.executeCommand('workbench.actions.view.problems').then(undefined, () => undefined);
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('coderx', { log: true });
  statusItem = vscode.window.createStatusBarItem('coderx.status', vscode.StatusBarAlignment.Right, 100);
  statusItem.name = 'coderx';
  statusItem.command = 'coderx.showLog';
  reviewDiagnostics = vscode.languages.createDiagnosticCollection('coderx-review');
  context.subscriptions.push(
    output,
    statusItem,
    reviewDiagnostics,
    vscode.commands.registerCommand('coderx.explainSelection', explainSelection),
    vscode.commands.registerCommand('coderx.refactorSelection', refactorSelection),
    vscode.commands.registerCommand('coderx.reviewChanges', reviewChanges),
    vscode.commands.registerCommand('coderx.clearReview', () => reviewDiagnostics.clear()),
    vscode.commands.registerCommand('coderx.showLog', () => output.show(true)),
    vscode.commands.registerCommand('coderx.restart', restartClient),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (RESTART_KEYS.some((key) => e.affectsConfiguration(key))) {
        await restartClient();
      } else if (e.affectsConfiguration('coderx') && client?.isRunning()) {
        await client.sendNotification(DidChangeConfigurationNotification.type, didChangeConfigurationParams(currentSettings()));
      }
    }),
  );
  await restartClient();
}

export async function deactivate(): Promise<void> {
  await inTurn(stopClient);
}
