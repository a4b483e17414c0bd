#!/usr/bin/env node
// A stand-in for the `coderx` binary, for the editor-client tests: deterministic, no model.
//   fake_coderx.js lsp                      a tiny LSP server on stdio speaking docs/protocol.md
//   fake_coderx.js review --format rdjsonl  prints fixed reviewdog lines
//   fake_coderx.js --version
// It is not a test of the server: the clients' behaviour (placement, accept, float, quickfix,
// settings pass-through) is checked against answers whose exact text the tests know.
// FAKE_CODERX_LOG=<file>: the command line and process id ({argv, pid}) and every received message
// are appended there, one JSON line each.
// FAKE_CODERX_INIT_GATE=<file>: `initialize` is answered only once that file exists (a server still
// starting, for as long as a test needs one).
// For the tests, beyond docs/protocol.md: the request `fake/document` {uri} answers what the server
// holds for that document ({text, version} or null); the notification `fake/crash` exits with code 3;
// `coderx/explain` of a range starting on a line that ends in "hangs" is never answered.
'use strict';
const fs = require('node:fs');

const log = process.env.FAKE_CODERX_LOG;
const argv = process.argv.slice(2);
if (log) fs.appendFileSync(log, JSON.stringify({ argv, pid: process.pid }) + '\n');
// `coderx --log-level L COMMAND ...`: the global option comes before the command
const args = argv[0] === '--log-level' ? argv.slice(2) : argv;

if (args[0] === '--version') {
  process.stdout.write('coderx fake 0.0.0\n');
  process.exit(0);
}
if (args[0] === 'review') {
  if (args[1] !== '--format' || args[2] !== 'rdjsonl') {
    process.stderr.write('fake review: expected --format rdjsonl\n');
    process.exit(2);
  }
  const lines = [
    { message: 'possible null dereference', location: { path: 'src/a.c', range: { start: { line: 2, column: 5 }, end: { line: 2, column: 9 } } }, severity: 'WARNING', code: { value: 'null-deref' } },
    { message: 'missing error check', location: { path: 'src/b.py', range: { start: { line: 7 } } }, severity: 'ERROR' },
  ];
  process.stdout.write(lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  process.stderr.write(`fake review: cwd ${process.cwd()} args ${args.slice(3).join(' ')}\n`);
  process.exit(0);
}
if (args[0] !== 'lsp') {
  process.stderr.write(`fake coderx: unknown command '${args[0] ?? ''}'\n`);
  process.exit(2);
}

const docs = new Map(); // uri -> { text, version }

function send(msg) {
  const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...msg }), 'utf8');
  process.stdout.write(`Content-Length: ${body.length}\r\n\r\n`);
  process.stdout.write(body);
}

// UTF-16 position -> string offset (JS strings are UTF-16).
function offsetOf(text, pos) {
  let line = 0;
  let i = 0;
  while (line < pos.line && i < text.length) {
    const nl = text.indexOf('\n', i);
    if (nl < 0) return text.length;
    i = nl + 1;
    line++;
  }
  const end = text.indexOf('\n', i);
  const lineEnd = end < 0 ? text.length : end;
  return Math.min(i + pos.character, lineEnd);
}

function applyChange(doc, change) {
  if (!change.range) {
    doc.text = change.text;
    return;
  }
  const s = offsetOf(doc.text, change.range.start);
  const e = offsetOf(doc.text, change.range.end);
  doc.text = doc.text.slice(0, s) + change.text + doc.text.slice(e);
}

function lineOf(text, n) {
  return text.split('\n')[n] ?? '';
}

// Deterministic suggestions:
//   a line ending in "ret"    -> "return a + b" over a range starting at "ret" (tests range handling)
//   a line ending in "multi"  -> two more lines
//   a line ending in "utf8"   -> text with accents, an emoji and CJK
//   a line ending in "crlf"   -> two lines joined by "\r\n" (a model that saw a CRLF file)
//   a line ending in "crashnow" -> the server exits with code 3 (a crash mid-session)
//   otherwise                 -> " world(); // done" at the cursor
function inlineCompletion(params) {
  const doc = docs.get(params.textDocument.uri);
  if (!doc) return { items: [] };
  const line = lineOf(doc.text, params.position.line).slice(0, params.position.character);
  const pos = params.position;
  if (line.endsWith('ret')) {
    const start = { line: pos.line, character: pos.character - 3 };
    return { items: [{ insertText: 'return a + b;', range: { start, end: pos } }] };
  }
  if (line.endsWith('multi')) {
    return { items: [{ insertText: '_line(1);\nsecond_line(2);\nthird_line(3);' }] };
  }
  if (line.endsWith('utf8')) {
    return { items: [{ insertText: ' naïve = "é🙂"; // 変数' }] };
  }
  if (line.endsWith('crlf')) {
    return { items: [{ insertText: '_a();\r\nb();' }] };
  }
  if (line.endsWith('crashnow')) process.exit(3);
  return { items: [{ insertText: ' world(); // done' }] };
}

function rangeText(doc, range) {
  return doc.text.slice(offsetOf(doc.text, range.start), offsetOf(doc.text, range.end));
}

function explainHangs(params) {
  const doc = docs.get(params.textDocument.uri);
  return doc !== undefined && lineOf(doc.text, params.range.start.line).endsWith('hangs');
}

const usage = { promptTokens: 10, cachedTokens: 0, thinkingTokens: 0, answerTokens: 5, ms: 1 };

function explain(params) {
  const doc = docs.get(params.textDocument.uri);
  const text = doc ? rangeText(doc, params.range) : '';
  const markdown = `# Explanation\n\nThe selection has ${text.split('\n').length} line(s):\n\n\`\`\`\n${text}\n\`\`\``;
  if (params.workDoneToken !== undefined) {
    const token = params.workDoneToken;
    send({ method: '$/progress', params: { token, value: { kind: 'begin', title: 'coderx: explain' } } });
    send({ method: '$/progress', params: { token, value: { kind: 'report', message: '# Explanation' } } });
    send({ method: '$/progress', params: { token, value: { kind: 'end', message: 'done' } } });
  }
  return { markdown, usage };
}

function refactor(arg) {
  const doc = docs.get(arg.uri);
  if (!doc) throw { code: -32602, message: `unknown document ${arg.uri}` };
  // as the real server: a range meant for an older text is refused (ContentModified)
  if (arg.version !== undefined && arg.version !== doc.version) throw { code: -32801, message: 'the document changed since the refactor was asked for' };
  const newText = rangeText(doc, arg.range).toUpperCase();
  return {
    edit: {
      documentChanges: [{ textDocument: { uri: arg.uri, version: doc.version }, edits: [{ range: arg.range, newText, annotationId: 'coderx.refactor' }] }],
      changeAnnotations: { 'coderx.refactor': { label: `coderx: ${arg.instruction}`, needsConfirmation: true } },
    },
    usage,
  };
}

let shutdown = false;

function initialize(reply) {
  send({ method: 'coderx/status', params: { state: 'loading', message: 'loading fake model', pending: 0, model: 'fake' } });
  reply({
    capabilities: {
      textDocumentSync: { openClose: true, change: 2 },
      inlineCompletionProvider: true,
      executeCommandProvider: { commands: ['coderx.explain', 'coderx.refactor'] },
    },
    serverInfo: { name: 'coderx-fake', version: '0.0.0' },
  });
}

// Calls fn once the FAKE_CODERX_INIT_GATE file exists (at once without one).
function whenGateOpen(fn) {
  const gate = process.env.FAKE_CODERX_INIT_GATE;
  if (!gate || fs.existsSync(gate)) return fn();
  const timer = setInterval(() => {
    if (!fs.existsSync(gate)) return;
    clearInterval(timer);
    fn();
  }, 20);
}

function handle(msg) {
  const { id, method, params } = msg;
  const reply = (result) => send({ id, result });
  switch (method) {
    case 'initialize':
      return whenGateOpen(() => initialize(reply));
    case 'initialized':
      return send({ method: 'coderx/status', params: { state: 'ready', message: 'ready', pending: 0, model: 'fake' } });
    case 'textDocument/didOpen':
      docs.set(params.textDocument.uri, { text: params.textDocument.text, version: params.textDocument.version });
      return;
    case 'textDocument/didChange': {
      const doc = docs.get(params.textDocument.uri);
      if (doc) {
        for (const c of params.contentChanges) applyChange(doc, c);
        doc.version = params.textDocument.version;
      }
      return;
    }
    case 'textDocument/didClose':
      docs.delete(params.textDocument.uri);
      return;
    case 'textDocument/inlineCompletion': {
      const result = inlineCompletion(params);
      // a line ending in "slow" is answered late (and even when cancelled): stale-reply tests
      const doc = docs.get(params.textDocument.uri);
      if (doc && lineOf(doc.text, params.position.line).slice(0, params.position.character).endsWith('slow')) {
        setTimeout(() => reply(result), 300);
        return;
      }
      return reply(result);
    }
    case 'coderx/explain':
      // a line ending in "hangs" gets no answer (a test kills the server meanwhile)
      if (explainHangs(params)) return;
      return reply(explain(params));
    case 'fake/crash':
      process.exit(3);
      return;
    case 'fake/document': {
      // what the server holds for a document, for the tests: { text, version } or null
      const doc = docs.get(params.uri);
      return reply(doc ? { text: doc.text, version: doc.version } : null);
    }
    case 'workspace/executeCommand':
      if (params.command === 'coderx.refactor' && params.arguments[0].instruction.startsWith('late:')) {
        // the edit is made now and arrives 300 ms later: the buffer may have changed meanwhile
        const result = refactor(params.arguments[0]);
        setTimeout(() => reply(result), 300);
        return;
      }
      if (params.command === 'coderx.refactor' && params.arguments[0].instruction.startsWith('result:')) {
        // the other shape the clients accept: the edit in the command's result
        return reply(refactor(params.arguments[0]));
      }
      if (params.command === 'coderx.refactor') {
        // docs/protocol.md: the server asks the client to apply the edit and replies null
        const { edit } = refactor(params.arguments[0]);
        send({ id: `fake-apply-${id}`, method: 'workspace/applyEdit', params: { label: `coderx: ${params.arguments[0].kind}`, edit } });
        return reply(null);
      }
      if (params.command === 'coderx.explain') return reply(explain(params.arguments[0]));
      return send({ id, error: { code: -32602, message: `unknown command ${params.command}` } });
    case 'shutdown':
      shutdown = true;
      // FAKE_CODERX_SHUTDOWN_MS: a server that takes a while to stop (a model being unloaded)
      if (process.env.FAKE_CODERX_SHUTDOWN_MS) {
        setTimeout(() => reply(null), Number(process.env.FAKE_CODERX_SHUTDOWN_MS));
        return;
      }
      return reply(null);
    case 'exit':
      process.exit(shutdown ? 0 : 1);
      return;
    default:
      if (id !== undefined && method !== undefined) send({ id, error: { code: -32601, message: `fake: no ${method}` } });
  }
}

let buffer = Buffer.alloc(0);
process.stdin.on('data', (chunk) => {
  buffer = Buffer.concat([buffer, chunk]);
  for (;;) {
    const headerEnd = buffer.indexOf('\r\n\r\n');
    if (headerEnd < 0) return;
    const header = buffer.slice(0, headerEnd).toString('ascii');
    const m = /Content-Length: *(\d+)/i.exec(header);
    if (!m) process.exit(3);
    const length = Number(m[1]);
    if (buffer.length < headerEnd + 4 + length) return;
    const body = buffer.slice(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
    buffer = buffer.slice(headerEnd + 4 + length);
    const msg = JSON.parse(body);
    if (log) fs.appendFileSync(log, JSON.stringify(msg) + '\n');
    try {
      handle(msg);
    } catch (e) {
      if (msg.id !== undefined) send({ id: msg.id, error: { code: e.code ?? -32603, message: e.message ?? String(e) } });
    }
  }
});
process.stdin.on('end', () => process.exit(shutdown ? 0 : 1));
