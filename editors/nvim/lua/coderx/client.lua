-- Starts `coderx lsp` and attaches it to buffers: one client per workspace root.
-- Neovim 0.8+: vim.lsp.start (which reuses a client with the same name and root);
-- Neovim 0.7: vim.lsp.start_client once per root, then vim.lsp.buf_attach_client.
-- Also owns the coderx-specific handlers: `coderx/status` and the `$/progress` stream of explain,
-- and tells the features with a request in flight when their server exits (M.on_exit).
-- A command this Neovim cannot run (a missing binary; a function `cmd` on 0.7) is reported once,
-- with status `error`, and no buffer tries to start it.
-- A buffer reloaded with `:edit!` is attached again (at the FileType event that follows every
-- reload): Neovim 0.7 detaches it (didClose) and sends no didOpen for the reloaded text.
local compat = require("coderx.compat")
local config = require("coderx.config")

local M = {}

local by_root = {} -- root dir -> client id (0.7 path)
local by_buf = {} -- bufnr -> client id
local progress_listeners = {} -- token -> function(value)
local exit_listeners = {} -- client id -> { [key] = function(why) }: run once when it exits
local stopping = {} -- client id -> true: stopped on purpose (no automatic restart)
local crashes = {} -- hrtime (ms) of the recent unexpected exits that were restarted
local unrunnable -- the command that could not be run (its key), reported once
local gave_up = false -- crashed too often: nothing starts until :CoderxRestart

M.status = { state = "stopped", message = "not started" }

-- Unexpected exits restarted automatically: at most this many within the window, then the server
-- stays stopped until :CoderxRestart (a server that dies at start must not loop).
M.max_restarts = 3
M.restart_window_ms = 180000

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
    if M.status.local_error and result.state == "stopped" then
      return -- keep the reason (not runnable, crashed too often) on show
    end
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

-- Registers fn(why) to run from the main loop when the client with this id exits (why: "exited
-- (code 3, signal 0)"); returns a function that removes it.
function M.on_exit(client_id, fn)
  local key = {}
  exit_listeners[client_id] = exit_listeners[client_id] or {}
  exit_listeners[client_id][key] = fn
  return function()
    local listeners = exit_listeners[client_id]
    if listeners then
      listeners[key] = nil
    end
  end
end

-- Runs (scheduled) and forgets the exit listeners of client_id; safe in a libuv callback.
local function run_exit_listeners(client_id, why)
  local listeners = exit_listeners[client_id]
  exit_listeners[client_id] = nil
  if listeners then
    vim.schedule(function()
      for _, fn in pairs(listeners) do
        fn(why)
      end
    end)
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
      -- may run in a libuv callback: only Lua state here, the rest is scheduled
      for root_dir, id in pairs(by_root) do
        if id == client_id then
          by_root[root_dir] = nil
        end
      end
      local orphans = {}
      for buf, id in pairs(by_buf) do
        if id == client_id then
          by_buf[buf] = nil
          table.insert(orphans, buf)
        end
      end
      local wanted = stopping[client_id]
      stopping[client_id] = nil
      local why = string.format("exited (code %d, signal %d)", code or -1, signal or 0)
      on_status(nil, { state = "stopped", message = why })
      run_exit_listeners(client_id, why)
      -- a crash (what Neovim itself reports as one): start again for the buffers it served
      local crashed = not wanted and ((code or 0) ~= 0 or ((signal or 0) ~= 0 and signal ~= 15))
      if crashed and #orphans > 0 then
        vim.schedule(function()
          M.after_crash(orphans, why)
        end)
      end
    end,
  }
end

-- Restarts the server for bufs after it crashed, unless it crashed too often lately.
function M.after_crash(bufs, why)
  local now = compat.uv.hrtime() / 1e6
  local recent = {}
  for _, t in ipairs(crashes) do
    if now - t < M.restart_window_ms then
      table.insert(recent, t)
    end
  end
  crashes = recent
  if #crashes >= M.max_restarts then
    M.status = {
      state = "stopped",
      local_error = true,
      message = string.format("the server %s, the %d%s time in %d s; not restarted (see :LspLog, then :CoderxRestart)",
        why, #crashes + 1, #crashes + 1 == 2 and "nd" or (#crashes + 1 == 3 and "rd" or "th"), M.restart_window_ms / 1000),
    }
    gave_up = true
    vim.notify("coderx: " .. M.status.message, vim.log.levels.ERROR)
    on_status(nil, nil)
    return
  end
  table.insert(crashes, now)
  for _, buf in ipairs(bufs) do
    if vim.api.nvim_buf_is_valid(buf) and vim.api.nvim_buf_is_loaded(buf) then
      M.attach(buf)
    end
  end
end

-- Why cmd cannot start a server on this Neovim, as a key and a message, or nil when it can: a
-- list must name a program we can run; a function (vim.lsp.rpc.connect(...), for one) needs the
-- vim.lsp.start_client of Neovim 0.8 (0.7's raises an error for it).
local function unrunnable_reason(cmd)
  if type(cmd) == "function" and not compat.features().cmd_function then
    local v = vim.version()
    return "function", string.format("cmd is a function, which needs Neovim 0.8 or later (this is %d.%d.%d); "
      .. "give cmd as a list of strings, e.g. { \"coderx\", \"lsp\" }", v.major, v.minor, v.patch)
  end
  if type(cmd) == "table" and (type(cmd[1]) ~= "string" or vim.fn.executable(cmd[1]) ~= 1) then
    return table.concat(cmd, " "), string.format(
      "cannot run '%s': not found or not executable (set require(\"coderx\").setup{ path = ... })", tostring(cmd[1]))
  end
  return nil
end

local function report_unrunnable(key, message)
  M.status = { state = "error", local_error = true, message = message }
  if unrunnable ~= key then
    unrunnable = key
    vim.notify("coderx: " .. message, vim.log.levels.ERROR)
    on_status(nil, nil)
  end
end

-- Attaches bufnr to client id again when Neovim detached it while it stayed ours: `:edit!` on 0.7
-- sends didClose and forgets the buffer (its on_reload, didClose + didOpen, is not what runs);
-- attaching again sends didOpen with the reloaded text.
local function ensure_attached(bufnr, id)
  if vim.lsp.buf_is_attached and not vim.lsp.buf_is_attached(bufnr, id) then
    vim.lsp.buf_attach_client(bufnr, id)
  end
end

-- Starts (or reuses) the client for bufnr's root and attaches it. Returns the client id or nil.
function M.attach(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  if by_buf[bufnr] and vim.lsp.get_client_by_id(by_buf[bufnr]) then
    ensure_attached(bufnr, by_buf[bufnr])
    return by_buf[bufnr]
  end
  if gave_up then
    return nil
  end
  -- a command this Neovim cannot run is reported once; each buffer opened later neither tries to
  -- start it nor adds a message (it is checked again, so installing the binary works)
  local key, why = unrunnable_reason(config.server_cmd())
  if key then
    report_unrunnable(key, why)
    return nil
  end
  if unrunnable then
    unrunnable = nil
    M.status = { state = "stopped", message = "not started" }
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
    if M.status.state == "stopped" or M.status.local_error then
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

-- Stops every coderx client; the buffers are detached from them at once (a later attach starts a
-- new server even while the old one is still shutting down). Returns the stopped client ids.
function M.stop()
  local ids = {}
  for _, c in ipairs(M.all()) do
    stopping[c.id] = true
    table.insert(ids, c.id)
    compat.call(c, "stop")
  end
  for buf, id in pairs(by_buf) do
    if stopping[id] then
      by_buf[buf] = nil
    end
  end
  for root_dir, id in pairs(by_root) do
    if stopping[id] then
      by_root[root_dir] = nil
    end
  end
  return ids
end

-- :CoderxRestart: stops the servers, waits until they have exited (forcing them after
-- timeout_ms), then calls start(). A restart forgets earlier crashes.
function M.restart(start, timeout_ms)
  local ids = M.stop()
  crashes = {}
  unrunnable = nil
  gave_up = false
  if M.status.local_error then
    M.status = { state = "stopped", message = "restarting" }
  end
  local function now()
    return compat.uv.hrtime() / 1e6
  end
  local deadline, forced = now() + (timeout_ms or 5000), false
  local function gone()
    for _, id in ipairs(ids) do
      if vim.lsp.get_client_by_id(id) then
        return false
      end
    end
    return true
  end
  local function poll()
    if gone() then
      return start()
    end
    if now() > deadline then
      if forced then
        return start() -- killed but not reported gone: start anyway
      end
      for _, id in ipairs(ids) do
        local c = vim.lsp.get_client_by_id(id)
        if c then
          compat.call(c, "stop", true)
        end
      end
      forced, deadline = true, now() + 2000
    end
    vim.defer_fn(poll, 20)
  end
  poll()
end

return M
