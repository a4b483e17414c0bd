-- Starts `coderx lsp` and attaches it to buffers: one client per workspace root.
-- Neovim 0.8+: vim.lsp.start (which reuses a client with the same name and root);
-- Neovim 0.7: vim.lsp.start_client once per root, then vim.lsp.buf_attach_client.
-- Also owns the coderx-specific handlers: `coderx/status` and the `$/progress` stream of explain.
local compat = require("coderx.compat")
local config = require("coderx.config")

local M = {}

local by_root = {} -- root dir -> client id (0.7 path)
local by_buf = {} -- bufnr -> client id
local progress_listeners = {} -- token -> function(value)

M.status = { state = "stopped", message = "not started" }

local function find_root(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  local dir = name ~= "" and vim.fn.fnamemodify(name, ":p:h") or vim.fn.getcwd()
  for _, marker in ipairs(config.options.root_markers) do
    local found = vim.fn.findfile(marker, dir .. ";")
    if found == "" then
      found = vim.fn.finddir(marker, dir .. ";")
    end
    if found ~= "" then
      local path = vim.fn.fnamemodify(found, ":p"):gsub("/$", "")
      return vim.fn.fnamemodify(path, ":h")
    end
  end
  return vim.fn.getcwd()
end

local function on_status(_, result)
  if type(result) == "table" then
    M.status = {
      state = type(result.state) == "string" and result.state or "unknown",
      message = type(result.message) == "string" and result.message or "",
      model = type(result.model) == "string" and result.model or nil, -- optional (docs/protocol.md)
      pending = type(result.pending) == "number" and result.pending or nil, -- optional
    }
  end
  vim.schedule(function()
    vim.api.nvim_exec_autocmds("User", { pattern = "CoderxStatus", modeline = false })
  end)
end

local function on_progress(err, result, ctx, cfg)
  local listener = result and progress_listeners[result.token]
  if listener then
    listener(result.value)
    return
  end
  return vim.lsp.handlers["$/progress"](err, result, ctx, cfg)
end

-- Registers fn(value) for `$/progress` messages carrying token; returns a function that removes it.
function M.on_progress(token, fn)
  progress_listeners[token] = fn
  return function()
    progress_listeners[token] = nil
  end
end

local function capabilities()
  local caps = vim.lsp.protocol.make_client_capabilities()
  caps.textDocument = caps.textDocument or {}
  caps.textDocument.inlineCompletion = caps.textDocument.inlineCompletion or { dynamicRegistration = false }
  caps.window = caps.window or {}
  caps.window.workDoneProgress = true
  -- vim.lsp.util.apply_workspace_edit applies versioned documentChanges (and refuses an edit
  -- for an older buffer version) although Neovim 0.7 does not advertise them.
  caps.workspace = caps.workspace or {}
  caps.workspace.workspaceEdit = caps.workspace.workspaceEdit or {}
  caps.workspace.workspaceEdit.documentChanges = true
  return caps
end

function M.make_config(root)
  local settings = config.options.settings
  return {
    name = "coderx",
    cmd = config.server_cmd(),
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    init_options = settings,
    settings = next(settings) and { coderx = settings } or {},
    capabilities = capabilities(),
    handlers = {
      ["coderx/status"] = on_status,
      ["$/progress"] = on_progress,
      ["workspace/applyEdit"] = function(...)
        return require("coderx.refactor").apply_edit_handler(...)
      end,
    },
    on_attach = function(client, bufnr)
      require("coderx.ghost").attach(bufnr, client.id)
    end,
    on_exit = function(code, signal, client_id)
      for root_dir, id in pairs(by_root) do
        if id == client_id then
          by_root[root_dir] = nil
        end
      end
      for buf, id in pairs(by_buf) do
        if id == client_id then
          by_buf[buf] = nil
        end
      end
      on_status(nil, { state = "stopped", message = string.format("exited (code %d, signal %d)", code or -1, signal or 0) })
    end,
  }
end

-- Starts (or reuses) the client for bufnr's root and attaches it. Returns the client id or nil.
function M.attach(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  if by_buf[bufnr] and vim.lsp.get_client_by_id(by_buf[bufnr]) then
    return by_buf[bufnr]
  end
  local root = find_root(bufnr)
  local id
  if compat.features().start == "start" then
    id = vim.lsp.start(M.make_config(root), { bufnr = bufnr })
  else
    id = by_root[root]
    if not (id and vim.lsp.get_client_by_id(id)) then
      id = vim.lsp.start_client(M.make_config(root))
      by_root[root] = id
    end
    if id then
      vim.lsp.buf_attach_client(bufnr, id)
    end
  end
  if id then
    by_buf[bufnr] = id
    if M.status.state == "stopped" then
      M.status = { state = "loading", message = "starting" }
    end
  end
  return id
end

-- The coderx client attached to bufnr, once it is initialized (requests sent earlier would reach
-- the server before the document is open); nil when none is running or it is still starting.
function M.get(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local id = by_buf[bufnr]
  local client = id and vim.lsp.get_client_by_id(id)
  if client and client.initialized and not compat.call(client, "is_stopped") then
    return client
  end
  return nil
end

-- Every running coderx client.
function M.all()
  local out, seen = {}, {}
  for _, id in pairs(by_buf) do
    local c = vim.lsp.get_client_by_id(id)
    if c and not seen[id] then
      seen[id] = true
      table.insert(out, c)
    end
  end
  return out
end

-- Sends new settings (replacing the old ones) to every running client.
function M.update_settings(settings)
  config.options.settings = vim.deepcopy(settings or {})
  for _, c in ipairs(M.all()) do
    c.config.settings = next(config.options.settings) and { coderx = config.options.settings } or {}
    compat.call(c, "notify", "workspace/didChangeConfiguration", { settings = { coderx = config.options.settings } })
  end
end

function M.stop()
  for _, c in ipairs(M.all()) do
    compat.call(c, "stop")
  end
end

return M
