-- Assess one attempt atomically: replay check, allow/deny lists, pass token, every counter the
-- rules read, the enforced decision, and the writes of the counters the attempt was not refused on.
-- KEYS[1] request record, KEYS[2] pass token, KEYS[3] challenge, then the list keys, then one key
-- per probe. Every key carries the tenant hash tag, so the script runs on one Redis Cluster slot.
-- ARGV[1] is a JSON document built by signal_store.py; the result is JSON too.
local a = cjson.decode(ARGV[1])
local stored = redis.call('GET', KEYS[1])
if stored then
  local record = cjson.decode(stored)
  if record.fingerprint ~= a.fingerprint then
    return cjson.encode({reused = true})
  end
  record.result.replay = true
  return cjson.encode(record.result)
end

local now = a.now
local hits = {}
local deny_keys = {}
local deny, listed = false, false
for i = 1, a.lists do
  local value = redis.call('GET', KEYS[3 + i])
  if value then
    hits[#hits + 1] = {i, value}
    listed = true
    if string.sub(value, 1, 5) == 'deny:' then
      deny = true
      deny_keys[a.list_texts[i]] = true
    end
  end
end

local token = 'absent'
if a.token ~= '' then
  local t = redis.call('HMGET', KEYS[2], 'user', 'skus', 'expire_ms', 'state')
  token = 'invalid'
  if t[1] and t[1] == a.user then
    local allowed = {}
    for _, sku in ipairs(cjson.decode(t[2])) do allowed[sku] = true end
    local covered = true
    for _, sku in ipairs(a.skus) do
      if not allowed[sku] then covered = false end
    end
    if not covered then
      token = 'invalid'
    elseif tonumber(t[3]) <= now then
      token = 'expired'
    elseif t[4] ~= 'passed' then
      token = 'already_used'
    else
      redis.call('HSET', KEYS[2], 'state', 'redeemed', 'redeemed_by', a.attempt_id)
      token = 'redeemed'
    end
  end
end

local base = 3 + a.lists
local observed = {}
for i, p in ipairs(a.probes) do
  local key = KEYS[base + i]
  local since = now - p.window
  if p.kind == 5 then
    local tally = redis.call('HGETALL', key)
    local total = 0
    for j = 1, #tally, 2 do
      if not (p.replace == 1 and tally[j] == p.member) then total = total + tonumber(tally[j + 1]) end
    end
    observed[i] = (total + p.amount) / p.limit
  else
    if p.write == 1 then redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. (now - p.retention)) end
    if p.kind == 2 then
      local total = 0
      for _, m in ipairs(redis.call('ZRANGEBYSCORE', key, since, '+inf')) do
        total = total + tonumber(string.match(m, '|(%d+)$'))
      end
      observed[i] = total + p.amount
    else
      local count = redis.call('ZCOUNT', key, since, '+inf')
      if p.kind == 3 then
        local seen = redis.call('ZSCORE', key, p.member)
        if not (seen and tonumber(seen) >= since) then count = count + 1 end
      elseif p.write == 1 then
        count = count + p.amount
      end
      observed[i] = count
    end
  end
end

local score, floor = 0, 1
local fired = {}
for _, c in ipairs(a.checks) do
  if observed[c[1]] > c[2] then
    score = score + c[3]
    if c[4] > floor then floor = c[4] end
    fired[a.probes[c[1]].text] = true
  end
end
local decision = 1
if score >= a.block then decision = 3 elseif score >= a.challenge then decision = 2 end
if floor > decision then decision = floor end
if deny then decision = 3 elseif listed then decision = 1 end
if decision == 2 and token == 'redeemed' then decision = 1 end
local refused = a.enforce == 1 and decision ~= 1

local written = {}
for i, p in ipairs(a.probes) do
  local key = KEYS[base + i]
  local skip = refused and (fired[p.text] or deny_keys[p.text])
  if p.write == 1 and not skip and not written[key] then
    written[key] = true
    if p.kind == 5 then
      if p.replace == 1 then
        redis.call('HSET', key, p.member, p.amount)
      else
        redis.call('HINCRBY', key, p.member, p.amount)
      end
    elseif p.kind == 2 then
      redis.call('ZADD', key, now, p.member .. '|' .. p.amount)
    else
      redis.call('ZADD', key, now, p.member)
    end
    redis.call('PEXPIRE', key, p.retention)
  end
end

if a.enforce == 1 and decision == 2 then
  redis.call('HSET', KEYS[3], 'user', a.user, 'skus', cjson.encode(a.skus), 'expire_ms',
    a.challenge_expire_ms, 'state', 'pending', 'decision', a.attempt_id, 'ip', a.ip, 'device', a.device)
  redis.call('PEXPIRE', KEYS[3], a.challenge_keep_ms)
end

local result = {attempt_id = a.attempt_id, now = now, observed = observed, hits = hits,
  token = token, decision = decision}
redis.call('SET', KEYS[1], cjson.encode({fingerprint = a.fingerprint, result = result}),
  'PX', a.request_keep_ms)
return cjson.encode(result)
