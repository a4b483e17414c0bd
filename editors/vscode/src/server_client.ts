// The languageclient of one `coderx lsp` process, made safe to replace at any moment (extension.ts
// retires it on a restart, a settings change that restarts the server, and deactivation).
// vscode-languageclient's stop() refuses a client that is still starting (and one whose start
// failed may leave its process behind), so replacing such a client used to leave the old server
// running next to the new one. retire() ends the server in every state: a running one is shut down
// (shutdown + exit), a starting one's process is ended (SIGTERM, then SIGKILL after a grace
// period), also when the process is spawned only after the retirement. A retired client is never
// restarted by the languageclient's error handler and shows no error popups about its own end.
import type { ChildProcess } from 'node:child_process';
import * as vscode from 'vscode';
import {
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  type MessageTransports,
  type ErrorHandler,
  CloseAction,
  State,
} from 'vscode-languageclient/node';

const KILL_GRACE_MS = 2000; // SIGTERM → SIGKILL

// How the client reacts to its server failing or going away: as the languageclient would by itself,
// except that a retired client is not restarted and says nothing beyond the output channel.
class RetirableHandlers implements ErrorHandler {
  retired = false;
  fallback: ErrorHandler | undefined; // the languageclient's default error handler
  log: ((message: string, error: unknown) => void) | undefined;

  error(...args: Parameters<ErrorHandler['error']>): ReturnType<ErrorHandler['error']> {
    return this.fallback!.error(...args);
  }

  closed(): ReturnType<ErrorHandler['closed']> {
    if (this.retired) return { action: CloseAction.DoNotRestart, message: 'coderx: the server replaced by a restart has stopped', handled: true };
    return this.fallback!.closed();
  }

  // The languageclient's reaction when it has no such handler (without its Retry button).
  initializationFailed = (error: unknown): boolean => {
    if (this.retired) return false;
    const message = (error as { message?: unknown } | null)?.message;
    if (typeof message === 'string' && message) void vscode.window.showErrorMessage(message);
    this.log?.('Server initialization failed.', error);
    return false;
  };
}

export class ServerClient extends LanguageClient {
  private readonly handler: RetirableHandlers;

  constructor(serverOptions: ServerOptions, options: LanguageClientOptions) {
    const handler = new RetirableHandlers();
    super('coderx', 'coderx', serverOptions, { ...options, errorHandler: handler, initializationFailedHandler: handler.initializationFailed });
    handler.fallback = this.createDefaultErrorHandler(options.connectionOptions?.maxRestartCount);
    handler.log = (message, error) => this.error(message, error);
    this.handler = handler;
  }

  get retired(): boolean {
    return this.handler.retired;
  }

  // Ends the server whatever state the client is in; the client is not used again.
  async retire(): Promise<void> {
    this.handler.retired = true;
    if (this.state === State.Starting || this.state === State.StartFailed) {
      await endProcess(this.serverProcess); // none yet: createMessageTransports ends it once spawned
    } else {
      await this.stop();
    }
  }

  protected override async createMessageTransports(encoding: string): Promise<MessageTransports> {
    const transports = await super.createMessageTransports(encoding);
    if (this.retired) void endProcess(this.serverProcess); // spawned after retire() was called
    return transports;
  }

  // A replaced server's failed start or closed connection is expected: an info line, never a popup.
  override error(message: string, data?: unknown, showNotification?: boolean | 'force'): void {
    if (!this.retired) return super.error(message, data, showNotification);
    this.info(message, data instanceof Error ? data.message : data, false);
  }
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

// SIGTERM, then SIGKILL if the process is still there after the grace period; resolves on exit.
async function endProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || hasExited(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, KILL_GRACE_MS)));
  await Promise.race([exited, grace]);
  clearTimeout(timer);
  if (hasExited(child)) return;
  child.kill('SIGKILL');
  await exited;
}
