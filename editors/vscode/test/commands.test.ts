// Unit tests for commands.ts: binary lookup, command lines and request arguments.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { resolveBinary, lspArgs, reviewArgs, explainParams, refactorCommand, needsConfirmation, summarizeEdit, accumulate, staleDocument, badListSetting } from '../src/commands';

const exists = (files: string[]) => (f: string) => files.includes(f);
const range = { start: { line: 1, character: 2 }, end: { line: 3, character: 0 } };

test('the path setting wins and ~ expands', () => {
  assert.equal(resolveBinary('/opt/coderx/bin/coderx', { PATH: '/usr/bin' }, exists(['/opt/coderx/bin/coderx', '/usr/bin/coderx']), 'linux'), '/opt/coderx/bin/coderx');
  assert.equal(resolveBinary(' ~/bin/coderx ', { HOME: '/home/u' }, exists(['/home/u/bin/coderx']), 'linux'), '/home/u/bin/coderx');
});

test('a configured path that does not exist is not silently replaced by PATH', () => {
  assert.equal(resolveBinary('/missing/coderx', { PATH: '/usr/bin' }, exists(['/usr/bin/coderx']), 'linux'), undefined);
});

test('PATH search takes the first match and skips empty entries', () => {
  const env = { PATH: ':/a:/b:/c' };
  assert.equal(resolveBinary('', env, exists(['/b/coderx', '/c/coderx']), 'linux'), '/b/coderx');
  assert.equal(resolveBinary(undefined, env, exists([]), 'linux'), undefined);
  assert.equal(resolveBinary(undefined, {}, exists(['/usr/bin/coderx']), 'linux'), undefined);
});

test('command lines', () => {
  assert.deepEqual(lspArgs(), ['lsp']);
  assert.deepEqual(lspArgs({}, ['--token-delay-ms', '5', '', 3]), ['lsp', '--token-delay-ms', '5']);
  assert.deepEqual(reviewArgs({}), ['review', '--format', 'rdjsonl']);
  assert.deepEqual(reviewArgs({ base: ' origin/main ', extraArgs: ['--jobs', '2', ''] }), ['review', '--format', 'rdjsonl', '--base', 'origin/main', '--jobs', '2']);
  assert.deepEqual(reviewArgs({ base: '  ' }), ['review', '--format', 'rdjsonl']);
});

test('explain params follow docs/protocol.md', () => {
  assert.deepEqual(explainParams('file:///a.c', range), { textDocument: { uri: 'file:///a.c' }, range });
  assert.deepEqual(explainParams('file:///a.c', range, 'tok'), { textDocument: { uri: 'file:///a.c' }, range, workDoneToken: 'tok' });
});

test('refactor command arguments; empty instructions are refused', () => {
  assert.deepEqual(refactorCommand('file:///a.c', range, '  use early returns '), {
    command: 'coderx.refactor',
    arguments: [{ uri: 'file:///a.c', range, kind: 'instruction', instruction: 'use early returns' }],
  });
  assert.equal(refactorCommand('file:///a.c', range, '   '), undefined);
});

test('the refactor argument carries the document version the range is meant for', () => {
  assert.deepEqual(refactorCommand('file:///a.c', range, 'x', 7)?.arguments[0], { uri: 'file:///a.c', range, kind: 'instruction', instruction: 'x', version: 7 });
});

test('an edit made for an older version of an open document is stale', () => {
  const versions: Record<string, number> = { 'file:///a.c': 3 };
  const versionOf = (uri: string) => versions[uri];
  assert.equal(staleDocument(edit(true), versionOf), undefined, 'made for version 3, still 3');
  versions['file:///a.c'] = 4;
  assert.equal(staleDocument(edit(true), versionOf), 'file:///a.c', 'the user typed meanwhile');
  assert.equal(staleDocument(edit(true), () => undefined), undefined, 'a closed document');
  assert.equal(staleDocument({ changes: { 'file:///a.c': [] } }, versionOf), undefined, 'unversioned');
  assert.equal(staleDocument({ documentChanges: [{ textDocument: { uri: 'file:///a.c', version: null }, edits: [] }] }, versionOf), undefined, 'version null');
  assert.equal(staleDocument(null, versionOf), undefined);
});

test('list settings of the wrong type are ignored, never split into characters', () => {
  // "coderx.serverArgs": "--engine canned" (a string where settings.json wants an array)
  assert.deepEqual(lspArgs({}, '--engine canned'), ['lsp']);
  assert.deepEqual(lspArgs({}, 42), ['lsp']);
  assert.deepEqual(lspArgs({}, undefined), ['lsp']);
  assert.deepEqual(reviewArgs({ extraArgs: '--jobs 2' }), ['review', '--format', 'rdjsonl']);
  assert.deepEqual(reviewArgs({ base: 5 }), ['review', '--format', 'rdjsonl']);
  assert.match(badListSetting('coderx.serverArgs', '--engine canned') ?? '', /coderx\.serverArgs must be an array of strings/);
  assert.equal(badListSetting('coderx.serverArgs', ['--engine', 'canned']), undefined);
  assert.equal(badListSetting('coderx.serverArgs', undefined), undefined);
  // a path that is not a string is no path: the PATH search decides
  assert.equal(resolveBinary(42, { PATH: '/usr/bin' }, exists(['/usr/bin/coderx']), 'linux'), '/usr/bin/coderx');
});

const edit = (annotation: boolean | undefined, withId = true) => ({
  documentChanges: [
    {
      textDocument: { uri: 'file:///a.c', version: 3 },
      edits: [
        { range, newText: 'x', ...(withId ? { annotationId: 'coderx' } : {}) },
        { range, newText: 'y', ...(withId ? { annotationId: 'coderx' } : {}) },
      ],
    },
  ],
  ...(annotation === undefined ? {} : { changeAnnotations: { coderx: { label: 'coderx refactor', needsConfirmation: annotation } } }),
});

test('needsConfirmation follows the annotations of the edits', () => {
  assert.equal(needsConfirmation(edit(true)), true);
  assert.equal(needsConfirmation(edit(false)), false);
  assert.equal(needsConfirmation(edit(undefined)), false);
  assert.equal(needsConfirmation(edit(true, false)), false);
  assert.equal(needsConfirmation(null), false);
});

test('summaries count edits and files across documentChanges and changes', () => {
  assert.equal(summarizeEdit(edit(true)), '2 edits in 1 file');
  assert.equal(summarizeEdit({ changes: { 'file:///a': [{ range, newText: '' }], 'file:///b': [] } }), '1 edit in 2 files');
  assert.equal(summarizeEdit({}), '0 edits in 0 files');
});

test('streamed explain text: full-so-far messages replace, deltas append', () => {
  let shown = '';
  shown = accumulate(shown, '# Expl');
  shown = accumulate(shown, '# Explain\nThis');
  assert.equal(shown, '# Explain\nThis');
  shown = accumulate(shown, ' function');
  assert.equal(shown, '# Explain\nThis function');
});

test('model, engine and log level go on the command line of both lsp and review', () => {
  const o = { model: ' /m/x.gguf ', engine: 'canned', logLevel: 'debug' };
  assert.deepEqual(lspArgs(o, ['--stdio']), ['--log-level', 'debug', 'lsp', '--model', '/m/x.gguf', '--engine', 'canned', '--stdio']);
  assert.deepEqual(reviewArgs({ ...o, base: 'main' }), ['--log-level', 'debug', 'review', '--format', 'rdjsonl', '--model', '/m/x.gguf', '--engine', 'canned', '--base', 'main']);
  // VS Code's invented values for unset settings ('' and the like) add nothing
  assert.deepEqual(lspArgs({ model: '', engine: '  ', logLevel: 0 }), ['lsp']);
  assert.deepEqual(reviewArgs({ model: undefined, engine: null }), ['review', '--format', 'rdjsonl']);
});
