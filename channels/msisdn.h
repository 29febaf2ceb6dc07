/* msisdn.h -- Vietnamese mobile numbers in one canonical form: 84xxxxxxxxx.
 *
 * Every place that stores or compares a phone number (the dossier's
 * applicant_phone, the SMS/USSD sender, the "my dossiers" index) uses the
 * canonical form, so "+84 912 345 678", "0912.345.678" and "84912345678" are
 * one number. Pure function: no allocation, no I/O. */
#ifndef DVC_CHANNELS_MSISDN_H
#define DVC_CHANNELS_MSISDN_H

/* Size of the output buffer: "84" + at most 10 digits + NUL, with room. */
#define MSISDN_MAX 16

/* Normalise in (NUL-terminated) into out as "84" followed by the national
 * significant number. Accepted: an optional "+84", "0084" or "84" country
 * prefix, or a national "0" trunk prefix (one of them is required; "+84 0..."
 * is tolerated too), with spaces, dots, dashes and parentheses anywhere.
 * The national number must be a mobile number: 9 digits starting with 3, 5,
 * 7, 8 or 9 (numbering since 2018), or 10 digits starting with 1 (the old
 * 01xx numbers). Returns 0, or -1 (out is then "") for NULL, empty, other
 * characters, other lengths or prefixes. */
int msisdn_normalize(const char *in, char out[MSISDN_MAX]);

#endif
