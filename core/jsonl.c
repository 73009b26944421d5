/* JSON Lines records: one object per line, parsed with jansson; the keys become the reader's
 * columns in order of first appearance, and each record's values its fields. */
#include <math.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "reader_int.h"

/* ---- a record's allocations ------------------------------------------------------------------ */

/* jansson builds each record as a tree of small allocations, some 40 for a line of 20 keys,
 * and malloc and free took a sixth of an ingest's time. While a reader parses a record, jansson
 * allocates from the reader's arena instead, and the whole tree goes at once when the next
 * record comes (it is never released through jansson). Every other use of jansson, on any
 * thread, gets malloc and free: pointers that are not the arena's are freed as they were. */
struct md_arena_chunk {
    struct md_arena_chunk *next;
    size_t cap, used;
    alignas(16) unsigned char data[];
};

#define ARENA_CHUNK (64u << 10)

static _Thread_local md_reader *parsing; /* whose record jansson is parsing on this thread */

static void *arena_malloc(size_t n)
{
    md_reader *r = parsing;
    if (!r)
        return malloc(n);
    n = (n + 15) & ~(size_t)15;
    struct md_arena_chunk *c = r->arena;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;
        if (!(c = malloc(sizeof *c + cap)))
            return NULL; /* jansson reports it */
        c->next = r->arena;
        c->cap = cap;
        c->used = 0;
        r->arena = c;
    }
    void *p = c->data + c->used;
    c->used += n;
    return p;
}

static void arena_free(void *p)
{
    for (struct md_arena_chunk *c = parsing ? parsing->arena : NULL; c; c = c->next)
        if ((unsigned char *)p >= c->data && (unsigned char *)p < c->data + c->cap)
            return; /* goes with the record */
    free(p);
}

static void install_arena(void)
{
    json_set_alloc_funcs(arena_malloc, arena_free);
}

/* The record's tree gone; one chunk kept for the next. */
static void arena_reset(md_reader *r, bool all)
{
    struct md_arena_chunk *c = r->arena, *keep = NULL;
    while (c) {
        struct md_arena_chunk *next = c->next;
        if (!all && !keep && c->cap == ARENA_CHUNK) {
            keep = c;
            keep->used = 0;
            keep->next = NULL;
        } else {
            free(c);
        }
        c = next;
    }
    r->arena = keep;
}

static void owned_reset(md_reader *r)
{
    for (size_t i = 0; i < r->owned_n; i++)
        free(r->owned[i]);
    r->owned_n = 0;
}

/* Numbers jansson refuses, integers beyond 64 bits and reals beyond a double's range (1e400),
 * are read as the text they are, as a CSV field would be: the line is read again with each
 * such literal made a string of it after a \x01 mark (what no data text starts with), so that
 * the rest of the line reads as written. A numeric column then finds 1e400 not finite, as it
 * does in CSV, and a column nothing reads is not the line's end. */
#define BIG_MARK '\x01'

static size_t skip_digits(const char *p, size_t j, size_t n)
{
    while (j < n && p[j] >= '0' && p[j] <= '9')
        j++;
    return j;
}

/* Whether the real literal p[0 .. len) is beyond a double's range, as jansson finds it. */
static bool real_overflows(const char *p, size_t len)
{
    char *t = md_xmalloc(len + 1);
    memcpy(t, p, len);
    t[len] = '\0';
    double x = strtod(t, NULL);
    free(t);
    return isinf(x);
}

/* The line with its number literals beyond jansson's range marked; NULL when it has none. Only
 * a value is marked, never what stands where a key must (after '{', or after ',' in an
 * object): there the line is to stay invalid. The containers are followed 64 deep; deeper,
 * only a value after ':' is known for one. */
#define MARK_DEPTH 64
static char *mark_big_numbers(const char *p, size_t n, size_t *out_n)
{
    char *o = NULL, open[MARK_DEPTH]; /* the containers around: '{' or '[' */
    size_t k = 0, copied = 0, depth = 0;
    bool in_str = false;
    char prev = '\0'; /* the last character outside strings that is not a space */
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = false, prev = c;
            continue;
        }
        if (c == '"') {
            in_str = true;
            continue;
        }
        bool in_array = depth > 0 && depth <= MARK_DEPTH && open[depth - 1] == '[';
        bool starts = (c == '-' || (c >= '0' && c <= '9')) &&
                      (prev == ':' || ((prev == ',' || prev == '[') && in_array));
        if (c == '{' || c == '[') {
            if (depth < MARK_DEPTH)
                open[depth] = c;
            depth++;
        } else if ((c == '}' || c == ']') && depth > 0) {
            depth--;
        }
        if (c != ' ' && c != '\t' && c != '\r')
            prev = c;
        if (!starts)
            continue;
        /* JSON's grammar: no leading zero, a digit after '.' and in the exponent; what breaks
         * it is left for jansson to name */
        size_t d0 = i + (c == '-'), j = skip_digits(p, d0, n), digits = j - d0, at;
        bool real = false, valid = digits == 1 || (digits > 1 && p[d0] != '0');
        if (j < n && p[j] == '.') {
            at = j + 1, j = skip_digits(p, at, n), real = true;
            valid &= j > at;
        }
        if (j < n && (p[j] == 'e' || p[j] == 'E')) {
            at = j + 1 + (j + 1 < n && (p[j + 1] == '+' || p[j + 1] == '-'));
            j = skip_digits(p, at, n), real = true;
            valid &= j > at;
        }
        const char *lim = c == '-' ? "9223372036854775808" : "9223372036854775807";
        bool big = valid && (real ? real_overflows(p + i, j - i)
                                  : digits > 19 || (digits == 19 && memcmp(p + d0, lim, 19) > 0));
        if (big) {
            if (!o)
                o = md_xmalloc(3 * n + 16); /* a mark adds 8 bytes to a literal of 5 or more */
            memcpy(o + k, p + copied, i - copied);
            k += i - copied;
            k += (size_t)sprintf(o + k, "\"\\u0001");
            memcpy(o + k, p + i, j - i);
            k += j - i;
            o[k++] = '"';
            copied = j;
        }
        i = j - 1;
        prev = '0';
    }
    if (!o)
        return NULL;
    memcpy(o + k, p + copied, n - copied);
    *out_n = k + n - copied;
    return o;
}

/* A dump of an array or object from a marked line, with its marked integers as they were. */
static void unmark_dump(char *t)
{
    char *w = t;
    for (const char *q = t; *q;) {
        if (strncmp(q, "\"\\u0001", 7) == 0) {
            const char *e = q + 7;
            while ((*e >= '0' && *e <= '9') || (*e && strchr("-+.eE", *e)))
                e++;
            if (*e == '"') {
                memmove(w, q + 7, (size_t)(e - (q + 7)));
                w += e - (q + 7);
                q = e + 1;
                continue;
            }
        }
        *w++ = *q++;
    }
    *w = '\0';
}

static void set_json_field(md_reader *r, md_field *f, json_t *v)
{
    *f = (md_field){MD_F_TEXT, false, NULL, 0, 0};
    switch (json_typeof(v)) {
    case JSON_STRING:
        f->p = json_string_value(v);
        f->n = json_string_length(v);
        if (r->big_ints && f->n > 1 && f->p[0] == BIG_MARK) /* a number beyond jansson's */
            f->p++, f->n--;
        break;
    case JSON_INTEGER: { /* its decimal text too: a categorical feature's or an id's */
        json_int_t x = json_integer_value(v);
        f->kind = MD_F_NUMBER;
        f->num = (double)x;
        char digits[24], *t = r->ints + r->ints_n;
        size_t k = 0, n = 0;
        uint64_t u = x < 0 ? 0 - (uint64_t)x : (uint64_t)x;
        do
            digits[k++] = (char)('0' + u % 10);
        while ((u /= 10) > 0);
        if (x < 0)
            t[n++] = '-';
        while (k > 0)
            t[n++] = digits[--k];
        t[n] = '\0';
        r->ints_n += n + 1;
        f->p = t;
        f->n = n;
        break;
    }
    case JSON_REAL:
        f->kind = MD_F_NUMBER; /* text made on demand (md_field_text) */
        f->num = json_real_value(v);
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        f->kind = MD_F_BOOL;
        f->num = json_is_true(v);
        f->p = json_is_true(v) ? "true" : "false";
        f->n = strlen(f->p);
        break;
    case JSON_NULL:
        f->kind = MD_F_NULL;
        break;
    default: {
        char *text = md_json_dump(v, MD_JSON_COMPACT);
        if (r->big_ints)
            unmark_dump(text);
        r->owned = md_xgrow(r->owned, &r->owned_cap, r->owned_n + 1, sizeof *r->owned);
        r->owned[r->owned_n++] = text;
        f->kind = MD_F_OTHER;
        f->p = text;
        f->n = strlen(text);
    }
    }
}

static md_status jsonl_record(md_reader *r, const char *p, size_t n, md_err *err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, install_arena);
    json_error_t je;
    r->json = NULL; /* the last record's tree is the arena's: never released through jansson */
    arena_reset(r, false);
    owned_reset(r);
    r->plain = 0;
    parsing = r;
    r->json = json_loadb(p, n, JSON_REJECT_DUPLICATES, &je);
    parsing = NULL;
    r->big_ints = false;
    size_t mn;
    char *marked = !r->json && json_error_code(&je) == json_error_numeric_overflow
                       ? mark_big_numbers(p, n, &mn)
                       : NULL;
    if (marked) { /* a number beyond jansson's range: as its text */
        parsing = r;
        r->json = json_loadb(marked, mn, JSON_REJECT_DUPLICATES, &je);
        parsing = NULL;
        r->big_ints = r->json != NULL;
        for (size_t i = 0; !r->json && i + 7 <= (size_t)je.position; i++)
            je.column -= memcmp(marked + i, "\"\\u0001", 7) ? 0 : 8; /* as in the line */
        if (!r->json) /* a marked number the error quotes: as the line has it */
            unmark_dump(je.text);
        free(marked);
    }
    /* the line is behind the reader already: either is a bad row */
    r->skippable = !r->json || !json_is_object(r->json);
    if (!r->json && strstr(je.text, "end of file expected")) /* jansson's words for it */
        return md_reader_fail_at(r, err, r->record_line, NULL,
                                 "invalid JSON at column %d: text after the JSON value", je.column);
    if (!r->json && strstr(je.text, "\\u0000")) /* texts are C strings from here on */
        return md_reader_fail_at(r, err, r->record_line, NULL,
                                 "invalid JSON at column %d: a string holds \\u0000 (NUL)",
                                 je.column);
    const char *near = r->json ? NULL : strstr(je.text, "' expected near ");
    if (near && strstr(je.text, "'[' or '{' expected")) /* a line that is a number or a text */
        return md_reader_fail_at(r, err, r->record_line, NULL, "expected a JSON object, found %s",
                                 near + 16);
    if (!r->json)
        return md_reader_fail_at(r, err, r->record_line, NULL, "invalid JSON at column %d: %s",
                                 je.column, je.text);
    if (!json_is_object(r->json))
        return md_reader_fail_at(r, err, r->record_line, NULL, "expected a JSON object");
    const char *key;
    json_t *v;
    if (json_object_get(r->json, "")) { /* as a CSV header column without a name */
        r->skippable = true;
        return md_reader_fail_at(r, err, r->record_line, NULL, "a key has no name (\"\")");
    }
    /* each key's column, new keys added in order of first appearance, in one look-up each */
    size_t nkeys = json_object_size(r->json);
    r->key_col = md_xgrow(r->key_col, &r->key_col_cap, nkeys + 1, sizeof *r->key_col);
    size_t k = 0;
    json_object_foreach(r->json, key, v) r->key_col[k++] =
        md_strmap_intern(&r->cols, key, strlen(key));
    size_t ncols = md_reader_ncols(r);
    ensure_fields(r, ncols);
    memset(r->fields, 0, ncols * sizeof *r->fields); /* MD_F_ABSENT */
    r->ints = md_xgrow(r->ints, &r->ints_cap, nkeys * 24 + 1, 1); /* no move while filled */
    r->ints_n = 0;
    k = 0;
    json_object_foreach(r->json, key, v) set_json_field(r, &r->fields[r->key_col[k++]], v);
    return MD_OK;
}

/* The top-level key whose value holds byte `at` of the object text p (a line too long to parse,
 * named in its message by the key whose value went past the limit): scanned as JSON is
 * tokenized, strings and nesting followed. False when the line is not an object or `at` lies
 * in no key's value (in a key, or between a comma and the next key). The key decoded, with any
 * control character shown as '?', up to `cap` - 1 bytes. */
static bool key_at(const char *p, size_t at, char *out, size_t cap)
{
    size_t i = 0;
    while (i < at && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r'))
        i++;
    if (i >= at || p[i] != '{')
        return false;
    int depth = 0;
    bool in_str = false, esc = false, is_key = false, key_next = false, got = false;
    size_t str = 0, ks = 0, kn = 0;
    for (; i < at; i++) {
        char c = p[i];
        if (in_str) {
            if (esc)
                esc = false;
            else if (c == '\\')
                esc = true;
            else if (c == '"' && (in_str = false, is_key))
                ks = str, kn = i - str, got = true;
            continue;
        }
        if (c == '"') {
            in_str = true;
            str = i + 1;
            is_key = depth == 1 && key_next;
            key_next = false;
        } else if (c == '{' || c == '[') {
            key_next = ++depth == 1;
        } else if (c == '}' || c == ']') {
            depth--;
        } else if (c == ',' && depth == 1) {
            key_next = true;
            got = false; /* that key's value ended */
        }
    }
    if (!got || (in_str && is_key) || depth < 1)
        return false;
    json_error_t e;
    json_t *k = json_loadb(p + ks - 1, kn + 2, JSON_DECODE_ANY, &e); /* the key, quotes and all */
    const char *t = json_string_value(k);
    size_t n = 0;
    for (; t && t[n] && n + 1 < cap; n++)
        out[n] = (unsigned char)t[n] < 0x20 || t[n] == 0x7F ? '?' : t[n];
    while (n > 0 && t && ((unsigned char)t[n] & 0xC0) == 0x80) /* cut between characters */
        n--;
    out[n] = '\0';
    json_decref(k);
    return n > 0;
}

static bool blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
            return false;
    return true;
}

md_status md_jsonl_next(md_reader *r, bool *done, md_err *err)
{
    for (;;) {
        md_reader_fill(r);
        if (r->pos >= r->size || past_limit(r)) {
            *done = true;
            return r->io_error || r->cut ? md_reader_fail_at(r, err, r->line, NULL, "read error")
                                         : MD_OK; /* a cut file: md_reader_fail_at says so */
        }
        const char *p = r->base + r->pos;
        const char *nl = memchr(p, '\n', r->size - r->pos);
        size_t n = nl ? (size_t)(nl - p) : r->size - r->pos;
        r->record_line = r->line++;
        if (n > MD_RECORD_MAX || (!nl && !r->eof)) {
            char key[64];
            bool named = key_at(p, n < MD_RECORD_MAX ? n : MD_RECORD_MAX, key, sizeof key);
            md_reader_fail_at(r, err, r->record_line, named ? key : NULL,
                              "record longer than 1 MiB");
            md_reader_skip_line(r, false); /* its line was counted above */
            r->skippable = !r->cut;
            return err->code;
        }
        r->pos += n + (nl != NULL);
        if (!blank(p, n))
            return jsonl_record(r, p, n, err);
    }
}

void md_jsonl_free(md_reader *r)
{
    r->json = NULL; /* the arena's */
    arena_reset(r, true);
    owned_reset(r);
    free(r->owned);
    r->owned = NULL;
    r->owned_cap = 0;
    free(r->key_col);
    free(r->ints);
    r->key_col = NULL;
    r->ints = NULL;
    r->key_col_cap = r->ints_cap = r->ints_n = 0;
}
