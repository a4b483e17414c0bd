// A minimal stand-in for the `vscode` module, enough for vscode-languageclient 11 and the
// extension to activate under plain node (VS Code cannot be downloaded on the build machines).
// It records what the extension does (status-bar text, webview HTML, applied edits, diagnostics,
// registered providers and commands) so extension_wiring.ts can check the wiring end to end.
// Anything not modelled here is an inert auto-mock: callable, constructible, returns disposables.
/* eslint-disable @typescript-eslint/no-explicit-any */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';

type Listener = (e: any) => any;

function auto(name: string): any {
  const target = function (this: any, ...args: any[]): any {
    if (new.target) {
      this.__mock = name;
      this.__args = args;
      return undefined;
    }
    return new Disposable(() => undefined);
  };
  return new Proxy(target, {
    get(t: any, p: string | symbol) {
      if (p in t) return t[p];
      if (typeof p === 'symbol' || p === 'then') return undefined;
      t[p] = auto(`${name}.${p}`);
      return t[p];
    },
  });
}

export class Disposable {
  constructor(private readonly fn: () => void) {}
  dispose(): void {
    this.fn();
  }
  static from(...items: { dispose(): any }[]): Disposable {
    return new Disposable(() => items.forEach((i) => i.dispose()));
  }
}

export class EventEmitter<T> {
  private listeners: Listener[] = [];
  event = (listener: Listener): Disposable => {
    this.listeners.push(listener);
    return new Disposable(() => (this.listeners = this.listeners.filter((l) => l !== listener)));
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners = [];
  }
}

export class CancellationError extends Error {}

export class CancellationTokenSource {
  private emitter = new EventEmitter<void>();
  token = { isCancellationRequested: false, onCancellationRequested: this.emitter.event };
  cancel(): void {
    this.token.isCancellationRequested = true;
    this.emitter.fire();
  }
  dispose(): void {
    this.emitter.dispose();
  }
}

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly authority: string,
    readonly path: string,
    readonly query = '',
    readonly fragment = '',
  ) {}
  static file(p: string): Uri {
    return new Uri('file', '', p);
  }
  static parse(s: string): Uri {
    const m = /^([a-z][\w+.-]*):(\/\/([^/]*))?([^?#]*)(\?([^#]*))?(#(.*))?$/i.exec(s);
    if (!m) throw new Error(`mock Uri.parse: ${s}`);
    return new Uri(m[1], m[3] ?? '', decodeURIComponent(m[4]), m[6] ?? '', m[8] ?? '');
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri(base.scheme, base.authority, nodePath.posix.join(base.path, ...parts));
  }
  get fsPath(): string {
    return this.path;
  }
  with(change: { scheme?: string; path?: string }): Uri {
    return new Uri(change.scheme ?? this.scheme, this.authority, change.path ?? this.path);
  }
  toString(): string {
    return `${this.scheme}://${this.authority}${encodeURI(this.path)}`;
  }
  toJSON(): any {
    return { scheme: this.scheme, path: this.path };
  }
}

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
  isEqual(o: Position): boolean {
    return o.line === this.line && o.character === this.character;
  }
  isBefore(o: Position): boolean {
    return this.line < o.line || (this.line === o.line && this.character < o.character);
  }
  translate(dl = 0, dc = 0): Position {
    return new Position(this.line + dl, this.character + dc);
  }
}

export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(a: any, b: any, c?: number, d?: number) {
    if (typeof a === 'number') {
      this.start = new Position(a, b);
      this.end = new Position(c ?? a, d ?? b);
    } else {
      this.start = a;
      this.end = b;
    }
  }
  get isEmpty(): boolean {
    return this.start.isEqual(this.end);
  }
}

export class Selection extends Range {
  constructor(
    readonly anchor: Position,
    readonly active: Position,
  ) {
    super(anchor, active);
  }
}

export class InlineCompletionItem {
  constructor(
    public insertText: any,
    public range?: Range,
    public command?: any,
  ) {}
}
export class InlineCompletionList {
  constructor(public items: InlineCompletionItem[]) {}
}
export class SnippetString {
  constructor(public value = '') {}
}
export class TextEdit {
  constructor(
    public range: Range,
    public newText: string,
  ) {}
  static replace(range: Range, text: string): TextEdit {
    return new TextEdit(range, text);
  }
}
export class WorkspaceEdit {
  readonly entries_: { uri: Uri; range: Range; newText: string; metadata?: any }[] = [];
  replace(uri: Uri, range: Range, newText: string, metadata?: any): void {
    this.entries_.push({ uri, range, newText, metadata });
  }
  insert(uri: Uri, position: Position, newText: string, metadata?: any): void {
    this.replace(uri, new Range(position, position), newText, metadata);
  }
  delete(uri: Uri, range: Range, metadata?: any): void {
    this.replace(uri, range, '', metadata);
  }
  set(uri: Uri, edits: any[]): void {
    for (const e of edits) {
      const edit = Array.isArray(e) ? e[0] : e;
      this.replace(uri, edit.range, edit.newText, Array.isArray(e) ? e[1] : undefined);
    }
  }
  get size(): number {
    return this.entries_.length;
  }
}
export class Diagnostic {
  source?: string;
  code?: any;
  constructor(
    public range: Range,
    public message: string,
    public severity = 0,
  ) {}
}
export class ThemeColor {
  constructor(public id: string) {}
}
export class MarkdownString {
  constructor(public value = '') {}
}

export const DiagnosticSeverity = { Error: 0, Warning: 1, Information: 2, Hint: 3 };
export const StatusBarAlignment = { Left: 1, Right: 2 };
export const ProgressLocation = { SourceControl: 1, Window: 10, Notification: 15 };
export const ViewColumn = { Active: -1, Beside: -2, One: 1 };
export const LogLevel = { Off: 0, Trace: 1, Debug: 2, Info: 3, Warning: 4, Error: 5 };
export const EndOfLine = { LF: 1, CRLF: 2 };
export const InlineCompletionTriggerKind = { Invoke: 0, Automatic: 1 };
export const version = '1.91.0';
export const env = { appName: 'Visual Studio Code (mock)', language: 'en', machineId: 'mock', sessionId: 'mock', openExternal: async () => true };

// ---- what the tests look at ------------------------------------------------------------------
export const recorded = {
  status: { text: '', tooltip: '' as any },
  log: [] as string[],
  webviews: [] as { title: string; webview: { html: string } }[],
  edits: [] as WorkspaceEdit[],
  diagnostics: new Map<string, Diagnostic[]>(),
  providers: new Map<string, any>(),
  commands: new Map<string, (...args: any[]) => any>(),
  messages: [] as string[],
  inputBoxAnswer: 'shout it' as string | undefined,
  settings: {} as Record<string, any>,
};

function lookup(obj: any, key: string): any {
  let v = obj;
  for (const part of key.split('.')) {
    if (v === undefined || v === null || typeof v !== 'object') return undefined;
    v = v[part];
  }
  return v;
}

export class MockTextDocument {
  version = 1;
  isClosed = false;
  isDirty = false;
  isUntitled = false;
  eol = 1;
  constructor(
    readonly uri: Uri,
    readonly languageId: string,
    private text: string,
  ) {}
  get fileName(): string {
    return this.uri.fsPath;
  }
  get lineCount(): number {
    return this.lines().length;
  }
  private lines(): string[] {
    return this.text.split('\n');
  }
  getText(range?: Range): string {
    if (!range) return this.text;
    return this.text.slice(this.offsetAt(range.start), this.offsetAt(range.end));
  }
  lineAt(line: number | Position): any {
    const n = typeof line === 'number' ? line : line.line;
    const text = this.lines()[n] ?? '';
    return { lineNumber: n, text, range: new Range(n, 0, n, text.length), isEmptyOrWhitespace: text.trim() === '' };
  }
  offsetAt(p: Position): number {
    const lines = this.lines();
    let off = 0;
    for (let i = 0; i < p.line && i < lines.length; i++) off += lines[i].length + 1;
    return off + Math.min(p.character, (lines[p.line] ?? '').length);
  }
  positionAt(offset: number): Position {
    const before = this.text.slice(0, offset).split('\n');
    return new Position(before.length - 1, before[before.length - 1].length);
  }
  validateRange(r: Range): Range {
    return r;
  }
  validatePosition(p: Position): Position {
    return p;
  }
  save(): Promise<boolean> {
    return Promise.resolve(true);
  }
}

const folders: any[] = [];
const documents: MockTextDocument[] = [];
const configurationChanged = new EventEmitter<any>();

// Replaces the settings and tells every onDidChangeConfiguration listener that `keys` changed, as
// VS Code does when settings.json is edited (a section is affected by the keys in and above it).
export function changeSettings(settings: Record<string, any>, keys: string[]): void {
  recorded.settings = settings;
  const affects = (section: string): boolean => keys.some((k) => k === section || k.startsWith(`${section}.`) || section.startsWith(`${k}.`));
  configurationChanged.fire({ affectsConfiguration: affects });
}

export function setWorkspace(root: string, docs: MockTextDocument[], settings: Record<string, any>): void {
  folders.splice(0, folders.length, { uri: Uri.file(root), name: nodePath.basename(root), index: 0 });
  documents.splice(0, documents.length, ...docs);
  recorded.settings = settings;
  window.activeTextEditor = docs[0] ? { document: docs[0], selection: new Selection(new Position(0, 0), new Position(0, 0)) } : undefined;
}

function event(): (l: Listener) => Disposable {
  return new EventEmitter<any>().event;
}

function withFallback<T extends object>(name: string, obj: T): T {
  return new Proxy(obj, {
    get(t: any, p: string | symbol) {
      if (p in t) return t[p];
      if (typeof p === 'symbol' || p === 'then') return undefined;
      if (typeof p === 'string' && p.startsWith('onDid')) return event();
      if (typeof p === 'string' && p.startsWith('onWill')) return event();
      if (typeof p === 'string' && p.startsWith('register')) {
        return (...args: any[]) => {
          recorded.providers.set(p.slice('register'.length), args[1] ?? args[0]);
          return new Disposable(() => undefined);
        };
      }
      return auto(`${name}.${p}`);
    },
  });
}

function configuration(section?: string): any {
  const base = section ? lookup(recorded.settings, section) : recorded.settings;
  return {
    get: (key: string, dflt?: any) => {
      const v = lookup(base, key);
      return v === undefined ? dflt : v;
    },
    has: (key: string) => lookup(base, key) !== undefined,
    inspect: (key: string) => ({ key, globalValue: lookup(base, key) }),
    update: async () => undefined,
  };
}

export const workspace: any = withFallback('workspace', {
  get workspaceFolders() {
    return folders;
  },
  get textDocuments() {
    return documents;
  },
  notebookDocuments: [],
  getWorkspaceFolder: (uri: Uri) => folders.find((f) => uri.path.startsWith(f.uri.path)),
  getConfiguration: (section?: string) => configuration(section),
  onDidChangeConfiguration: configurationChanged.event,
  openTextDocument: async (uri: Uri) => {
    const open = documents.find((d) => d.uri.toString() === uri.toString());
    if (open) return open;
    return new MockTextDocument(uri, 'plaintext', fs.readFileSync(uri.fsPath, 'utf8'));
  },
  applyEdit: async (edit: WorkspaceEdit) => {
    recorded.edits.push(edit);
    return true;
  },
  createFileSystemWatcher: () => ({ onDidCreate: event(), onDidChange: event(), onDidDelete: event(), dispose() {} }),
  fs: auto('workspace.fs'),
});

export const languages: any = withFallback('languages', {
  match: (selector: any, doc: MockTextDocument) => {
    const list = Array.isArray(selector) ? selector : [selector];
    return list.some((s: any) => (typeof s === 'string' ? s === doc.languageId : (!s.language || s.language === doc.languageId) && (!s.scheme || s.scheme === doc.uri.scheme))) ? 10 : 0;
  },
  createDiagnosticCollection: (name: string) => ({
    name,
    set: (uri: Uri, diags: Diagnostic[]) => recorded.diagnostics.set(uri.toString(), diags),
    delete: (uri: Uri) => recorded.diagnostics.delete(uri.toString()),
    clear: () => recorded.diagnostics.clear(),
    get: (uri: Uri) => recorded.diagnostics.get(uri.toString()),
    has: (uri: Uri) => recorded.diagnostics.has(uri.toString()),
    forEach: () => undefined,
    dispose: () => undefined,
  }),
});

function outputChannel(name: string): any {
  const write = (level: string) => (msg: string) => recorded.log.push(`${level} ${msg}`);
  return {
    name,
    logLevel: LogLevel.Info,
    onDidChangeLogLevel: event(),
    append: write('append'),
    appendLine: write('line'),
    replace: write('replace'),
    clear: () => undefined,
    show: () => undefined,
    hide: () => undefined,
    dispose: () => undefined,
    trace: write('trace'),
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
  };
}

export const window: any = withFallback('window', {
  activeTextEditor: undefined as any,
  visibleTextEditors: [],
  tabGroups: { all: [], onDidChangeTabs: event(), onDidChangeTabGroups: event() },
  createOutputChannel: (name: string) => outputChannel(name),
  createStatusBarItem: () => {
    const item: any = { show: () => undefined, hide: () => undefined, dispose: () => undefined };
    Object.defineProperty(item, 'text', { get: () => recorded.status.text, set: (v: string) => (recorded.status.text = v) });
    Object.defineProperty(item, 'tooltip', { get: () => recorded.status.tooltip, set: (v: any) => (recorded.status.tooltip = v) });
    return item;
  },
  createWebviewPanel: (_type: string, title: string) => {
    const panel = { title, webview: { html: '' }, dispose: () => undefined, onDidDispose: event(), reveal: () => undefined };
    recorded.webviews.push(panel);
    return panel;
  },
  showInputBox: async () => recorded.inputBoxAnswer,
  showInformationMessage: async (msg: string, ...items: any[]) => {
    recorded.messages.push(`info ${msg}`);
    return items.find((i) => typeof i === 'string');
  },
  showWarningMessage: async (msg: string) => {
    recorded.messages.push(`warning ${msg}`);
    return undefined;
  },
  showErrorMessage: async (msg: string) => {
    recorded.messages.push(`error ${msg}`);
    return undefined;
  },
  withProgress: async (_opts: any, task: (p: any, t: any) => any) => task({ report: () => undefined }, new CancellationTokenSource().token),
});

export const commands: any = withFallback('commands', {
  registerCommand: (id: string, fn: (...args: any[]) => any) => {
    recorded.commands.set(id, fn);
    return new Disposable(() => recorded.commands.delete(id));
  },
  executeCommand: async (id: string, ...args: any[]) => {
    const fn = recorded.commands.get(id);
    if (fn) return fn(...args);
    throw new Error(`mock: command '${id}' not found`);
  },
});

export const extensions: any = withFallback('extensions', { all: [], getExtension: () => undefined });
export const notebooks: any = withFallback('notebooks', {});

// Any other name the libraries reach for at load time (classes they extend, enums).
export const fallback = (name: string): any => auto(name);
