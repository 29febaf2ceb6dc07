/* ids.c -- dossier codes, statuses, procedure codes, ISO-8601 times and
 * complaint codes (see ids.h). No allocation, no I/O. */
#include "common/ids.h"

#include <string.h>

static int ids_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int ids_num(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* Length of the e-id at the start of s (up to the '-'), or 0. */
static size_t ids_eid_len(const char *s)
{
    const char *dash = strchr(s, '-');
    size_t n = dash ? (size_t)(dash - s) : 0;
    if (n == 13)
        return ids_digits(s, 3) && s[3] == '.' && ids_digits(s + 4, 2) &&
                       s[6] == '.' && ids_digits(s + 7, 2) && s[9] == '.' &&
                       s[10] >= 'A' && s[10] <= 'Z' && ids_digits(s + 11, 2)
                   ? n : 0;
    if (n < 5 || n >= DOSSIERS_AGENCY_MAX || s[0] < 'A' || s[0] > 'Z' ||
        !ids_digits(s + 1, 2))
        return 0;
    for (size_t i = 3; i < n;) {     /* one or more ".N", 1-3 digits each */
        if (s[i++] != '.')
            return 0;
        size_t st = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == st || i - st > 3)
            return 0;
    }
    return n;
}

int ids_dossier_code_valid(const char *code)
{
    size_t e = code ? ids_eid_len(code) : 0;
    if (!e)
        return 0;
    const char *t = code + e;       /* "-yyMMdd-NNNN" */
    if (strlen(t) != 12 || t[0] != '-' || t[7] != '-' || !ids_digits(t + 1, 6) ||
        !ids_digits(t + 8, 4))
        return 0;
    int mm = ids_num(t + 3, 2), dd = ids_num(t + 5, 2);
    return mm >= 1 && mm <= 12 && dd >= 1 && dd <= 31;
}

int ids_dossier_code_agency(const char *code, char out[DOSSIERS_AGENCY_MAX])
{
    if (!ids_dossier_code_valid(code))
        return -1;
    size_t e = ids_eid_len(code);
    memcpy(out, code, e);
    out[e] = '\0';
    return 0;
}

static const char *const ids_statuses[] = {
    "received", "rejected", "processing", "supplement_required", "payment_required",
    "withdrawn", "suspended", "done", "returned", NULL,
};

int ids_dossier_status_valid(const char *status)
{
    for (size_t i = 0; status && ids_statuses[i]; i++)
        if (!strcmp(status, ids_statuses[i]))
            return 1;
    return 0;
}

int ids_dossier_status_final(const char *status)
{
    return status && (!strcmp(status, "done") || !strcmp(status, "returned") ||
                      !strcmp(status, "rejected") || !strcmp(status, "withdrawn"));
}

int ids_procedure_code_valid(const char *s)
{
    return s && strlen(s) == 8 && ids_digits(s, 1) && s[1] == '.' &&
           ids_digits(s + 2, 6);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (y >= 1970). */
static long ids_days(int y, int m, int d)
{
    y -= m <= 2;
    long era = y / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int ids_mday_ok(int y, int m, int d)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m >= 1 && m <= 12 && d >= 1 && d <= mdays[m - 1] + (m == 2 && leap);
}

/* "Z", "+HH", "+HHMM", "+HH:MM" (or '-') at p, to the end; minutes east. */
static int ids_parse_zone(const char *p, int *off)
{
    if (!strcmp(p, "Z")) {
        *off = 0;
        return 0;
    }
    if ((*p != '+' && *p != '-') || !ids_digits(p + 1, 2))
        return -1;
    int sign = *p == '-' ? -1 : 1, hh = ids_num(p + 1, 2), mm = 0;
    p += 3;
    if (*p == ':')
        p++;
    if (*p) {
        if (!ids_digits(p, 2) || p[2])
            return -1;
        mm = ids_num(p, 2);
    }
    if (hh > 14 || mm > 59)
        return -1;
    *off = sign * (hh * 60 + mm);
    return 0;
}

/* "THH:MM[:SS[.f]][zone]" at p; seconds into the day and the offset. */
static int ids_parse_clock(const char *p, long *secs, int *off)
{
    if (*p != 'T' || !ids_digits(p + 1, 2) || p[3] != ':' || !ids_digits(p + 4, 2))
        return -1;
    int hh = ids_num(p + 1, 2), mi = ids_num(p + 4, 2), ss = 0;
    p += 6;
    if (*p == ':') {
        if (!ids_digits(p + 1, 2))
            return -1;
        ss = ids_num(p + 1, 2);
        p += 3;
        if (*p == '.') {
            size_t f = 0;
            while (p[1 + f] >= '0' && p[1 + f] <= '9')
                f++;
            if (f == 0 || f > 9)
                return -1;
            p += 1 + f;
        }
    }
    if (hh > 23 || mi > 59 || ss > 59)
        return -1;
    *secs = hh * 3600L + mi * 60L + ss;
    return *p ? ids_parse_zone(p, off) : 0;
}

int ids_parse_time(const char *s, int tz_offset_min, int end_of_day, time_t *out)
{
    if (!s || strlen(s) < 10 || !ids_digits(s, 4) || s[4] != '-' ||
        !ids_digits(s + 5, 2) || s[7] != '-' || !ids_digits(s + 8, 2))
        return -1;
    int y = ids_num(s, 4), m = ids_num(s + 5, 2), d = ids_num(s + 8, 2);
    if (y < 1970 || y > 2099 || !ids_mday_ok(y, m, d))
        return -1;
    long secs = end_of_day ? 86399 : 0;
    int off = tz_offset_min;
    if (s[10] && ids_parse_clock(s + 10, &secs, &off) < 0)
        return -1;
    *out = (time_t)(ids_days(y, m, d) * 86400L + secs - off * 60L);
    return 0;
}

int ids_complaint_code_ok(const char *code)
{
    static const char shape[] = "PA-dddddd-";
    size_t n = code ? strlen(code) : 0, head = sizeof(shape) - 1;
    if (n < head + 4 || n > head + IDS_COMPLAINT_SEQ_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        int digit = i >= head || shape[i] == 'd';
        if (digit ? (code[i] < '0' || code[i] > '9') : code[i] != shape[i])
            return 0;
    }
    return 1;
}
