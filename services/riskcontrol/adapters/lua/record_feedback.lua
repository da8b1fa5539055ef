-- Record feedback (unpaid expiries, payment failures, chargebacks, released units) on a tenant's
-- counters. KEYS are counters of one tenant (one hash tag). ARGV[1] is JSON: now, retention and one
-- operation per key: kind 'event' adds the member to a sliding log (a replayed event adds nothing),
-- 'untally' takes released units off an order's purchase-limit tally, 'retally' sets a resized
-- order's units in the tally when the tally counts the order, 'forget' clears the key.
local a = cjson.decode(ARGV[1])
for i, op in ipairs(a.ops) do
  local key = KEYS[i]
  if op.kind == 'event' then
    redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. (a.now - a.retention))
    redis.call('ZADD', key, a.now, op.member)
    redis.call('PEXPIRE', key, a.retention)
  elseif op.kind == 'untally' then
    local left = redis.call('HINCRBY', key, op.member, -op.amount)
    if left <= 0 then redis.call('HDEL', key, op.member) end
  elseif op.kind == 'retally' then
    if redis.call('HEXISTS', key, op.member) == 1 then
      if op.amount > 0 then
        redis.call('HSET', key, op.member, op.amount)
      else
        redis.call('HDEL', key, op.member)
      end
    end
  else
    redis.call('DEL', key)
  end
end
return #a.ops
