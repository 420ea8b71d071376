/**
 * The Redis board log's scripts: each step that must see and change several keys at once (see
 * PROTOCOL.md, "Ordering and fan-out"). Entries are JSON objects; the scripts never look inside them
 * except to put the position first.
 */

/**
 * R1-R4, R15. KEYS: head, log, stream, permissions, history. ARGV: the last position the caller's copy has, then for
 * each entry: '1' if its sender teaches (always may draw) else '0', the sender's id, the entry as a JSON
 * object without its position. Gives each entry the sender may draw the next position, appends it to
 * the log and publishes it on the board's stream, in one step: the log and the stream have one order,
 * and who may draw is checked in that order (a student's op logged after the teacher said "nobody" is
 * refused everywhere). Each logged entry also goes, with Redis' time, to the board's history, which
 * snapshots never shorten (R15). Returns each entry's position (0: not allowed to draw), or {-1} when Redis has
 * lost the board the caller's copy holds (it puts its copy back first).
 */
export const APPEND = `
if tonumber(ARGV[1]) > 0 and redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
local mode = 'everyone'
local named = {}
local perm = redis.call('GET', KEYS[4])
if perm then
  local p = cjson.decode(perm)
  mode = p.mode
  for _, id in ipairs(p.userIds or {}) do named[id] = true end
end
local out = {}
local now = redis.call('TIME')
local at = tostring(tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000))
for i = 2, #ARGV, 3 do
  if ARGV[i] ~= '1' and (mode == 'nobody' or (mode == 'named' and not named[ARGV[i + 1]])) then
    out[#out + 1] = 0
  else
    local pos = redis.call('INCR', KEYS[1])
    local entry = '{"pos":' .. pos .. ',' .. string.sub(ARGV[i + 2], 2)
    redis.call('RPUSH', KEYS[2], entry)
    redis.call('PUBLISH', KEYS[3], entry)
    redis.call('RPUSH', KEYS[5], '{"at":' .. at .. ',' .. string.sub(entry, 2))
    out[#out + 1] = pos
  end
end
return out`;

/**
 * R5. KEYS: snapshot-pos, snapshot, log, head. Returns {snapshot position, snapshot or false, the log
 * since, whether Redis has the board at all (0 or 1)}.
 */
export const LOAD = `
local known = redis.call('EXISTS', KEYS[4], KEYS[2], KEYS[3])
return {tonumber(redis.call('GET', KEYS[1]) or '0'), redis.call('GET', KEYS[2]), redis.call('LRANGE', KEYS[3], 0, -1), known > 0 and 1 or 0}`;

/**
 * R6. KEYS: snapshot-pos, snapshot, log, stream. ARGV: the position the snapshot is at, its JSON.
 * Replaces the snapshot and drops the log entries it includes, unless a newer one is there; tells the stream.
 */
export const SNAPSHOT = `
local old = tonumber(redis.call('GET', KEYS[1]) or '0')
local pos = tonumber(ARGV[1])
if pos <= old then return 0 end
redis.call('LTRIM', KEYS[3], pos - old, -1)
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SET', KEYS[1], pos)
redis.call('PUBLISH', KEYS[4], '{"snap":' .. pos .. '}')
return 1`;

/**
 * R7. KEYS: head, snapshot-pos, snapshot, log. ARGV: a position and a board's JSON. Makes that board
 * the snapshot at that position when Redis has lost the board (no position given out): a live copy put
 * back, or (at position 0) the last save of a board no instance has. The first one in wins; returns 1 if it did.
 */
export const RESTORE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[1])
redis.call('SET', KEYS[3], ARGV[2])
redis.call('DEL', KEYS[4])
return 1`;
