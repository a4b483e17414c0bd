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

-- What each option may hold, for the keys whose default alone does not say (nil defaults, lists,
-- keymaps that may be false). Every other key must have its default's type.
local kinds = {
  path = "nonempty_string",
  cmd = "cmd",
  model = "string",
  engine = "string",
  log_level = "string",
  server_args = "string_list",
  filetypes = "string_list",
  root_markers = "string_list",
  settings = "table",
  confirm = "function",
  ["ghost.debounce_ms"] = "non_negative_number",
  ["review.args"] = "string_list",
  ["explain.width"] = "positive_integer",
  ["explain.border"] = "border",
}
for _, key in ipairs({ "accept", "accept_line", "accept_word", "dismiss", "trigger" }) do
  kinds["keymaps." .. key] = "key_or_false"
end

local function string_list(v)
  if type(v) ~= "table" or not vim.tbl_islist(v) then
    return false
  end
  for _, x in ipairs(v) do
    if type(x) ~= "string" then
      return false
    end
  end
  return true
end

local checks = {
  nonempty_string = { "a non-empty string", function(v)
    return type(v) == "string" and vim.trim(v) ~= ""
  end },
  string = { "a string", function(v)
    return type(v) == "string"
  end },
  cmd = { "a list of strings (or a function)", function(v)
    return type(v) == "function" or (string_list(v) and #v > 0)
  end },
  string_list = { "a list of strings", string_list },
  table = { "a table", function(v)
    return type(v) == "table"
  end },
  ["function"] = { "a function", function(v)
    return type(v) == "function"
  end },
  non_negative_number = { "a number >= 0", function(v)
    return type(v) == "number" and v >= 0 and v == v
  end },
  positive_integer = { "a whole number >= 1", function(v)
    return type(v) == "number" and v >= 1 and math.floor(v) == v
  end },
  border = { "a border name or list", function(v)
    return type(v) == "string" or type(v) == "table"
  end },
  key_or_false = { "a key (string) or false", function(v)
    return v == false or (type(v) == "string" and v ~= "")
  end },
}

-- Drops the options of the wrong type or out of range from opts (a copy), so that their defaults
-- apply; returns the cleaned options and a list of messages, one per dropped option. A string
-- where a list of strings is expected is taken as a list of one.
function M.validate(opts)
  local problems = {}
  local function walk(user, defaults, prefix)
    local out = {}
    for key, value in pairs(user) do
      local name = prefix .. tostring(key)
      local kind = kinds[name]
      local default = type(defaults) == "table" and defaults[key] or nil
      if kind == "string_list" and type(value) == "string" then
        value = { value }
      end
      local ok, want = true, nil
      if kind then
        want, ok = checks[kind][1], checks[kind][2](value)
      elseif default ~= nil and type(default) == "table" and not vim.tbl_islist(default) then
        if type(value) == "table" then
          value = walk(value, default, name .. ".")
        else
          ok, want = false, "a table"
        end
      elseif default ~= nil and type(value) ~= type(default) then
        ok, want = false, "a " .. type(default)
      end
      if ok then
        out[key] = value
      else
        table.insert(problems, string.format("%s must be %s, not %s", name, want, vim.inspect(value)))
      end
    end
    return out
  end
  if opts ~= nil and type(opts) ~= "table" then
    return {}, { "setup{} takes a table of options, not " .. vim.inspect(opts) }
  end
  local cleaned = walk(opts or {}, M.defaults, "")
  table.sort(problems)
  return cleaned, problems
end

-- Sets the options from setup{}. Returns them and the list of options that were ignored (wrong
-- type or out of range; their defaults apply).
function M.set(opts)
  local problems
  opts, problems = M.validate(opts)
  M.options = vim.tbl_deep_extend("force", vim.deepcopy(M.defaults), opts)
  -- settings are passed through as given, lists included (tbl_deep_extend would merge them)
  M.options.settings = vim.deepcopy(opts.settings or {})
  for _, key in ipairs({ "filetypes", "root_markers", "server_args" }) do
    if opts[key] then
      M.options[key] = vim.deepcopy(opts[key])
    end
  end
  if opts.review and opts.review.args then
    M.options.review.args = vim.deepcopy(opts.review.args)
  end
  return M.options, problems
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
