-- :CoderxExplain — sends `coderx/explain` for a range (docs/protocol.md) and shows the markdown in
-- a floating window, updated while `$/progress` reports stream in. Moving the cursor in the source
-- window closes it, as do `q` and <Esc> inside it (<C-w>w enters it). A server that exits before
-- it answers closes the float too, with one message (the reply will never come).
local client_mod = require("coderx.client")
local compat = require("coderx.compat")
local config = require("coderx.config")
local position = require("coderx.position")

local M = {}

M.win, M.buf = nil, nil -- the float (tests read them)

local function close()
  if M.win and vim.api.nvim_win_is_valid(M.win) then
    vim.api.nvim_win_close(M.win, true)
  end
  M.win, M.buf = nil, nil
end

-- The lines of markdown as the float shows them. A NUL byte (a model can emit one) is shown as
-- U+2400: handed to a Vim function, a Lua string holding NUL becomes a Blob and the call fails.
function M.display_lines(text)
  return vim.split((text:gsub("%z", "\226\144\128")), "\n", { plain = true })
end

local function set_text(text)
  if not (M.buf and vim.api.nvim_buf_is_valid(M.buf)) then
    return
  end
  local lines = M.display_lines(text)
  vim.bo[M.buf].modifiable = true
  vim.api.nvim_buf_set_lines(M.buf, 0, -1, false, lines)
  vim.bo[M.buf].modifiable = false
  if M.win and vim.api.nvim_win_is_valid(M.win) then
    local width = vim.api.nvim_win_get_width(M.win)
    local rows = 0
    for _, line in ipairs(lines) do
      rows = rows + math.max(1, math.ceil(vim.fn.strdisplaywidth(line) / width))
    end
    vim.api.nvim_win_set_height(M.win, math.min(rows, math.max(vim.o.lines - 6, 3)))
  end
end

-- Closes the float when the cursor leaves where it was in the source window (like a hover).
local function close_on_move(source_buf)
  local group = vim.api.nvim_create_augroup("coderx_explain", { clear = true })
  local win = vim.api.nvim_get_current_win()
  local at = vim.api.nvim_win_get_cursor(win)
  vim.api.nvim_create_autocmd({ "CursorMoved", "CursorMovedI", "InsertEnter", "BufLeave" }, {
    group = group,
    buffer = source_buf,
    callback = function(args)
      local moved = args.event ~= "CursorMoved" and args.event ~= "CursorMovedI"
        or not vim.deep_equal(vim.api.nvim_win_get_cursor(win), at)
      if moved then
        vim.api.nvim_clear_autocmds({ group = group })
        close()
      end
    end,
  })
end

local function open(title)
  close()
  local opts = config.options.explain
  M.buf = vim.api.nvim_create_buf(false, true)
  vim.bo[M.buf].filetype = "markdown"
  vim.bo[M.buf].bufhidden = "wipe"
  local width = math.min(opts.width, math.max(vim.o.columns - 4, 20))
  M.win = vim.api.nvim_open_win(M.buf, false, {
    relative = "editor",
    row = 1,
    col = math.max(vim.o.columns - width - 2, 0),
    width = width,
    height = 3,
    style = "minimal",
    border = opts.border,
  })
  vim.wo[M.win].wrap = true
  vim.wo[M.win].conceallevel = 2
  for _, key in ipairs({ "q", "<Esc>" }) do
    vim.keymap.set("n", key, close, { buffer = M.buf, silent = true })
  end
  set_text("_" .. title .. ": coderx is writing…_")
end

-- Accumulates streamed markdown: a message that extends what is shown replaces it, otherwise it
-- is appended (a delta).
function M.accumulate(shown, message)
  if message:sub(1, #shown) == shown then
    return message
  end
  return shown .. message
end

-- "120 prompt (80 cached) + 0 thinking + 42 answer tokens in 950 ms" from a Usage object
-- (docs/protocol.md); nil when it is absent or not an object (older servers send none).
function M.usage_line(usage)
  if type(usage) ~= "table" then
    return nil
  end
  local function n(key)
    local v = usage[key]
    return type(v) == "number" and v or 0
  end
  return string.format("%d prompt (%d cached) + %d thinking + %d answer tokens in %d ms", n("promptTokens"),
    n("cachedTokens"), n("thinkingTokens"), n("answerTokens"), math.floor(n("ms") + 0.5))
end

-- One request in flight: finish(req) returns true the first time only (the reply and the server's
-- exit race), and stops listening for progress and for the exit.
local function finish(req)
  if req.done then
    return false
  end
  req.done = true
  req.unlisten()
  req.unwatch()
  return true
end

local function answered(req, err, result)
  if not finish(req) then
    return
  end
  local shown = M.current == req -- a newer request owns the float otherwise
  if shown and err then
    set_text("**coderx/explain failed:** " .. (err.message or vim.inspect(err)))
  elseif shown and type(result) == "table" and type(result.markdown) == "string" then
    set_text(result.markdown)
    M.last_usage = type(result.usage) == "table" and result.usage or nil
    local line = M.usage_line(M.last_usage)
    if line then
      vim.notify("coderx explain: " .. line)
    end
  end
  if req.on_done then
    req.on_done(type(result) == "table" and result.markdown or nil, err, shown and M.last_usage or nil)
  end
end

-- The server exited with the request unanswered: no reply will come, so the float (still saying
-- "coderx is writing…") is closed and the user told once.
local function server_gone(req, why)
  if not finish(req) then
    return
  end
  local waiting = M.current == req and M.win ~= nil -- not when the user closed it meanwhile
  if M.current == req then
    M.current = nil
    pcall(vim.api.nvim_clear_autocmds, { group = "coderx_explain" })
    close()
  end
  if waiting then
    vim.notify("coderx: no explanation: the server " .. why .. " before answering (run :CoderxExplain again)",
      vim.log.levels.WARN)
  end
  if req.on_done then
    req.on_done(nil, { message = "the server " .. why })
  end
end

-- Explains lines line1..line2 (1-based) of bufnr. on_done(markdown|nil, err, usage|nil) is optional.
-- The reply's usage, when the server sends one, is kept in M.last_usage and echoed.
function M.run(bufnr, line1, line2, on_done)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local client = client_mod.get(bufnr)
  if not client then
    vim.notify("coderx: no server attached to this buffer (or it is still starting)", vim.log.levels.WARN)
    return false
  end
  local token = string.format("coderx-explain-%d-%d", bufnr, compat.uv.hrtime())
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = position.line_range(bufnr, line1, line2, client.offset_encoding or "utf-16"),
    workDoneToken = token,
  }
  open(string.format("lines %d-%d", line1, line2))
  close_on_move(bufnr)
  local req, shown = { on_done = on_done }, ""
  M.current, M.last_usage = req, nil
  req.unlisten = client_mod.on_progress(token, vim.schedule_wrap(function(value)
    if M.current == req and type(value) == "table" and value.kind == "report" and type(value.message) == "string" then
      shown = M.accumulate(shown, value.message)
      set_text(shown)
    end
  end))
  req.unwatch = client_mod.on_exit(client.id, function(why)
    server_gone(req, why)
  end)
  -- The reply may arrive while text is locked (a mapping or the completion menu is running):
  -- the float is updated from the main loop, never from inside the handler.
  compat.call(client, "request", "coderx/explain", params, vim.schedule_wrap(function(err, result)
    answered(req, err, result)
  end), bufnr)
  return true
end

M.close = close

return M
