import { createHash } from 'node:crypto';

// The Redis side of the run guards: one Lua script per operation, so each is atomic however
// many gateways (or parallel agents sharing a run id) act on one run at once. A run is a hash
// (KEYS[1]: counts, end, sightings) and a sorted set (KEYS[2]: sightings by recency, so the
// least recently seen is forgotten when the run tracks as many as it may). Its idle timeout
// is both checked here (with the gateway's clock, so memory and Redis agree) and set as both
// keys' TTL on every operation (so Redis forgets them together). The decisions mirror
// memory-run-store.ts; the shared contract suite holds both. Bump SCRIPT_VERSION (part of
// every key) whenever the layout of a run's keys changes, so old state is never misread.

export const SCRIPT_VERSION = 'v1';

const PRELUDE = `
local key, seen = KEYS[1], KEYS[2]
local now = tonumber(ARGV[1])
local idle = tonumber(ARGV[2])
local last = tonumber(redis.call('HGET', key, 'last'))
if last and now - last > idle then redis.call('DEL', key, seen) end
redis.call('HSET', key, 'last', ARGV[1])
redis.call('PEXPIRE', key, idle)
redis.call('PEXPIRE', seen, idle)
local function num(field) return tonumber(redis.call('HGET', key, field)) or 0 end
-- Count one more sighting of a tool call or request, forgetting the least recently seen when full.
local function count1(field, cap)
  local c = tonumber(redis.call('HGET', key, field))
  if c then
    c = c + 1
  else
    if redis.call('ZCARD', seen) >= cap then
      local oldest = redis.call('ZPOPMIN', seen)
      redis.call('HDEL', key, oldest[1])
    end
    c = 1
  end
  redis.call('HSET', key, field, c)
  redis.call('ZADD', seen, redis.call('HINCRBY', key, 'seq', 1), field)
  redis.call('PEXPIRE', seen, idle)
  return c
end
`;

/**
 * ARGV: now, idleMs, maxSteps, maxTokens, maxUsd, maxToolCalls, maxRepeats (-1: none), fingerprint ('' : none).
 * Returns {1, step} when admitted, {0, endJson} when refused.
 */
const ADMIT = `${PRELUDE}
local ended = redis.call('HGET', key, 'end')
if ended then return {0, ended} end
local steps = num('steps')
local function finish(reason, count, limit)
  local e = cjson.encode({reason = reason, count = count, limit = limit, step = steps + 1})
  redis.call('HSET', key, 'end', e)
  return {0, e}
end
local maxSteps, maxTokens, maxUsd = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local maxToolCalls, maxRepeats, fingerprint = tonumber(ARGV[6]), tonumber(ARGV[7]), ARGV[8]
if maxSteps >= 0 and steps >= maxSteps then return finish('maxSteps', steps, maxSteps) end
local tokens = num('tokens')
if maxTokens >= 0 and tokens >= maxTokens then return finish('maxTokens', tokens, maxTokens) end
local usd = num('usd')
if maxUsd >= 0 and usd >= maxUsd then return finish('maxUsd', usd, maxUsd) end
local tools = num('tools')
if maxToolCalls >= 0 and tools > maxToolCalls then return finish('maxToolCalls', tools, maxToolCalls) end
if maxRepeats >= 0 and fingerprint ~= '' then
  local seen = num('f:' .. fingerprint)
  if seen > maxRepeats then return finish('repeatedRequest', seen, maxRepeats) end
end
return {1, redis.call('HINCRBY', key, 'steps', 1)}
`;

/**
 * ARGV: now, idleMs, maxToolCalls, maxRepeats (-1: none), step, tokens, usd, fingerprint ('' : none),
 * trackCap, then name, identity for each proposed tool call.
 * Returns {endJson or '', endedNow (0/1), {repeats...}}.
 */
const RECORD = `${PRELUDE}
local maxToolCalls, maxRepeats, step = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local cap = tonumber(ARGV[9])
redis.call('HINCRBY', key, 'tokens', ARGV[6])
redis.call('HSET', key, 'usd', string.format('%.17g', num('usd') + tonumber(ARGV[7])))
local tools = redis.call('HINCRBY', key, 'tools', (#ARGV - 9) / 2)
local repeats = {}
local loopName, loopCount
for i = 10, #ARGV, 2 do
  local c = count1('t:' .. ARGV[i + 1], cap)
  repeats[#repeats + 1] = c
  if not loopName and maxRepeats >= 0 and c > maxRepeats then loopName, loopCount = ARGV[i], c end
end
if ARGV[8] ~= '' then count1('f:' .. ARGV[8], cap) end
local ended = redis.call('HGET', key, 'end')
local endedNow = 0
if not ended then
  if loopName then
    ended = cjson.encode({reason = 'repeatedToolCall', count = loopCount, limit = maxRepeats, tool = loopName, step = step})
  elseif maxToolCalls >= 0 and tools > maxToolCalls then
    ended = cjson.encode({reason = 'maxToolCalls', count = tools, limit = maxToolCalls, step = step})
  end
  if ended then
    redis.call('HSET', key, 'end', ended)
    endedNow = 1
  end
end
return {ended or '', endedNow, repeats}
`;

export interface RunScript {
  readonly lua: string;
  readonly sha: string;
}

const script = (lua: string): RunScript => ({ lua, sha: createHash('sha1').update(lua).digest('hex') });

export const ADMIT_SCRIPT = script(ADMIT);
export const RECORD_SCRIPT = script(RECORD);
