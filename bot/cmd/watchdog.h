/* watchdog.h -- the event loop watchdog of `dvcbot serve`.
 *
 * Everything dvcbot does runs on one libuv loop; if that loop stops turning
 * (a bug, a library spinning in a callback, a blocking call that never
 * returns) nothing is answered again and SIGTERM, which is handled on the
 * loop too, is never acted on. The watchdog turns such a stall into an exit
 * a supervisor restarts (config/systemd/dvcbot.service, Restart=always).
 *
 * A repeating uv timer on the loop counts heartbeats every period (a quarter
 * of the limit, at most one second); a thread of its own wakes every period
 * and counts the wakes in a row that saw no new heartbeat. When they cover
 * the limit it writes one JSON line to stderr and ends the process with
 * _exit(WATCHDOG_EXIT_STATUS) -- no cleanup: the loop that would run it is
 * the thing that is stuck. Counting its own wakes (not clock time since the
 * last beat) keeps a stopped and continued process (SIGSTOP, a debugger, a
 * suspended VM) from being taken for a stalled loop.
 *
 * The timer is unreferenced: it never keeps the loop alive. */
#ifndef DVC_BOT_CMD_WATCHDOG_H
#define DVC_BOT_CMD_WATCHDOG_H

#include <uv.h>

#define WATCHDOG_EXIT_STATUS 70 /* EX_SOFTWARE */

typedef struct watchdog watchdog;

/* Start watching loop: a stall of limit_s seconds or more ends the process.
 * limit_s 0: no watchdog, NULL is returned. Aborts if the thread cannot be
 * started (like an allocation failure). */
watchdog *watchdog_start(uv_loop_t *loop, int limit_s);

/* Stop the thread (joined at once) and close the timer; the loop frees
 * nothing of it, the watchdog is freed when the timer's close completes (run
 * the loop once more). Accepts NULL. */
void watchdog_stop(watchdog *w);

#endif
