-- Headless Neovim 0.7 drives `coderx lsp --engine canned` with its built-in client:
-- start_client + buf_attach_client, open, edit (incremental sync), inline completion and
-- completion requests, code action + resolve, explain, cancel, shutdown.
-- Exits Neovim with 0 when every check passes, 1 otherwise (messages on stderr).
local bin = os.getenv('CODERX_BIN') or 'build/bin/coderx'
local dir = os.getenv('CODERX_TEST_DIR') or vim.fn.tempname()
local failures = 0

local function log(msg) io.stderr:write(msg .. '\n') end
local function check(ok, what)
  if ok then log('ok   ' .. what) else failures = failures + 1; log('FAIL ' .. what) end
end
local function finish()
  log(failures == 0 and 'nvim session test: PASS' or ('nvim session test: ' .. failures .. ' failure(s)'))
  vim.cmd((failures == 0 and 'qall!' or 'cquit! 1'))
end

-- Neovim 0.7's RPC layer swallows a RequestCancelled reply (the callback never runs; it logs
-- "Received cancellation ack" at debug level), so the answers to a cancelled request are
-- counted from the client callback and from the acknowledgements in the LSP log written by
-- this session (the log is read from its size at start on).
vim.lsp.set_log_level('debug')
local lsp_log = vim.lsp.get_log_path()
local log_start = vim.fn.getfsize(lsp_log)
if log_start < 0 then log_start = 0 end
local function cancellation_acks(id)
  local f = io.open(lsp_log, 'r')
  if not f then return 0 end
  f:seek('set', log_start)
  local n = 0
  for line in f:lines() do
    if line:find('Received cancellation ack', 1, true) and line:find('id = ' .. id .. '%D') then n = n + 1 end
  end
  f:close()
  return n
end

local ok_main, err = pcall(function()
  local file = dir .. '/a.py'
  vim.fn.writefile({ 'def add(a, b):', '    ' }, file)
  vim.cmd('edit ' .. file)
  local buf = vim.api.nvim_get_current_buf()
  local statuses = {}
  local client_id = vim.lsp.start_client({
    name = 'coderx',
    cmd = { bin, 'lsp', '--engine', 'canned' },
    root_dir = dir,
    init_options = { debounceMs = 0 },
    handlers = {
      ['coderx/status'] = function(_, result) table.insert(statuses, result.state) end,
    },
  })
  check(client_id ~= nil, 'start_client')
  vim.lsp.buf_attach_client(buf, client_id)
  local client = vim.lsp.get_client_by_id(client_id)
  check(vim.wait(10000, function() return client.initialized end, 10), 'initialized')
  check(vim.wait(10000, function() return vim.tbl_contains(statuses, 'ready') end, 10), 'coderx/status ready')
  check(client.server_capabilities.inlineCompletionProvider == true, 'inlineCompletionProvider advertised')

  -- Edit: incremental didChange, then request on the new empty line of the body (completions
  -- that do not parse where they would go are cut, so the canned statement needs a line start).
  vim.api.nvim_buf_set_lines(buf, 1, 2, false, { '    x = a', '    ' })
  local function request(method, params)
    local res, e = client.request_sync(method, params, 5000, buf)
    return res, e
  end
  local uri = vim.uri_from_bufnr(buf)
  local inline = request('textDocument/inlineCompletion', {
    textDocument = { uri = uri }, position = { line = 2, character = 4 }, context = { triggerKind = 1 } })
  check(inline and inline.result and #inline.result.items == 1, 'inline completion answered')
  if inline and inline.result and inline.result.items[1] then
    check(inline.result.items[1].insertText == 'return None  # canned completion', 'inline completion text')
  end
  local completion = request('textDocument/completion', { textDocument = { uri = uri }, position = { line = 2, character = 4 } })
  check(completion and completion.result and #completion.result.items == 1, 'one completion item')

  local range = { start = { line = 0, character = 0 }, ['end'] = { line = 2, character = 0 } }
  local actions = request('textDocument/codeAction', { textDocument = { uri = uri }, range = range, context = { diagnostics = {} } })
  check(actions and actions.result and #actions.result >= 3, 'code actions offered')
  local action = actions and actions.result and actions.result[1]
  if action and action.data then
    local resolved = request('codeAction/resolve', action)
    local edit = resolved and resolved.result and resolved.result.edit
    -- Neovim 0.7 does not advertise documentChanges or change annotations: the plain `changes` map.
    local edits = edit and edit.changes and edit.changes[uri]
    check(edit and edit.documentChanges == nil and edits and type(edits[1].newText) == 'string'
      and edits[1].annotationId == nil, 'resolve: the changes map the client advertised')
  elseif action and action.command then
    check(action.command.command == 'coderx.refactor', 'code action carries coderx.refactor (no resolve support)')
  end
  local explained = request('coderx/explain', { textDocument = { uri = uri }, range = range })
  check(explained and explained.result and explained.result.markdown:find('Canned explanation') ~= nil, 'explain markdown')

  -- Cancel: a request cancelled right away still gets exactly one answer (RequestCancelled or a result).
  local answered, id_sent = 0, -1
  local function answers() return answered + cancellation_acks(id_sent) end
  local ok, id = client.request('textDocument/inlineCompletion',
    { textDocument = { uri = uri }, position = { line = 2, character = 4 }, context = { triggerKind = 2 } },
    function() answered = answered + 1 end, buf)
  check(ok, 'request sent')
  id_sent = id
  client.cancel_request(id)
  check(vim.wait(30000, function() return answers() >= 1 end, 10), 'the cancelled request is answered')

  client.stop()
  check(vim.wait(10000, function() return client.is_stopped() end, 10), 'shutdown + exit')
  check(answers() == 1, 'exactly one answer to the cancelled request')
end)
if not ok_main then failures = failures + 1; log('FAIL error: ' .. tostring(err)) end
finish()
