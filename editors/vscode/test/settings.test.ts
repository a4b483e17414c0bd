// Unit tests for settings.ts: what reaches the server is exactly what the user wrote.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { mergeLayers, serverSettings, sectionValue, didChangeConfigurationParams } from '../src/settings';

test('nothing set gives an empty object (the server keeps every default)', () => {
  assert.deepEqual(serverSettings([undefined, undefined, undefined]), {});
});

test('later layers win key by key, nested objects merge', () => {
  const user = { debounceMs: 10, budgets: { inlineCompletion: { answerTokens: 64, deadlineMs: 500 } } };
  const workspace = { budgets: { inlineCompletion: { answerTokens: 32 }, explain: { thinkingTokens: 0 } } };
  const folder = { debounceMs: 20 };
  assert.deepEqual(serverSettings([user, workspace, folder]), {
    debounceMs: 20,
    budgets: { inlineCompletion: { answerTokens: 32, deadlineMs: 500 }, explain: { thinkingTokens: 0 } },
  });
});

test('client-only keys are stripped, unknown keys pass through untouched', () => {
  const user = {
    path: '/usr/bin/coderx', serverArgs: ['--engine', 'canned'], trace: { server: 'verbose' }, review: { base: 'main' },
    model: '/m/x.gguf', engine: 'canned', logLevel: 'debug', futureKey: [1, { a: 2 }], debounceMs: 0,
  };
  assert.deepEqual(serverSettings([user]), { futureKey: [1, { a: 2 }], debounceMs: 0 });
});

test('arrays and scalars replace; non-object layers are ignored', () => {
  assert.deepEqual(mergeLayers([{ a: [1, 2], b: { c: 1 } }, 'junk', null, { a: [3], b: 5 }]), { a: [3], b: 5 });
});

test('inputs are not modified and outputs do not alias them', () => {
  const user = { budgets: { inlineCompletion: { answerTokens: 1 } } };
  const out = serverSettings([user]);
  (out.budgets as { inlineCompletion: { answerTokens: number } }).inlineCompletion.answerTokens = 99;
  assert.equal(user.budgets.inlineCompletion.answerTokens, 1);
});

test('workspace/configuration sections', () => {
  const s = { debounceMs: 5, budgets: { inlineCompletion: { answerTokens: 8 } } };
  assert.deepEqual(sectionValue(s, 'coderx'), s);
  assert.deepEqual(sectionValue(s, 'coderx.budgets.inlineCompletion'), { answerTokens: 8 });
  assert.equal(sectionValue(s, 'coderx.budgets.inlineCompletion.answerTokens'), 8);
  assert.equal(sectionValue(s, 'coderx.completion'), null);
  assert.equal(sectionValue(s, 'coderx.debounceMs.deeper'), null);
  assert.equal(sectionValue(s, 'editor'), undefined);
  assert.equal(sectionValue(s, undefined), undefined);
});

test('didChangeConfiguration wraps the object under settings.coderx', () => {
  assert.deepEqual(didChangeConfigurationParams({ debounceMs: 0 }), { settings: { coderx: { debounceMs: 0 } } });
});
