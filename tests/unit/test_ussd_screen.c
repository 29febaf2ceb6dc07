/* test_ussd_screen.c -- the USSD screens the flow composes from its cache
 * (bot/ussd/ussd_cache.c: folded texts, every menu's lines and footers made
 * once) are byte for byte the screens composed afresh, for every screen of
 * config/ussd.json, every page (and one past the last), at home and deeper,
 * with and without an error line, in GSM-7 and in UCS-2; and a SIGHUP that
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

/* A route on screen sc: stack [home?, sc], page p, a few variables, a list
 * of items and result pages (used by list and action screens). */
static json_t *route(const ussd_screen *sc, int deep, int p)
{
    json_t *st = json_object();
    json_t *s = json_array();
    if (deep)
        json_array_append_new(s, json_string(ussd_menu_home(menu)->id));
    json_array_append_new(s, json_string(sc->id));
    json_object_set_new(st, "s", s);
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
    }
    json_object_set_new(st, "it", it);
    json_object_set_new(st, "res", json_pack("[sss]", "Hồ sơ gồm: tờ khai", "Lệ phí: 0 đồng",
                                             "Nơi nộp: BHXH huyện"));
    return st;
}

typedef struct shot {
    char *screen;
    int end;
    const char *err;
    long long p;
} shot;

static shot compose(ussd_flow *f, const ussd_screen *sc, int deep, int p, const char *err,
                    int fresh)
{
    ussd_call c = {.f = f, .st = route(sc, deep, p), .err = err};
    shot s = {0};
    ussd_cache_off(f, fresh);
    s.screen = ussd_compose(&c, &s.end);
    s.err = c.err;
    s.p = json_integer_value(json_object_get(c.st, "p"));
    ussd_cache_off(f, 0);
    json_decref(c.st);
    return s;
}

/* Every screen x page x depth x error: cached == fresh. Returns cases. */
static size_t compare_all(ussd_flow *f, size_t *bad, size_t *menus)
{
    static const char *const errs[] = {NULL, "ussd.error.choice"};
    size_t n = 0;
    for (size_t i = 0; i < ussd_menu_nscreens(menu); i++) {
        const ussd_screen *sc = ussd_menu_screen_at(menu, i);
        *menus += sc->type == USSD_MENU;
        for (int p = 0; p < 5; p++)
            for (int deep = 0; deep < 2; deep++)
                for (size_t e = 0; e < 2; e++) {
                    shot a = compose(f, sc, deep, p, errs[e], 0);
                    shot b = compose(f, sc, deep, p, errs[e], 1);
                    int same = !strcmp(a.screen, b.screen) && a.end == b.end &&
                               a.err == b.err && a.p == b.p;
                    if (!same && (*bad)++ < 3)
                        printf("# %s p%d deep%d err%zu:\n#  cached %s\n#  fresh  %s\n", sc->id,
                               p, deep, e, a.screen, b.screen);
                    free(a.screen);
                    free(b.screen);
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
    size_t bad = 0, menus = 0, n = compare_all(f, &bad, &menus);
    T_OK(bad == 0 && menus > 0 && n == ussd_menu_nscreens(menu) * 20,
         "%s: cached = fresh on %zu screens (%zu menus), %zu compositions, %zu differ",
         unicode ? "UCS-2" : "GSM-7", ussd_menu_nscreens(menu), menus, n, bad);
    /* the cache is used: a menu's layout is there, and a second pass agrees */
    const ussd_screen *home = ussd_menu_home(menu);
    ussd_call c = {.f = f};
    T_OK(home->type != USSD_MENU || ussd_cache_menu(&c, home) != NULL, "the home menu is cached");
    bad = 0;
    compare_all(f, &bad, &menus);
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
    shot before = compose(f, home, 1, 0, NULL, 0);
    char err[512];
    const char *path = changed_texts(home->items[0].label);
    int rc = messages_reload(msgs, path, err, sizeof(err));
    shot a = compose(f, home, 1, 0, NULL, 0), b = compose(f, home, 1, 0, NULL, 1);
    T_OK(rc == 0 && strstr(a.screen, "1. Tra cuu ho so (moi)") && strstr(a.screen, "0 Tro ve") &&
         !strcmp(a.screen, b.screen) && strcmp(a.screen, before.screen),
         "after a texts reload the cached menu shows the new texts: %s", a.screen);
    unlink(path);
    free(before.screen);
    free(a.screen);
    free(b.screen);
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
    ussd_menu_free(menu);
    messages_free(msgs);
    config_free(cfg);
    return t_done();
}
