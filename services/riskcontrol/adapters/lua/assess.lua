-- Assess a batch of attempts of one tenant, one after the other, each atomically: replay check,
-- allow/deny lists, pass token, every counter the rules read, the enforced decision, and the
-- writes of the counters the attempt was not refused on. A later attempt sees what an earlier one
-- wrote, as if each were its own script. Every key carries the tenant hash tag, so the script runs
-- on one Redis Cluster slot.
-- ARGV[1] is a MessagePack array of attempts, each an array built by signal_store.py (positions
-- below; flags are 0 or 1, no field is nil). KEYS holds each attempt's keys after the previous
-- attempt's: its request record, pass token and challenge, then its list keys, then one key per
-- probe.
-- The reply is a JSON array with one entry per attempt: [attempt_id, now, token, observed, hits,
-- decision, replay], or ['reused', stored fingerprint, stored reply] for a request id whose record
-- has another fingerprint.
--   1 now  2 fingerprint  3 attempt_id  4 user  5 skus  6 token  7 list groups  8 probes
--   9 checks  10 challenge score  11 block score  12 enforce  13 ip hash  14 device hash
--   15 challenge expire ms  16 challenge keep ms  17 request keep ms  18 provisional grace ms
-- A probe is [kind, window, retention, member, amount, limit, write, previous, group]; `group`
-- numbers the probe's key text (probes on one key share it) and a list group names the probe
-- key equal to that list key (0: none). A check is [probe, threshold, score, floor].
-- A purchase-limit tally (kind 5) has the fields of domain/tally.py: an allowed attempt writes
-- 'p:<now>:<attempt id>' = the units it adds, provisional until inventory's event confirms its
-- hold; one older than the grace no longer counts and is deleted here by a writing attempt.

-- probe fields
local KIND, WINDOW, RETENTION, MEMBER, AMOUNT, LIMIT, WRITE, PREVIOUS, GROUP = 1, 2, 3, 4, 5, 6, 7, 8, 9

-- The units a tally counts for attempt `a`, and the units the attempt adds: for a RESIZE
-- (`previous` > 0) its growth over what the tally counts for the hold (`member`), or over the
-- line's previous units when it counts none. Deletes lapsed provisional attempts if `write`.
local function tally(key, p, now, grace)
  local fields = redis.call('HGETALL', key)
  local total, held, lapsed = 0, nil, {}
  for j = 1, #fields, 2 do
    local at = string.match(fields[j], '^p:(%d+):')
    if at and tonumber(at) <= now - grace then
      lapsed[#lapsed + 1] = fields[j]
    else
      local units = tonumber(fields[j + 1])
      total = total + units
      if fields[j] == p[MEMBER] then held = units end
    end
  end
  if p[WRITE] == 1 and #lapsed > 0 then redis.call('HDEL', key, unpack(lapsed)) end
  if p[PREVIOUS] > 0 then return total, p[AMOUNT] - (held or p[PREVIOUS]) end
  return total, p[AMOUNT]
end

-- One attempt `a` whose keys are KEYS[offset + 1 ...]; returns its reply as JSON text.
local function assess(a, offset)
  local keys = {unpack(KEYS, offset + 1, offset + 3 + #a[7] + #a[8])}
  local stored = redis.call('GET', keys[1])
  if stored then
    local record = cjson.decode(stored)
    if record.fingerprint then
      -- A record written before the compact format: same content, named fields.
      local r = record.result
      local hits = {}
      for _, hit in ipairs(r.hits) do hits[#hits + 1] = hit[1]; hits[#hits + 1] = hit[2] end
      record = {record.fingerprint, {r.attempt_id, r.now, r.token, r.observed, hits, r.decision, 0}}
    end
    record[2][7] = 1
    if record[1] ~= a[2] then
      -- The caller tells a reused request id from a retry of a record whose fingerprint was
      -- made before the keyed IP and device hashes (it alone can compute that digest).
      return cjson.encode({'reused', record[1], record[2]})
    end
    return cjson.encode(record[2])
  end

  local now = a[1]
  local list_groups, probes, checks = a[7], a[8], a[9]
  local lists = #list_groups
  local hits = {}
  local deny_groups = {}
  local deny, listed = false, false
  for i = 1, lists do
    local value = redis.call('GET', keys[3 + i])
    if value then
      hits[#hits + 1] = i
      hits[#hits + 1] = value
      listed = true
      if string.sub(value, 1, 5) == 'deny:' then
        deny = true
        deny_groups[list_groups[i]] = true
      end
    end
  end

  local token = 'absent'
  if a[6] ~= '' then
    local t = redis.call('HMGET', keys[2], 'user', 'skus', 'expire_ms', 'state')
    token = 'invalid'
    if t[1] and t[1] == a[4] then
      local allowed = {}
      for _, sku in ipairs(cjson.decode(t[2])) do allowed[sku] = true end
      local covered = true
      for _, sku in ipairs(a[5]) do
        if not allowed[sku] then covered = false end
      end
      if not covered then
        token = 'invalid'
      elseif tonumber(t[3]) <= now then
        token = 'expired'
      elseif t[4] ~= 'passed' then
        token = 'already_used'
      else
        redis.call('HSET', keys[2], 'state', 'redeemed', 'redeemed_by', a[3])
        token = 'redeemed'
      end
    end
  end

  local base = 3 + lists
  local observed, adds = {}, {}
  for i, p in ipairs(probes) do
    local key = keys[base + i]
    local since = now - p[WINDOW]
    local kind = p[KIND]
    if kind == 5 then
      -- A purchase limit is a cap, not a rate: every hold and attempt in flight counts, whatever
      -- the window; the key expires `retention` after the last counted attempt.
      local total
      total, adds[i] = tally(key, p, now, a[18])
      observed[i] = (total + adds[i]) / p[LIMIT]
    else
      if p[WRITE] == 1 then redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. (now - p[RETENTION])) end
      if kind == 2 then
        local total = 0
        for _, m in ipairs(redis.call('ZRANGEBYSCORE', key, since, '+inf')) do
          total = total + tonumber(string.match(m, '|(%d+)$'))
        end
        observed[i] = total + p[AMOUNT]
      else
        local count = redis.call('ZCOUNT', key, since, '+inf')
        if kind == 3 then
          local seen = redis.call('ZSCORE', key, p[MEMBER])
          if not (seen and tonumber(seen) >= since) then count = count + 1 end
        elseif p[WRITE] == 1 then
          count = count + p[AMOUNT]
        end
        observed[i] = count
      end
    end
  end

  local score, floor = 0, 1
  local fired = {}
  for _, c in ipairs(checks) do
    if observed[c[1]] > c[2] then
      score = score + c[3]
      if c[4] > floor then floor = c[4] end
      fired[probes[c[1]][GROUP]] = true
    end
  end
  local decision = 1
  if score >= a[11] then decision = 3 elseif score >= a[10] then decision = 2 end
  if floor > decision then decision = floor end
  if deny then decision = 3 elseif listed then decision = 1 end
  if decision == 2 and token == 'redeemed' then decision = 1 end
  local enforce = a[12] == 1
  local refused = enforce and decision ~= 1

  local written = {}
  for i, p in ipairs(probes) do
    local key = keys[base + i]
    local skip = refused and (fired[p[GROUP]] or deny_groups[p[GROUP]])
    if p[WRITE] == 1 and not skip and not written[key] then
      written[key] = true
      local kind = p[KIND]
      if kind == 5 then
        if adds[i] > 0 then redis.call('HSET', key, 'p:' .. now .. ':' .. a[3], adds[i]) end
      elseif kind == 2 then
        redis.call('ZADD', key, now, p[MEMBER] .. '|' .. p[AMOUNT])
      else
        redis.call('ZADD', key, now, p[MEMBER])
      end
      redis.call('PEXPIRE', key, p[RETENTION])
    end
  end

  if enforce and decision == 2 then
    redis.call('HSET', keys[3], 'user', a[4], 'skus', cjson.encode(a[5]), 'expire_ms',
      a[15], 'state', 'pending', 'decision', a[3], 'ip', a[13], 'device', a[14])
    redis.call('PEXPIRE', keys[3], a[16])
  end

  local result = {a[3], now, token, observed, hits, decision, 0}
  local reply = cjson.encode(result)
  redis.call('SET', keys[1], '["' .. a[2] .. '",' .. reply .. ']', 'PX', a[17])
  return reply
end

local replies = {}
local offset = 0
for i, a in ipairs(cmsgpack.unpack(ARGV[1])) do
  replies[i] = assess(a, offset)
  offset = offset + 3 + #a[7] + #a[8]
end
return '[' .. table.concat(replies, ',') .. ']'
