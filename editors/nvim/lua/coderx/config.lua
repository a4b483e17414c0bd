-- The plugin's own options (client side) and the server settings passed through untouched.
-- Server defaults are never repeated here: `settings` is empty unless the user fills it, and it
-- reaches the server as initializationOptions and in workspace/didChangeConfiguration.
-- The model, engine and log level are command-line options of the server (docs/protocol.md
-- "Settings"): they go on the `coderx lsp` and `coderx review` command lines.
local M = {}

M.defaults = {
  -- The coderx binary; `cmd` overrides the whole server command line.
  path = "coderx",
  cmd = nil,
  model = nil, -- `--model MODEL` (a GGUF path, ollama:NAME[:TAG], hf:OWNER/REPO/FILE.gguf)
  engine = nil, -- `--engine NAME` ("canned": fixed outputs without a model)
  log_level = nil, -- `coderx --log-level LEVEL` (the server's stderr, in Neovim's LSP log)
  server_args = {}, -- more arguments after `coderx lsp`
  filetypes = {
    "c", "cpp", "python", "javascript", "javascriptreact", "typescript", "typescriptreact",
    "go", "rust", "java", "json", "sh", "bash",
  },
  root_markers = { ".coderx.json", ".git" },
  -- Server settings (docs/protocol.md "Settings"): debounceMs, inlineCompletion.enabled,
  -- completion.enabled, budgets.{inlineCompletion,completion,refactor,explain}.{...}, device
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

local function nonempty(v)
  return type(v) == "string" and vim.trim(v) ~= ""
end

-- `--model M --engine E` from the options (empty when neither is set).
function M.engine_args()
  local o, args = M.options, {}
  if nonempty(o.model) then
    vim.list_extend(args, { "--model", vim.trim(o.model) })
  end
  if nonempty(o.engine) then
    vim.list_extend(args, { "--engine", vim.trim(o.engine) })
  end
  return args
end

-- `coderx [--log-level L] SUBCOMMAND`: the start of every command line.
function M.command_prefix(subcommand)
  local o = M.options
  local cmd = { o.path }
  if nonempty(o.log_level) then
    vim.list_extend(cmd, { "--log-level", vim.trim(o.log_level) })
  end
  table.insert(cmd, subcommand)
  return cmd
end

-- The server's command line: `cmd` when given, else coderx [--log-level L] lsp [--model M]
-- [--engine E] [server_args...].
function M.server_cmd()
  local o = M.options
  if o.cmd then
    return o.cmd
  end
  local cmd = M.command_prefix("lsp")
  vim.list_extend(cmd, M.engine_args())
  return vim.list_extend(cmd, vim.deepcopy(o.server_args or {}))
end

return M
