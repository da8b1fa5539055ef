-- Record feedback (unpaid expiries, payment failures, chargebacks, holds made, released units) on
-- a tenant's counters. KEYS are counters of one tenant (one hash tag). ARGV[1] is JSON: now,
-- retention and one operation per key: kind 'event' adds the member to a sliding log (a replayed
-- event adds nothing), 'untally' takes a released hold off its purchase-limit tally,
-- 'retally' sets a hold's field to its line's units and confirms its decision's provisional
-- attempt, 'forget' clears the key. A tally's fields are those of domain/tally.py; `fallback` is
-- the order's field the version before provisional attempts counted holds in.

-- Sets a tally field to `units`, or deletes it when nothing is left.
local function put(key, field, units)
  if units > 0 then redis.call('HSET', key, field, units) else redis.call('HDEL', key, field) end
end

-- The field of the decision's provisional attempt, or nil.
local function provisional(key, decision)
  if decision == '' then return nil end
  local suffix = ':' .. decision
  for _, field in ipairs(redis.call('HKEYS', key)) do
    if string.sub(field, 1, 2) == 'p:' and string.sub(field, -#suffix) == suffix then
      return field
    end
  end
  return nil
end

local function counts(key, field)
  return field ~= '' and redis.call('HEXISTS', key, field) == 1
end

local a = cjson.decode(ARGV[1])
for i, op in ipairs(a.ops) do
  local key = KEYS[i]
  if op.kind == 'event' then
    redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. (a.now - a.retention))
    redis.call('ZADD', key, a.now, op.member)
    redis.call('PEXPIRE', key, a.retention)
  elseif op.kind == 'untally' then
    -- A release releases the hold's whole line: its field goes (a replayed event changes
    -- nothing); an order's field of the previous version loses the units.
    if counts(key, op.member) then
      redis.call('HDEL', key, op.member)
    elseif counts(key, op.fallback) then
      put(key, op.fallback, redis.call('HINCRBY', key, op.fallback, -op.amount))
    end
  elseif op.kind == 'retally' then
    -- A decision riskcontrol made on a tally that lives (the SKU has a limit) counts its hold
    -- even when its attempt lapsed, unless the previous version counted it in the order's field.
    local attempt = provisional(key, op.decision)
    local assessed = op.decision ~= '' and redis.call('EXISTS', key) == 1
      and not counts(key, op.fallback)
    if attempt or assessed or counts(key, op.member) then
      put(key, op.member, op.amount)
    elseif counts(key, op.fallback) then
      put(key, op.fallback, op.amount)
    end
    -- Deleted last: the key keeps its TTL (a hash emptied and written again would have none).
    if attempt then redis.call('HDEL', key, attempt) end
  else
    redis.call('DEL', key)
  end
end
return #a.ops
