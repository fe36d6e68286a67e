import type { Redis } from 'ioredis';
import type { BreakerCheck, BreakerSettings, BreakerState, BreakerStore } from './breaker.ts';

// The breaker rules of breaker.ts as two small Lua scripts over one hash per target, so
// every replica sees the same state and exactly one of them sends the probe. Time is
// Redis's own clock (TIME), so replicas with skewed clocks still agree. Keys expire on
// their own: an idle breaker leaves nothing behind.

const NOW = `local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000)`;

// KEYS[1] the breaker; ARGV[1] cooldown ms. Returns { 0 closed | 1 open | 2 probe, failures }.
const CHECK = `${NOW}
local h = redis.call('HMGET', KEYS[1], 'failures', 'openUntil', 'probeUntil')
local failures = tonumber(h[1]) or 0
local openUntil = tonumber(h[2]) or 0
local probeUntil = tonumber(h[3]) or 0
if openUntil == 0 then return {0, failures} end
if now < openUntil or now < probeUntil then return {1, failures} end
local cooldown = tonumber(ARGV[1])
redis.call('HSET', KEYS[1], 'probeUntil', now + cooldown)
redis.call('PEXPIRE', KEYS[1], cooldown * 2 + 600000)
return {2, failures}`;

// KEYS[1] the breaker; ARGV: ok (1/0), probe (1/0), failures threshold, cooldown ms,
// error rate (0: off), window ms, min requests.
const RECORD = `${NOW}
local ok = ARGV[1] == '1'
local cooldown = tonumber(ARGV[4])
local rate = tonumber(ARGV[5])
local tripped = false
if rate > 0 then
  local h = redis.call('HMGET', KEYS[1], 'wStart', 'wTotal', 'wFailed')
  local wStart = tonumber(h[1]) or 0
  local wTotal = tonumber(h[2]) or 0
  local wFailed = tonumber(h[3]) or 0
  if now - wStart >= tonumber(ARGV[6]) then wStart = now wTotal = 0 wFailed = 0 end
  wTotal = wTotal + 1
  if not ok then wFailed = wFailed + 1 end
  redis.call('HSET', KEYS[1], 'wStart', wStart, 'wTotal', wTotal, 'wFailed', wFailed)
  tripped = wTotal >= tonumber(ARGV[7]) and wFailed / wTotal >= rate
elseif ok then
  redis.call('DEL', KEYS[1])
  return 0
end
if ok then
  redis.call('HSET', KEYS[1], 'failures', 0, 'openUntil', 0, 'probeUntil', 0)
  redis.call('PEXPIRE', KEYS[1], cooldown * 2 + 600000)
  return 0
end
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
local openUntil = tonumber(redis.call('HGET', KEYS[1], 'openUntil')) or 0
local wasOpen = openUntil ~= 0
if (wasOpen and ARGV[2] == '1') or ((not wasOpen) and (failures >= tonumber(ARGV[3]) or tripped)) then
  redis.call('HSET', KEYS[1], 'openUntil', now + cooldown, 'probeUntil', 0, 'wStart', now, 'wTotal', 0, 'wFailed', 0)
end
redis.call('PEXPIRE', KEYS[1], cooldown * 2 + 600000)
return failures`;

// KEYS: breakers. Returns 1/0 per key: open now (cooling down, or a probe in flight).
const OPEN = `${NOW}
local out = {}
for i, key in ipairs(KEYS) do
  local h = redis.call('HMGET', key, 'openUntil', 'probeUntil')
  local openUntil = tonumber(h[1]) or 0
  local probeUntil = tonumber(h[2]) or 0
  out[i] = (openUntil ~= 0 and (now < openUntil or now < probeUntil)) and 1 or 0
end
return out`;

interface BreakerCommands {
  breakerCheck(key: string, cooldownMs: number): Promise<[number, number]>;
  breakerRecord(key: string, ok: number, probe: number, failures: number, cooldownMs: number, rate: number, windowMs: number, minRequests: number): Promise<number>;
  breakerOpen(count: number, ...keys: string[]): Promise<number[]>;
}

const STATES: readonly BreakerState[] = ['closed', 'open', 'probe'];

export class RedisBreakerStore implements BreakerStore {
  readonly #redis: Redis & BreakerCommands;
  readonly #prefix: string;

  constructor(redis: Redis, keyPrefix: string) {
    const commands = redis as Redis & Partial<BreakerCommands>;
    if (commands.breakerCheck === undefined) {
      redis.defineCommand('breakerCheck', { numberOfKeys: 1, lua: CHECK });
      redis.defineCommand('breakerRecord', { numberOfKeys: 1, lua: RECORD });
      redis.defineCommand('breakerOpen', { lua: OPEN });
    }
    this.#redis = redis as Redis & BreakerCommands;
    this.#prefix = `${keyPrefix}breaker:`;
  }

  async check(key: string, settings: BreakerSettings): Promise<BreakerCheck> {
    const [state, failures] = await this.#redis.breakerCheck(this.#prefix + key, settings.cooldownMs);
    return { state: STATES[state] ?? 'closed', failures };
  }

  async record(key: string, settings: BreakerSettings, ok: boolean, probe: boolean): Promise<void> {
    const rate = settings.errorRate;
    await this.#redis.breakerRecord(this.#prefix + key, ok ? 1 : 0, probe ? 1 : 0, settings.failures, settings.cooldownMs, rate?.rate ?? 0, rate?.windowMs ?? 0, rate?.minRequests ?? 0);
  }

  async openKeys(keys: readonly string[]): Promise<string[]> {
    if (keys.length === 0) return [];
    const open = await this.#redis.breakerOpen(keys.length, ...keys.map((k) => this.#prefix + k));
    return keys.filter((_, i) => open[i] === 1);
  }
}
