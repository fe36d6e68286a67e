// The Redis budget store's Lua scripts: one script per operation, so each is atomic. The
// version is in the names and in the key schema (`budget:v1:`); a change to either that
// old processes would misread must bump it.
//
// Keys of one tenant share a hash tag, `{tenant}`, so they live in one Redis Cluster slot
// and a script may touch them together:
//   <prefix>budget:v1:{<tenant>}:held     hash  reservation id → "<counter key> <amount>\n…", or "settled"
//   <prefix>budget:v1:{<tenant>}:expiry   zset  reservation id → ms when it expires (or is forgotten)
//   <prefix>budget:v1:{<tenant>}:c:<id>   hash  used, reserved — one limit's one window
// Amounts are integer strings passed through untouched (Lua would print large numbers as
// 1e+15, which Redis refuses as an integer); Lua numbers are used only to compare.

const COMMON = `
local function int(value, what)
  local n = tonumber(value)
  if n == nil or n < 0 or n ~= math.floor(n) or n > 9007199254740991 then
    return error('tollgate budget v1: ' .. what .. ' is not a non-negative integer: ' .. tostring(value))
  end
  return n
end

-- Gives back what one reservation record holds.
local function release(record)
  for key, amount in string.gmatch(record, '(%S+) (%d+)') do
    if redis.call('EXISTS', key) == 1 then
      if redis.call('HINCRBY', key, 'reserved', '-' .. amount) < 0 then redis.call('HSET', key, 'reserved', 0) end
    end
  end
end

-- The reservation hash and its expiry set outlive their latest member by a minute, so an idle
-- tenant leaves nothing behind; only ever extended (relative, so Redis's clock decides).
local function extend(key, ms)
  ms = math.floor(ms) + 60000
  local pttl = redis.call('PTTL', key)
  if pttl ~= -2 and pttl < ms then redis.call('PEXPIRE', key, ms) end
end

-- Reclaims reservations whose holder died (expired) and forgets old settled ids; bounded work per call.
local function reclaim(held, expiry, now)
  local ids = redis.call('ZRANGEBYSCORE', expiry, '-inf', now, 'LIMIT', 0, 200)
  for _, id in ipairs(ids) do
    local record = redis.call('HGET', held, id)
    if record and record ~= 'settled' then release(record) end
    redis.call('HDEL', held, id)
    redis.call('ZREM', expiry, id)
  end
end
`;

/**
 * KEYS: held, expiry, counter…  ARGV: now, id, expiresAt, then per counter: limit, amount, counterExpiresAt (0: never).
 * Returns {1, {}, {used, reserved…}} after reserving, or {0, {refused index…}, {used, reserved…}}.
 */
export const RESERVE_V1 = `-- tollgate budget reserve v1
${COMMON}
local now = int(ARGV[1], 'now')
local id = ARGV[2]
local expiresAt = int(ARGV[3], 'expiresAt')
reclaim(KEYS[1], KEYS[2], now)
local refused, states = {}, {}
for i = 3, #KEYS do
  local base = 4 + (i - 3) * 3
  local limit = int(ARGV[base], 'limit')
  local amount = int(ARGV[base + 1], 'amount')
  int(ARGV[base + 2], 'counter expiry')
  local v = redis.call('HMGET', KEYS[i], 'used', 'reserved')
  local used, reserved = tonumber(v[1]) or 0, tonumber(v[2]) or 0
  states[#states + 1] = used
  states[#states + 1] = reserved
  if used + reserved + amount > limit then refused[#refused + 1] = i - 3 end
end
if #refused > 0 or redis.call('HEXISTS', KEYS[1], id) == 1 then return {0, refused, states} end
local record = {}
for i = 3, #KEYS do
  local base = 4 + (i - 3) * 3
  local amount = ARGV[base + 1]
  local reserved = redis.call('HINCRBY', KEYS[i], 'reserved', amount)
  states[(i - 3) * 2 + 2] = reserved
  if ARGV[base + 2] ~= '0' then redis.call('PEXPIREAT', KEYS[i], ARGV[base + 2]) end
  if amount ~= '0' then record[#record + 1] = KEYS[i] .. ' ' .. amount end
end
redis.call('HSET', KEYS[1], id, table.concat(record, '\\n'))
redis.call('ZADD', KEYS[2], expiresAt, id)
extend(KEYS[1], expiresAt - now)
extend(KEYS[2], expiresAt - now)
return {1, {}, states}
`;

/**
 * KEYS: held, expiry, counter…  ARGV: now, id, forgetAt, then per counter: amount, counterExpiresAt (0: never).
 * Returns 1 when committed, 0 when the id was already settled.
 */
export const SETTLE_V1 = `-- tollgate budget settle v1
${COMMON}
local now = int(ARGV[1], 'now')
local id = ARGV[2]
local forgetAt = int(ARGV[3], 'forgetAt')
reclaim(KEYS[1], KEYS[2], now)
local record = redis.call('HGET', KEYS[1], id)
if record == 'settled' then return 0 end
if record then release(record) end
for i = 3, #KEYS do
  local base = 4 + (i - 3) * 2
  local amount = ARGV[base]
  int(amount, 'amount')
  local expiresAt = int(ARGV[base + 1], 'counter expiry')
  if expiresAt == 0 or expiresAt > now then
    if amount ~= '0' then redis.call('HINCRBY', KEYS[i], 'used', amount) end
    if expiresAt > 0 then redis.call('PEXPIREAT', KEYS[i], ARGV[base + 1]) end
  end
end
redis.call('HSET', KEYS[1], id, 'settled')
redis.call('ZADD', KEYS[2], forgetAt, id)
extend(KEYS[1], forgetAt - now)
extend(KEYS[2], forgetAt - now)
return 1
`;

/** KEYS: held, expiry, counter…  ARGV: now. Returns {used, reserved…}. */
export const READ_V1 = `-- tollgate budget read v1
${COMMON}
reclaim(KEYS[1], KEYS[2], int(ARGV[1], 'now'))
local states = {}
for i = 3, #KEYS do
  local v = redis.call('HMGET', KEYS[i], 'used', 'reserved')
  states[#states + 1] = tonumber(v[1]) or 0
  states[#states + 1] = tonumber(v[2]) or 0
end
return states
`;
