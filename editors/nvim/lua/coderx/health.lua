-- :checkhealth coderx. Neovim 0.7 discovers lua/coderx/health.lua and reports through
-- require("health"); 0.8+ has vim.health (report_* until 0.10, start/ok/warn/error after).
local compat = require("coderx.compat")
local config = require("coderx.config")

local M = {}

local function reporter()
  local h = vim.health or require("health")
  return {
    start = h.start or h.report_start,
    ok = h.ok or h.report_ok,
    info = h.info or h.report_info,
    warn = h.warn or h.report_warn,
    error = h.error or h.report_error,
  }
end

-- The binary's version, or an error; what names what it is used for ("the server", ":CoderxReview").
local function report_binary(r, program, what)
  if vim.fn.executable(program) ~= 1 then
    r.error(string.format("'%s' (%s) is not executable", program, what),
      { 'put coderx on PATH or set require("coderx").setup{ path = ... }' })
    return
  end
  local out = vim.fn.systemlist({ program, "--version" })
  if vim.v.shell_error == 0 then
    r.ok(string.format("%s (%s): %s", vim.fn.exepath(program), what, out[1] or ""))
  else
    r.error(string.format("%s --version failed: %s", program, table.concat(out, " ")))
  end
end

-- The server command: a list names a binary to check; a function (e.g. vim.lsp.rpc.connect(...),
-- a server reached another way) is not run here, and needs Neovim 0.8+. `path` runs :CoderxReview.
local function report_command(r)
  local cmd = config.server_cmd()
  if type(cmd) ~= "function" then
    report_binary(r, cmd[1], "the server")
    return
  end
  if compat.features().cmd_function then
    r.info("cmd is a function: the server command is yours, not checked here")
  else
    r.error("cmd is a function, which Neovim 0.7's vim.lsp.start_client cannot run",
      { "use a list of strings for cmd, or Neovim 0.8 or later" })
  end
  report_binary(r, config.options.path, ":CoderxReview")
end

local function report_servers(r)
  local clients = require("coderx.client").all()
  local status = require("coderx.client").status
  if #clients == 0 then
    r.info("no coderx server running (open a supported file: " .. table.concat(config.options.filetypes, ", ") .. ")")
  elseif status.state == "error" then
    r.error("server: " .. (status.message or "error"))
  else
    r.ok(string.format("%d server(s) running; status %s%s", #clients, status.state,
      status.message and status.message ~= "" and (": " .. status.message) or ""))
  end
end

function M.check()
  local r = reporter()
  local f = compat.features()
  r.start("coderx")
  local v = vim.version()
  r.info(string.format("Neovim %d.%d.%d: %s; ghost text %s%s", v.major, v.minor, v.patch,
    f.start == "start" and "vim.lsp.start" or "vim.lsp.start_client + buf_attach_client",
    f.ghost_inline and "inline" or "overlay / end of line",
    f.native_inline_completion and "; native vim.lsp.inline_completion available" or ""))
  if not require("coderx").did_setup then
    r.warn('setup() has not been called', { 'add require("coderx").setup{} to your config' })
  end
  report_command(r)
  report_servers(r)
end

return M
