-- The plugin's own options (client side) and the server settings passed through untouched.
-- Server defaults are never repeated here: `settings` is empty unless the user fills it, and it
-- reaches the server as initializationOptions and in workspace/didChangeConfiguration.
local M = {}

M.defaults = {
  -- The coderx binary; `cmd` overrides the whole server command line.
  path = "coderx",
  cmd = nil,
  filetypes = {
    "c", "cpp", "python", "javascript", "javascriptreact", "typescript", "typescriptreact",
    "go", "rust", "java", "json", "sh", "bash",
  },
  root_markers = { ".coderx.json", ".git" },
  -- Server options (docs/protocol.md "Settings"): model, engine, device, threads, budgets, ...
  settings = {},
  ghost = {
    enabled = true,
    auto = true, -- request while typing in insert mode; false: only on the trigger key
    debounce_ms = 0, -- client-side delay before a request (the server debounces too)
    hl_group = "CoderxGhost",
    native = true, -- use vim.lsp.inline_completion on Neovim 0.12+
  },
  keymaps = { -- insert mode; false disables one
    accept = "<Tab>",
    accept_line = "<M-l>",
    accept_word = "<M-w>",
    dismiss = "<C-]>",
    trigger = "<M-\\>",
  },
  review = { args = {} }, -- extra arguments for `coderx review --format rdjsonl`
  explain = { width = 80, border = "rounded" },
  -- confirm(message) -> boolean; nil asks with vim.fn.confirm
  confirm = nil,
}

M.options = vim.deepcopy(M.defaults)

function M.set(opts)
  M.options = vim.tbl_deep_extend("force", vim.deepcopy(M.defaults), opts or {})
  -- settings are passed through as given, lists included (tbl_deep_extend would merge them)
  M.options.settings = vim.deepcopy((opts or {}).settings or {})
  if opts and opts.filetypes then
    M.options.filetypes = vim.deepcopy(opts.filetypes)
  end
  return M.options
end

function M.server_cmd()
  local o = M.options
  return o.cmd or { o.path, "lsp" }
end

return M
