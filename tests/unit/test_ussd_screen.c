/* test_ussd_screen.c -- the USSD screens the flow composes from its cache
 * (bot/ussd/ussd_cache.c: folded texts, every menu's lines and footers made
 * once) are byte for byte the screens composed afresh, for every screen of
 * config/ussd.json, every page (and one past the last), at home and deeper,
 * with and without an error line, in GSM-7 and in UCS-2; a route whose
 * lists are in the former array forms (saved by an earlier version) shows
 * the same screens once upgraded (bot/ussd/ussd_route.c); and a SIGHUP that
 * changes the texts shows the new texts at once. No Redis: only the
 * composition (ussd_compose) runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "t.h"
#include "bot/app/config.h"
#include "bot/app/messages.h"
#include "bot/ussd/ussd_int.h"

static config *cfg;
static messages *msgs;
static ussd_menu *menu;

static const char *const pages[] = {"Hồ sơ gồm: tờ khai", "Lệ phí: 0 đồng", "Nơi nộp: BHXH huyện"};

/* A route on screen sc: stack [home?, sc], page p, a few variables, a list
 * of items and result pages (used by list and action screens); the lists
 * as strings, or in the former array forms (old). */
static json_t *route(const ussd_screen *sc, int deep, int p, int old)
{
    json_t *st = json_object();
    json_t *s = json_array();
    buf b = {0};
    if (deep)
        json_array_append_new(s, json_string(ussd_menu_home(menu)->id));
    json_array_append_new(s, json_string(sc->id));
    for (size_t i = 0; i < json_array_size(s); i++)
        ussd_strs_put(&b, json_string_value(json_array_get(s, i)));
    json_object_set_new(st, "s", old ? s : json_stringn(b.data, b.len));
    if (!old)
        json_decref(s);
    buf_reset(&b);
    json_object_set_new(st, "p", json_integer(p));
    json_object_set_new(st, "v", json_pack("{s:s, s:s, s:s}", "proc_name", "Cấp lại sổ BHXH",
                                           "code", "000.00.12.H18-240101-0001", "field_name",
                                           "Bảo hiểm xã hội, bảo hiểm y tế"));
    json_t *it = json_array();
    for (int i = 0; i < 14; i++) {
        char v[16], l[96];
        snprintf(v, sizeof(v), "%d", i);
        snprintf(l, sizeof(l), "Thủ tục số %d: đăng ký, cấp đổi giấy tờ {x} […]", i);
        json_array_append_new(it, json_pack("[ss]", v, l));
        ussd_strs_put(&b, v);
        ussd_strs_put(&b, l);
    }
    json_object_set_new(st, "it", old ? it : json_stringn(b.data, b.len));
    if (!old)
        json_decref(it);
    buf_reset(&b);
    for (size_t i = 0; i < 3; i++)
        ussd_strs_put(&b, pages[i]);
    json_object_set_new(st, "res", old ? json_pack("[sss]", pages[0], pages[1], pages[2])
                                       : json_stringn(b.data, b.len));
    buf_free(&b);
    return st;
}

typedef struct shot {
    char *screen;
    int end;
    const char *err;
    long long p;
} shot;

static shot compose(ussd_flow *f, const ussd_screen *sc, int deep, int p, const char *err,
                    int fresh, int old)
{
    ussd_call c = {.f = f, .st = route(sc, deep, p, old), .err = err};
    shot s = {0};
    if (old)
        ussd_route_upgrade(&c);
    ussd_cache_off(f, fresh);
    s.screen = ussd_compose(&c, &s.end);
    s.err = c.err;
    s.p = json_integer_value(json_object_get(c.st, "p"));
    ussd_cache_off(f, 0);
    json_decref(c.st);
    return s;
}

static int same_shot(const shot *a, const shot *b)
{
    return !strcmp(a->screen, b->screen) && a->end == b->end && a->err == b->err && a->p == b->p;
}

/* Every screen x page x depth x error: cached == fresh, and an old route
 * upgraded == the new one (*old_bad counts those that differ). Returns cases. */
static size_t compare_all(ussd_flow *f, size_t *bad, size_t *menus, size_t *old_bad)
{
    static const char *const errs[] = {NULL, "ussd.error.choice"};
    size_t n = 0;
    for (size_t i = 0; i < ussd_menu_nscreens(menu); i++) {
        const ussd_screen *sc = ussd_menu_screen_at(menu, i);
        *menus += sc->type == USSD_MENU;
        for (int p = 0; p < 5; p++)
            for (int deep = 0; deep < 2; deep++)
                for (size_t e = 0; e < 2; e++) {
                    shot a = compose(f, sc, deep, p, errs[e], 0, 0);
                    shot b = compose(f, sc, deep, p, errs[e], 1, 0);
                    shot o = compose(f, sc, deep, p, errs[e], 0, 1);
                    if (!same_shot(&a, &b) && (*bad)++ < 3)
                        printf("# %s p%d deep%d err%zu:\n#  cached %s\n#  fresh  %s\n", sc->id,
                               p, deep, e, a.screen, b.screen);
                    if (!same_shot(&a, &o) && (*old_bad)++ < 3)
                        printf("# %s p%d deep%d err%zu:\n#  new %s\n#  old %s\n", sc->id, p,
                               deep, e, a.screen, o.screen);
                    free(a.screen);
                    free(b.screen);
                    free(o.screen);
                    n++;
                }
    }
    return n;
}

static ussd_flow *flow(void)
{
    ussd_flow_deps d = {.msgs = msgs, .cfg = cfg, .menu = menu};
    return ussd_flow_new(&d);
}

static void test_cached_equals_fresh(int unicode)
{
    cfg->ussd.unicode = unicode;
    ussd_flow *f = flow();
    size_t bad = 0, menus = 0, old_bad = 0, n = compare_all(f, &bad, &menus, &old_bad);
    T_OK(bad == 0 && menus > 0 && n == ussd_menu_nscreens(menu) * 20,
         "%s: cached = fresh on %zu screens (%zu menus), %zu compositions, %zu differ",
         unicode ? "UCS-2" : "GSM-7", ussd_menu_nscreens(menu), menus, n, bad);
    T_OK(old_bad == 0, "%s: a route in the former array forms shows the same %zu screens "
         "(%zu differ)", unicode ? "UCS-2" : "GSM-7", n, old_bad);
    /* the cache is used: a menu's layout is there, and a second pass agrees */
    const ussd_screen *home = ussd_menu_home(menu);
    ussd_call c = {.f = f};
    T_OK(home->type != USSD_MENU || ussd_cache_menu(&c, home) != NULL, "the home menu is cached");
    bad = 0;
    compare_all(f, &bad, &menus, &old_bad);
    T_OK(bad == 0, "a second pass (warm memo) agrees too");
    ussd_flow_free(f);
    cfg->ussd.unicode = 0;
}

/* messages.vi.json with the nav line "back" and the home menu's first label
 * changed, written to a temp file. */
static const char *changed_texts(const char *first_label)
{
    static char path[] = "/tmp/dvc-ussd-screen-XXXXXX";
    json_error_t je;
    json_t *m = json_load_file(cfg->files.messages, 0, &je);
    json_object_set_new(json_object_get(m, "ussd.nav.back"), "vi", json_string("0 Trở về"));
    json_object_set_new(json_object_get(m, first_label), "vi", json_string("Tra cứu hồ sơ (mới)"));
    int fd = mkstemp(path);
    FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (fp) {
        json_dumpf(m, fp, JSON_INDENT(1));
        fclose(fp);
    }
    json_decref(m);
    return path;
}

static void test_reload(void)
{
    ussd_flow *f = flow();
    const ussd_screen *home = ussd_menu_home(menu);
    shot before = compose(f, home, 1, 0, NULL, 0, 0);
    char err[512];
    const char *path = changed_texts(home->items[0].label);
    int rc = messages_reload(msgs, path, err, sizeof(err));
    shot a = compose(f, home, 1, 0, NULL, 0, 0), b = compose(f, home, 1, 0, NULL, 1, 0);
    T_OK(rc == 0 && strstr(a.screen, "1. Tra cuu ho so (moi)") && strstr(a.screen, "0 Tro ve") &&
         !strcmp(a.screen, b.screen) && strcmp(a.screen, before.screen),
         "after a texts reload the cached menu shows the new texts: %s", a.screen);
    unlink(path);
    free(before.screen);
    free(a.screen);
    free(b.screen);
    ussd_flow_free(f);
}

/* st.it from (value, label) pairs: the cache's shared string is what a
 * list made afresh holds; a text not UTF-8 leaves its item out. */
static void test_items(void)
{
    ussd_flow *f = flow();
    const char *pairs[] = {"0", "Hộ tịch", "1", "Đất \xff đai", "2", "Xây dựng"};
    const char *good[] = {"0", "Hộ tịch", "2", "Xây dựng"};
    ussd_call c = {.f = f, .st = json_object()}, d = {.f = f, .st = json_object()};
    ussd_cache_items(&c, good, 4);
    json_t *first = json_object_get(c.st, "it");
    ussd_cache_items(&d, good, 4);
    int shared = json_object_get(d.st, "it") == first;
    ussd_cache_off(f, 1);
    ussd_cache_items(&d, good, 4);
    ussd_cache_off(f, 0);
    json_t *fresh = json_object_get(d.st, "it");
    T_OK(shared && fresh != first && json_equal(fresh, first),
         "list items: shared by the cache, the same made afresh");
    ussd_cache_items(&d, pairs, 6);
    const char *it[6];
    size_t n = ussd_strs_get(&d, "it", it, 6);
    T_OK(json_equal(json_object_get(d.st, "it"), first) && n == 4 && !strcmp(it[0], "0") &&
         !strcmp(it[1], "Hộ tịch") && !strcmp(it[2], "2") && !strcmp(it[3], "Xây dựng"),
         "list items: the one not UTF-8 is left out, the others in order");
    ussd_strs_drop_last(&c, "it");
    T_OK(ussd_strs_count(&c, "it") == 3 && !strcmp(ussd_strs_at(&c, "it", 2), "2") &&
         !ussd_strs_at(&c, "it", 3) && ussd_strs_count(&d, "it") == 4,
         "the last entry of a list dropped (the shared string is left as it was)");
    json_decref(c.st);
    json_decref(d.st);
    ussd_flow_free(f);
}

int main(void)
{
    char err[512];
    if (!(cfg = config_load("config/dvcbot.json", err, sizeof(err))) ||
        !(msgs = messages_load(cfg->files.messages, err, sizeof(err))) ||
        !(menu = ussd_menu_load(cfg->files.ussd, msgs, err, sizeof(err)))) {
        printf("not ok 1 - load: %s\n", err);
        return 1;
    }
    test_cached_equals_fresh(0);
    test_cached_equals_fresh(1);
    test_reload();
    test_items();
    ussd_menu_free(menu);
    messages_free(msgs);
    config_free(cfg);
    return t_done();
}
