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
    client.stop()
    vim.defer_fn(function()
      M.attach_all()
    end, 200)
  end, { desc = "coderx: restart the server" })
end

local function supported(ft)
  return vim.tbl_contains(config.options.filetypes, ft)
end

function M.attach_all()
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) and supported(vim.bo[buf].filetype) and vim.bo[buf].buftype == "" then
      client.attach(buf)
    end
  end
end

function M.setup(opts)
  config.set(opts)
  define_commands()
  local group = vim.api.nvim_create_augroup("coderx", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = config.options.filetypes,
    callback = function(args)
      if vim.bo[args.buf].buftype == "" then
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
