-- :CoderxRefactor {instruction} — runs `coderx.refactor` (workspace/executeCommand) over a range.
-- The server sends the resulting WorkspaceEdit as `workspace/applyEdit` and replies null
-- (docs/protocol.md); apply_edit_handler asks the user before applying it. An edit in the command's
-- result (older servers) is confirmed and applied the same way.
local client_mod = require("coderx.client")
local compat = require("coderx.compat")
local config = require("coderx.config")
local position = require("coderx.position")

local M = {}

-- Counts text edits and files of a WorkspaceEdit (documentChanges or changes).
function M.summarize(edit)
  local files, edits = {}, 0
  for _, change in ipairs(type(edit) == "table" and edit.documentChanges or {}) do
    if type(change) == "table" and change.textDocument then
      files[change.textDocument.uri] = true
      edits = edits + #(change.edits or {})
    end
  end
  for uri, list in pairs(type(edit) == "table" and edit.changes or {}) do
    files[uri] = true
    edits = edits + #list
  end
  local nfiles = vim.tbl_count(files)
  return string.format("%d edit%s in %d file%s", edits, edits == 1 and "" or "s", nfiles, nfiles == 1 and "" or "s")
end

local function ask(message)
  if config.options.confirm then
    return config.options.confirm(message)
  end
  return vim.fn.confirm(message, "&Apply\n&Cancel", 2) == 1
end

-- The first text edit of a WorkspaceEdit (documentChanges or changes), or nil.
local function first_text_edit(edit)
  if type(edit) ~= "table" then
    return nil
  end
  local change = type(edit.documentChanges) == "table" and edit.documentChanges[1]
  if type(change) == "table" and type(change.edits) == "table" then
    return change.edits[1]
  end
  for _, list in pairs(type(edit.changes) == "table" and edit.changes or {}) do
    if type(list) == "table" and list[1] then
      return list[1]
    end
  end
  return nil
end

-- The text of the first edit, for the confirmation prompt (a few lines).
local function preview(edit)
  local first = first_text_edit(edit)
  if type(first) ~= "table" or type(first.newText) ~= "string" then
    return ""
  end
  local lines = vim.split(first.newText, "\n", { plain = true })
  local shown = vim.list_slice(lines, 1, 12)
  if #lines > 12 then
    table.insert(shown, "…")
  end
  return "\n\n" .. table.concat(shown, "\n")
end

local function buf_of_uri(uri)
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(b) and vim.uri_from_bufnr(b) == uri then
      return b
    end
  end
  return nil
end

local asked = {} -- uri -> the buffer version a refactor in flight was asked for

-- Why edit must not be applied, or nil: a document it edits changed after the server computed
-- it (its text edits would land on other text). Versioned documentChanges are checked against
-- their version; other edits against the version the refactor was asked for.
function M.stale(edit)
  local function changed(uri, version)
    local b = buf_of_uri(uri)
    local now = b and vim.lsp.util.buf_versions[b]
    if type(version) == "number" and type(now) == "number" and now ~= version then
      return string.format("%s changed while coderx was working on it; nothing was applied (run the refactor again)",
        vim.fn.fnamemodify(vim.api.nvim_buf_get_name(b), ":~:."))
    end
  end
  if type(edit) ~= "table" then
    return nil
  end
  for _, change in ipairs(type(edit.documentChanges) == "table" and edit.documentChanges or {}) do
    local doc = type(change) == "table" and change.textDocument
    if type(doc) == "table" and type(doc.uri) == "string" then
      local why = changed(doc.uri, type(doc.version) == "number" and doc.version or asked[doc.uri])
      if why then
        return why
      end
    end
  end
  for uri in pairs(type(edit.changes) == "table" and edit.changes or {}) do
    local why = type(uri) == "string" and changed(uri, asked[uri])
    if why then
      return why
    end
  end
  return nil
end

-- workspace/applyEdit from the coderx server: the same confirmation before anything changes
-- (Neovim's default handler would apply it at once). Returns ApplyWorkspaceEditResult.
function M.apply_edit_handler(_, params, ctx)
  if type(params) ~= "table" or type(params.edit) ~= "table" then
    return { applied = false, failureReason = "no edit" }
  end
  M.last_edit = params.edit
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  local label = type(params.label) == "string" and params.label or "coderx refactor"
  local why = M.stale(params.edit)
  if why then
    M.last_applied = false
    vim.notify("coderx: " .. why, vim.log.levels.WARN)
    return { applied = false, failureReason = why }
  end
  local msg = "Apply " .. label .. " (" .. M.summarize(params.edit) .. ")?" .. preview(params.edit)
  if not ask(msg) then
    M.last_applied = false
    return { applied = false, failureReason = "declined by the user" }
  end
  local ok, err = pcall(vim.lsp.util.apply_workspace_edit, params.edit, client and client.offset_encoding or "utf-16")
  M.last_applied = ok
  return { applied = ok, failureReason = not ok and tostring(err) or nil }
end

-- Refactors lines line1..line2 of bufnr. on_done(applied:boolean, err) is optional.
function M.run(bufnr, line1, line2, instruction, on_done)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local client = client_mod.get(bufnr)
  instruction = vim.trim(instruction or "")
  if not client or instruction == "" then
    vim.notify(not client and "coderx: no server attached to this buffer (or it is still starting)" or "usage: :CoderxRefactor {instruction}", vim.log.levels.WARN)
    return false
  end
  if not vim.bo[bufnr].modifiable then
    vim.notify("coderx: this buffer is not 'modifiable'; nothing to refactor", vim.log.levels.WARN)
    return false
  end
  local encoding = client.offset_encoding or "utf-16"
  local uri = vim.uri_from_bufnr(bufnr)
  local version = vim.lsp.util.buf_versions[bufnr]
  local arg = {
    uri = uri,
    range = position.line_range(bufnr, line1, line2, encoding),
    kind = "instruction",
    instruction = instruction,
    -- the text the range is meant for: a server that starts later on newer text refuses
    version = type(version) == "number" and version or nil,
  }
  M.last_applied, M.last_edit = nil, nil
  asked[uri] = arg.version
  vim.notify("coderx: refactoring…")
  compat.call(client, "request", "workspace/executeCommand", { command = "coderx.refactor", arguments = { arg } }, function(err, result)
    local applied = false
    local why = not err and type(result) == "table" and M.stale(result.edit)
    asked[uri] = nil
    if err and err.code == -32801 then -- ContentModified: the buffer changed before the server began
      vim.notify("coderx: the buffer changed before the refactor started; nothing was applied (run it again)", vim.log.levels.WARN)
    elseif err then
      vim.notify("coderx.refactor failed: " .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
    elseif why then
      M.last_edit = result.edit
      vim.notify("coderx: " .. why, vim.log.levels.WARN)
    elseif type(result) == "table" and type(result.edit) == "table" then
      M.last_edit = result.edit
      local msg = "Apply the coderx refactor (" .. M.summarize(result.edit) .. ")?" .. preview(result.edit)
      if ask(msg) then
        -- a buffer made 'nomodifiable' meanwhile: say so, and still report back (on_done)
        local ok, apply_err = pcall(vim.lsp.util.apply_workspace_edit, result.edit, encoding)
        applied = ok
        if not ok then
          vim.notify("coderx: the refactor could not be applied: " .. tostring(apply_err), vim.log.levels.ERROR)
        end
      end
    elseif M.last_applied ~= nil then
      applied = M.last_applied -- the server sent the edit as workspace/applyEdit (handled below)
    else
      vim.notify("coderx.refactor returned no edit", vim.log.levels.WARN)
    end
    if on_done then
      on_done(applied, err)
    end
  end, bufnr)
  return true
end

return M
