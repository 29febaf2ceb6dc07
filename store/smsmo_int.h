/* smsmo_int.h -- private to store/: the arguments of an answered MO's write
 * (smsmo_save's, store/lua/smsmo_save.lua), which sessions_commit also
 * carries for an MO answered by a session turn (store/sessions.h,
 * sessions_write.mo), so that both send the same layout and the same Lua
 * (lib_smsmo.lua's mo_save) writes it. */
#ifndef DVC_STORE_SMSMO_INT_H
#define DVC_STORE_SMSMO_INT_H

#include <stddef.h>

#include "common/num.h"
#include "store/smsmo.h"

#define SMSMO_PAGES_PREFIX "dvcbot:smspages:"
#define SMSMO_ID_PREFIX "dvcbot:smsmo:"

/* The texts an argument vector points into (numbers, op + msisdn). */
typedef struct smsmo_argbuf {
    char nums[4][NUM_MAX];
    char opm_s[64];
    char *opm;                  /* opm_s, or a heap copy for a long msisdn */
} smsmo_argbuf;

/* How many arguments r's write takes: 0 when there is nothing to write (no
 * id, SMSMO_PAGES_KEEP), -1 when r is invalid (no msisdn, an id without an
 * answer, a bad op, WRITE or NEXT without pages). */
int smsmo_save_nargs(const smsmo_result *r);

/* r's arguments into argv/lens (room for smsmo_save_nargs(r)); they point
 * into r and b until smsmo_argbuf_free(b). Returns their count. */
int smsmo_save_args(const smsmo_result *r, const char **argv, size_t *lens, smsmo_argbuf *b);
void smsmo_argbuf_free(smsmo_argbuf *b);

#endif
