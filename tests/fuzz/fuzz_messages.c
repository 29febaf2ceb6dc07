/* fuzz_messages.c -- libFuzzer target: messages.vi.json loading
 * (bot/messages.c, messages_load_buf) must take any bytes without crashing
 * or leaking, and a failure says why. The input is also used as a key of the
 * shipped texts: an unknown key comes back as the template itself, so the
 * {placeholder} substitution of messages_format gets arbitrary templates. */
#include "fuzz.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bot/app/messages.h"
#include "common/buf.h"

static messages *shipped;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char err[512];
    (void)argc;
    (void)argv;
    shipped = messages_load("config/messages.vi.json", err, sizeof(err));
    return 0;
}

static void fuzz_format(const messages *m, const char *key)
{
    buf b = {0};
    messages_format(m, key, "vi", &b, "code", "PA-240823-0001", "answer", "{x}", "", "e",
                    NULL);
    messages_format(m, key, "en", &b, NULL);
    buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512] = "";
    messages *m = messages_load_buf((const char *)data, size, "fuzz.json", err, sizeof(err));
    if (!m && !err[0])
        abort(); /* a failure must say why */
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    fuzz_format(m ? m : shipped, s);
    if (shipped)
        fuzz_format(shipped, "greeting");
    free(s);
    messages_free(m);
    return 0;
}
