-- Parses `coderx review --format rdjsonl` output (reviewdog Diagnostic JSON lines) into quickfix
-- items. reviewdog lines and columns are 1-based and columns count UTF-8 bytes, exactly what the
-- quickfix list wants; the end column is exclusive in reviewdog and inclusive in quickfix.
-- A range without columns is line-wise; no range means the file's first line.
-- Bad lines are returned as errors ("line N: why") and skipped; nothing throws.
local M = {}

local TYPES = { ERROR = "E", WARNING = "W", INFO = "I", [1] = "E", [2] = "W", [3] = "I" }

local function int(v)
  return type(v) == "number" and v >= 1 and math.floor(v) == v and v or nil
end

local function resolve(root, path)
  if path:sub(1, 1) == "/" or not root then
    return path
  end
  return root .. "/" .. path
end

-- One decoded Diagnostic -> a quickfix item, or nil and a reason.
function M.to_item(d, root)
  if type(d) ~= "table" or (vim.islist or vim.tbl_islist)(d) then
    return nil, "not a JSON object"
  end
  if type(d.message) ~= "string" then
    return nil, 'missing "message"'
  end
  local loc = d.location
  if type(loc) ~= "table" or type(loc.path) ~= "string" or loc.path == "" then
    return nil, 'missing "location.path"'
  end
  local item = { filename = resolve(root, loc.path), lnum = 1, col = 0, text = d.message, type = TYPES[d.severity] or "I" }
  local range = loc.range
  if type(range) == "table" then
    local start = type(range.start) == "table" and range.start or nil
    if not start then
      return nil, 'malformed "location.range"'
    end
    item.lnum = int(start.line) or 1
    item.col = int(start.column) or 0
    local finish = type(range["end"]) == "table" and range["end"] or nil
    if finish then
      item.end_lnum = int(finish.line) or item.lnum
      if item.end_lnum < item.lnum then
        return nil, 'malformed "location.range"'
      end
      local ec = int(finish.column)
      if ec and ec > 1 then
        item.end_col = ec - 1 -- exclusive -> inclusive
      elseif ec == 1 and item.end_lnum > item.lnum then
        item.end_lnum = item.end_lnum - 1 -- (b+1, 1) exclusive: through the end of line b
      end
    end
  end
  local code = type(d.code) == "table" and d.code.value
  if type(code) == "string" and code ~= "" then
    item.text = item.text .. " [" .. code .. "]"
  end
  return item
end

-- Whole output -> items, errors.
function M.parse(text, root)
  local items, errors = {}, {}
  local n = 0
  for line in (text .. "\n"):gmatch("(.-)\r?\n") do
    n = n + 1
    if line:match("%S") then
      local ok, decoded = pcall(vim.json.decode, line)
      if not ok then
        table.insert(errors, string.format("line %d: not JSON", n))
      else
        local item, why = M.to_item(decoded, root)
        if item then
          table.insert(items, item)
        else
          table.insert(errors, string.format("line %d: %s", n, why))
        end
      end
    end
  end
  return items, errors
end

return M
