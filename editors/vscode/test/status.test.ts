// Unit tests for status.ts: coderx/status params -> status-bar text.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { statusView, localStatus, unavailableMessage } from '../src/status';

test('each documented state has its own icon and label', () => {
  const cases: [string, string][] = [
    ['loading', '$(sync~spin) coderx: loading'],
    ['ready', '$(check) coderx'],
    ['busy', '$(loading~spin) coderx: busy'],
    ['error', '$(error) coderx: error'],
  ];
  for (const [state, text] of cases) assert.equal(statusView({ state, message: 'm' }).text, text, state);
});

test('tooltip carries the message and the model', () => {
  const v = statusView({ state: 'busy', message: 'busy with 2 requests', model: 'gemma-4-26b-a4b-q4_k_m' });
  assert.equal(v.tooltip, 'busy with 2 requests\nmodel: gemma-4-26b-a4b-q4_k_m');
  assert.equal(v.isError, false);
});

test('error is flagged; a missing message gets a fallback', () => {
  const v = statusView({ state: 'error' });
  assert.equal(v.isError, true);
  assert.equal(v.tooltip, 'coderx is error');
});

test('malformed params never throw', () => {
  for (const p of [null, undefined, 42, 'ready', [], { state: 7 }, { state: 'sleeping' }]) {
    const v = statusView(p);
    assert.equal(v.state, 'unknown');
    assert.equal(v.text, '$(question) coderx');
  }
});

test('local states before the server speaks and after it stops', () => {
  assert.equal(localStatus('loading', 'starting').text, '$(sync~spin) coderx: starting');
  const stopped = localStatus('stopped', 'binary not found');
  assert.equal(stopped.isError, true);
  assert.equal(stopped.tooltip, 'binary not found');
});

test('optional fields: pending counts busy work, model and pending may be absent or malformed', () => {
  assert.equal(statusView({ state: 'busy', message: 'm', pending: 3 }).text, '$(loading~spin) coderx: busy (3)');
  assert.equal(statusView({ state: 'busy', message: 'm', pending: 0 }).text, '$(loading~spin) coderx: busy');
  assert.equal(statusView({ state: 'ready', message: 'm', pending: 0 }).text, '$(check) coderx');
  const odd = statusView({ state: 'busy', message: 'm', pending: 'x', model: 7 });
  assert.equal(odd.text, '$(loading~spin) coderx: busy');
  assert.equal(odd.tooltip, 'm');
  assert.equal(statusView({ state: 'ready', message: 'gemma4 test.gguf (cpu)' }).tooltip, 'gemma4 test.gguf (cpu)');
});

test('a command refused while the server starts says so, not that it is not running', () => {
  assert.match(unavailableMessage('starting'), /still starting/);
  assert.doesNotMatch(unavailableMessage('starting'), /not running/);
  assert.match(unavailableMessage('stopped'), /not running/);
});
