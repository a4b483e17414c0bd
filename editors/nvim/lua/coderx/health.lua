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
  local cmd = config.server_cmd()
  if vim.fn.executable(cmd[1]) == 1 then
    local out = vim.fn.systemlist({ cmd[1], "--version" })
    if vim.v.shell_error == 0 then
      r.ok(string.format("%s: %s", vim.fn.exepath(cmd[1]), out[1] or ""))
    else
      r.error(string.format("%s --version failed: %s", cmd[1], table.concat(out, " ")))
    end
  else
    r.error(string.format("'%s' is not executable", cmd[1]), { 'put coderx on PATH or set require("coderx").setup{ path = ... }' })
  end
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

return M
