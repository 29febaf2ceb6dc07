/* catalogue.c -- the catalogue's life cycle (load a directory or a list of
 * files, reload, free), its arena, the code table and the accessors.
 * Parsing is in catalogue_parse.c, the indexes in catalogue_index.c, search
 * in catalogue_search.c, question aspects in catalogue_aspect.c, synonyms in
 * catalogue_synonyms.c, level variants in catalogue_group.c, the questions
 * of procedure_info in catalogue_ask.c. */
#include "catalogue/catalogue_int.h"

#include <dirent.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/xmalloc.h"

/* ---- arena ---- */
struct cat_block {
    cat_block *next;
    size_t used, cap;
    _Alignas(8) unsigned char data[];
};

#define CAT_BLOCK (64 * 1024)

void *cat_alloc(cat_arena *a, size_t n)
{
    n = (n + 7) & ~(size_t)7;
    cat_block *b = a->head;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > CAT_BLOCK / 4 ? n : CAT_BLOCK;
        b = xmalloc(sizeof(*b) + cap);
        b->cap = cap;
        b->used = 0;
        if (cap == n && a->head) {  /* a big one: keep filling the current block */
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    void *p = b->data + b->used;
    b->used += n;
    memset(p, 0, n);
    return p;
}

char *cat_strndup(cat_arena *a, const char *s, size_t n)
{
    char *p = cat_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *cat_strdup(cat_arena *a, const char *s)
{
    return cat_strndup(a, s, strlen(s));
}

void cat_arena_free(cat_arena *a)
{
    cat_block *b = a->head;
    while (b) {
        cat_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
}

/* ---- code table ---- */
int cat_code_key(const char *c)
{
    if (!c || c[0] < '0' || c[0] > '9' || (c[1] != '.' && c[1] != ','))
        return -1;
    int v = c[0] - '0';
    for (int i = 2; i < 8; i++) {
        if (c[i] < '0' || c[i] > '9')
            return -1;
        v = v * 10 + (c[i] - '0');
    }
    return c[8] ? -1 : v;
}

static size_t cat_code_slot(int key, size_t cap)
{
    return ((uint32_t)key * 2654435761u) & (cap - 1);
}

static void cat_code_grow(cat_data *d)
{
    size_t cap = d->code_cap ? d->code_cap * 2 : 256;
    uint32_t *tab = xcalloc(cap, sizeof(*tab));
    for (size_t i = 0; i < d->code_cap; i++) {
        if (!d->code_tab[i])
            continue;
        size_t s = cat_code_slot(cat_code_key(d->procs[d->code_tab[i] - 1].code), cap);
        while (tab[s])
            s = (s + 1) & (cap - 1);
        tab[s] = d->code_tab[i];
    }
    free(d->code_tab);
    d->code_tab = tab;
    d->code_cap = cap;
}

void cat_code_put(cat_data *d, size_t proc)
{
    if ((proc + 1) * 2 > d->code_cap)
        cat_code_grow(d);
    size_t s = cat_code_slot(cat_code_key(d->procs[proc].code), d->code_cap);
    while (d->code_tab[s])
        s = (s + 1) & (d->code_cap - 1);
    d->code_tab[s] = (uint32_t)proc + 1;
}

const catalogue_proc *cat_code_get(const cat_data *d, const char *code)
{
    int key = cat_code_key(code);
    if (key < 0 || !d->code_cap)
        return NULL;
    for (size_t s = cat_code_slot(key, d->code_cap); d->code_tab[s]; s = (s + 1) & (d->code_cap - 1))
        if (cat_code_key(d->procs[d->code_tab[s] - 1].code) == key)
            return &d->procs[d->code_tab[s] - 1];
    return NULL;
}

/* ---- life cycle ---- */
void cat_data_free(cat_data *d)
{
    if (!d)
        return;
    free(d->procs);
    free(d->code_tab);
    free(d->words);
    free(d->posts);
    free(d->by_len);
    free(d->set_bits);
    free(d->set_rank);
    free(d->by_len_ends);
    free(d->phrases);
    free(d->phrase_ids);
    free(d->phrase_procs);
    free(d->slot_w);
    free(d->word_tab);
    free(d->phrase_tab);
    free(d->sc_word);
    free(d->sc_match);
    free(d->sc_slot);
    free(d->sc_phrase_len);
    free(d->sc_phrase_n);
    free(d->sc_slots);
    free(d->sc_touched);
    free(d->sc_sort);
    free(d->sc_mark);
    free(d->sc_qbits);
    free(d->action);
    free(d->objects);
    free(d->actions_in);
    free(d->qualifiers);
    free(d->closed);
    free(d->head);
    free(d->name_text);
    free(d->group);
    free(d->group_off);
    free(d->group_n);
    free(d->group_procs);
    cat_syn_free(d->syn);
    cat_arena_free(&d->arena);
    free(d);
}

static int cat_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.json files directly inside dir, sorted; NULL and err on failure. */
static char **cat_list_dir(const char *dir, size_t *n, char *err, size_t errlen)
{
    DIR *dh = opendir(dir);
    if (!dh) {
        snprintf(err, errlen, "%s: cannot open the catalogue directory", dir);
        return NULL;
    }
    char **names = NULL;
    size_t cnt = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(dh)) != NULL) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len < 6 || strcmp(e->d_name + len - 5, ".json"))
            continue;
        size_t plen = strlen(dir) + len + 2;
        char *path = xmalloc(plen);
        snprintf(path, plen, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            free(path);
            continue;
        }
        if (cnt == cap)
            names = xrealloc(names, (cap = cap ? cap * 2 : 32) * sizeof(*names));
        names[cnt++] = path;
    }
    closedir(dh);
    if (!cnt) {
        snprintf(err, errlen, "%s: no catalogue files (*.json) found", dir);
        free(names);
        return NULL;
    }
    qsort(names, cnt, sizeof(*names), cat_name_cmp);
    *n = cnt;
    return names;
}

/* Load the question words of aspects and the synonyms file they name. */
static int cat_vocab_load(const char *aspects, cat_syn **syn, cat_aspects **as, char *err,
                          size_t errlen)
{
    char *synpath = NULL;
    *syn = NULL;
    *as = NULL;
    if (!aspects)
        return 0;
    if (cat_aspects_synonyms(aspects, &synpath, err, errlen) < 0)
        return -1;
    if (synpath && !(*syn = cat_syn_load(synpath, err, errlen))) {
        free(synpath);
        return -1;
    }
    free(synpath);
    if (!(*as = cat_aspects_load(aspects, *syn, err, errlen))) {
        cat_syn_free(*syn);
        *syn = NULL;
        return -1;
    }
    return 0;
}

/* Parse and index files; syn (may be NULL) is the generation's from now on. */
static cat_data *cat_data_load(const char *const *files, size_t n, cat_syn *syn,
                               const catalogue_opts *o, char *err, size_t errlen)
{
    cat_load ld = {.opts = o, .err = err, .errlen = errlen};
    ld.max_errors = o && o->max_errors > 0 ? o->max_errors : (o && o->on_error ? 50 : 1);
    err[0] = '\0';
    cat_data *d = xcalloc(1, sizeof(*d));
    d->syn = syn;
    for (size_t i = 0; i < n && ld.nerr < ld.max_errors; i++)
        cat_parse_file(d, &ld, files[i]);
    if (ld.nerr) {
        cat_data_free(d);
        return NULL;
    }
    cat_index_build(d);
    return d;
}

catalogue *catalogue_load_files(const char *const *files, size_t nfiles, const char *aspects,
                                const catalogue_opts *opts, char *err, size_t errlen)
{
    cat_aspects *as = NULL;
    cat_syn *syn = NULL;
    if (cat_vocab_load(aspects, &syn, &as, err, errlen) < 0) {
        if (opts && opts->on_error)
            opts->on_error(opts->arg, err);
        return NULL;
    }
    cat_data *d = cat_data_load(files, nfiles, syn, opts, err, errlen);
    if (!d) {
        cat_aspects_free(as);
        return NULL;
    }
    catalogue *c = xcalloc(1, sizeof(*c));
    c->cur = d;
    c->aspects = as;
#ifdef __GLIBC__
    malloc_trim(0);     /* give back the parser's freed pages (the JSON tree is ~3x the file) */
#endif
    return c;
}

catalogue *catalogue_load(const char *dir, const char *aspects, const catalogue_opts *opts,
                          char *err, size_t errlen)
{
    size_t n = 0;
    char **files = cat_list_dir(dir, &n, err, errlen);
    if (!files) {
        if (opts && opts->on_error)
            opts->on_error(opts->arg, err);
        return NULL;
    }
    catalogue *c = catalogue_load_files((const char *const *)files, n, aspects, opts, err, errlen);
    for (size_t i = 0; i < n; i++)
        free(files[i]);
    free(files);
    return c;
}

int catalogue_reload(catalogue *cat, const char *dir, const char *aspects, char *err,
                     size_t errlen)
{
    catalogue *fresh = catalogue_load(dir, aspects, NULL, err, errlen);
    if (!fresh)
        return -1;
    cat_data_free(cat->prev);
    cat_aspects_free(cat->prev_aspects);
    cat->prev = cat->cur;
    cat->prev_aspects = cat->aspects;
    cat->cur = fresh->cur;
    cat->aspects = fresh->aspects;
    free(fresh);
    return 0;
}

void catalogue_free(catalogue *cat)
{
    if (!cat)
        return;
    cat_data_free(cat->cur);
    cat_data_free(cat->prev);
    cat_aspects_free(cat->aspects);
    cat_aspects_free(cat->prev_aspects);
    free(cat);
}

/* ---- accessors ---- */
size_t catalogue_count(const catalogue *cat)
{
    return cat ? cat->cur->nprocs : 0;
}

const catalogue_proc *catalogue_at(const catalogue *cat, size_t i)
{
    return cat && i < cat->cur->nprocs ? &cat->cur->procs[i] : NULL;
}

const catalogue_proc *catalogue_find_code(const catalogue *cat, const char *code)
{
    return cat ? cat_code_get(cat->cur, code) : NULL;
}

size_t catalogue_nfields(const catalogue *cat)
{
    return cat ? cat->cur->nfields : 0;
}

const char *catalogue_field_name(const catalogue *cat, size_t field)
{
    return cat && field < cat->cur->nfields ? cat->cur->fields[field] : NULL;
}

const catalogue_proc *const *catalogue_field_procs(const catalogue *cat, size_t field, size_t *n)
{
    if (!cat || field >= cat->cur->nfields) {
        *n = 0;
        return NULL;
    }
    *n = cat->cur->field_n[field];
    return cat->cur->field_procs[field];
}
