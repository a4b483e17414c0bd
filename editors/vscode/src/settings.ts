// Assembles the settings object the extension passes to `coderx lsp` (docs/protocol.md, "Settings").
//
// The server owns every default. VS Code, however, invents a value for each schema property that
// has no default (0, "", false, {}), and `getConfiguration().get()` returns those inventions. So the
// extension reads only what the user actually wrote: the `inspect('coderx')` layers (user,
// workspace, workspace folder), merged here from least to most specific. Keys that only the client
// reads (the binary path, tracing, review options) are removed; everything else — including keys
// this file does not know — reaches the server untouched.
//
// Pure logic without `vscode` imports, so node:test covers it.

export type JsonObject = { [key: string]: unknown };

// Settings under `coderx.` that configure the client, never sent to the server as settings. The
// model, engine and log level are the server's command-line options (commands.ts puts them
// there; docs/protocol.md "Settings").
export const CLIENT_ONLY_KEYS: readonly string[] = ['path', 'serverArgs', 'trace', 'review', 'model', 'engine', 'logLevel'];

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Deep merge: objects merge key by key, anything else (arrays included) is replaced by the later
// layer. Layers that are undefined or not objects are skipped. Inputs are never modified.
export function mergeLayers(layers: readonly unknown[]): JsonObject {
  let result: JsonObject = {};
  for (const layer of layers) {
    if (isPlainObject(layer)) result = mergeTwo(result, layer);
  }
  return result;
}

function mergeTwo(base: JsonObject, over: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    out[key] = isPlainObject(prev) && isPlainObject(value) ? mergeTwo(prev, value) : clone(value);
  }
  return out;
}

function clone(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clone);
  if (isPlainObject(value)) return mergeTwo({}, value);
  return value;
}

// The `coderx` object for initializationOptions and didChangeConfiguration.
export function serverSettings(layers: readonly unknown[]): JsonObject {
  const merged = mergeLayers(layers);
  for (const key of CLIENT_ONLY_KEYS) delete merged[key];
  return merged;
}

// Answers one `workspace/configuration` item for a section under `coderx` ("coderx",
// "coderx.budgets.inlineCompletion", ...). Returns undefined for sections this extension does not own, and
// null for an owned section the user has not set (the server then keeps its default).
export function sectionValue(settings: JsonObject, section: string | undefined): unknown {
  if (section === undefined) return undefined;
  const path = section.split('.');
  if (path[0] !== 'coderx') return undefined;
  let value: unknown = settings;
  for (const part of path.slice(1)) {
    if (!isPlainObject(value) || !(part in value)) return null;
    value = value[part];
  }
  return value;
}

// The `workspace/didChangeConfiguration` params.
export function didChangeConfigurationParams(settings: JsonObject): { settings: { coderx: JsonObject } } {
  return { settings: { coderx: settings } };
}
