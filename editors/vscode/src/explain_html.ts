// The HTML of the "Explain selection" side panel. The markdown is rendered by VS Code's built-in
// markdown extension (`markdown.api.render`) when it is there; otherwise it is shown escaped in a
// <pre>. The page runs no script and loads nothing (a strict Content-Security-Policy).
//
// Pure, no `vscode` import.

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

export interface ExplainPage {
  title: string; // e.g. "Explain: main.c:10-20"
  bodyHtml?: string; // rendered markdown (trusted output of markdown.api.render)
  markdown: string; // the raw markdown, shown escaped when bodyHtml is absent
  footer?: string; // plain text, e.g. the usage line
  inProgress: boolean;
}

export function explainHtml(page: ExplainPage): string {
  const body = page.bodyHtml ?? `<pre class="raw">${escapeHtml(page.markdown)}</pre>`;
  const spinner = page.inProgress ? '<p class="progress">coderx is writing…</p>' : '';
  const footer = page.footer ? `<hr><p class="usage">${escapeHtml(page.footer)}</p>` : '';
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="UTF-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline';">`,
    `<title>${escapeHtml(page.title)}</title>`,
    '<style>body{font-family:var(--vscode-font-family);color:var(--vscode-foreground)}',
    'pre,code{font-family:var(--vscode-editor-font-family)} pre.raw{white-space:pre-wrap}',
    '.usage,.progress{opacity:.7}</style>',
    '</head><body>',
    body,
    spinner,
    footer,
    '</body></html>',
  ].join('\n');
}

// "1234 prompt (1000 cached) + 56 thinking + 78 answer tokens in 910 ms" from a Usage object.
export function usageLine(usage: unknown): string | undefined {
  if (typeof usage !== 'object' || usage === null) return undefined;
  const u = usage as Record<string, unknown>;
  const n = (k: string): number | undefined => (typeof u[k] === 'number' ? (u[k] as number) : undefined);
  const prompt = n('promptTokens');
  const answer = n('answerTokens');
  if (prompt === undefined || answer === undefined) return undefined;
  const cached = n('cachedTokens');
  const thinking = n('thinkingTokens');
  const ms = n('ms');
  let line = `${prompt} prompt${cached !== undefined ? ` (${cached} cached)` : ''}`;
  if (thinking !== undefined) line += ` + ${thinking} thinking`;
  line += ` + ${answer} answer tokens`;
  if (ms !== undefined) line += ` in ${Math.round(ms)} ms`;
  return line;
}
