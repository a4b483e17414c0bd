-- coderx for Neovim: require("coderx").setup{} starts `coderx lsp` for the configured filetypes
-- and defines :CoderxExplain, :CoderxRefactor, :CoderxReview, :CoderxStatus, :CoderxRestart.
-- Works on Neovim 0.7 and later; newer APIs are chosen in coderx.compat.
local config = require("coderx.config")
local client = require("coderx.client")

local M = {}

local function range_of(opts)
  if opts.range and opts.range > 0 then
    return opts.line1, opts.line2
  end
  local line = vim.api.nvim_win_get_cursor(0)[1]
  return line, line
end

local function define_commands()
  local cmd = vim.api.nvim_create_user_command
  cmd("CoderxExplain", function(opts)
    local l1, l2 = range_of(opts)
    require("coderx.explain").run(0, l1, l2)
  end, { range = true, desc = "coderx: explain the selected lines in a float" })
  cmd("CoderxRefactor", function(opts)
    local l1, l2 = range_of(opts)
    require("coderx.refactor").run(0, l1, l2, opts.args)
  end, { range = true, nargs = "+", desc = "coderx: refactor the selected lines" })
  cmd("CoderxReview", function(opts)
    require("coderx.review").run(opts.fargs)
  end, { nargs = "*", desc = "coderx: review the git diff into the quickfix list" })
  cmd("CoderxStatus", function()
    local s = client.status
    local parts = { M.statusline() }
    if s.message and s.message ~= "" then
      table.insert(parts, s.message)
    end
    if s.model then
      table.insert(parts, "model: " .. s.model)
    end
    print(table.concat(parts, " | "))
  end, { desc = "coderx: show the server status" })
  cmd("CoderxRestart", function()
    client.restart(M.attach_all)
  end, { desc = "coderx: restart the server" })
end

local function supported(ft)
  return vim.tbl_contains(config.options.filetypes, ft)
end

-- Whether the server gets bufnr: a loaded, normal buffer (not help, terminal, quickfix, scratch
-- or a plugin's nofile/nowrite view) of a supported filetype that has a local file name. A buffer
-- without a name is left out (Neovim would send every one of them as the same URI, "file://"),
-- as is a name with another scheme (fugitive://, oil://, scp://: not a file the server can read).
function M.attachable(bufnr)
  if not (vim.api.nvim_buf_is_valid(bufnr) and vim.api.nvim_buf_is_loaded(bufnr)) then
    return false
  end
  if vim.bo[bufnr].buftype ~= "" or not supported(vim.bo[bufnr].filetype) then
    return false
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  local scheme = name:match("^([%a][%w+.-]*):")
  return name ~= "" and (scheme == nil or scheme == "file" or #scheme == 1) -- C:\ on Windows
end

function M.attach_all()
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if M.attachable(buf) then
      client.attach(buf)
    end
  end
end

function M.setup(opts)
  local _, problems = config.set(opts)
  if #problems > 0 then
    -- once, at setup: a wrong option falls back to its default instead of failing on every key
    vim.notify("coderx: ignoring options (their defaults apply):\n  " .. table.concat(problems, "\n  "), vim.log.levels.WARN)
  end
  define_commands()
  local group = vim.api.nvim_create_augroup("coderx", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = config.options.filetypes,
    callback = function(args)
      if M.attachable(args.buf) then
        client.attach(args.buf)
      end
    end,
  })
  -- a buffer that gets its file name later (`:write name.py` of a new buffer, `:file name.py`)
  vim.api.nvim_create_autocmd({ "BufFilePost", "BufWritePost" }, {
    group = group,
    callback = function(args)
      if M.attachable(args.buf) then
        client.attach(args.buf)
      end
    end,
  })
  M.attach_all()
  M.did_setup = true
end

-- "coderx: ready" etc., for a statusline; the User CoderxStatus autocmd fires on every change.
function M.statusline()
  local s = client.status
  if s.state == "ready" then
    return "coderx"
  end
  if s.state == "busy" and s.pending and s.pending > 0 then
    return string.format("coderx: busy (%d)", s.pending)
  end
  return "coderx: " .. s.state
end

M.status = function()
  return client.status
end
M.update_settings = client.update_settings

return M
