-- :CoderxReview — runs `coderx review --format rdjsonl` in the workspace root (the CLI reads the
-- git diff itself) and fills the quickfix list with its findings.
local config = require("coderx.config")
local rdjsonl = require("coderx.rdjsonl")

local M = {}

M.title = "coderx review"

local function root_dir()
  local git = vim.fn.finddir(".git", vim.fn.getcwd() .. ";")
  if git ~= "" then
    return vim.fn.fnamemodify(vim.fn.fnamemodify(git, ":p"):gsub("/$", ""), ":h")
  end
  return vim.fn.getcwd()
end

-- coderx [--log-level L] review --format rdjsonl [--model M] [--engine E] [review.args...] [extra...]
function M.command(extra)
  local cmd = config.command_prefix("review")
  vim.list_extend(cmd, { "--format", "rdjsonl" })
  vim.list_extend(cmd, config.engine_args())
  vim.list_extend(cmd, config.options.review.args or {})
  vim.list_extend(cmd, extra or {})
  return cmd
end

local function finish(code, stdout, stderr, root, on_done)
  local items, errors = rdjsonl.parse(table.concat(stdout, "\n"), root)
  for _, e in ipairs(errors) do
    vim.notify("coderx review output " .. e, vim.log.levels.WARN)
  end
  if code ~= 0 and #items == 0 then
    local msg = vim.trim(table.concat(stderr, "\n"))
    vim.notify(string.format("coderx review failed (exit %d): %s", code, msg), vim.log.levels.ERROR)
  else
    vim.fn.setqflist({}, " ", { title = M.title, items = items })
    vim.notify(string.format("coderx review: %d finding%s", #items, #items == 1 and "" or "s"))
    if #items > 0 then
      vim.cmd("copen")
    end
  end
  if on_done then
    on_done(items, code)
  end
end

-- Runs the review asynchronously; on_done(items, exit_code) is called when it has finished.
function M.run(extra, on_done)
  local root = root_dir()
  local stdout, stderr = {}, {}
  local job = vim.fn.jobstart(M.command(extra), {
    cwd = root,
    stdout_buffered = true,
    stderr_buffered = true,
    on_stdout = function(_, data)
      stdout = data
    end,
    on_stderr = function(_, data)
      stderr = data
    end,
    on_exit = function(_, code)
      vim.schedule(function()
        finish(code, stdout, stderr, root, on_done)
      end)
    end,
  })
  if job <= 0 then
    vim.notify("coderx review: cannot run " .. config.options.path, vim.log.levels.ERROR)
    return false
  end
  return true
end

return M
