-- The Neovim plugin against the fake server (tests/editors/fake_coderx.js), whose answers are
-- fixed: ghost text placement, accept (whole / line / word), typing through, dismiss, stale
-- replies, explain float, refactor with confirmation, review quickfix, settings pass-through,
-- :checkhealth (with a list or a function as cmd), the server's copy of a buffer reloaded with
-- :edit!, and the version guards of coderx.compat.
local ws = T.tmp .. "/ws"
T.write(ws .. "/main.c", "int main() {\n  hello\n  ab\n}\n")
vim.fn.mkdir(ws .. "/.git", "p")
vim.cmd("cd " .. ws)
-- no ftplugin or indent: typed text stays exactly what the test types
vim.cmd("filetype plugin indent off")
vim.cmd("filetype on")
vim.o.autoindent = false

local prompts = {}
local answer = true
local settings = { debounceMs = 0, budgets = { inlineCompletion = { answerTokens = 16 } }, list = { 1, 2 } }

local server_log = T.server_log

local function find_msg(method)
  for _, m in ipairs(server_log()) do
    if m.method == method then
      return m
    end
  end
end

local ghost = require("coderx.ghost")
local client = require("coderx.client")
local compat = require("coderx.compat")

-- The text the server holds for buf (asked with the fake's `fake/document`), or false for none.
local function server_text(buf)
  local reply
  compat.call(client.get(buf), "request", "fake/document", { uri = vim.uri_from_bufnr(buf) }, function(err, result)
    reply = { text = not err and type(result) == "table" and result.text or false }
  end, buf)
  return T.wait(function()
    return reply
  end, "fake/document reply", 5000).text
end

-- Waits until the server holds exactly the lines of buf (each ended by a newline, as written).
local function wait_server_has(buf, what)
  local want, held = table.concat(T.buf_lines(buf), "\n") .. "\n", nil
  local ok, err = pcall(T.wait, function()
    held = server_text(buf)
    return held == want
  end, "the server's copy", 5000)
  T.ok(ok, string.format("%s: %s; the server holds %s, not %s", what, tostring(err), vim.inspect(held), vim.inspect(want)))
end

local function marks(buf)
  return vim.api.nvim_buf_get_extmarks(buf, ghost.ns, 0, -1, { details = true })
end

T.run(function()
  require("coderx").setup({
    path = T.bin,
    model = "/models/x.gguf",
    settings = settings,
    confirm = function(msg)
      table.insert(prompts, msg)
      return answer
    end,
  })
  vim.cmd("edit " .. ws .. "/main.c")
  local buf = vim.api.nvim_get_current_buf()

  T.case("starts the server for a supported filetype and tracks coderx/status", function()
    T.eq("c", vim.bo.filetype, "filetype")
    T.wait(function()
      return client.get(buf)
    end, "client attached")
    T.wait(function()
      return client.status.state == "ready"
    end, "status ready")
    T.eq("fake", client.status.model, "model in status")
    T.eq("coderx", require("coderx").statusline(), "statusline")
  end)

  T.case("settings pass through untouched; inline completion capability is offered", function()
    local init = T.wait(function()
      return find_msg("initialize")
    end, "initialize in the server log")
    T.eq(settings, init.params.initializationOptions, "initializationOptions")
    local started = server_log()[1]
    T.eq({ "lsp", "--model", "/models/x.gguf" }, started.argv, "the model on the server command line")
    T.ok(init.params.capabilities.textDocument.inlineCompletion, "inlineCompletion capability")
    require("coderx").update_settings({ completion = { enabled = false } })
    local change = T.wait(function()
      return find_msg("workspace/didChangeConfiguration")
    end, "didChangeConfiguration")
    T.eq({ coderx = { completion = { enabled = false } } }, change.params.settings, "didChangeConfiguration settings")
  end)

  T.case("ghost text appears at the cursor at the end of a line", function()
    T.input("<Esc>2GA")
    T.eq("i", vim.api.nvim_get_mode().mode, "insert mode")
    T.input("<M-\\>")
    local g = T.wait(function()
      return ghost.current(buf)
    end, "ghost text")
    T.eq({ " world(); // done", 1, 7 }, { g.text, g.row, g.col }, "ghost text and anchor")
    local m = marks(buf)
    T.eq(1, #m, "one extmark")
    T.eq({ 1, 7 }, { m[1][2], m[1][3] }, "extmark at the cursor")
    T.eq({ { " world(); // done", "CoderxGhost" } }, m[1][4].virt_text, "virt_text")
    local want_pos = compat.features().ghost_inline and "inline" or "overlay"
    T.eq(want_pos, m[1][4].virt_text_pos, "placement")
    T.eq({ "int main() {", "  hello", "  ab", "}" }, T.buf_lines(buf), "buffer unchanged by ghost text")
  end)

  T.case("accept inserts the whole suggestion and moves the cursor after it", function()
    T.input("<Tab>")
    T.eq("  hello world(); // done", T.buf_lines(buf)[2], "line 2")
    T.eq({ 2, #"  hello world(); // done" }, vim.api.nvim_win_get_cursor(0), "cursor")
    T.eq(nil, ghost.current(buf), "ghost gone")
    T.eq(0, #marks(buf), "extmarks gone")
    T.eq("i", vim.api.nvim_get_mode().mode, "still in insert mode")
  end)

  T.case("typing requests automatically; a range over typed text shows only the rest", function()
    T.input("<CR>ret")
    local g = T.wait(function()
      local c = ghost.current(buf)
      return c and c.text == "urn a + b;" and c
    end, "ghost 'urn a + b;'")
    T.eq({ 2, 3 }, { g.row, g.col }, "anchor after 'ret'")
  end)

  T.case("accept word, typing through, dismiss", function()
    T.input("<M-w>")
    T.eq("return", T.buf_lines(buf)[3], "after one word")
    T.eq(" a + b;", ghost.current(buf).text, "rest after a word")
    T.input("<M-w>")
    T.eq("return a", T.buf_lines(buf)[3], "after two words")
    T.input(" +")
    T.eq("return a +", T.buf_lines(buf)[3], "typed")
    T.eq(" b;", ghost.current(buf) and ghost.current(buf).text, "ghost kept while typing through it")
    T.eq({ 2, 10 }, { ghost.current(buf).row, ghost.current(buf).col }, "anchor follows the cursor")
    T.input("<C-]>")
    T.eq(nil, ghost.current(buf), "dismissed")
    T.eq(0, #marks(buf), "no extmarks after dismiss")
  end)

  T.case("multi-line ghost: virt_lines, accept line by line", function()
    T.input("<CR>multi")
    local g = T.wait(function()
      local c = ghost.current(buf)
      return c and c.text:sub(1, 5) == "_line" and c
    end, "multi-line ghost")
    T.eq("_line(1);\nsecond_line(2);\nthird_line(3);", g.text, "text")
    local m = marks(buf)
    T.eq({ { { "second_line(2);", "CoderxGhost" } }, { { "third_line(3);", "CoderxGhost" } } }, m[1][4].virt_lines, "virt_lines")
    T.input("<M-l>")
    T.eq("multi_line(1);", T.buf_lines(buf)[4], "first line accepted")
    T.input("<M-l>")
    T.eq({ "multi_line(1);", "second_line(2);" }, { T.buf_lines(buf)[4], T.buf_lines(buf)[5] }, "second line accepted")
    T.eq("\nthird_line(3);", ghost.current(buf).text, "rest")
    T.eq({ 5, #"second_line(2);" }, vim.api.nvim_win_get_cursor(0), "cursor at end of the accepted line")
  end)

  T.case("leaving insert mode dismisses", function()
    T.input("<Esc>")
    T.eq(nil, ghost.current(buf), "ghost")
    T.eq(0, #marks(buf), "extmarks")
  end)

  T.case("mid-line ghost goes to the end of the line before 0.10 (inline after)", function()
    -- line 6 is "  ab"; put the cursor between a and b
    T.eq("  ab", T.buf_lines(buf)[6], "line 6")
    T.input("6G03li")
    T.eq({ 6, 3 }, vim.api.nvim_win_get_cursor(0), "cursor between a and b")
    T.input("<M-\\>")
    T.wait(function()
      return ghost.current(buf)
    end, "ghost")
    local m = marks(buf)
    T.eq({ 5, 3 }, { m[1][2], m[1][3] }, "anchored at the cursor")
    T.eq(compat.features().ghost_inline and "inline" or "eol", m[1][4].virt_text_pos, "placement")
    T.input("<Tab>")
    T.eq("  a world(); // doneb", T.buf_lines(buf)[6], "accepted mid-line")
    T.input("<Esc>")
  end)

  T.case("moving the cursor drops the ghost", function()
    T.input("2GA")
    T.input("<M-\\>")
    T.wait(function()
      return ghost.current(buf)
    end, "ghost")
    T.input("<Left>")
    T.eq(nil, ghost.current(buf), "ghost dropped after moving")
    T.input("<Esc>")
  end)

  T.case("a late reply for an older buffer state is ignored; the request was cancelled", function()
    T.input("Goslow")
    T.input("x")
    local g = T.wait(function()
      return ghost.current(buf)
    end, "ghost for 'slowx'")
    T.eq({ 7, 5 }, { g.row, g.col }, "anchor after 'slowx'")
    T.tick(450) -- the fake answers the cancelled 'slow' request after 300 ms
    g = ghost.current(buf)
    T.eq({ 7, 5, " world(); // done" }, { g.row, g.col, g.text }, "still the newer ghost")
    T.ok(find_msg("$/cancelRequest"), "$/cancelRequest sent")
    T.input("<Esc>")
    vim.cmd("silent $delete")
  end)

  T.case(":CoderxExplain opens a markdown float with the server's text", function()
    local explain = require("coderx.explain")
    vim.cmd("1,2CoderxExplain")
    T.wait(function()
      return explain.buf and vim.api.nvim_buf_is_valid(explain.buf)
        and T.buf_lines(explain.buf)[3] == "The selection has 2 line(s):"
    end, "explain text in the float")
    local cfg = vim.api.nvim_win_get_config(explain.win)
    T.eq("editor", cfg.relative, "floating window")
    T.eq("markdown", vim.bo[explain.buf].filetype, "markdown")
    T.eq("# Explanation", T.buf_lines(explain.buf)[1], "heading")
    T.eq("int main() {", T.buf_lines(explain.buf)[6], "explained text")
    T.eq({ promptTokens = 10, cachedTokens = 0, thinkingTokens = 0, answerTokens = 5, ms = 1 }, explain.last_usage, "usage of the reply")
    T.tick(20)
    T.input(vim.fn.line(".") == 1 and "j" or "k")
    T.eq(nil, explain.win, "closed by moving the cursor")
  end)

  T.case(":CoderxRefactor applies the server's workspace/applyEdit after confirmation, not without", function()
    answer = false
    vim.cmd("2CoderxRefactor shout it")
    T.wait(function()
      return #prompts == 1
    end, "first confirmation")
    T.ok(prompts[1]:find("coderx: instruction (1 edit in 1 file)", 1, true), "prompt summary: " .. prompts[1])
    T.ok(prompts[1]:find("HELLO WORLD", 1, true), "prompt preview")
    T.eq("  hello world(); // done", T.buf_lines(buf)[2], "declined: unchanged")
    answer = true
    vim.cmd("2CoderxRefactor shout it")
    T.wait(function()
      return T.buf_lines(buf)[2] == "  HELLO WORLD(); // DONE"
    end, "refactor applied")
    local call = find_msg("workspace/executeCommand")
    T.eq("coderx.refactor", call.params.command, "command")
    T.eq("shout it", call.params.arguments[1].instruction, "instruction")
    T.eq("instruction", call.params.arguments[1].kind, "kind")
    T.eq({ start = { line = 1, character = 0 }, ["end"] = { line = 1, character = 24 } }, call.params.arguments[1].range, "range")
  end)

  T.case("an edit in the command's result is confirmed first too", function()
    answer = false
    local n = #prompts
    vim.cmd("3CoderxRefactor result: quiet")
    T.wait(function()
      return #prompts == n + 1
    end, "confirmation of the returned edit")
    T.ok(prompts[n + 1]:find("Apply the coderx refactor (1 edit in 1 file)", 1, true), "prompt: " .. prompts[n + 1])
    T.eq("return a +", T.buf_lines(buf)[3], "declined: unchanged")
    answer = true
    vim.cmd("3CoderxRefactor result: loud")
    T.wait(function()
      return T.buf_lines(buf)[3] == "RETURN A +"
    end, "returned edit applied after confirmation")
  end)

  T.case(":CoderxReview fills the quickfix list from rdjsonl", function()
    vim.fn.setqflist({}, "r", { title = "before", items = {} })
    vim.cmd("CoderxReview")
    local qf = T.wait(function()
      local info = vim.fn.getqflist({ title = 1, items = 1 })
      return info.title == "coderx review" and info
    end, "quickfix list")
    T.eq(2, #qf.items, "two findings")
    local a, b = qf.items[1], qf.items[2]
    T.eq(ws .. "/src/a.c", vim.api.nvim_buf_get_name(a.bufnr), "first file")
    T.eq({ 2, 5, 2, 8, "W" }, { a.lnum, a.col, a.end_lnum, a.end_col, a.type }, "first position")
    T.eq("possible null dereference [null-deref]", a.text, "first text")
    local review_argv
    for _, m in ipairs(server_log()) do
      if m.argv and m.argv[1] == "review" then
        review_argv = m.argv
      end
    end
    T.eq({ "review", "--format", "rdjsonl", "--model", "/models/x.gguf" }, review_argv, "the same model reviews")
    T.eq({ 7, 0, "E" }, { b.lnum, b.col, b.type }, "second finding")
    vim.cmd("cclose")
  end)

  T.case(":checkhealth coderx reports the binary and the running server", function()
    vim.cmd("checkhealth coderx")
    local text = table.concat(T.buf_lines(0), "\n")
    T.ok(text:find("coderx fake 0.0.0", 1, true), "binary version in report:\n" .. text)
    T.ok(text:find("server(s) running", 1, true), "server running in report")
    T.ok(not text:find("ERROR", 1, true), "no errors in report")
    vim.cmd("tabclose")
  end)

  T.case(":checkhealth coderx with a function as cmd: no exception, the review binary checked", function()
    local config = require("coderx.config")
    local saved = config.options.cmd
    config.options.cmd = function() end -- e.g. vim.lsp.rpc.connect("127.0.0.1", 7777)
    local ok, err = pcall(vim.cmd, "checkhealth coderx")
    local text = table.concat(T.buf_lines(0), "\n")
    config.options.cmd = saved
    vim.cmd("tabclose")
    T.ok(ok, tostring(err))
    T.ok(not text:find("Failed to run healthcheck", 1, true), "the check ran:\n" .. text)
    T.ok(text:find("cmd is a function", 1, true), "says what cmd is:\n" .. text)
    T.ok(text:find(":CoderxReview): coderx fake 0.0.0", 1, true), "the review binary's version:\n" .. text)
    local newer = compat.features().cmd_function
    T.eq(not newer, text:find("ERROR", 1, true) ~= nil, "an error only where Neovim cannot run it:\n" .. text)
  end)

  T.case(":edit! reloads the buffer and the server's copy with it", function()
    local file = ws .. "/reload.c"
    T.write(file, "int a;\nint b;\n")
    vim.cmd("edit " .. file)
    local b = vim.api.nvim_get_current_buf()
    T.wait(function()
      return client.get(b)
    end, "client attached")
    wait_server_has(b, "opened")
    vim.api.nvim_buf_set_lines(b, 0, 1, false, { "int changed;" })
    wait_server_has(b, "edited")
    vim.cmd("edit!") -- back to the file's text
    T.eq({ "int a;", "int b;" }, T.buf_lines(b), "buffer reloaded")
    wait_server_has(b, "after :edit!")
    T.write(file, "int on_disk;\n") -- changed by another program, then reloaded
    vim.cmd("edit!")
    T.eq({ "int on_disk;" }, T.buf_lines(b), "buffer reloaded from the new file")
    wait_server_has(b, "after :edit! of a file changed on disk")
    vim.api.nvim_buf_set_lines(b, 1, 1, false, { "int more;" })
    wait_server_has(b, "edited after the reload")
    vim.cmd("buffer " .. buf)
  end)

  T.case("pure helpers: positions, take, visible, rdjsonl", function()
    local pos = require("coderx.position")
    local line = "a\240\144\144\128b" -- a U+10400 b
    T.eq({ 0, 1, 3, 4 }, { pos.to_lsp(line, 0, "utf-16"), pos.to_lsp(line, 1, "utf-16"), pos.to_lsp(line, 5, "utf-16"), pos.to_lsp(line, 6, "utf-16") }, "to_lsp utf-16")
    T.eq({ 2, 3, 1, 6 }, { pos.to_lsp(line, 5, "utf-32"), pos.to_lsp(line, 6, "utf-32"), pos.to_lsp(line, 3, "utf-8"), pos.to_lsp(line, 6, "utf-8") }, "to_lsp utf-32/8")
    T.eq({ 0, 1, 5, 6, 1 }, { pos.to_byte(line, 0, "utf-16"), pos.to_byte(line, 1, "utf-16"), pos.to_byte(line, 3, "utf-16"), pos.to_byte(line, 9, "utf-16"), pos.to_byte(line, 2, "utf-16") }, "to_byte utf-16")
    T.eq("foo", ghost.take("foo(bar)\nbaz", "word"), "word")
    T.eq("(", ghost.take("(bar)", "word"), "punct word")
    T.eq("\n  baz", ghost.take("\n  baz qux", "word"), "newline word")
    T.eq("foo(bar)", ghost.take("foo(bar)\nbaz", "line"), "line")
    T.eq("\nbaz", ghost.take("\nbaz\nqux", "line"), "next line")
    T.eq("x$y", ghost.item_text({ insertText = { kind = "snippet", value = "${1:x}\\$y$0" } }), "snippet")
    local r = { start = { line = 0, character = 2 }, ["end"] = { line = 0, character = 4 } }
    T.eq({ "turn", 4 }, { ghost.visible({ insertText = "return", range = r }, "  re", 0, 4, "utf-16") }, "visible with range")
    T.eq(nil, ghost.visible({ insertText = "xyz", range = r }, "  re", 0, 4, "utf-16"), "mismatching prefix")
    T.eq(nil, ghost.visible({ insertText = "" }, "", 0, 0, "utf-16"), "empty")
    local items, errors = require("coderx.rdjsonl").parse('{"message":"m","location":{"path":"p","range":{"start":{"line":3,"column":2},"end":{"line":4}}}}\nnope\n[]\n{"message":"m"}\n', "/r")
    T.eq({ { filename = "/r/p", lnum = 3, col = 2, end_lnum = 4, text = "m", type = "I" } }, items, "rdjsonl items")
    T.eq({ "line 2: not JSON", "line 3: not a JSON object", 'line 4: missing "location.path"' }, errors, "rdjsonl errors")
    -- coderx review writes whole-line ranges as (a,1)..(b+1,1): lines a..b
    items = require("coderx.rdjsonl").parse('{"message":"m","severity":"ERROR","location":{"path":"/x","range":{"start":{"line":3,"column":1},"end":{"line":5,"column":1}}}}', "/r")
    T.eq({ { filename = "/x", lnum = 3, col = 1, end_lnum = 4, text = "m", type = "E" } }, items, "whole-line range")
  end)

  T.case("newer Neovim code paths, driven with stubs on this one", function()
    -- 0.10+: inline virtual text at the cursor; before: overlay at the end of the line, else eol
    T.eq("inline", ghost.placement({ ghost_inline = true }, 2, 5), "0.10 mid-line")
    T.eq("overlay", ghost.placement({ ghost_inline = false }, 5, 5), "0.7 end of line")
    T.eq("eol", ghost.placement({ ghost_inline = false }, 2, 5), "0.7 mid-line")
    local newest = compat.detect(function()
      return true
    end, { start = true, start_client = true, inline_completion = {} })
    local saved_features = compat.set_features(newest)
    local saved_ic, saved_start = vim.lsp.inline_completion, vim.lsp.start
    local ok, err = pcall(function()
      -- 0.11+: client methods are called with `:`
      local obj = { name = "obj" }
      function obj.method(self, x)
        return self and self.name, x
      end
      T.eq({ "obj", 5 }, { compat.call(obj, "method", 5) }, "client:method(...)")
      -- 0.12+: the native module is enabled for the buffer and <Tab> accepts through it
      local calls = {}
      vim.lsp.inline_completion = {
        enable = function(on, filter)
          table.insert(calls, { "enable", on, filter.bufnr })
        end,
        get = function()
          table.insert(calls, { "get" })
          return true
        end,
      }
      local b = vim.api.nvim_create_buf(true, false)
      ghost.attach(b, 4242)
      T.eq({ { "enable", true, b } }, calls, "native inline completion enabled for the buffer")
      T.eq(0, vim.fn.exists("#coderx_ghost_" .. b), "no own ghost autocmds")
      local tab
      for _, m in ipairs(vim.api.nvim_buf_get_keymap(b, "i")) do
        if m.lhs == "<Tab>" then
          tab = m
        end
      end
      T.ok(tab and tab.callback, "<Tab> mapped in insert mode")
      tab.callback()
      T.eq({ "get" }, calls[2], "<Tab> accepts through vim.lsp.inline_completion.get")
      -- 0.8+: vim.lsp.start with the plugin's config and the buffer
      local started
      vim.lsp.start = function(cfg, opts)
        started = { cfg = cfg, opts = opts }
        return nil
      end
      local b2 = vim.api.nvim_create_buf(true, false)
      vim.api.nvim_buf_set_name(b2, ws .. "/other.c")
      client.attach(b2)
      T.eq(b2, started and started.opts.bufnr, "vim.lsp.start for the buffer")
      T.eq({ "coderx", ws }, { started.cfg.name, started.cfg.root_dir }, "name and root")
      T.eq(require("coderx.config").server_cmd(), started.cfg.cmd, "server command")
    end)
    vim.lsp.inline_completion, vim.lsp.start = saved_ic, saved_start
    compat.set_features(saved_features)
    T.ok(ok, tostring(err))
  end)

  T.case("command lines: model, engine and log level for lsp and review", function()
    local config = require("coderx.config")
    local saved = config.options
    config.set({ path = "/bin/cx", model = " m.gguf ", engine = "canned", log_level = "debug", server_args = { "--stdio" }, review = { args = { "--jobs", "2" } } })
    T.eq({ "/bin/cx", "--log-level", "debug", "lsp", "--model", "m.gguf", "--engine", "canned", "--stdio" }, config.server_cmd(), "lsp")
    T.eq({ "/bin/cx", "--log-level", "debug", "review", "--format", "rdjsonl", "--model", "m.gguf", "--engine", "canned", "--jobs", "2", "--base", "x" }, require("coderx.review").command({ "--base", "x" }), "review")
    config.set({ path = "cx", model = "", cmd = { "my", "server" } })
    T.eq({ "my", "server" }, config.server_cmd(), "cmd wins")
    T.eq({ "cx", "review", "--format", "rdjsonl" }, require("coderx.review").command(), "nothing set")
    config.options = saved
  end)

  T.case("coderx/status: optional model and pending, tolerated when absent or malformed", function()
    local handler = client.make_config(ws).handlers["coderx/status"]
    handler(nil, { state = "busy", message = "2 requests", pending = 2, model = "gemma4 x.gguf (cpu)" })
    T.eq({ state = "busy", message = "2 requests", pending = 2, model = "gemma4 x.gguf (cpu)" }, client.status, "all fields")
    T.eq("coderx: busy (2)", require("coderx").statusline(), "statusline counts pending work")
    handler(nil, { state = "busy", message = "m", pending = "x", model = 7 })
    T.eq({ state = "busy", message = "m" }, client.status, "malformed optional fields dropped")
    T.eq("coderx: busy", require("coderx").statusline(), "statusline without pending")
    handler(nil, { state = "ready", message = "ready" })
    T.eq("coderx", require("coderx").statusline(), "ready")
  end)

  T.case("explain usage line: present, partial or absent", function()
    local explain = require("coderx.explain")
    T.eq("10 prompt (0 cached) + 0 thinking + 5 answer tokens in 1 ms", explain.usage_line({ promptTokens = 10, cachedTokens = 0, thinkingTokens = 0, answerTokens = 5, ms = 1.2 }), "full")
    T.eq("3 prompt (0 cached) + 0 thinking + 0 answer tokens in 0 ms", explain.usage_line({ promptTokens = 3, ms = "x" }), "partial")
    T.eq(nil, explain.usage_line(nil), "absent")
    T.eq(nil, explain.usage_line("text"), "not an object")
  end)

  T.case("explain float: NUL bytes from the model are shown, not passed to Vim as a Blob", function()
    local explain = require("coderx.explain")
    local lines = explain.display_lines("a\0b\nc")
    T.eq({ "a\226\144\128b", "c" }, lines, "NUL shown as U+2400")
    T.eq(3, vim.fn.strdisplaywidth(lines[1]), "Vim measures the line")
  end)

  T.case("version guards choose the right API for each Neovim", function()
    local function has_upto(v)
      return function(f)
        local want = f:match("^nvim%-(.*)$")
        return want ~= nil and vim.version and (tonumber(want:match("^0%.(%d+)")) <= v)
      end
    end
    local lsp_old = { start_client = true }
    local lsp_new = { start = true, start_client = true, get_clients = true, inline_completion = {} }
    T.eq({ start = "start_client", ghost_inline = false, native_inline_completion = false, vim_health = false, cmd_function = false, client_methods = false }, compat.detect(has_upto(7), lsp_old), "0.7")
    T.eq(true, compat.detect(has_upto(11), lsp_new).client_methods, "0.11 client methods")
    T.eq(false, compat.detect(has_upto(10), lsp_new).client_methods, "0.10 client fields")
    T.eq("start", compat.detect(has_upto(8), lsp_new).start, "0.8 start")
    T.eq(true, compat.detect(has_upto(8), lsp_new).cmd_function, "0.8 cmd may be a function")
    T.eq(true, compat.detect(has_upto(10), lsp_new).ghost_inline, "0.10 inline")
    T.eq(false, compat.detect(has_upto(11), lsp_new).native_inline_completion, "0.11 no native")
    T.eq(true, compat.detect(has_upto(12), lsp_new).native_inline_completion, "0.12 native")
    T.eq(false, compat.detect(has_upto(12), lsp_old).native_inline_completion, "0.12 without the module")
    local running = compat.features()
    T.eq(vim.fn.has("nvim-0.8") == 1 and "start" or "start_client", running.start, "running Neovim")
  end)
end)
