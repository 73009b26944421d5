#include "logrows.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "values.h"

md_columns md_columns_defaults(const md_columns *g)
{
    md_columns c = *g;
    const md_columns *k = g->known;
    if (k) {
        c.ts = c.ts ? c.ts : k->ts;
        c.id = c.id ? c.id : k->id;
        c.score = c.score ? c.score : k->score;
        c.label = c.label ? c.label : k->label;
        c.latency = c.latency ? c.latency : k->latency;
    }
    c.known = NULL;
    c.ts = c.ts ? c.ts : "ts";
    c.score = c.score ? c.score : "score";
    c.label = c.label ? c.label : "label";
    return c;
}

static int64_t find(const md_reader *r, const char *name)
{
    return name ? md_reader_find(r, name) : -1;
}

/* A role's name taken from the baseline that the file lacks: its default, when the file has that
 * (a log keeping the usual names while the baseline's export renamed them). */
static void or_default(const md_reader *r, const char *given, const char *known, const char *dflt,
                       bool is_feature, int64_t *at, const char **name)
{
    if (given || !known || *at >= 0 || strcmp(known, dflt) == 0 || is_feature)
        return;
    int64_t i = find(r, dflt);
    if (i >= 0)
        *at = i, *name = dflt;
}

void md_colmap_refresh(const md_reader *r, const md_columns *names, md_colmap *m)
{
    md_columns c = md_columns_defaults(names);
    m->names = c;
    m->ts = find(r, c.ts);
    m->id = find(r, c.id);
    m->score = find(r, c.score);
    m->label = find(r, c.label);
    m->latency = find(r, c.latency);
    const md_columns *k = names->known;
    if (k) {
        unsigned f = k->features_named_default;
        or_default(r, names->ts, k->ts, "ts", f & MD_ROLE_TS, &m->ts, &m->names.ts);
        or_default(r, names->score, k->score, "score", f & MD_ROLE_SCORE, &m->score,
                   &m->names.score);
        or_default(r, names->label, k->label, "label", f & MD_ROLE_LABEL, &m->label,
                   &m->names.label);
    }
}

/* What the header has, for a message about a column it lacks: its first columns, and a guess
 * at why when it reads as one column (another separator, or JSON Lines under another name). */
static void header_note(const md_reader *r, char *out, size_t cap)
{
    size_t n = md_reader_ncols(r), len = 0;
    len += (size_t)snprintf(out, cap, "; its columns: ");
    for (size_t i = 0; i < n && len < cap; i++) {
        if (len > 120) {
            len += (size_t)snprintf(out + len, cap - len, ", ... (%zu in all)", n);
            break;
        }
        len +=
            (size_t)snprintf(out + len, cap - len, "%s'%.40s'", i ? ", " : "", md_reader_col(r, i));
    }
    const char *first = n ? md_reader_col(r, 0) : "";
    const char *sep = strchr(first, ';')    ? "';'"
                      : strchr(first, '\t') ? "tabs"
                      : strchr(first, '|')  ? "'|'"
                                            : NULL;
    if (len < cap && first[0] == '{')
        snprintf(out + len, cap - len,
                 " (it reads as JSON Lines, not CSV: name it .jsonl or add --format jsonl)");
    else if (len < cap && n == 1 && sep)
        snprintf(out + len, cap - len, " (one column: separated by %s? CSV needs commas)", sep);
}

/* A column the header has under another case: names are matched exactly. */
static void case_note(const md_reader *r, const char *want, char *out, size_t cap)
{
    out[0] = '\0';
    for (size_t i = 0; i < md_reader_ncols(r); i++)
        if (strcasecmp(md_reader_col(r, i), want) == 0) {
            snprintf(out, cap, "the file has '%.40s': names match exactly; ", md_reader_col(r, i));
            return;
        }
}

/* Where a role's column name came from, for a message: the command's flag, the baseline, or
 * the default name. */
static const char *name_source(const md_columns *given, int role)
{
    static const char *const flag[] = {"--ts-col", "--id-col", "--score-col", "--label-col",
                                       "--latency-col"};
    const md_columns *k = given->known;
    const char *g[] = {given->ts, given->id, given->score, given->label, given->latency};
    const char *b[] = {k ? k->ts : NULL, k ? k->id : NULL, k ? k->score : NULL, k ? k->label : NULL,
                       k ? k->latency : NULL};
    return g[role] ? flag[role] : b[role] ? "as the baseline names it" : "by default";
}

/* Two roles (score, label, ...) given the same column: each needs its own. */
static md_status roles_apart(const md_columns *given, const md_columns *c, md_err *err)
{
    const char *name[] = {c->ts, c->id, c->score, c->label, c->latency};
    const char *role[] = {"timestamp", "id", "score", "label", "latency"};
    for (int i = 0; i < 5; i++)
        for (int j = i + 1; j < 5; j++)
            if (name[i] && name[j] && strcmp(name[i], name[j]) == 0)
                return md_err_set(err, MD_INVALID,
                                  "column '%s' is named as both the %s column (%s) and the %s "
                                  "column (%s); each needs its own (--ts-col, --id-col, "
                                  "--score-col, --label-col, --latency-col)",
                                  name[i], role[i], name_source(given, i), role[j],
                                  name_source(given, j));
    return MD_OK;
}

/* When the file has a role's default column and the baseline counts it as a feature: so, for
 * the message about the role's missing column. */
static void feature_note(const md_reader *r, const md_columns *names, unsigned role,
                         const char *dflt, const char *flag, char *out, size_t cap)
{
    const md_columns *k = names->known;
    out[0] = '\0';
    if (k && (k->features_named_default & role) && find(r, dflt) >= 0)
        snprintf(out, cap,
                 "; column '%s' is one of the baseline's features: to read it as the %s, build "
                 "the baseline again with %s %s --replace",
                 dflt, role == MD_ROLE_TS ? "timestamp" : "score", flag, dflt);
}

md_status md_colmap_resolve(const md_reader *r, const md_columns *names, bool need_ts,
                            md_colmap *m, md_err *err)
{
    md_columns c = md_columns_defaults(names);
    if (roles_apart(names, &c, err) != MD_OK)
        return err->code;
    md_colmap_refresh(r, names, m);
    bool csv = md_reader_format(r) == MD_FMT_CSV; /* JSON Lines columns appear as keys do */
    const char *path = md_reader_path(r);
    char note[256];
    if (csv && (m->score < 0 || (need_ts && m->ts < 0)))
        header_note(r, note, sizeof note);
    const md_columns *k = names->known; /* names from the baseline, not from the command */
    bool kscore = !names->score && k && k->score && strcmp(k->score, "score") != 0,
         kts = !names->ts && k && k->ts && strcmp(k->ts, "ts") != 0;
    char cased[96], feature[192];
    if (csv && m->score < 0) {
        case_note(r, c.score, cased, sizeof cased);
        feature_note(r, names, MD_ROLE_SCORE, "score", "--score-col", feature, sizeof feature);
        return md_err_set(
            err, MD_ERROR, "%s: no score column '%s' (%s%sname it with --score-col)%s%s", path,
            c.score, kscore ? "the baseline's name for it; " : "", cased, feature, note);
    }
    if (csv && need_ts && m->ts < 0) {
        case_note(r, c.ts, cased, sizeof cased);
        feature_note(r, names, MD_ROLE_TS, "ts", "--ts-col", feature, sizeof feature);
        return md_err_set(err, MD_ERROR,
                          "%s: no timestamp column '%s' (%s%sname it with --ts-col)%s%s", path,
                          c.ts, kts ? "the baseline's name for it; " : "", cased, feature, note);
    }
    const char *named[] = {names->ts, names->id, names->label, names->latency};
    int64_t found[] = {m->ts, m->id, m->label, m->latency};
    const char *flag[] = {"--ts-col", "--id-col", "--label-col", "--latency-col"};
    for (int i = !need_ts; csv && i < 4; i++) /* a baseline keeps a timestamp name it lacks */
        if (named[i] && found[i] < 0)
            return md_err_set(err, MD_ERROR, "%s: no column '%s' (given with %s)", path,
                              named[i], flag[i]);
    return MD_OK;
}

md_status md_bad_share_check(const md_read_opts *o, const char *path, int64_t good, int64_t bad,
                             const char *first_bad, md_err *err)
{
    double all = (double)good + (double)bad;
    if (o->max_bad_share <= 0 || bad == 0 || (double)bad <= o->max_bad_share * all)
        return MD_OK;
    return md_err_set(err, MD_ERROR,
                      "%s: %lld of %lld rows were bad (%.3g%%), more than --max-bad-rows %.3g%%; "
                      "the first: %s",
                      path, (long long)bad, (long long)(good + bad), 100.0 * (double)bad / all,
                      100.0 * o->max_bad_share, first_bad);
}

md_status md_over_bad_rows(md_err *err, int64_t n, int64_t max)
{
    if (max > 0) {
        char was[MD_ERR_MSG_MAX];
        snprintf(was, sizeof was, "%s", err->msg);
        md_err_set(err, err->code, "%s (bad row %lld, more than --max-bad-rows %lld)", was,
                   (long long)n, (long long)max);
    }
    return err->code;
}

bool md_colmap_special(const md_colmap *m, int64_t i)
{
    return i == m->ts || i == m->id || i == m->score || i == m->label || i == m->latency;
}

static bool bad(const char **col, const char *name, char *why, size_t cap, const char *fmt,
                const md_field *f)
{
    char text[40];
    size_t n;
    const char *t = md_field_text(f, text, &n);
    *col = name;
    snprintf(why, cap, fmt, (int)(n > 60 ? 60 : n), t);
    return false;
}

/* A text field with spaces or tabs around what it holds: said so, for the value within may be
 * right (" 0.5" is no number, as values are read whole, and would otherwise be called out of
 * range). */
static bool spaced(const md_field *f)
{
    return f->kind == MD_F_TEXT && f->n > 0 &&
           (f->p[0] == ' ' || f->p[0] == '\t' || f->p[f->n - 1] == ' ' || f->p[f->n - 1] == '\t');
}

#define SPACED "'%.*s' has spaces around it: a field holds its value alone"

/* A timestamp that starts as an ISO-8601 date and does not parse: the parser's reason (no zone,
 * no such date, outside the years 0001 to 9999), named with the column. */
static bool iso_why(const md_field *ts, const char **col, const char *name, char *why, size_t cap)
{
    char text[MD_TS_FIELD_MAX + 1];
    if (ts->kind != MD_F_TEXT || ts->n < 5 || ts->n >= sizeof text)
        return false;
    if ((ts->p[4] != '-' || strspn(ts->p, "0123456789") != 4) &&
        !md_time_is_iso_basic(ts->p, ts->n))
        return false;
    memcpy(text, ts->p, ts->n);
    text[ts->n] = '\0';
    int64_t ms;
    md_err e;
    if (md_time_parse_iso(text, true, &ms, &e) == MD_OK)
        return false;
    *col = name;
    snprintf(why, cap, "%s", e.msg);
    return true;
}

/* Each value is read first and looked at as a missing one only when it does not read: a
 * timestamp, number or label is never a missing value. */
bool md_row_read(const md_field *f, const md_colmap *m, bool need_ts, md_rowvals *v,
                 const char **col, char *why, size_t cap)
{
    static const md_field absent = {MD_F_ABSENT, false, NULL, 0, 0};
    const md_field *ts = m->ts >= 0 ? &f[m->ts] : &absent;
    const md_field *sc = m->score >= 0 ? &f[m->score] : &absent;
    memset(v, 0, sizeof *v);
    const md_columns *n = &m->names;
    if (need_ts && !md_value_time(ts, &v->ts_ms)) { /* a baseline's is not read */
        double x;
        if (md_value_number(ts, &x) && x >= MD_EPOCH_END_S)
            return bad(col, n->ts, why, cap,
                       "'%.*s' is not a timestamp: as epoch seconds it is past the year 9999 "
                       "(epoch milliseconds?)",
                       ts);
        if (spaced(ts))
            return bad(col, n->ts, why, cap, SPACED, ts);
        if (iso_why(ts, col, n->ts, why, cap)) /* a date: what is wrong with it */
            return false;
        if (!md_value_missing(ts))
            return bad(col, n->ts, why, cap,
                       "'%.*s' is not a timestamp (ISO-8601 with Z or an offset, or epoch seconds)",
                       ts);
        return bad(col, n->ts, why, cap, "missing timestamp%.*s", &absent);
    }
    if (!md_value_number(sc, &v->score)) {
        if (md_value_missing(sc) && sc->kind == MD_F_TEXT && sc->n > 0)
            return bad(col, n->score, why, cap, "missing score ('%.*s' reads as missing)", sc);
        if (m->score < 0) /* JSON Lines: no record so far had the key */
            return bad(col, n->score, why, cap,
                       "no record so far has this key (name the score's key with "
                       "--score-col)%.*s",
                       &absent);
        if (md_value_missing(sc))
            return bad(col, n->score, why, cap, "missing score%.*s", &absent);
        if (spaced(sc))
            return bad(col, n->score, why, cap, SPACED, sc);
        return bad(col, n->score, why, cap, "'%.*s' is not a probability in [0, 1]", sc);
    }
    if (v->score < 0 || v->score > 1)
        return bad(col, n->score, why, cap, "'%.*s' is not a probability in [0, 1]", sc);
    if (m->label >= 0) {
        const md_field *lb = &f[m->label];
        if (md_value_label(lb, &v->label))
            v->has_label = true;
        else if (!md_value_missing(lb))
            return bad(col, n->label, why, cap,
                       spaced(lb) ? SPACED : "'%.*s' is not a label (0 or 1)", lb);
    }
    if (m->latency >= 0) {
        const md_field *lt = &f[m->latency];
        if (md_value_number(lt, &v->latency)) {
            if (v->latency < 0)
                return bad(col, n->latency, why, cap, "'%.*s' is not a latency in ms (>= 0)", lt);
            v->has_latency = true;
        } else if (!md_value_missing(lt)) {
            return bad(col, n->latency, why, cap,
                       spaced(lt) ? SPACED : "'%.*s' is not a latency in ms (>= 0)", lt);
        }
    }
    return true;
}
