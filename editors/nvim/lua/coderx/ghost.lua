-- Ghost text for `textDocument/inlineCompletion` (LSP 3.18), drawn with extmarks.
--   Neovim 0.10+: the first line as inline virtual text at the cursor;
--   before 0.10: overlay at the cursor when it is at the end of the line, else at the end of the
--   line (so no existing text is hidden); further lines as virt_lines below.
--   Neovim 0.12+: native vim.lsp.inline_completion instead (config.ghost.native).
-- Requests go out while typing in insert mode (config.ghost.auto) or on the trigger key; the
-- previous request is cancelled first and a reply for an older buffer state or cursor is dropped.
-- Typing the ghost's next characters keeps the rest visible without a new request.
-- Accept whole / line / word inserts text at the anchor; dismiss clears it.
local compat = require("coderx.compat")
local config = require("coderx.config")
local position = require("coderx.position")

local M = {}

M.ns = vim.api.nvim_create_namespace("coderx_ghost")
local state = {} -- bufnr -> { client_id, pending, item, own_tick, timer }

local TRIGGER_INVOKED, TRIGGER_AUTOMATIC = 1, 2

-- Plain text of an InlineCompletionItem.insertText (string or StringValue snippet), with "\n"
-- line breaks: a model that saw a CRLF file writes "\r\n", and a buffer line holds no "\r" (its
-- 'fileformat' writes the line endings back).
function M.item_text(item)
  local t = item.insertText
  if type(t) == "table" and type(t.value) == "string" then
    t = t.value:gsub("%${%d+:([^}]*)}", "%1"):gsub("%${%d+}", ""):gsub("%$%d+", ""):gsub("\\([%$}\\])", "%1")
  end
  if type(t) ~= "string" then
    return nil
  end
  return (t:gsub("\r\n?", "\n"))
end

-- What to show for an item when the cursor is at byte `col` of `line` (row `row`), or nil.
-- Returns text, replace_end (byte column on row up to which existing text is replaced).
function M.visible(item, line, row, col, encoding)
  local text = M.item_text(item)
  if not text or text == "" then
    return nil
  end
  local range = item.range
  if type(range) ~= "table" then
    return text, col
  end
  if range.start.line ~= row or range["end"].line ~= row then
    return nil
  end
  local s = position.to_byte(line, range.start.character, encoding)
  local e = position.to_byte(line, range["end"].character, encoding)
  if s > col or e < col then
    return nil
  end
  local typed = line:sub(s + 1, col)
  if text:sub(1, #typed) ~= typed or #text == #typed then
    return nil
  end
  return text:sub(#typed + 1), e
end

-- The part of `text` that accept(kind) inserts: "all", "line" (through the end of the first
-- non-empty line) or "word" (leading whitespace plus one run of word or of punctuation chars).
-- Bytes of multibyte UTF-8 characters count as word characters: "naïve" or "変数" is one word
-- (and a character is never cut in two).
function M.take(text, kind)
  if kind == "line" then
    local nl = text:find("\n", 1, true)
    if nl == 1 then
      local second = text:find("\n", 2, true)
      return second and text:sub(1, second - 1) or text
    end
    return nl and text:sub(1, nl - 1) or text
  elseif kind == "word" then
    local ws = text:match("^%s*")
    local rest = text:sub(#ws + 1)
    local word = rest:match("^[%w_\128-\255]+") or rest:match("^[^%w_%s\128-\255]+") or ""
    return ws .. word
  end
  return text
end

local function cursor()
  local pos = vim.api.nvim_win_get_cursor(0)
  return pos[1] - 1, pos[2]
end

local function line_at(bufnr, row)
  return vim.api.nvim_buf_get_lines(bufnr, row, row + 1, false)[1] or ""
end

local function display(s)
  return (s:gsub("\t", string.rep(" ", vim.bo.tabstop)))
end

-- Where the first ghost line goes: "inline" at the cursor on 0.10+; before that "overlay" when the
-- cursor is at the end of its line (nothing to hide) and "eol" otherwise.
function M.placement(features, col, line_len)
  if features.ghost_inline then
    return "inline"
  end
  return col >= line_len and "overlay" or "eol"
end

local function render(bufnr, item)
  vim.api.nvim_buf_clear_namespace(bufnr, M.ns, 0, -1)
  local lines = vim.split(item.text, "\n", { plain = true })
  local hl = config.options.ghost.hl_group
  local opts = { hl_mode = "combine" }
  if lines[1] ~= "" then
    opts.virt_text = { { display(lines[1]), hl } }
    opts.virt_text_pos = M.placement(compat.features(), item.col, #line_at(bufnr, item.row))
  end
  if #lines > 1 then
    opts.virt_lines = {}
    for i = 2, #lines do
      table.insert(opts.virt_lines, { { display(lines[i]), hl } })
    end
  end
  item.tick = vim.api.nvim_buf_get_changedtick(bufnr)
  item.mark = vim.api.nvim_buf_set_extmark(bufnr, M.ns, item.row, item.col, opts)
end

local function cancel(s)
  if s.timer then
    s.timer:stop()
    s.timer:close()
    s.timer = nil
  end
  if s.pending then
    local client = vim.lsp.get_client_by_id(s.client_id)
    if client then
      compat.call(client, "cancel_request", s.pending)
    end
    s.pending = nil
  end
end

-- Clears the ghost text of bufnr and cancels its pending request.
function M.dismiss(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local s = state[bufnr]
  if s then
    cancel(s)
    s.item = nil
  end
  if vim.api.nvim_buf_is_valid(bufnr) then
    vim.api.nvim_buf_clear_namespace(bufnr, M.ns, 0, -1)
  end
end

-- The ghost currently shown in bufnr: { text, row, col } or nil.
function M.current(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local s = state[bufnr]
  return s and s.item
end

local function on_reply(bufnr, s, id, tick, row, col, encoding, err, result)
  if s.pending ~= id then
    return
  end
  s.pending = nil
  s.last_reply = { err = err, result = result }
  if err or type(result) ~= "table" then
    return
  end
  if vim.api.nvim_get_current_buf() ~= bufnr or vim.api.nvim_buf_get_changedtick(bufnr) ~= tick then
    return
  end
  local r, c = cursor()
  if r ~= row or c ~= col then
    return
  end
  local line = line_at(bufnr, row)
  for _, item in ipairs(result.items or result) do
    local text, replace_end = M.visible(item, line, row, col, encoding)
    if text then
      s.item = { text = text, row = row, col = col, replace_end = replace_end }
      render(bufnr, s.item)
      return
    end
  end
end

-- The last reply that arrived for bufnr's current request: { err, result } (for :checkhealth-style
-- diagnosis and tests).
function M.last_reply(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  return state[bufnr] and state[bufnr].last_reply
end

-- Sends an inline completion request for the cursor of the current window (bufnr's).
function M.request(bufnr, trigger_kind)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local s = state[bufnr]
  local client = s and vim.lsp.get_client_by_id(s.client_id)
  if not client or not client.initialized or vim.api.nvim_get_current_buf() ~= bufnr then
    return false
  end
  cancel(s)
  s.last_reply = nil
  local row, col = cursor()
  local encoding = client.offset_encoding or "utf-16"
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = position.make(bufnr, row, col, encoding),
    context = { triggerKind = trigger_kind or TRIGGER_INVOKED },
  }
  local tick = vim.api.nvim_buf_get_changedtick(bufnr)
  local id
  local ok, req = compat.call(client, "request", "textDocument/inlineCompletion", params, function(err, result)
    on_reply(bufnr, s, id, tick, row, col, encoding, err, result)
  end, bufnr)
  if ok then
    id = req
    s.pending = req
  end
  return ok
end

local function schedule_request(bufnr)
  local s = state[bufnr]
  local delay = config.options.ghost.debounce_ms or 0
  if delay <= 0 then
    vim.schedule(function()
      if vim.api.nvim_get_mode().mode:sub(1, 1) == "i" then
        M.request(bufnr, TRIGGER_AUTOMATIC)
      end
    end)
    return
  end
  s.timer = compat.uv.new_timer()
  s.timer:start(delay, 0, vim.schedule_wrap(function()
    if s.timer then
      s.timer:close()
      s.timer = nil
    end
    if vim.api.nvim_get_mode().mode:sub(1, 1) == "i" then
      M.request(bufnr, TRIGGER_AUTOMATIC)
    end
  end))
end

-- Typing the ghost's own next characters: keep the rest on screen.
local function typed_through(bufnr, s)
  local item = s.item
  if not item then
    return false
  end
  local row, col = cursor()
  if row ~= item.row or col <= item.col then
    return false
  end
  local typed = line_at(bufnr, row):sub(item.col + 1, col)
  if #typed >= #item.text or item.text:sub(1, #typed) ~= typed then
    return false
  end
  local shift = col - item.col
  s.item = { text = item.text:sub(#typed + 1), row = row, col = col, replace_end = math.max(col, item.replace_end + shift) }
  render(bufnr, s.item)
  return true
end

local function on_text_changed(bufnr)
  local s = state[bufnr]
  if not s or s.own_tick == vim.api.nvim_buf_get_changedtick(bufnr) then
    return
  end
  if typed_through(bufnr, s) then
    return
  end
  M.dismiss(bufnr)
  if config.options.ghost.auto then
    schedule_request(bufnr)
  end
end

local function on_cursor_moved(bufnr)
  local s = state[bufnr]
  local item = s and s.item
  if not item or item.tick ~= vim.api.nvim_buf_get_changedtick(bufnr) then
    return -- a text change; on_text_changed decides
  end
  local row, col = cursor()
  if row ~= item.row or col ~= item.col then
    M.dismiss(bufnr)
  end
end

-- Inserts the whole ghost, its first line, or its next word. Returns false when none is shown.
function M.accept(kind, bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local s = state[bufnr]
  local item = s and s.item
  if not item then
    return false
  end
  local piece = M.take(item.text, kind or "all")
  local whole = #piece == #item.text
  local lines = vim.split(piece, "\n", { plain = true })
  local replace_end = whole and item.replace_end or item.col
  vim.api.nvim_buf_set_text(bufnr, item.row, item.col, item.row, replace_end, lines)
  local row = item.row + #lines - 1
  local col = #lines == 1 and item.col + #lines[1] or #lines[#lines]
  vim.api.nvim_win_set_cursor(0, { row + 1, col })
  s.own_tick = vim.api.nvim_buf_get_changedtick(bufnr)
  if whole then
    M.dismiss(bufnr)
  else
    local shift = row == item.row and (col - item.col) or 0
    s.item = { text = item.text:sub(#piece + 1), row = row, col = col, replace_end = math.max(col, item.replace_end + shift) }
    if row ~= item.row then
      s.item.replace_end = col
    end
    render(bufnr, s.item)
  end
  return true
end

local function feed(lhs)
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes(lhs, true, false, true), "n", false)
end

local function set_keymaps(bufnr, native)
  local keys = config.options.keymaps
  local function map(lhs, fn, desc, fallback)
    if lhs then
      vim.keymap.set("i", lhs, function()
        if not fn() and fallback then
          feed(lhs)
        end
      end, { buffer = bufnr, silent = true, desc = desc })
    end
  end
  if native then
    map(keys.accept, function()
      return vim.lsp.inline_completion.get()
    end, "coderx: accept suggestion", true)
    return
  end
  map(keys.accept, function()
    return M.accept("all", bufnr)
  end, "coderx: accept suggestion", true)
  map(keys.accept_line, function()
    return M.accept("line", bufnr)
  end, "coderx: accept a line", true)
  map(keys.accept_word, function()
    return M.accept("word", bufnr)
  end, "coderx: accept a word", true)
  map(keys.dismiss, function()
    local shown = M.current(bufnr) ~= nil
    M.dismiss(bufnr)
    return shown
  end, "coderx: dismiss suggestion", true)
  map(keys.trigger, function()
    return M.request(bufnr, TRIGGER_INVOKED)
  end, "coderx: request a suggestion", false)
end

-- Called when the coderx client attaches to bufnr.
function M.attach(bufnr, client_id)
  if not config.options.ghost.enabled then
    return
  end
  if state[bufnr] then
    state[bufnr].client_id = client_id
    return
  end
  state[bufnr] = { client_id = client_id }
  local native = compat.features().native_inline_completion and config.options.ghost.native
  if native then
    vim.lsp.inline_completion.enable(true, { bufnr = bufnr })
    set_keymaps(bufnr, true)
    return
  end
  local group = vim.api.nvim_create_augroup("coderx_ghost_" .. bufnr, { clear = true })
  vim.api.nvim_create_autocmd("TextChangedI", { group = group, buffer = bufnr, callback = function()
    on_text_changed(bufnr)
  end })
  vim.api.nvim_create_autocmd("CursorMovedI", { group = group, buffer = bufnr, callback = function()
    on_cursor_moved(bufnr)
  end })
  vim.api.nvim_create_autocmd({ "InsertLeave", "BufLeave" }, { group = group, buffer = bufnr, callback = function()
    M.dismiss(bufnr)
  end })
  vim.api.nvim_create_autocmd("BufWipeout", { group = group, buffer = bufnr, callback = function()
    M.dismiss(bufnr)
    state[bufnr] = nil
  end })
  set_keymaps(bufnr, false)
end

return M
