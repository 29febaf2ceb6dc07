-- stats_read.lua -- every counter of the public statistics (stats_read):
-- the HGETALL arrays of complaints, ratings, dossiers by status and
-- dossiers by month, and the last answer times (seconds, newest first).
return {redis.call('HGETALL', 'dvcbot:stats:complaints'),
        redis.call('HGETALL', 'dvcbot:stats:ratings'),
        redis.call('HGETALL', 'dvcbot:stats:dossiers'),
        redis.call('HGETALL', 'dvcbot:stats:dossiers-month'),
        redis.call('LRANGE', 'dvcbot:stats:answer-s', 0, 999)}
