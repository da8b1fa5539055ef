-- Complete a challenge exactly once. KEYS[1] challenge, KEYS[2] the new pass token, then the
-- challenge-failure counters of the challenged user, IP and device (same tenant hash tag).
-- ARGV: request_id, result (passed|failed), token, now_ms, token_expire_ms, keep_ms, retention_ms.
local c = redis.call('HMGET', KEYS[1], 'state', 'expire_ms', 'user', 'skus', 'completed_by',
  'result', 'token', 'token_expire_ms')
if not c[1] then return cjson.encode({status = 'not_found'}) end
local request_id, result, now = ARGV[1], ARGV[2], tonumber(ARGV[4])
if c[1] ~= 'pending' then
  if c[5] == request_id then
    if c[6] ~= result then return cjson.encode({status = 'reused'}) end
    return cjson.encode({status = 'ok', state = c[1], token = c[7] or '', token_expire_ms = c[8] or '0'})
  end
  return cjson.encode({status = 'completed', state = c[1]})
end
if now > tonumber(c[2]) then
  redis.call('HSET', KEYS[1], 'state', 'expired')
  return cjson.encode({status = 'expired'})
end
if result == 'passed' then
  redis.call('HSET', KEYS[1], 'state', 'passed', 'completed_by', request_id, 'result', result,
    'token', ARGV[3], 'token_expire_ms', ARGV[5])
  redis.call('HSET', KEYS[2], 'user', c[3], 'skus', c[4], 'expire_ms', ARGV[5], 'state', 'passed')
  redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[6]))
  return cjson.encode({status = 'ok', state = 'passed', token = ARGV[3], token_expire_ms = ARGV[5]})
end
redis.call('HSET', KEYS[1], 'state', 'failed', 'completed_by', request_id, 'result', result)
for i = 3, #KEYS do
  redis.call('ZADD', KEYS[i], now, KEYS[1])
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[7]))
end
return cjson.encode({status = 'ok', state = 'failed', token = '', token_expire_ms = '0'})
