// Turns a `coderx/status` notification (docs/protocol.md) into status-bar text and tooltip.
//
// Called by extension.ts for every notification; pure, no `vscode` import. Malformed params give
// an "unknown" item rather than an exception: a status bar must never take the extension down.

export type StatusState = 'loading' | 'ready' | 'busy' | 'error' | 'stopped' | 'unknown';

export interface StatusView {
  state: StatusState;
  text: string; // status-bar text with a codicon, e.g. "$(check) coderx"
  tooltip: string; // the server's message and, when it sends one, the model description
  isError: boolean; // shown with the error background
}

const ICONS: Record<StatusState, string> = {
  loading: '$(sync~spin)',
  ready: '$(check)',
  busy: '$(loading~spin)',
  error: '$(error)',
  stopped: '$(circle-slash)',
  unknown: '$(question)',
};

const KNOWN = new Set<string>(['loading', 'ready', 'busy', 'error']);

function stringField(params: unknown, key: string): string {
  if (typeof params !== 'object' || params === null) return '';
  const value = (params as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : '';
}

function numberField(params: unknown, key: string): number | undefined {
  if (typeof params !== 'object' || params === null) return undefined;
  const value = (params as Record<string, unknown>)[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function statusView(params: unknown): StatusView {
  const raw = stringField(params, 'state');
  const state: StatusState = KNOWN.has(raw) ? (raw as StatusState) : 'unknown';
  const message = stringField(params, 'message');
  const model = stringField(params, 'model'); // optional: servers that describe their model
  const pending = numberField(params, 'pending'); // optional: requests queued or running
  const busy = state === 'busy' && pending !== undefined && pending > 0 ? `coderx: busy (${pending})` : `coderx: ${state}`;
  const label = state === 'ready' || state === 'unknown' ? 'coderx' : busy;
  const tooltip = [message || `coderx is ${state}`, model ? `model: ${model}` : '']
    .filter((s) => s.length > 0)
    .join('\n');
  return { state, text: `${ICONS[state]} ${label}`, tooltip, isError: state === 'error' };
}

// The item shown before the server has said anything (also when the languageclient starts it
// again after a crash), and after it has stopped.
export function localStatus(state: 'loading' | 'stopped', message: string): StatusView {
  const label = state === 'stopped' ? 'coderx: stopped' : 'coderx: starting';
  return { state, text: `${ICONS[state]} ${label}`, tooltip: message, isError: state === 'stopped' };
}

// What a command says when the server cannot take its request: still starting (a moment from
// now it can) or not running at all.
export function unavailableMessage(phase: 'starting' | 'stopped'): string {
  return phase === 'starting'
    ? 'The coderx server is still starting; try again in a moment (the status bar says when it is ready).'
    : 'The coderx server is not running (see the coderx output).';
}
