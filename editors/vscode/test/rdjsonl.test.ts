// Unit tests for rdjsonl.ts against hand-written reviewdog lines (reviewdog.proto semantics:
// 1-based lines, 1-based UTF-8 byte columns, exclusive end, column-less ranges are line-wise).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseRdjsonl, parseDiagnostic, utf16Column, groupByPath, severityOf } from '../src/rdjsonl';

const full = JSON.stringify({
  message: 'possible null dereference',
  location: { path: 'src/a.c', range: { start: { line: 14, column: 5 }, end: { line: 14, column: 7 } } },
  severity: 'WARNING',
  source: { name: 'coderx' },
  code: { value: 'null-deref' },
  suggestions: [{ range: { start: { line: 14, column: 5 }, end: { line: 14, column: 7 } }, text: 'p && p' }],
});

test('a full diagnostic converts to 0-based coordinates', () => {
  const f = parseDiagnostic(full);
  assert.notEqual(typeof f, 'string');
  assert.deepEqual(f, {
    path: 'src/a.c',
    message: 'possible null dereference',
    severity: 'warning',
    start: { line: 13, column: 4 },
    end: { line: 13, column: 6 },
    code: 'null-deref',
    source: 'coderx',
    suggestions: [{ start: { line: 13, column: 4 }, end: { line: 13, column: 6 }, text: 'p && p' }],
  });
});

test('line-wise range covers whole lines, end included', () => {
  const f = parseDiagnostic(JSON.stringify({ message: 'm', location: { path: 'x', range: { start: { line: 5 }, end: { line: 6 } } } }));
  assert.ok(typeof f !== 'string');
  assert.deepEqual([f.start, f.end], [{ line: 4, column: 0 }, { line: 5, column: 'eol' }]);
});

test('start only: zero-length range; no range: start of file', () => {
  const a = parseDiagnostic(JSON.stringify({ message: 'm', location: { path: 'x', range: { start: { line: 3, column: 2 } } } }));
  const b = parseDiagnostic(JSON.stringify({ message: 'm', location: { path: 'x' } }));
  assert.ok(typeof a !== 'string' && typeof b !== 'string');
  assert.deepEqual([a.start, a.end], [{ line: 2, column: 1 }, { line: 2, column: 1 }]);
  assert.deepEqual([b.start, b.end], [{ line: 0, column: 0 }, { line: 0, column: 0 }]);
});

test('severities: strings, enum numbers, unknown', () => {
  assert.equal(severityOf('ERROR'), 'error');
  assert.equal(severityOf(1), 'error');
  assert.equal(severityOf('WARNING'), 'warning');
  assert.equal(severityOf(2), 'warning');
  assert.equal(severityOf('INFO'), 'info');
  assert.equal(severityOf('UNKNOWN_SEVERITY'), 'info');
  assert.equal(severityOf(undefined), 'info');
});

test('bad lines are reported with their number and skipped', () => {
  const text = [full, '', '{not json', '[]', '{"message":"m"}', '{"message":"m","location":{"path":"p","range":{"start":{"line":5},"end":{"line":2}}}}', full].join('\n');
  const r = parseRdjsonl(text + '\r\n');
  assert.equal(r.findings.length, 2);
  assert.equal(r.errors.length, 4);
  assert.match(r.errors[0], /^line 3: not JSON/);
  assert.equal(r.errors[1], 'line 4: not a JSON object');
  assert.equal(r.errors[2], 'line 5: missing "location.path"');
  assert.equal(r.errors[3], 'line 6: malformed "location.range"');
});

test('empty output: no findings, no errors', () => {
  assert.deepEqual(parseRdjsonl(''), { findings: [], errors: [] });
});

test('groupByPath keeps order within a file', () => {
  const mk = (path: string, message: string) => JSON.stringify({ message, location: { path } });
  const r = parseRdjsonl([mk('a', '1'), mk('b', '2'), mk('a', '3')].join('\n'));
  const g = groupByPath(r.findings);
  assert.deepEqual([...g.keys()], ['a', 'b']);
  assert.deepEqual(g.get('a')?.map((f) => f.message), ['1', '3']);
});

test('UTF-8 byte columns -> UTF-16 columns (the reviewdog example a𐐀b)', () => {
  const line = 'a\u{10400}b'; // bytes: a=1, 𐐀=4, b=1; UTF-16: a=1, 𐐀=2, b=1
  assert.equal(utf16Column(line, 0), 0); // a
  assert.equal(utf16Column(line, 1), 1); // 𐐀
  assert.equal(utf16Column(line, 5), 3); // b
  assert.equal(utf16Column(line, 6), 4); // end
  assert.equal(utf16Column(line, 3), 1); // inside 𐐀: rounds down to its start
  assert.equal(utf16Column(line, 100), 4); // past the end: clamps
  assert.equal(utf16Column('é€x', 5), 2); // é=2 bytes, €=3 bytes
  assert.equal(utf16Column('abc', 'eol'), 3);
});
