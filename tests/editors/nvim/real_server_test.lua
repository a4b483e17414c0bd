-- The Neovim plugin against the real `coderx lsp` (CODERX_TEST_BIN) with the model named in
-- CODERX_SETTINGS (see tests/editors/with_test_model.sh). The model's words are not known in
-- advance, so the checks are about what the client does with whatever the server answers: the
-- ghost text is anchored at the cursor and equals the reply, accept inserts exactly it, explain
-- fills a float with the reply's markdown, refactor applies the returned edit, review fills the
-- quickfix list.
local ws = T.tmp .. "/ws"
local source = table.concat({
  "def add(a, b):",
  "    return a + b",
  "",
  "",
  "def mul(a, b):",
  "    return a * b",
  "",
}, "\n")
T.write(ws .. "/calc.py", source)
vim.cmd("cd " .. ws)
vim.cmd("filetype plugin indent off")
vim.cmd("filetype on")
vim.o.autoindent = false

local settings = vim.json.decode(os.getenv("CODERX_SETTINGS") or "{}")
-- extra arguments after `coderx lsp` (e.g. "--engine canned" or "--model FILE")
local lsp_args = vim.split(os.getenv("CODERX_LSP_ARGS") or "", " ", { trimempty = true })
local ghost = require("coderx.ghost")
local client = require("coderx.client")
local prompts = {}

local function git(args)
  local out = vim.fn.system(vim.list_extend({ "git", "-C", ws }, args))
  assert(vim.v.shell_error == 0, "git " .. table.concat(args, " ") .. ": " .. out)
end

T.run(function()
  require("coderx").setup({
    path = T.bin,
    cmd = vim.list_extend({ T.bin, "lsp" }, lsp_args),
    settings = settings,
    ghost = { auto = false },
    confirm = function(msg)
      table.insert(prompts, msg)
      return true
    end,
  })
  vim.cmd("edit " .. ws .. "/calc.py")
  local buf = vim.api.nvim_get_current_buf()

  T.case("the server starts and reports ready", function()
    T.wait(function()
      return client.get(buf)
    end, "client attached", 30000)
    T.wait(function()
      return client.status.state == "ready"
    end, "status ready (last: " .. vim.inspect(client.status) .. ")", 120000)
  end)

  T.case("ghost text appears at the cursor after an inline completion; accept inserts it", function()
    T.input("3G")
    T.input("idef sub(a, b):<CR>    ")
    local before = T.buf_lines(buf)
    local row, col = 3, 4
    T.eq({ row + 1, col }, vim.api.nvim_win_get_cursor(0), "cursor after typing")
    T.input("<M-\\>")
    local reply = T.wait(function()
      return ghost.last_reply(buf)
    end, "inline completion reply", 120000)
    T.eq(nil, reply.err, "no error")
    local items = reply.result and (reply.result.items or reply.result) or {}
    T.ok(#items > 0, "the server returned at least one item: " .. vim.inspect(reply.result))
    local g = T.wait(function()
      return ghost.current(buf)
    end, "ghost text", 5000)
    T.eq({ row, col }, { g.row, g.col }, "ghost anchored at the cursor")
    local m = vim.api.nvim_buf_get_extmarks(buf, ghost.ns, 0, -1, { details = true })
    T.eq({ row, col }, { m[1][2], m[1][3] }, "extmark at the cursor")
    T.eq(before, T.buf_lines(buf), "ghost text is not in the buffer")
    local text = g.text
    T.input("<Tab>")
    local want = vim.split(before[row + 1] .. text, "\n", { plain = true })
    local got = vim.list_slice(T.buf_lines(buf), row + 1, row + #want)
    T.eq(want, got, "accepted text in the buffer")
    T.eq(nil, ghost.current(buf), "ghost gone")
    T.input("<Esc>")
  end)

  T.case("explain opens a float with the server's markdown", function()
    local explain = require("coderx.explain")
    local done, answer, failure = false, nil, nil
    T.ok(explain.run(buf, 1, 2, function(md, err)
      done, answer, failure = true, md, err
    end), "request sent")
    T.wait(function()
      return done
    end, "explain reply", 180000)
    T.eq(nil, failure, "no error")
    T.ok(type(answer) == "string", "markdown string")
    T.ok(explain.win and vim.api.nvim_win_is_valid(explain.win), "float open")
    T.eq("editor", vim.api.nvim_win_get_config(explain.win).relative, "floating")
    T.eq(vim.split(answer, "\n", { plain = true }), T.buf_lines(explain.buf), "float shows the markdown")
    explain.close()
  end)

  T.case("refactor applies the returned edit after confirmation", function()
    local before = T.buf_lines(buf)
    local done, applied, failure = false, nil, nil
    T.ok(require("coderx.refactor").run(buf, 1, 2, "add a docstring", function(ok, err)
      done, applied, failure = true, ok, err
    end), "request sent")
    T.wait(function()
      return done
    end, "refactor reply", 180000)
    T.eq(nil, failure, "no error")
    T.eq(1, #prompts, "asked once")
    T.ok(prompts[1]:find("edit", 1, true), "prompt names the edits: " .. prompts[1])
    T.eq(true, applied, "applied")
    T.ok(not vim.deep_equal(before, T.buf_lines(buf)), "buffer changed")
    T.eq(before[#before], T.buf_lines(buf)[#T.buf_lines(buf)], "lines after the range untouched")
  end)

  local help = vim.fn.system({ T.bin, "review", "--help" })
  local has_review = vim.v.shell_error == 0
  local review_case = has_review and T.case or function(name)
    T.skip(name, "this coderx has no `review` command: " .. vim.trim(help))
  end
  review_case("review fills the quickfix list", function()
    vim.cmd("silent write")
    git({ "init", "-q" })
    git({ "-c", "user.name=t", "-c", "user.email=t@t", "add", "." })
    git({ "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base" })
    T.write(ws .. "/calc.py", source .. "\ndef div(a, b):\n    return a / b\n")
    local done, items, code = false, nil, nil
    vim.fn.setqflist({}, "r", { title = "before", items = {} })
    -- Review with the same engine as the server under test.
    T.ok(require("coderx.review").run(vim.deepcopy(lsp_args), function(i, c)
      done, items, code = true, i, c
    end), "review started")
    T.wait(function()
      return done
    end, "review to finish", 300000)
    T.ok(code == 0 or #items > 0, "review exit code " .. tostring(code))
    local qf = vim.fn.getqflist({ title = 1, items = 1 })
    T.eq("coderx review", qf.title, "quickfix title")
    T.eq(#items, #qf.items, "every finding in the quickfix list")
    for _, it in ipairs(qf.items) do
      T.ok(it.lnum >= 1, "line number")
    end
  end)

  T.case("shutdown", function()
    client.stop()
    T.wait(function()
      return #client.all() == 0
    end, "client stopped", 10000)
  end)
end)
