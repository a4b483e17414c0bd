// Builds the arguments of every request and process the extension starts: where the binary is,
// the `coderx lsp` and `coderx review` command lines, the `coderx/explain` params and the
// `coderx.refactor` command arguments (docs/protocol.md). Also small helpers over the server's
// replies (refactor edit summary, streamed explain text).
//
// Pure, no `vscode` import: positions and URIs arrive as plain LSP JSON.
import * as path from 'node:path';

export interface LspPosition {
  line: number;
  character: number;
}
export interface LspRange {
  start: LspPosition;
  end: LspPosition;
}

// How to test a candidate binary; injected so the search is testable without a file system.
export type IsExecutable = (file: string) => boolean;

// The `coderx` binary: the `coderx.path` setting when set (with `~` expanded), else the first
// executable `coderx` on PATH. Undefined when neither exists; the caller reports it. A setting
// that is not a string (settings.json is hand-written) counts as unset.
export function resolveBinary(
  setting: unknown,
  env: { PATH?: string; HOME?: string },
  isExecutable: IsExecutable,
  platform: string = process.platform,
): string | undefined {
  const configured = typeof setting === 'string' ? setting.trim() : '';
  if (configured !== '') {
    const expanded = configured.startsWith('~/') && env.HOME ? path.join(env.HOME, configured.slice(2)) : configured;
    return isExecutable(expanded) ? expanded : undefined;
  }
  const names = platform === 'win32' ? ['coderx.exe', 'coderx.cmd', 'coderx'] : ['coderx'];
  const sep = platform === 'win32' ? ';' : ':';
  for (const dir of (env.PATH ?? '').split(sep)) {
    if (dir === '') continue;
    for (const name of names) {
      const candidate = path.join(dir, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

// What the server takes on its command line rather than as settings (docs/protocol.md "Settings"):
// the settings `coderx.model`, `coderx.engine` and `coderx.logLevel`. The same model and engine
// serve `coderx lsp` and `coderx review`.
export interface EngineOptions {
  model?: unknown; // `--model MODEL` (path, ollama:NAME[:TAG], hf:...)
  engine?: unknown; // `--engine NAME`
  logLevel?: unknown; // `coderx --log-level LEVEL ...` (the server's stderr, in the output channel)
}

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

function engineFlags(options: EngineOptions): string[] {
  const flags: string[] = [];
  if (nonEmpty(options.model)) flags.push('--model', options.model.trim());
  if (nonEmpty(options.engine)) flags.push('--engine', options.engine.trim());
  return flags;
}

function globalFlags(options: EngineOptions): string[] {
  return nonEmpty(options.logLevel) ? ['--log-level', options.logLevel.trim()] : [];
}

// The strings of a list setting (`coderx.serverArgs`, `coderx.review.extraArgs`): an array's
// non-empty strings; anything else (a string where a list belongs, a number) gives none, never
// its characters one by one. settings.json is hand-written and VS Code passes wrong types on.
export function stringArgs(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((a): a is string => typeof a === 'string' && a !== '') : [];
}

// A list setting that is set but not an array of strings, described for the log; else undefined.
export function badListSetting(name: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value) && value.every((a) => typeof a === 'string')) return undefined;
  return `${name} must be an array of strings (e.g. ["--engine", "canned"]), not ${JSON.stringify(value)}; ${Array.isArray(value) ? 'its other items are' : 'it is'} ignored`;
}

// `coderx [--log-level L] lsp [--model M] [--engine E] [extra...]`: extra is the client-only
// `coderx.serverArgs` setting, appended verbatim.
export function lspArgs(options: EngineOptions = {}, extra: unknown = []): string[] {
  return [...globalFlags(options), 'lsp', ...engineFlags(options), ...stringArgs(extra)];
}

export interface ReviewOptions extends EngineOptions {
  base?: unknown; // `--base REV`; the CLI's own default otherwise
  extraArgs?: unknown; // a list of strings, appended verbatim
}

// `coderx [--log-level L] review --format rdjsonl [--model M] [--engine E] [--base REV] [extra...]`,
// run in the workspace folder.
export function reviewArgs(options: ReviewOptions): string[] {
  const args = [...globalFlags(options), 'review', '--format', 'rdjsonl', ...engineFlags(options)];
  if (nonEmpty(options.base)) args.push('--base', options.base.trim());
  args.push(...stringArgs(options.extraArgs));
  return args;
}

export interface ExplainParams {
  textDocument: { uri: string };
  range: LspRange;
  workDoneToken?: string;
}

export function explainParams(uri: string, range: LspRange, workDoneToken?: string): ExplainParams {
  const params: ExplainParams = { textDocument: { uri }, range };
  if (workDoneToken !== undefined) params.workDoneToken = workDoneToken;
  return params;
}

export interface RefactorArgument {
  uri: string;
  range: LspRange;
  kind: 'instruction'; // a free-form instruction (the server's code actions use rewrite, fix, document, tests)
  instruction: string;
  version?: number; // the document version `range` is meant for: the server refuses a newer text
}

// `workspace/executeCommand` params for coderx.refactor. Returns undefined for an empty instruction.
export function refactorCommand(
  uri: string,
  range: LspRange,
  instruction: string,
  version?: number,
): { command: string; arguments: RefactorArgument[] } | undefined {
  const text = instruction.trim();
  if (text === '') return undefined;
  const arg: RefactorArgument = { uri, range, kind: 'instruction', instruction: text };
  if (version !== undefined) arg.version = version;
  return { command: 'coderx.refactor', arguments: [arg] };
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;

// Text edits of a WorkspaceEdit (documentChanges TextDocumentEdits, or the `changes` map), with the
// URI they apply to. File create/rename/delete operations are counted separately.
export function textEditsOf(edit: unknown): { uri: string; edits: Obj[] }[] {
  const e = obj(edit);
  const out: { uri: string; edits: Obj[] }[] = [];
  if (Array.isArray(e?.documentChanges)) {
    for (const change of e.documentChanges) {
      const c = obj(change);
      const uri = obj(c?.textDocument)?.uri;
      if (typeof uri === 'string' && Array.isArray(c?.edits)) out.push({ uri, edits: c.edits.map((x) => obj(x) ?? {}) });
    }
  }
  const changes = obj(e?.changes);
  if (changes) {
    for (const [uri, edits] of Object.entries(changes)) {
      if (Array.isArray(edits)) out.push({ uri, edits: edits.map((x) => obj(x) ?? {}) });
    }
  }
  return out;
}

// The URI of an open document that a versioned edit of `edit` was not made for (the document
// changed after the server computed it, so the edit's ranges point at other text), or undefined.
// versionOf gives an open document's current version (undefined: not open). VS Code's applyEdit
// does not check versions itself (the languageclient does so only for workspace/applyEdit).
export function staleDocument(edit: unknown, versionOf: (uri: string) => number | undefined): string | undefined {
  const e = obj(edit);
  if (!Array.isArray(e?.documentChanges)) return undefined;
  for (const change of e.documentChanges) {
    const doc = obj(obj(change)?.textDocument);
    const version = doc?.version;
    if (typeof doc?.uri !== 'string' || typeof version !== 'number' || version < 0) continue;
    const now = versionOf(doc.uri);
    if (now !== undefined && now !== version) return doc.uri;
  }
  return undefined;
}

// True when some edit carries an annotation with needsConfirmation (VS Code then shows its
// refactor preview by itself).
export function needsConfirmation(edit: unknown): boolean {
  const annotations = obj(obj(edit)?.changeAnnotations) ?? {};
  const confirm = new Set(
    Object.entries(annotations)
      .filter(([, a]) => obj(a)?.needsConfirmation === true)
      .map(([id]) => id),
  );
  return textEditsOf(edit).some((doc) => doc.edits.some((t) => typeof t.annotationId === 'string' && confirm.has(t.annotationId)));
}

// "3 edits in 1 file" for the confirmation prompt.
export function summarizeEdit(edit: unknown): string {
  const docs = textEditsOf(edit);
  const files = new Set(docs.map((d) => d.uri)).size;
  const edits = docs.reduce((n, d) => n + d.edits.length, 0);
  return `${edits} edit${edits === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}`;
}

// Streamed explain: each `$/progress` report carries markdown. A message that extends what was
// shown replaces it (the server sent everything so far); any other message is appended (a delta).
export function accumulate(shown: string, message: string): string {
  return message.startsWith(shown) ? message : shown + message;
}
