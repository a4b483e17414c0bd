// Parses `coderx review --format rdjsonl` output: one reviewdog Diagnostic (JSON) per line.
//
// reviewdog positions are 1-based lines and 1-based columns counted in UTF-8 bytes; a range with
// no columns is line-wise (whole lines, end line included); a missing range means the whole file.
// This module converts them to 0-based lines and 0-based UTF-8 byte columns; `utf16Column` then
// maps a byte column to VS Code's UTF-16 character offset once the line's text is known.
//
// Pure, no `vscode` import. Bad lines are reported in `errors` (with their line number) and
// skipped; they never throw.

export type Severity = 'error' | 'warning' | 'info';

export interface Suggestion {
  start: BytePosition;
  end: BytePosition;
  text: string;
}

// 0-based line; 0-based UTF-8 byte column, or 'eol' for "end of this line" (line-wise ranges).
export interface BytePosition {
  line: number;
  column: number | 'eol';
}

export interface Finding {
  path: string;
  message: string;
  severity: Severity;
  start: BytePosition;
  end: BytePosition;
  code?: string;
  source?: string;
  suggestions: Suggestion[];
}

export interface ParseResult {
  findings: Finding[];
  errors: string[]; // "line N: what is wrong"
}

type Obj = Record<string, unknown>;

function asObj(v: unknown): Obj | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}

function positiveInt(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : undefined;
}

export function severityOf(v: unknown): Severity {
  if (v === 'ERROR' || v === 1) return 'error';
  if (v === 'WARNING' || v === 2) return 'warning';
  return 'info'; // INFO, UNKNOWN_SEVERITY, absent
}

// reviewdog Range -> [start, end] in 0-based coordinates. Returns undefined when malformed.
export function convertRange(range: unknown): [BytePosition, BytePosition] | undefined {
  if (range === undefined) return [{ line: 0, column: 0 }, { line: 0, column: 0 }];
  const r = asObj(range);
  const start = asObj(r?.start);
  if (!start) return undefined;
  const startLine = positiveInt(start.line) ?? 1;
  const startCol = positiveInt(start.column);
  const end = asObj(r?.end);
  const endLine = positiveInt(end?.line) ?? startLine;
  const endCol = positiveInt(end?.column);
  if (endLine < startLine) return undefined;
  if (startCol === undefined && endCol === undefined) {
    // line-wise: whole lines, the end line included
    return [{ line: startLine - 1, column: 0 }, { line: endLine - 1, column: 'eol' }];
  }
  const s: BytePosition = { line: startLine - 1, column: (startCol ?? 1) - 1 };
  const e: BytePosition = end === undefined ? { ...s } : { line: endLine - 1, column: endCol === undefined ? 'eol' : endCol - 1 };
  return [s, e];
}

function parseSuggestions(v: unknown): Suggestion[] {
  if (!Array.isArray(v)) return [];
  const out: Suggestion[] = [];
  for (const item of v) {
    const o = asObj(item);
    const range = convertRange(o?.range);
    if (o && range && typeof o.text === 'string') out.push({ start: range[0], end: range[1], text: o.text });
  }
  return out;
}

// One line of rdjsonl -> a finding, or an error message.
export function parseDiagnostic(line: string): Finding | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    return `not JSON (${(e as Error).message})`;
  }
  const d = asObj(value);
  if (!d) return 'not a JSON object';
  if (typeof d.message !== 'string') return 'missing "message"';
  const location = asObj(d.location);
  if (!location || typeof location.path !== 'string' || location.path === '') return 'missing "location.path"';
  const range = convertRange(location.range);
  if (!range) return 'malformed "location.range"';
  const finding: Finding = {
    path: location.path,
    message: d.message,
    severity: severityOf(d.severity),
    start: range[0],
    end: range[1],
    suggestions: parseSuggestions(d.suggestions),
  };
  const code = asObj(d.code)?.value;
  if (typeof code === 'string' && code !== '') finding.code = code;
  const source = asObj(d.source)?.name;
  if (typeof source === 'string' && source !== '') finding.source = source;
  return finding;
}

export function parseRdjsonl(text: string): ParseResult {
  const result: ParseResult = { findings: [], errors: [] };
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    const parsed = parseDiagnostic(line);
    if (typeof parsed === 'string') result.errors.push(`line ${index + 1}: ${parsed}`);
    else result.findings.push(parsed);
  });
  return result;
}

export function groupByPath(findings: readonly Finding[]): Map<string, Finding[]> {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const list = groups.get(f.path) ?? [];
    list.push(f);
    groups.set(f.path, list);
  }
  return groups;
}

// UTF-8 byte column (0-based) within `lineText` -> UTF-16 code-unit column. A column past the end
// clamps to the line's length; one inside a multi-byte character rounds down to its start.
export function utf16Column(lineText: string, column: number | 'eol'): number {
  if (column === 'eol') return lineText.length;
  let bytes = 0;
  let units = 0;
  for (const ch of lineText) {
    const cp = ch.codePointAt(0) ?? 0;
    const size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (bytes + size > column) return units;
    bytes += size;
    units += ch.length;
  }
  return units;
}
