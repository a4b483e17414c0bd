// Unit tests for explain_html.ts: escaping, the CSP, the usage line.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { escapeHtml, explainHtml, usageLine } from '../src/explain_html';

test('escapes every HTML-significant character', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
});

test('raw markdown is shown escaped when no renderer is available', () => {
  const html = explainHtml({ title: 'T<1>', markdown: '<script>alert(1)</script>', inProgress: false });
  assert.ok(!html.includes('<script>'));
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(html.includes('<title>T&lt;1&gt;</title>'));
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
});

test('rendered body, progress marker and footer', () => {
  const html = explainHtml({ title: 't', markdown: '# x', bodyHtml: '<h1>x</h1>', inProgress: true, footer: '1 & 2' });
  assert.ok(html.includes('<h1>x</h1>'));
  assert.ok(html.includes('coderx is writing'));
  assert.ok(html.includes('1 &amp; 2'));
  assert.ok(!explainHtml({ title: 't', markdown: '', inProgress: false }).includes('coderx is writing'));
});

test('usage line', () => {
  assert.equal(usageLine({ promptTokens: 1200, cachedTokens: 1000, thinkingTokens: 50, answerTokens: 80, ms: 912.4 }), '1200 prompt (1000 cached) + 50 thinking + 80 answer tokens in 912 ms');
  assert.equal(usageLine({ promptTokens: 3, answerTokens: 4 }), '3 prompt + 4 answer tokens');
  assert.equal(usageLine({ promptTokens: 3 }), undefined);
  assert.equal(usageLine(null), undefined);
});
