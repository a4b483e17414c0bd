// Shared by the headless tests that load the compiled extension under node: require('vscode')
// is routed to the mock (with an inert fallback for names the mock does not model), and a
// polling wait with a deadline.
import Module from 'node:module';
import * as mock from './vscode_mock';

export function routeVscodeToMock(): void {
  const proxied = new Proxy(mock as Record<string | symbol, unknown>, {
    get(t, p) {
      if (p in t || typeof p === 'symbol' || p === 'then' || p === '__esModule') return t[p];
      t[p] = mock.fallback(`vscode.${p}`);
      return t[p];
    },
  });
  const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const originalLoad = loader._load;
  loader._load = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? proxied : originalLoad.call(this, request, ...rest);
  };
}

// Polls fn every 20 ms until it returns a truthy value; throws after ms.
export async function until<T>(what: string, fn: () => T | undefined | false, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
