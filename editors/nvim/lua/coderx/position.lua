-- LSP positions <-> Neovim byte columns. LSP counts characters in the negotiated encoding
-- (utf-16 by default, utf-8 or utf-32 when agreed); Neovim counts bytes. Pure Lua over a line's
-- text, identical on every Neovim version (vim.str_byteindex changed its signature in 0.11).
-- Invalid UTF-8 bytes count as one character each; positions past the end clamp to the end.
local M = {}

local function seq_len(b)
  if b < 0x80 then
    return 1
  elseif b >= 0xF0 and b < 0xF8 then
    return 4
  elseif b >= 0xE0 then
    return 3
  elseif b >= 0xC0 then
    return 2
  end
  return 1 -- a stray continuation byte
end

local function units(len, encoding)
  if encoding == "utf-8" then
    return len
  elseif encoding == "utf-16" and len == 4 then
    return 2
  end
  return 1
end

-- 0-based byte column -> LSP character offset. A column inside a character rounds down.
function M.to_lsp(line, byte_col, encoding)
  local i, n = 1, 0
  while i <= #line do
    local len = seq_len(line:byte(i))
    if i - 1 + len > byte_col then
      break
    end
    n = n + units(len, encoding)
    i = i + len
  end
  return n
end

-- LSP character offset -> 0-based byte column. An offset inside a surrogate pair rounds down.
function M.to_byte(line, character, encoding)
  local i, n = 1, 0
  while i <= #line do
    local len = seq_len(line:byte(i))
    local u = units(len, encoding)
    if n + u > character then
      break
    end
    n = n + u
    i = i + len
  end
  return i - 1
end

local function line_text(bufnr, row)
  return vim.api.nvim_buf_get_lines(bufnr, row, row + 1, false)[1] or ""
end

-- (0-based row, byte col) in bufnr -> LSP Position.
function M.make(bufnr, row, col, encoding)
  return { line = row, character = M.to_lsp(line_text(bufnr, row), col, encoding) }
end

-- LSP Position -> 0-based row, byte col in bufnr.
function M.resolve(bufnr, pos, encoding)
  return pos.line, M.to_byte(line_text(bufnr, pos.line), pos.character, encoding)
end

-- Lines line1..line2 (1-based, inclusive) as an LSP Range, from column 0 to the end of line2.
function M.line_range(bufnr, line1, line2, encoding)
  local last = line_text(bufnr, line2 - 1)
  return {
    start = { line = line1 - 1, character = 0 },
    ["end"] = { line = line2 - 1, character = M.to_lsp(last, #last, encoding) },
  }
end

return M
