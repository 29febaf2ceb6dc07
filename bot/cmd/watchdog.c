/* watchdog.c -- the event loop watchdog (see watchdog.h). */
#include "bot/cmd/watchdog.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/xmalloc.h"

struct watchdog {
    uv_timer_t timer;           /* on the loop: the heartbeat */
    uv_thread_t thread;
    uv_mutex_t lock;
    uv_cond_t wake;
    int stop;                   /* under lock */
    atomic_ulong beats;
    int limit_s;
    uint64_t period_ms;
};

static void watchdog_beat(uv_timer_t *t)
{
    watchdog *w = t->data;
    atomic_fetch_add(&w->beats, 1);
}

/* One line like bot/app/log.c's, written with write(2): the loop thread may
 * be stuck holding any lock, stdio's included. */
static void watchdog_report(const watchdog *w, unsigned misses)
{
    struct timespec ts;
    struct tm tm;
    char t[32], line[512];
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%S", &tm);
    int n = snprintf(line, sizeof(line),
                     "{\"ts\":\"%s.%03ldZ\",\"level\":\"error\",\"msg\":\"watchdog: the event "
                     "loop has not run for %llu ms (limit http.watchdog_s %d s): exiting with "
                     "status %d for the supervisor to restart dvcbot\"}\n",
                     t, ts.tv_nsec / 1000000, (unsigned long long)(misses * w->period_ms),
                     w->limit_s, WATCHDOG_EXIT_STATUS);
    if (n > 0 && write(2, line, (size_t)n) < 0)
        _exit(WATCHDOG_EXIT_STATUS);
}

static void watchdog_main(void *arg)
{
    watchdog *w = arg;
    unsigned long seen = atomic_load(&w->beats);
    unsigned misses = 0, needed = (unsigned)((w->limit_s * 1000ULL + w->period_ms - 1) /
                                             w->period_ms);
    uv_mutex_lock(&w->lock);
    while (!w->stop) {
        uv_cond_timedwait(&w->wake, &w->lock, w->period_ms * 1000000ULL);
        if (w->stop)
            break;
        unsigned long now = atomic_load(&w->beats);
        misses = now == seen ? misses + 1 : 0;
        seen = now;
        if (misses > needed) { /* one spare wake: the first may end early */
            watchdog_report(w, misses);
            _exit(WATCHDOG_EXIT_STATUS);
        }
    }
    uv_mutex_unlock(&w->lock);
}

watchdog *watchdog_start(uv_loop_t *loop, int limit_s)
{
    if (limit_s <= 0)
        return NULL;
    watchdog *w = xcalloc(1, sizeof(*w));
    w->limit_s = limit_s;
    w->period_ms = limit_s >= 4 ? 1000 : (uint64_t)limit_s * 250;
    atomic_init(&w->beats, 0);
    uv_timer_init(loop, &w->timer);
    w->timer.data = w;
    uv_timer_start(&w->timer, watchdog_beat, w->period_ms / 2, w->period_ms / 2);
    uv_unref((uv_handle_t *)&w->timer);
    if (uv_mutex_init(&w->lock) != 0 || uv_cond_init(&w->wake) != 0 ||
        uv_thread_create(&w->thread, watchdog_main, w) != 0) {
        fprintf(stderr, "dvcbot: cannot start the watchdog thread\n");
        abort();
    }
    return w;
}

static void watchdog_closed(uv_handle_t *h)
{
    watchdog *w = h->data;
    uv_cond_destroy(&w->wake);
    uv_mutex_destroy(&w->lock);
    free(w);
}

void watchdog_stop(watchdog *w)
{
    if (!w)
        return;
    uv_mutex_lock(&w->lock);
    w->stop = 1;
    uv_cond_signal(&w->wake);
    uv_mutex_unlock(&w->lock);
    uv_thread_join(&w->thread);
    uv_timer_stop(&w->timer);
    uv_close((uv_handle_t *)&w->timer, watchdog_closed);
}
