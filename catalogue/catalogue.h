/* catalogue.h -- the procedure catalogue (thủ tục hành chính): load, index,
 * look up and search. Schema: docs/catalogue.md; behaviour: docs/procedures.md.
 *
 * catalogue_load() reads every "*.json" directly inside a directory (name
 * order; names starting with '.' are skipped), checks each procedure against
 * the rules of docs/catalogue.md (unknown keys are ignored), keeps the
 * procedures in memory and builds the indexes: by code, by field, and a word
 * and phrase index over the normalised (intents/normalize.h) name, short
 * name, aliases and field. Loading happens at start (and on reload), never on
 * the request path.
 *
 * Errors name the file, the JSON path and the problem, e.g.
 *   "config/catalogue/thue.json: procedures[3].fees[0].amount_vnd: expected integer or null"
 *
 * Ownership: the caller owns the catalogue and frees it with catalogue_free()
 * (accepts NULL). Every pointer a catalogue returns (procedures, strings,
 * arrays) belongs to it and stays valid until catalogue_free(), or until the
 * reload AFTER the next catalogue_reload() (the previous generation is kept
 * one reload long, so a request in flight during a reload is safe).
 *
 * Threads: a catalogue is immutable after load except for the private
 * scratch space of catalogue_search(); use it from one thread only. */
#ifndef DVC_CATALOGUE_CATALOGUE_H
#define DVC_CATALOGUE_CATALOGUE_H

#include <stddef.h>
#include <stdint.h>

typedef struct catalogue catalogue;

enum {
    CATALOGUE_CH_DIRECT = 1, /* nộp trực tiếp */
    CATALOGUE_CH_ONLINE = 2, /* nộp trực tuyến */
    CATALOGUE_CH_POSTAL = 4, /* qua bưu chính */
};

typedef struct catalogue_doc {
    const char *name;
    int originals, copies;
    const char *note;           /* or NULL */
} catalogue_doc;

typedef struct catalogue_fee {
    long long amount_vnd;       /* -1: not a fixed amount (JSON null); 0: free */
    const char *text;
} catalogue_fee;

/* One procedure, read-only. Optional strings are NULL when absent; arrays
 * have their count next to them. */
typedef struct catalogue_proc {
    const char *code;           /* d.dddddd */
    const char *name;
    const char *short_name;     /* never NULL: the folded name (cut to 40) when absent */
    const char *field;
    const char *level;          /* xa | huyen | tinh | bo */
    const char *agency;
    const char *result;
    const char *note;           /* or NULL */
    const char *const *aliases;
    size_t naliases;
    const catalogue_doc *docs;
    size_t ndocs;
    const char *const *steps;
    size_t nsteps;
    int days;                   /* processing_time.days; -1 for null */
    int working_days;           /* 1: ngày làm việc */
    const char *time_text;      /* processing_time.text */
    const catalogue_fee *fees;  /* fees[0] is the headline fee */
    size_t nfees;
    unsigned channels;          /* CATALOGUE_CH_* bits */
    int online_level;           /* 2, 3 or 4 */
    const char *const *legal_basis;
    size_t nlegal;
    const char *const *conditions;
    size_t nconditions;
    int ended;                  /* status "ended": the policy no longer applies */
    int sample_data;
    size_t field_index;         /* index for catalogue_field_name() */
    const char *file;           /* the file it was read from */
} catalogue_proc;

/* Optional hooks for loading (all may be NULL / 0). */
typedef struct catalogue_opts {
    /* Called with every error line ("file: path: problem"); without it only
     * the first error is reported (in err). */
    void (*on_error)(void *arg, const char *line);
    /* Called every 500 procedures of a file and at its end. */
    void (*on_progress)(void *arg, const char *file, size_t done, size_t total);
    /* Called at the end of each file for each key the schema does not know
     * (ignored by the loader: "procedures[].source_url", "procedures[].fees[].x"),
     * with how many objects had it; at most 16 keys per file. */
    void (*on_unused)(void *arg, const char *file, const char *key, size_t count);
    void *arg;
    int max_errors;             /* stop after this many (default 1; with on_error 50) */
} catalogue_opts;

/* Load the directory dir; aspects (may be NULL) is the question-word file
 * (config/procedure-aspects.json, see catalogue_aspect_detect). Returns NULL
 * and the first error in err on failure. opts may be NULL. */
catalogue *catalogue_load(const char *dir, const char *aspects, const catalogue_opts *opts,
                          char *err, size_t errlen);
/* Load an explicit list of files (e.g. one file to validate before import). */
catalogue *catalogue_load_files(const char *const *files, size_t nfiles, const char *aspects,
                                const catalogue_opts *opts, char *err, size_t errlen);
/* Load dir and aspects again and swap them in: 0 on success; -1 with err
 * (the catalogue is then unchanged). */
int catalogue_reload(catalogue *cat, const char *dir, const char *aspects, char *err,
                     size_t errlen);
void catalogue_free(catalogue *cat);

/* ---- procedures and fields ---- */
size_t catalogue_count(const catalogue *cat);
/* The i-th procedure (load order), or NULL when i is out of range. */
const catalogue_proc *catalogue_at(const catalogue *cat, size_t i);
/* Exact code "d.dddddd" (a comma for the dot is accepted), or NULL. */
const catalogue_proc *catalogue_find_code(const catalogue *cat, const char *code);
/* Fields in order of first appearance (for USSD browsing). */
size_t catalogue_nfields(const catalogue *cat);
const char *catalogue_field_name(const catalogue *cat, size_t field); /* NULL if out of range */
/* The procedures of a field, in load order; *n gets their count. */
const catalogue_proc *const *catalogue_field_procs(const catalogue *cat, size_t field, size_t *n);

/* ---- search ---- */
typedef enum catalogue_match {
    CATALOGUE_MATCH_WORDS = 1,  /* some words of the query found */
    CATALOGUE_MATCH_PHRASE,     /* a whole alias, name or short name found in the query */
    CATALOGUE_MATCH_CODE,       /* the query holds the procedure's code */
} catalogue_match;

typedef struct catalogue_hit {
    const catalogue_proc *proc;
    float score;                /* higher is better; only comparable within one search */
    catalogue_match match;
    float coverage;             /* 0..1: share of the query's (IDF) weight this procedure
                                 * explains (its words, or an "also" addition it matches) */
    float alias_coverage;       /* 0..1: best share of one alias's (or the name's) weight
                                 * found in the query */
} catalogue_hit;

/* Search query, which must be normalised text (norm_text() output; the
 * intent result's query is). The query is rewritten with the synonyms,
 * loses its aspect and question words and gains the "also" words (see
 * catalogue_ask). Fills up to max hits, best first, one per level group
 * (the variant at the level the query names, else the lowest), and returns
 * how many. Ranking: the code; then the longest alias/name phrase found as
 * whole words; then IDF-weighted word coverage (alias words over name words
 * over field words), a bonus when every word of the name is there; "ended"
 * procedures slightly lower; a word of 5+ letters that is in no procedure
 * is matched to one at one edit, at a discount. */
size_t catalogue_search(const catalogue *cat, const char *query, catalogue_hit *out, size_t max);

/* ---- level variants ---- */
/* The i-th variant of p's procedure (the same procedure at another level:
 * "... (thực hiện tại cấp tỉnh)"), lowest level first, p among them; NULL
 * past the end. A procedure without variants is its own variant 0. */
const catalogue_proc *catalogue_variant(const catalogue *cat, const catalogue_proc *p, size_t i);
size_t catalogue_variant_count(const catalogue *cat, const catalogue_proc *p);

/* ---- documents by case ("Trường hợp ...", catalogue_cases.c) ---- */
#define CATALOGUE_CASES_MAX 8       /* cases kept; documents of later ones count as common */
#define CATALOGUE_CASES_DOCS 64     /* documents looked at; later ones are common */
#define CATALOGUE_CASE_LABEL 160    /* bytes of a label, cut at a word with "…" */
#define CATALOGUE_CASE_MIN_IDF 3.0f /* weight of the case words a question must name */

typedef struct catalogue_cases_t {
    size_t n;                                   /* cases (0: one list for everyone) */
    char label[CATALOGUE_CASES_MAX][CATALOGUE_CASE_LABEL];  /* as written, without
                                                 * "Trường hợp": "ủy quyền thực hiện thủ tục" */
    uint8_t doc_case[CATALOGUE_CASES_DOCS];     /* per document: 0 every case, k: label[k-1] */
} catalogue_cases_t;

/* The cases of p's documents into *out (cleared first): a document whose
 * note or name opens with "Trường hợp" / "Đối với" belongs to the case it
 * names (up to "thì", "phải", "hồ sơ" or ; : . ( ); the others are
 * needed in every case. Returns out->n. p may be NULL (0). */
size_t catalogue_cases(const catalogue_proc *p, catalogue_cases_t *out);
/* The case (index into c->label) a normalised question names: the one
 * whose words beyond p's name the question holds most (IDF-weighted, at
 * least CATALOGUE_CASE_MIN_IDF or half its words); -1 for none or a tie. */
int catalogue_case_pick(const catalogue *cat, const catalogue_proc *p, const catalogue_cases_t *c,
                        const char *normalised);

/* ---- question aspects (config/procedure-aspects.json) ---- */
typedef enum catalogue_aspect {
    CATALOGUE_ASPECT_OVERVIEW = 0,
    CATALOGUE_ASPECT_DOCUMENTS,
    CATALOGUE_ASPECT_FEE,
    CATALOGUE_ASPECT_TIME,
    CATALOGUE_ASPECT_WHERE,
    CATALOGUE_ASPECT_ONLINE,
    CATALOGUE_ASPECT_STEPS,
    CATALOGUE_ASPECT_CONDITIONS,    /* who may apply, what must hold */
    CATALOGUE_ASPECT_LEGAL,         /* the legal basis */
    CATALOGUE_ASPECT_RESULT,        /* what the citizen gets */
    CATALOGUE_ASPECT_FORMS,         /* the forms (mẫu đơn, tờ khai) among the documents */
    CATALOGUE_ASPECT__COUNT
} catalogue_aspect;
/* The aspects offered as buttons after an answer (the others are answered
 * when asked). */
#define CATALOGUE_ASPECT_BUTTONS (CATALOGUE_ASPECT_STEPS + 1)

/* "overview", "documents", "fee", "time", "where", "online", "steps",
 * "conditions", "legal", "result", "forms". */
const char *catalogue_aspect_name(catalogue_aspect a);
/* The aspect for a name, or -1. */
int catalogue_aspect_from_name(const char *name);
/* The aspect a normalised question asks about (the longest keyword phrase
 * found as whole words wins; ties go to the aspect listed first here), or
 * CATALOGUE_ASPECT_OVERVIEW when none matches or no aspects file was loaded. */
catalogue_aspect catalogue_aspect_detect(const catalogue *cat, const char *normalised);
/* Copy normalised into out (capacity >= strlen + 1) without the aspect
 * keyword phrases, squeezing spaces: the words left name the procedure. */
void catalogue_aspect_strip(const catalogue *cat, const char *normalised, char *out, size_t cap);

/* ---- a question of procedure_info ---- */
typedef enum catalogue_verdict {
    CATALOGUE_EMPTY = 0,        /* no search words (e.g. only "lệ phí bao nhiêu?") */
    CATALOGUE_ANSWER,           /* hits[0] is the answer */
    CATALOGUE_CHOOSE,           /* offer hits[0..nhits) */
    CATALOGUE_NOT_FOUND,        /* nothing close enough: say where to ask instead */
} catalogue_verdict;

#define CATALOGUE_ASK_MAX 3

typedef struct catalogue_answer {
    catalogue_verdict verdict;
    catalogue_aspect aspect;
    catalogue_hit hits[CATALOGUE_ASK_MAX];
    size_t nhits;               /* 0 unless ANSWER or CHOOSE */
    size_t nfound;              /* hits the search found (hits[0..nfound) are filled also
                                 * when NOT_FOUND: for diagnostics, never shown) */
    int level;                  /* level the question names (0 xa .. 3 bo), or -1 */
    const char *outside;        /* an "outside" topic of the synonyms ("court", ...): the
                                 * messages key procedure_info.outside.<name>; or NULL */
    char words[256];            /* the search words that were left, normalised */
    char also[256];             /* the "also" words added, " + " between them */
} catalogue_answer;

/* Answer a normalised question the way procedure_info does: synonyms,
 * aspect, question words dropped, "also" words, search, and the verdict.
 * Pointers in *a belong to cat. */
void catalogue_ask(const catalogue *cat, const char *normalised, catalogue_answer *a);
/* "empty", "answer", "choose", "not_found". */
const char *catalogue_verdict_name(catalogue_verdict v);

/* Whether a hit is specific enough to answer without asking back. */
int catalogue_hit_confident(const catalogue_hit *h);
/* 0..1: coverage * alias_coverage (1 for a code): what catalogue_ask's
 * verdict thresholds are measured on. */
float catalogue_hit_confidence(const catalogue_hit *h);

#endif
