-- Which Neovim APIs this plugin may use, decided once from the running version. Every code path
-- that needs a newer Neovim asks here, so the guards live in one place and the tests can check the
-- choice for other versions by passing a fake `has` and `lsp` (see tests/editors/nvim).
--   0.7 : vim.lsp.start_client + vim.lsp.buf_attach_client, ghost text as overlay / eol extmarks
--   0.8 : vim.lsp.start, vim.health, a function as the server `cmd` (vim.lsp.rpc.connect)
--   0.10: inline virtual text (virt_text_pos = "inline")
--   0.11: client methods called with `:` (the `.` form is deprecated)
--   0.12: native vim.lsp.inline_completion (used instead of our ghost text when enabled)
local M = {}

-- has: function(feature) -> boolean, like vim.fn.has; lsp: the vim.lsp table.
function M.detect(has, lsp)
  local function at_least(v)
    return has("nvim-" .. v)
  end
  return {
    start = (at_least("0.8") and lsp.start ~= nil) and "start" or "start_client",
    ghost_inline = at_least("0.10"),
    native_inline_completion = at_least("0.12") and lsp.inline_completion ~= nil,
    vim_health = at_least("0.8"),
    cmd_function = at_least("0.8"),
    client_methods = at_least("0.11"),
  }
end

local cached
function M.features()
  if not cached then
    cached = M.detect(function(f)
      return vim.fn.has(f) == 1
    end, vim.lsp)
  end
  return cached
end

-- Tests only: replaces the detected features (nil detects again), so that the code paths of newer
-- Neovim versions can be driven with stubs on an old one. Returns the previous table.
function M.set_features(features)
  local previous = cached
  cached = features
  return previous
end

-- Calls a method of an LSP client object: client:name(...) on 0.11+, client.name(...) before.
function M.call(client, name, ...)
  if M.features().client_methods then
    return client[name](client, ...)
  end
  return client[name](...)
end

M.uv = vim.uv or vim.loop

return M
