-- ratings_stats.lua -- the counters of GET /api/v1/stats (ratings_stats).
-- Returns the HGETALL arrays of complaints, ratings and dossiers stats.
return {redis.call('HGETALL', 'dvcbot:stats:complaints'),
        redis.call('HGETALL', 'dvcbot:stats:ratings'),
        redis.call('HGETALL', 'dvcbot:stats:dossiers')}
