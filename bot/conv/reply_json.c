/* reply_json.c -- a chat turn's reply escaped once (see reply_json.h). */
#include "bot/conv/reply_json.h"

#include <stdlib.h>

#include "bot/conv/chatlog.h"
#include "common/xmalloc.h"

void reply_json_build(chat_json *j, const reply *r)
{
    size_t n = r ? r->nparts : 0;
    size_t *marks = xmalloc((n + 1) * CHAT_JSON_MARKS * sizeof(*marks));
    for (size_t i = 0; i < n; i++)
        marks[i * CHAT_JSON_MARKS + REPLY_JSON_CHATLOG] = chatlog_keep(r->parts[i].text);
    chat_json_build(j, r, marks);
    free(marks);
}
