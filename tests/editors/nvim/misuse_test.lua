-- The Neovim plugin used carelessly, against the fake server (tests/editors/fake_coderx.js): a
-- function as `cmd` on Neovim 0.7, a missing or non-executable binary, options of the wrong type,
-- buffers the server cannot use,
-- ghost text written with CRLF line breaks, a refactor whose buffer changed meanwhile, the server
-- crashing mid-session (and crashing again and again), :CoderxRestart of a server slow to stop, the
-- server dying while an explanation is on its way.
local ws = T.tmp .. "/ws"
T.write(ws .. "/main.c", "int main() {\n  hello\n}\n")
for _, name in ipairs({ "a.c", "b.c", "c.c", "d.c", "e.c" }) do
  T.write(ws .. "/" .. name, "int " .. name:sub(1, 1) .. ";\n")
end
vim.fn.mkdir(ws .. "/.git", "p")
vim.cmd("cd " .. ws)
vim.cmd("filetype plugin indent off")
vim.cmd("filetype on")
vim.o.autoindent = false
-- every server of this run takes 600 ms to answer `shutdown` (longer than :CoderxRestart used to wait)
vim.env.FAKE_CODERX_SHUTDOWN_MS = "600"

local client = require("coderx.client")
local ghost = require("coderx.ghost")
local config = require("coderx.config")

local notes = {}
local real_notify = vim.notify
vim.notify = function(msg, level)
  table.insert(notes, { msg = tostring(msg), level = level or vim.log.levels.INFO })
end
local function notes_at(level, from)
  local out = {}
  for i = (from or 1), #notes do
    if notes[i].level == level then
      table.insert(out, notes[i].msg)
    end
  end
  return out
end

local server_log = T.server_log

local function count_starts()
  local n = 0
  for _, m in ipairs(server_log()) do
    if m.argv and m.argv[1] == "lsp" then
      n = n + 1
    end
  end
  return n
end

-- Sends a notification to the server (the fake's `fake/crash`, for one).
local function notify_server(c, method)
  require("coderx.compat").call(c, "notify", method, {})
end

local prompts = {}
local function confirm(msg)
  table.insert(prompts, msg)
  return true
end

local missing = T.tmp .. "/bin/coderx" -- path = this: not there at first

local function wrong_types()
  local from = #notes + 1
  require("coderx").setup({
    path = missing,
    confirm = confirm,
    filetypes = "c",
    ghost = { debounce_ms = "50", hl_group = 3 },
    keymaps = { accept = true },
    explain = { width = 0 },
    settings = "nope",
  })
  local warns = notes_at(vim.log.levels.WARN, from)
  T.eq(1, #warns, "one warning: " .. vim.inspect(notes))
  for _, name in ipairs({ "ghost.debounce_ms", "ghost.hl_group", "keymaps.accept", "explain.width", "settings" }) do
    T.ok(warns[1]:find(name, 1, true), name .. " in the warning: " .. warns[1])
  end
  T.eq({ "c" }, config.options.filetypes, "a string taken as a list of one")
  T.eq({ 0, "CoderxGhost", "<Tab>", 80, {} }, { config.options.ghost.debounce_ms, config.options.ghost.hl_group,
    config.options.keymaps.accept, config.options.explain.width, config.options.settings }, "defaults")
  vim.cmd("edit " .. ws .. "/main.c")
  local buf = vim.api.nvim_get_current_buf()
  T.wait(function()
    return client.get(buf)
  end, "client attached")
  vim.v.errmsg = ""
  T.input("2GA")
  T.input("<M-\\>")
  T.wait(function()
    return ghost.current(buf)
  end, "ghost text")
  T.input(" w")
  T.input("<Tab>")
  T.eq("  hello world(); // done", T.buf_lines(buf)[2], "accepted")
  T.input("<Esc>")
  T.eq("", vim.v.errmsg, "no error")
end

-- Runs fn with vim.lsp.start / start_client counting their calls (and starting nothing); returns
-- the count.
local function count_start_attempts(fn)
  local lsp, attempts = vim.lsp, 0
  local real = { start = lsp.start, start_client = lsp.start_client }
  local function refuse()
    attempts = attempts + 1
    return nil
  end
  lsp.start_client = refuse
  lsp.start = real.start and refuse
  local ok, err = pcall(fn)
  lsp.start, lsp.start_client = real.start, real.start_client
  assert(ok, err)
  return attempts
end

-- A function as cmd on Neovim 0.7 (or a newer one told it is 0.7): refused once, at the first
-- buffer, with the version it needs; no buffer tries to start it.
local function function_cmd_on_07()
  local compat = require("coderx.compat")
  local f = compat.features()
  local previous = compat.set_features(vim.tbl_extend("force", f, { start = "start_client", cmd_function = false }))
  local ok, err = pcall(function()
    vim.v.errmsg = ""
    local attempts = count_start_attempts(function()
      require("coderx").setup({ cmd = function() error("cmd must not be called on 0.7") end, confirm = confirm })
      for _, name in ipairs({ "a.c", "b.c", "c.c" }) do
        vim.cmd("edit " .. ws .. "/" .. name)
      end
      T.tick(20)
    end)
    T.eq(0, attempts, "no start attempted")
    T.eq("", vim.v.errmsg, "no error raised")
    local errors = notes_at(vim.log.levels.ERROR)
    T.eq(1, #errors, "one error for three buffers: " .. vim.inspect(notes))
    T.ok(errors[1]:find("cmd is a function", 1, true) and errors[1]:find("Neovim 0.8", 1, true), "names the cause and the version: " .. errors[1])
    T.eq("error", client.status.state, "status")
    T.eq(0, count_starts(), "nothing started")
  end)
  compat.set_features(previous)
  vim.cmd("silent! %bwipeout!")
  for i = #notes, 1, -1 do
    notes[i] = nil -- the later cases count from a clean slate
  end
  T.ok(ok, tostring(err))
end

T.run(function()
  T.case("a function as cmd on Neovim 0.7: one clear error naming 0.8, no start per buffer", function_cmd_on_07)

  T.case("a missing binary: one clear error, status error, nothing started", function()
    require("coderx").setup({ path = missing, confirm = confirm })
    for _, name in ipairs({ "a.c", "b.c", "c.c" }) do
      vim.cmd("edit " .. ws .. "/" .. name)
    end
    T.tick(50)
    local errors = notes_at(vim.log.levels.ERROR)
    T.eq(1, #errors, "one error for three buffers: " .. vim.inspect(notes))
    T.ok(errors[1]:find(missing, 1, true) and errors[1]:find("path", 1, true), "names the binary and the option: " .. errors[1])
    T.eq(0, #notes_at(vim.log.levels.WARN), "no warnings: " .. vim.inspect(notes))
    T.eq("error", client.status.state, "status")
    T.eq("coderx: error", require("coderx").statusline(), "statusline")
    T.eq(0, count_starts(), "nothing started")
  end)

  T.case("a binary that is not executable: still the one error", function()
    T.write(missing, "#!/bin/sh\nexit 1\n") -- mode 644
    vim.cmd("edit " .. ws .. "/d.c")
    T.tick(20)
    T.eq(1, #notes_at(vim.log.levels.ERROR), "no second error for the same command")
    T.eq(0, count_starts(), "nothing started")
  end)

  T.case("once the binary is installed, the next buffer starts it", function()
    os.remove(missing)
    assert(vim.loop.fs_symlink(T.bin, missing))
    vim.cmd("edit " .. ws .. "/e.c")
    local buf = vim.api.nvim_get_current_buf()
    T.wait(function()
      return client.get(buf)
    end, "client attached once the binary exists")
    T.wait(function()
      return client.status.state == "ready"
    end, "status ready")
  end)

  T.case("options of the wrong type: one warning, their defaults apply, nothing fails while typing", function()
    local ok, err = pcall(wrong_types)
    T.input("<Esc>")
    vim.cmd("silent! %bwipeout!")
    require("coderx").setup({ path = missing, confirm = confirm }) -- the later cases' options
    T.ok(ok, tostring(err))
  end)

  T.case("buffers without a local file name get no server; a name given later attaches", function()
    local before = #server_log()
    -- two new buffers, typed into (so that neither is reused for the next :edit)
    vim.cmd("enew")
    vim.cmd("setfiletype c")
    local scratch = vim.api.nvim_get_current_buf()
    vim.api.nvim_buf_set_lines(scratch, 0, -1, false, { "int s;" })
    vim.cmd("enew!")
    vim.cmd("setfiletype c")
    local scratch2 = vim.api.nvim_get_current_buf()
    vim.api.nvim_buf_set_lines(scratch2, 0, -1, false, { "int t;" })
    vim.cmd("edit! fugitive:///repo/.git//0/main.c")
    local fug = vim.api.nvim_get_current_buf()
    T.eq("c", vim.bo[fug].filetype, "fugitive buffer is C")
    vim.cmd("help")
    vim.cmd("close")
    T.tick(200)
    for _, b in ipairs({ scratch, scratch2, fug }) do
      T.eq(nil, client.get(b), "no client for buffer " .. b)
    end
    for i = before + 1, #server_log() do
      local m = server_log()[i]
      T.ok(m.method ~= "textDocument/didOpen", "nothing opened: " .. vim.inspect(m.params))
    end
    vim.cmd("buffer " .. scratch)
    vim.cmd("write " .. ws .. "/saved.c")
    T.wait(function()
      return client.get(scratch)
    end, "attached once written to a file")
    vim.cmd("silent! %bwipeout!")
  end)

  T.case("ghost text with CRLF line breaks is shown and accepted without \\r", function()
    vim.cmd("edit " .. ws .. "/main.c")
    local buf = vim.api.nvim_get_current_buf()
    T.wait(function()
      return client.get(buf)
    end, "client attached")
    T.input("GOcrlf")
    local g = T.wait(function()
      local c = ghost.current(buf)
      return c and c.text:sub(1, 2) == "_a" and c
    end, "ghost")
    T.eq("_a();\nb();", g.text, "ghost text")
    T.input("<Tab>")
    T.eq({ "int main() {", "  hello", "crlf_a();", "b();", "}" }, T.buf_lines(buf), "accepted lines")
    T.input("<Esc>")
    vim.cmd("silent 3,4delete")
  end)

  T.case("accept word by word over accents, an emoji and CJK; a range after multibyte text", function()
    local buf = vim.api.nvim_get_current_buf()
    T.input("GOé utf8")
    T.wait(function()
      local c = ghost.current(buf)
      return c and c.text:sub(1, 3) == " na" and c
    end, "ghost")
    local steps = {}
    for _ = 1, 6 do
      T.input("<M-w>")
      table.insert(steps, T.buf_lines(buf)[3])
    end
    T.eq({ "é utf8 naïve", "é utf8 naïve =", 'é utf8 naïve = "', 'é utf8 naïve = "é🙂', 'é utf8 naïve = "é🙂";',
      'é utf8 naïve = "é🙂"; //' }, steps, "one word at a time")
    T.input("<M-w>")
    T.eq('é utf8 naïve = "é🙂"; // 変数', T.buf_lines(buf)[3], "the last word")
    T.eq(nil, ghost.current(buf), "all accepted")
    -- a suggestion whose range starts at UTF-16 column 4 of "→ é ret" (byte 6)
    T.input("<CR>→ é ret")
    local g = T.wait(function()
      return ghost.current(buf)
    end, "ghost over a range")
    T.eq("urn a + b;", g.text, "only the part not typed")
    T.input("<Tab>")
    T.eq("→ é return a + b;", T.buf_lines(buf)[4], "accepted")
    T.input("<Esc>")
    vim.cmd("silent 3,4delete")
  end)

  T.case(":CoderxRefactor sends the buffer version; an edit for a buffer changed meanwhile is not applied", function()
    local refactor = require("coderx.refactor")
    local buf = vim.api.nvim_get_current_buf()
    -- as on disk, whatever the case before left
    vim.api.nvim_buf_set_lines(buf, 0, -1, false, { "int main() {", "  hello", "}" })
    T.wait(function()
      return client.get(buf)
    end, "client attached")
    local n = #prompts
    local from = #notes + 1
    local done
    refactor.run(buf, 2, 2, "late: shout", function(applied, err)
      done = { applied = applied, err = err }
    end)
    local call = T.wait(function()
      local last
      for _, m in ipairs(server_log()) do
        if m.method == "workspace/executeCommand" then
          last = m
        end
      end
      return last
    end, "executeCommand")
    T.eq(vim.lsp.util.buf_versions[buf], call.params.arguments[1].version, "the version of the refactored text")
    -- the user goes on editing while the (slow) answer is on its way
    vim.api.nvim_buf_set_lines(buf, 0, 0, false, { "// new first line" })
    T.wait(function()
      return done
    end, "the refactor's answer", 5000)
    T.eq(n, #prompts, "not offered for confirmation")
    T.eq(false, done.applied, "not applied")
    T.eq({ "// new first line", "int main() {", "  hello", "}" }, T.buf_lines(buf), "buffer as the user left it")
    local warns = notes_at(vim.log.levels.WARN, from)
    T.ok(#warns == 1 and warns[1]:find("changed", 1, true), "says why: " .. vim.inspect(vim.list_slice(notes, from)))
    -- unchanged: confirmed and applied
    refactor.run(buf, 3, 3, "late: shout", function(applied, err)
      done = { applied = applied, err = err }
    end)
    done = nil
    T.wait(function()
      return done
    end, "second answer", 5000)
    T.eq(true, done.applied, "applied")
    T.eq("  HELLO", T.buf_lines(buf)[3], "refactored")
    vim.cmd("silent 1delete")
  end)

  T.case(":CoderxRefactor in a buffer that is not modifiable, or stops being so before the answer", function()
    local buf = vim.api.nvim_get_current_buf()
    local ok, err = pcall(function()
      local refactor = require("coderx.refactor")
      local lines = T.buf_lines(buf)
      local calls = function()
        local n = 0
        for _, m in ipairs(server_log()) do
          n = n + (m.method == "workspace/executeCommand" and 1 or 0)
        end
        return n
      end
      local sent, from = calls(), #notes + 1
      vim.bo[buf].modifiable = false
      local ok, started = pcall(refactor.run, buf, 2, 2, "shout")
      T.eq({ true, false }, { ok, started }, "refused at once")
      T.ok(notes_at(vim.log.levels.WARN, from)[1]:find("modifiable", 1, true), "says why")
      vim.bo[buf].modifiable = true
      local done
      refactor.run(buf, 2, 2, "late: shout", function(applied)
        done = { applied = applied }
      end)
      vim.bo[buf].modifiable = false -- e.g. a plugin locks it while the model works
      T.wait(function()
        return done
      end, "reported back", 5000)
      vim.bo[buf].modifiable = true
      T.eq(false, done.applied, "not applied")
      T.eq(lines, T.buf_lines(buf), "unchanged")
      T.eq(sent + 1, calls(), "only the second one reached the server")
    end)
    vim.bo[buf].modifiable = true -- whatever failed, the later cases need it
    T.ok(ok, tostring(err))
  end)

  T.case("the server crashing mid-session is restarted for the open buffers", function()
    local buf = vim.api.nvim_get_current_buf()
    local old = client.get(buf).id
    local starts = count_starts()
    T.input("GOcrashnow")
    T.wait(function()
      local c = client.get(buf)
      return c and c.id ~= old
    end, "a new client for the buffer")
    T.eq(starts + 1, count_starts(), "started once more")
    T.input("<Esc>ddGA")
    T.input("<M-\\>")
    T.wait(function()
      return ghost.current(buf)
    end, "ghost text from the new server")
    T.input("<Esc>")
  end)

  T.case("a server that keeps crashing is not restarted forever", function()
    local buf = vim.api.nvim_get_current_buf()
    local from = #notes + 1
    local starts = count_starts()
    -- one crash was restarted above; two more are, the next one is not
    for i = 1, 3 do
      local c = T.wait(function()
        return client.get(buf)
      end, "client before crash " .. i)
      T.input("GOcrashnow")
      T.wait(function()
        return vim.lsp.get_client_by_id(c.id) == nil
      end, "crash " .. i)
      T.input("<Esc>dd")
      if i < 3 then
        T.wait(function()
          return count_starts() == starts + i
        end, "restart " .. i)
      end
    end
    T.wait(function()
      return #notes_at(vim.log.levels.ERROR, from) == 1
    end, "one error")
    T.tick(300)
    T.eq(starts + 2, count_starts(), "two restarts, then none")
    T.eq("stopped", client.status.state, "status")
    T.ok(client.status.message:find(":CoderxRestart", 1, true), "says what to do: " .. client.status.message)
    vim.cmd("edit " .. ws .. "/a.c")
    T.tick(100)
    T.eq(starts + 2, count_starts(), "opening another buffer starts nothing")
    vim.cmd("CoderxRestart")
    T.wait(function()
      return client.get(buf) and client.status.state == "ready"
    end, "running again after :CoderxRestart")
  end)

  T.case(":CoderxRestart waits for a server slow to stop, then serves every buffer again", function()
    local buf = vim.api.nvim_get_current_buf()
    local old = client.get(buf).id
    vim.cmd("CoderxRestart")
    local c = T.wait(function()
      local now = client.get(buf)
      return now and now.id ~= old and now
    end, "a new client", 10000)
    T.tick(800) -- the old server has exited meanwhile: the buffer keeps the new one
    T.eq(c.id, client.get(buf) and client.get(buf).id, "still attached to the new client")
    T.eq(nil, vim.lsp.get_client_by_id(old), "the old one is gone")
  end)

  T.case("the server dying while an explanation is on its way: float closed, told once", function()
    local explain = require("coderx.explain")
    local buf = vim.api.nvim_get_current_buf()
    local c = T.wait(function()
      return client.get(buf)
    end, "client attached")
    vim.api.nvim_buf_set_lines(buf, -1, -1, false, { "// the fake never answers this: hangs" })
    local line, from, done = vim.api.nvim_buf_line_count(buf), #notes + 1, nil
    local function asked()
      for _, m in ipairs(server_log()) do
        if m.method == "coderx/explain" and m.params.range.start.line == line - 1 then
          return true
        end
      end
    end
    T.ok(explain.run(buf, line, line, function(markdown, err)
      done = { markdown = markdown, err = err }
    end), "asked")
    T.wait(asked, "the request reached the server")
    T.ok(explain.win and vim.api.nvim_win_is_valid(explain.win), "the float waits for the answer")
    notify_server(c, "fake/crash")
    T.wait(function()
      return done
    end, "the request given up", 5000)
    T.eq(nil, explain.win, "float closed")
    T.eq(nil, done.markdown, "no answer")
    T.ok(done.err and done.err.message:find("exited", 1, true), "the error says why: " .. vim.inspect(done.err))
    T.eq(0, #vim.api.nvim_get_autocmds({ group = "coderx_explain" }), "no autocmd left waiting to close it")
    T.wait(function()
      local now = client.get(buf)
      return now and now.id ~= c.id and client.status.state == "ready"
    end, "the server restarted")
    local told = vim.tbl_filter(function(msg)
      return msg:find("explanation", 1, true) ~= nil
    end, notes_at(vim.log.levels.WARN, from))
    T.eq(1, #told, "told once: " .. vim.inspect(vim.list_slice(notes, from)))
    T.ok(told[1]:find("CoderxExplain", 1, true), "says what to do: " .. told[1])
    vim.api.nvim_buf_set_lines(buf, -2, -1, false, {})
  end)

  vim.notify = real_notify
end)
