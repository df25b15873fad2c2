-- JSON: encode a large document, decode it, encode the result again.
-- Lua has no JSON library, so a small encoder and decoder are written here.
-- Object keys are written in sorted order (the document uses sorted keys, so
-- the text matches the other languages' insertion-ordered output).

local encode_value

local escapes = { ['"'] = '\\"', ['\\'] = '\\\\', ['\n'] = '\\n', ['\t'] = '\\t',
                  ['\r'] = '\\r', ['\b'] = '\\b', ['\f'] = '\\f' }

local function encode_string(s, out)
  out[#out + 1] = '"' .. s:gsub('[%c"\\]', function(c)
    return escapes[c] or string.format('\\u%04x', c:byte())
  end) .. '"'
end

local function encode_number(v, out)
  if math.type(v) == 'integer' then
    out[#out + 1] = tostring(v)
    return
  end
  local s
  for p = 1, 17 do
    s = string.format('%.' .. p .. 'g', v)
    if tonumber(s) == v then break end
  end
  if not s:find('[.eE]') then s = s .. '.0' end
  out[#out + 1] = s
end

-- a table with a sequence part is an array; an empty table encodes as {}
local function is_array(t)
  return #t > 0
end

encode_value = function(v, out)
  local t = type(v)
  if t == 'string' then encode_string(v, out)
  elseif t == 'number' then encode_number(v, out)
  elseif t == 'boolean' then out[#out + 1] = v and 'true' or 'false'
  elseif t == 'nil' then out[#out + 1] = 'null'
  elseif t == 'table' then
    if is_array(v) then
      out[#out + 1] = '['
      for i = 1, #v do
        if i > 1 then out[#out + 1] = ',' end
        encode_value(v[i], out)
      end
      out[#out + 1] = ']'
    else
      local keys = {}
      for k in pairs(v) do keys[#keys + 1] = k end
      table.sort(keys)
      out[#out + 1] = '{'
      for i, k in ipairs(keys) do
        if i > 1 then out[#out + 1] = ',' end
        encode_string(k, out)
        out[#out + 1] = ':'
        encode_value(v[k], out)
      end
      out[#out + 1] = '}'
    end
  else
    error('cannot encode ' .. t)
  end
end

local function encode(v)
  local out = {}
  encode_value(v, out)
  return table.concat(out)
end

-- decoder: recursive descent over byte positions
local decode_at

local function skip(s, i)
  return s:find('[^ \t\r\n]', i) or #s + 1
end

local function fail(i, what)
  error(string.format('json: %s at %d', what, i), 0)
end

local unescape = { ['"'] = '"', ['\\'] = '\\', ['/'] = '/', b = '\b', f = '\f',
                   n = '\n', r = '\r', t = '\t' }

local function decode_string(s, i)
  local parts, start = {}, i + 1
  while true do
    local j = s:find('["\\]', start)
    if not j then fail(i, 'unterminated string') end
    parts[#parts + 1] = s:sub(start, j - 1)
    if s:byte(j) == 34 then return table.concat(parts), j + 1 end
    local c = s:sub(j + 1, j + 1)
    if c == 'u' then
      parts[#parts + 1] = utf8.char(tonumber(s:sub(j + 2, j + 5), 16))
      start = j + 6
    else
      local r = unescape[c]
      if not r then fail(j, 'bad escape') end
      parts[#parts + 1] = r
      start = j + 2
    end
  end
end

decode_at = function(s, i)
  i = skip(s, i)
  local c = s:byte(i)
  if c == 123 then -- {
    local obj = {}
    i = skip(s, i + 1)
    if s:byte(i) == 125 then return obj, i + 1 end
    while true do
      if s:byte(i) ~= 34 then fail(i, 'expected string key') end
      local k
      k, i = decode_string(s, i)
      i = skip(s, i)
      if s:byte(i) ~= 58 then fail(i, "expected ':'") end
      obj[k], i = decode_at(s, i + 1)
      i = skip(s, i)
      local d = s:byte(i)
      if d == 125 then return obj, i + 1 end
      if d ~= 44 then fail(i, "expected ',' or '}'") end
      i = skip(s, i + 1)
    end
  elseif c == 91 then -- [
    local arr, n = {}, 0
    i = skip(s, i + 1)
    if s:byte(i) == 93 then return arr, i + 1 end
    while true do
      n = n + 1
      arr[n], i = decode_at(s, i)
      i = skip(s, i)
      local d = s:byte(i)
      if d == 93 then return arr, i + 1 end
      if d ~= 44 then fail(i, "expected ',' or ']'") end
      i = i + 1
    end
  elseif c == 34 then
    return decode_string(s, i)
  elseif s:find('^true', i) then return true, i + 4
  elseif s:find('^false', i) then return false, i + 5
  elseif s:find('^null', i) then return nil, i + 4
  else
    local num = s:match('^-?%d+%.?%d*[eE]?[-+]?%d*', i)
    if not num or num == '' then fail(i, 'unexpected character') end
    local v
    if num:find('[.eE]') then v = tonumber(num) + 0.0 else v = math.tointeger(tonumber(num)) end
    return v, i + #num
  end
end

local function decode(s)
  local v, i = decode_at(s, 1)
  i = skip(s, i)
  if i <= #s then fail(i, 'trailing data') end
  return v
end

local scale = math.tointeger(tonumber(arg[1] or "1"))
local n = 20000 // scale
local doc = { count = n, items = {} }
for i = 0, n - 1 do
  doc.items[#doc.items + 1] = {
    a_id = i,
    b_name = 'item "' .. tostring(i) .. '"',
    c_tags = { 't' .. tostring(i % 5), 'x', 'long tag text here' },
    d_score = i + 0.5,
    e_meta = { active = i % 2 == 0, parent = i // 3, path = '/a/b\\c' },
  }
end
local text = encode(doc)
local back = decode(text)
local text2 = encode(back)
local ids, score2, active, t3 = 0, 0, 0, 0
for _, it in ipairs(back.items) do
  ids = ids + it.a_id
  score2 = score2 + math.tointeger(it.d_score * 2)
  if it.e_meta.active then active = active + 1 end
  if it.c_tags[1] == 't3' then t3 = t3 + 1 end
end
local same = text == text2 and 1 or 0
print(string.format('%d %d %d %d %d %d', back.count, ids, score2, active, t3, same))
