/* fuzz_factor.c -- libFuzzer target for intents/factor.c. The input is a
 * pattern, a newline, then a subject. factor_lead must not crash on any
 * pattern; when it rewrites one that PCRE2 compiles, the rewrite compiles
 * too and, compiled PCRE2_ANCHORED like the word rules' anchored tries,
 * matches at exactly the same offsets of the subject (a try that hits the
 * match limit is not compared). */
#include "fuzz.h"
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "intents/factor.h"

static pcre2_code *fuzz_compile(const char *pat)
{
    int ec;
    PCRE2_SIZE off;
    return pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, PCRE2_ANCHORED | PCRE2_DUPNAMES,
                         &ec, &off, NULL);
}

/* 1 match, 0 none, -1 limit or error. */
static int fuzz_at(const pcre2_code *c, const char *s, size_t n, size_t at, pcre2_match_data *md,
                   pcre2_match_context *mc)
{
    int rc = pcre2_match(c, (PCRE2_SPTR)s, n, at, 0, md, mc);
    return rc > 0 ? 1 : rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *nl = memchr(data, '\n', size);
    size_t plen = nl ? (size_t)(nl - (const char *)data) : size;
    char *pat = malloc(plen + 1);
    memcpy(pat, data, plen);
    pat[plen] = '\0';
    const char *subj = nl ? nl + 1 : "";
    size_t n = nl ? size - plen - 1 : 0;
    char *fast = strlen(pat) == plen ? factor_lead(pat) : NULL;
    pcre2_code *a = fast ? fuzz_compile(pat) : NULL, *b = a ? fuzz_compile(fast) : NULL;
    if (a && !b)
        abort(); /* a pattern that compiles must have a rewrite that does */
    if (a && b) {
        pcre2_match_data *ma = pcre2_match_data_create_from_pattern(a, NULL);
        pcre2_match_data *mb = pcre2_match_data_create_from_pattern(b, NULL);
        pcre2_match_context *mc = pcre2_match_context_create(NULL);
        pcre2_set_match_limit(mc, 20000);
        pcre2_set_depth_limit(mc, 2000);
        for (size_t at = 0; at <= n && at <= 64; at++) {
            int x = fuzz_at(a, subj, n, at, ma, mc), y = fuzz_at(b, subj, n, at, mb, mc);
            if (x >= 0 && y >= 0 && x != y)
                abort();
        }
        pcre2_match_context_free(mc);
        pcre2_match_data_free(ma);
        pcre2_match_data_free(mb);
    }
    pcre2_code_free(a);
    pcre2_code_free(b);
    free(fast);
    free(pat);
    return 0;
}
