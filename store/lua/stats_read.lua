-- stats_read.lua -- every counter of the public statistics (stats_read):
-- the HGETALL arrays of complaints, ratings, dossiers by status and
-- dossiers by month, the last answer times (seconds, newest first) and the
-- operators' CSAT counters.
return {redis.call('HGETALL', 'dvcbot:stats:complaints'),
        redis.call('HGETALL', 'dvcbot:stats:ratings'),
        redis.call('HGETALL', 'dvcbot:stats:dossiers'),
        redis.call('HGETALL', 'dvcbot:stats:dossiers-month'),
        redis.call('LRANGE', 'dvcbot:stats:answer-s', 0, 999),
        redis.call('HGETALL', 'dvcbot:stats:csat')}
