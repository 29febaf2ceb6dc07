/* catalogue_group.c -- level variants: the national database lists one
 * procedure once per level ("Cấp lại thẻ căn cước", "... (thực hiện tại cấp
 * tỉnh)", "... (thực hiện tại cấp trung ương)"). Names are compared with the
 * level marks of config/synonyms.json ("level_marks") and a leading "Thủ
 * tục" removed; procedures whose names are then equal form one group, its
 * members ordered lowest level first (xa, huyen, tinh, bo). The index uses
 * the same mark-free text for names and aliases, so the variants of a group
 * score alike and the search shows the group once (catalogue_search.c). */
#include "catalogue/catalogue_int.h"

#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"

/* Copy raw s without the "( ... )" parts that are a level mark. */
static void cg_drop_marked_parens(const cat_syn *y, const char *s, char *out, size_t cap)
{
    size_t o = 0;
    for (const char *p = s; *p && o + 1 < cap;) {
        const char *close = *p == '(' ? strchr(p, ')') : NULL;
        if (close && close - p < 200) {
            char inner[256], norm[256];
            memcpy(inner, p + 1, (size_t)(close - p - 1));
            inner[close - p - 1] = '\0';
            int mark = 0;
            if (cat_phrase_norm(inner, norm, sizeof(norm)) == 0)
                for (size_t i = 0; i < y->nmarks && !mark; i++)
                    mark = !strcmp(norm, y->marks[i]);
            if (mark) {
                out[o++] = ' ';
                p = close + 1;
                continue;
            }
        }
        out[o++] = *p++;
    }
    out[o] = '\0';
}

/* Remove the marks that start "thuc hien" or "bang" (unbracketed "thực
 * hiện tại cấp xã", "bằng dịch vụ công trực tuyến toàn trình": the level
 * or the channel of one procedure) and a leading "thu tuc" from normalised
 * s, in place. */
static void cg_drop_words(const cat_syn *y, char *s)
{
    for (size_t i = 0; i < y->nmarks; i++) {
        long o;
        if (strncmp(y->marks[i], "thuc hien ", 10) && strncmp(y->marks[i], "bang ", 5))
            continue;
        while ((o = cat_phrase_at(s, y->marks[i])) >= 0)
            memset(s + o, ' ', strlen(y->marks[i]));
    }
    cat_squeeze(s);
    if (!strncmp(s, "thu tuc ", 8))
        memmove(s, s + 8, strlen(s + 8) + 1);
}

/* The group key of s: normalised, level marks removed (not rewritten). */
static int cg_key(const cat_syn *y, const char *s, char *out, size_t cap)
{
    size_t len = strlen(s);
    char *tmp = xmalloc(len + 1);
    if (y && y->nmarks)
        cg_drop_marked_parens(y, s, tmp, len + 1);
    else
        memcpy(tmp, s, len + 1);
    int rc = cat_phrase_norm(tmp, out, cap);
    free(tmp);
    if (rc == 0 && y)
        cg_drop_words(y, out);
    return out[0] ? 0 : -1;
}

int cat_index_text(const cat_syn *y, const char *s, int levels, char *out, size_t cap)
{
    char key[2048];
    if (levels ? cg_key(y, s, key, sizeof(key)) < 0 : cat_phrase_norm(s, key, sizeof(key)) < 0)
        return -1;
    cat_syn_rewrite(y, key, out, cap);
    return out[0] ? 0 : -1;
}

static uint32_t cg_hash(const char *s)
{
    uint32_t h = CAT_HASH_INIT;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static int cg_u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The objects of a name that make its head: the first object named and
 * those inside it ("Cấp lại tem AB ... hộ chiếu" is about the tem AB;
 * "giấy chứng nhận quyền sử dụng đất" holds "đất"). */
static uint64_t cg_head(const cat_syn *y, const char *name)
{
    long first = -1;
    size_t end = 0;
    for (size_t i = 0; i < y->nobjects; i++) {
        long o = cat_phrase_at(name, y->objects[i]);
        size_t e = o >= 0 ? (size_t)o + strlen(y->objects[i]) : 0;
        if (o >= 0 && (first < 0 || o < first || (o == first && e > end))) {
            first = o;
            end = e;
        }
    }
    uint64_t head = 0;
    for (size_t i = 0; first >= 0 && i < y->nobjects; i++) {
        long o = cat_phrase_at(name + first, y->objects[i]);
        if (o >= 0 && (size_t)(first + o) + strlen(y->objects[i]) <= end)
            head |= (uint64_t)1 << i;
    }
    return head;
}

/* The key phrases of procedure p (catalogue_synonyms.c): its leading
 * action, the objects of its name, aliases and field, the qualifiers of its
 * name and aliases (also in other words) and of its field ("field_qualifiers"). */
static void cg_marks(cat_data *d, size_t p)
{
    const cat_syn *y = d->syn;
    const catalogue_proc *pr = &d->procs[p];
    char text[2048];
    if (!y || cat_index_text(y, pr->name, 1, text, sizeof(text)) < 0)
        return;
    d->name_text[p] = cat_strdup(&d->arena, text);
    for (size_t i = 0; i < y->nactions && !d->action[p]; i++) {
        size_t n = strlen(y->actions[i]);
        if (!strncmp(text, y->actions[i], n) && (text[n] == ' ' || text[n] == '\0'))
            d->action[p] = (uint8_t)(i + 1);
    }
    d->head[p] = cg_head(y, text);
    for (size_t a = 0; a <= pr->naliases; a++) {
        if (a > 0 && cat_index_text(y, pr->aliases[a - 1], 1, text, sizeof(text)) < 0)
            continue;
        d->objects[p] |= cat_phrase_mask(text, y->objects, y->nobjects);
        d->actions_in[p] |= cat_phrase_mask(text, y->actions, y->nactions);
        d->qualifiers[p] |= cat_qual_mask_s(y, text);
    }
    if (cat_index_text(y, pr->field, 0, text, sizeof(text)) == 0) {   /* "Đất đai" is about đất */
        d->objects[p] |= cat_phrase_mask(text, y->objects, y->nobjects);
        d->closed[p] = cat_qual_field(y, text);
        d->qualifiers[p] |= d->closed[p];
    }
}

int cat_name_text(const cat_data *d, const catalogue_proc *p, char *out, size_t cap)
{
    uintptr_t at = (uintptr_t)p, lo = (uintptr_t)d->procs;   /* p may be of another generation */
    int ours = d->name_text && at >= lo && at < lo + d->nprocs * sizeof(*p);
    const char *t = ours ? d->name_text[p - d->procs] : NULL;
    size_t n = t ? strlen(t) : 0;
    if (!t || n + 2 > cap)  /* cat_syn_rewrite would cut it shorter at cap */
        return cat_index_text(d->syn, p->name, 1, out, cap);
    memcpy(out, t, n + 1);
    return 0;
}

void cat_groups_build(cat_data *d)
{
    d->name_text = xcalloc(d->nprocs + 1, sizeof(*d->name_text));
    d->action = xcalloc(d->nprocs + 1, 1);
    d->objects = xcalloc(d->nprocs + 1, sizeof(uint64_t));
    d->actions_in = xcalloc(d->nprocs + 1, sizeof(uint64_t));
    d->qualifiers = xcalloc(d->nprocs + 1, sizeof(uint64_t));
    d->closed = xcalloc(d->nprocs + 1, sizeof(uint64_t));
    d->head = xcalloc(d->nprocs + 1, sizeof(uint64_t));
    for (size_t i = 0; i < d->nprocs; i++)
        cg_marks(d, i);
    size_t cap = 16;
    while (cap < d->nprocs * 2)
        cap *= 2;
    uint32_t *tab = xcalloc(cap, sizeof(*tab));   /* proc index + 1 of the group's first */
    d->group = xcalloc(d->nprocs + 1, sizeof(*d->group));
    char **keys = xcalloc(d->nprocs + 1, sizeof(*keys));
    d->ngroups = 0;
    for (size_t i = 0; i < d->nprocs; i++) {
        char key[2048];
        if (cg_key(d->syn, d->procs[i].name, key, sizeof(key)) < 0)
            snprintf(key, sizeof(key), "#%zu", i);
        keys[i] = xstrdup(key);
        size_t k = cg_hash(key) & (cap - 1);
        while (tab[k] && strcmp(keys[tab[k] - 1], key))
            k = (k + 1) & (cap - 1);
        if (!tab[k]) {
            tab[k] = (uint32_t)i + 1;
            d->group[i] = (uint32_t)d->ngroups++;
        } else {
            d->group[i] = d->group[tab[k] - 1];
        }
    }
    for (size_t i = 0; i < d->nprocs; i++)
        free(keys[i]);
    free(keys);
    free(tab);
    /* members by (group, level, load order) */
    uint64_t *order = xmalloc((d->nprocs + 1) * sizeof(*order));
    for (size_t i = 0; i < d->nprocs; i++)
        order[i] = (uint64_t)d->group[i] << 34 |
                   (uint64_t)cat_level_rank(d->procs[i].level) << 30 | (uint64_t)i;
    qsort(order, d->nprocs, sizeof(*order), cg_u64_cmp);
    d->group_procs = xmalloc((d->nprocs + 1) * sizeof(uint32_t));
    for (size_t i = 0; i < d->nprocs; i++)
        d->group_procs[i] = (uint32_t)(order[i] & ((1u << 30) - 1));
    free(order);
    d->group_off = xcalloc(d->ngroups + 1, sizeof(uint32_t));
    d->group_n = xcalloc(d->ngroups + 1, sizeof(uint32_t));
    for (size_t i = d->nprocs; i-- > 0;) {
        uint32_t g = d->group[d->group_procs[i]];
        d->group_off[g] = (uint32_t)i;
        d->group_n[g]++;
    }
}

const catalogue_proc *catalogue_variant(const catalogue *cat, const catalogue_proc *p, size_t i)
{
    if (!cat || !p)
        return NULL;
    const cat_data *d = cat->cur;
    size_t idx = (size_t)(p - d->procs);
    if (idx >= d->nprocs || !d->group)
        return i == 0 ? p : NULL;
    uint32_t g = d->group[idx];
    return i < d->group_n[g] ? &d->procs[d->group_procs[d->group_off[g] + i]] : NULL;
}

size_t catalogue_variant_count(const catalogue *cat, const catalogue_proc *p)
{
    size_t n = 0;
    while (catalogue_variant(cat, p, n))
        n++;
    return n;
}
