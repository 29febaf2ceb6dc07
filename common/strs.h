/* strs.h -- a list of strings kept as ONE string: NUL-ended entries one
 * after another ("home\0procedures\0"), as a session keeps its last reply's
 * buttons (bot/conv/dialogs/dialog.h "btns": title, payload, ...) and a
 * USSD route its lists (bot/ussd/ussd_int.h): one JSON string to encode,
 * decode and free instead of an array of them.
 *
 * p[0..len) is the list (len 0: empty) and p[len] must be a NUL, as in a
 * jansson string's value: so the last entry may lack its own (a damaged
 * value still reads as entries). The pointers handed out point into p.
 * Nothing allocates; nothing fails. */
#ifndef DVC_COMMON_STRS_H
#define DVC_COMMON_STRS_H

#include <stddef.h>

/* Up to max entries into out (out may be NULL with max 0: only counted, all
 * of them). Returns how many were put, or counted. */
size_t strs_split(const char *p, size_t len, const char **out, size_t max);

/* Entry i, or NULL past the end. */
const char *strs_at(const char *p, size_t len, size_t i);

/* The bytes of the entries before the last one (0 when there are fewer than
 * two): the list without its last entry is p[0..strs_drop_last()). */
size_t strs_drop_last(const char *p, size_t len);

#endif
