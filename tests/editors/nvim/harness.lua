-- A tiny test harness for headless Neovim (0.7+). The test body runs in a coroutine; T.wait and
-- T.input yield back to Neovim's main loop (through vim.defer_fn) so that typed keys, autocmds,
-- timers and LSP replies are processed exactly as in an interactive session.
-- Exit status: 0 when every case passed, 1 otherwise (also on a timeout or an error).
--   nvim --headless --clean -n -u NONE -c "luafile harness.lua" -c "luafile my_test.lua"
T = { passed = 0, failed = 0 }

local co

local function out(s)
  io.stdout:write(s .. "\n")
  io.stdout:flush()
end

local function finish(code)
  out(string.format("# %d passed, %d failed", T.passed, T.failed))
  vim.cmd(code == 0 and "qall!" or "cquit 1")
end

local function step()
  local ok, err = coroutine.resume(co)
  if not ok then
    out("not ok - harness: " .. tostring(err))
    T.failed = T.failed + 1
    finish(1)
  end
end

-- Lets Neovim run its main loop once (keys, autocmds, RPC), then continues.
function T.tick(ms)
  vim.defer_fn(step, ms or 5)
  coroutine.yield()
end

local function now()
  return vim.loop.hrtime() / 1e6
end

-- Waits until cond() returns a truthy value (returned), or fails after timeout_ms.
function T.wait(cond, what, timeout_ms)
  local deadline = now() + (timeout_ms or 30000)  -- generous: CI runs tests two at a time on two cores
  while true do
    local ok, v = pcall(cond)
    if ok and v then
      return v
    end
    if now() > deadline then
      error("timed out waiting for " .. what .. (ok and "" or (": " .. tostring(v))), 2)
    end
    T.tick(10)
  end
end

-- Types keys (nvim_input notation) and lets Neovim process them.
function T.input(keys)
  vim.api.nvim_input(keys)
  T.tick(5)
  T.wait(function()
    return vim.fn.getchar(1) == 0 and not vim.api.nvim_get_mode().blocking
  end, "typeahead to drain", 2000)
  T.tick(5)
end

function T.eq(want, got, what)
  if not vim.deep_equal(want, got) then
    error(string.format("%s: expected %s, got %s", what or "value", vim.inspect(want), vim.inspect(got)), 2)
  end
end

function T.ok(cond, what)
  if not cond then
    error((what or "condition") .. " is false", 2)
  end
end

function T.case(name, fn)
  local started = now()
  local ok, err = xpcall(fn, debug.traceback)
  if ok then
    T.passed = T.passed + 1
    out(string.format("ok - %s # %d ms", name, now() - started))
  else
    T.failed = T.failed + 1
    out("not ok - " .. name .. "\n" .. tostring(err))
  end
end

function T.skip(name, why)
  T.passed = T.passed + 1
  out("ok - " .. name .. " # SKIP " .. why)
end

-- Runs body in the harness coroutine and exits Neovim with the result.
function T.run(body)
  co = coroutine.create(function()
    local ok, err = xpcall(body, debug.traceback)
    if not ok then
      T.failed = T.failed + 1
      out("not ok - test body\n" .. tostring(err))
    end
    finish(T.failed == 0 and 0 or 1)
  end)
  vim.schedule(step)
end

-- Test environment from run_nvim_test.sh.
T.bin = os.getenv("CODERX_TEST_BIN")
T.root = os.getenv("CODERX_TEST_ROOT")
T.tmp = os.getenv("CODERX_TEST_TMP")

function T.write(path, text)
  vim.fn.mkdir(vim.fn.fnamemodify(path, ":h"), "p")
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
end

function T.read_lines(path)
  local lines = {}
  local f = io.open(path, "r")
  if not f then
    return lines
  end
  for line in f:lines() do
    table.insert(lines, line)
  end
  f:close()
  return lines
end

-- The messages the fake server logged (FAKE_CODERX_LOG: one JSON object per line), in order.
function T.server_log()
  local msgs = {}
  for _, line in ipairs(T.read_lines(os.getenv("FAKE_CODERX_LOG"))) do
    table.insert(msgs, vim.json.decode(line))
  end
  return msgs
end

function T.buf_lines(buf)
  return vim.api.nvim_buf_get_lines(buf or 0, 0, -1, false)
end
