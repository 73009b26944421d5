/* JSON Lines records: one object per line, parsed with jansson; the keys become the reader's
 * columns in order of first appearance, and each record's values its fields. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "reader_int.h"

static void owned_reset(md_reader *r)
{
    for (size_t i = 0; i < r->owned_n; i++)
        free(r->owned[i]);
    r->owned_n = 0;
}

static void set_json_field(md_reader *r, md_field *f, json_t *v)
{
    *f = (md_field){MD_F_TEXT, false, NULL, 0, 0};
    switch (json_typeof(v)) {
    case JSON_STRING:
        f->p = json_string_value(v);
        f->n = json_string_length(v);
        break;
    case JSON_INTEGER: {
        char buf[32];
        f->kind = MD_F_NUMBER;
        f->num = (double)json_integer_value(v);
        int k = snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        r->owned = md_xgrow(r->owned, &r->owned_cap, r->owned_n + 1, sizeof *r->owned);
        r->owned[r->owned_n++] = md_xstrdup(buf);
        f->p = r->owned[r->owned_n - 1];
        f->n = (size_t)k;
        break;
    }
    case JSON_REAL:
        f->kind = MD_F_NUMBER; /* text made on demand (md_field_text) */
        f->num = json_real_value(v);
        if (r->ints_as_reals && f->num == floor(f->num) && fabs(f->num) < 9007199254740992.0) {
            char buf[32]; /* it was an integer when written: its decimal text */
            int k = snprintf(buf, sizeof buf, "%.0f", f->num);
            r->owned = md_xgrow(r->owned, &r->owned_cap, r->owned_n + 1, sizeof *r->owned);
            r->owned[r->owned_n++] = md_xstrdup(buf);
            f->p = r->owned[r->owned_n - 1];
            f->n = (size_t)k;
        }
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
    json_error_t je;
    json_decref(r->json);
    owned_reset(r);
    r->plain = 0;
    r->json = json_loadb(p, n, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
    r->ints_as_reals = false;
    if (!r->json && json_error_code(&je) == json_error_numeric_overflow) { /* beyond 64 bits */
        r->json = json_loadb(
            p, n, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, &je);
        r->ints_as_reals = true;
    }
    /* the line is behind the reader already: either is a bad row */
    r->skippable = !r->json || !json_is_object(r->json);
    if (!r->json && strstr(je.text, "end of file expected")) /* jansson's words for it */
        return md_reader_fail_at(r, err, r->record_line, NULL,
                                 "invalid JSON at column %d: text after the JSON value", je.column);
    if (!r->json)
        return md_reader_fail_at(r, err, r->record_line, NULL, "invalid JSON at column %d: %s",
                                 je.column, je.text);
    if (!json_is_object(r->json))
        return md_reader_fail_at(r, err, r->record_line, NULL, "expected a JSON object");
    const char *key;
    json_t *v;
    json_object_foreach(r->json, key, v) md_strmap_intern(&r->cols, key, strlen(key));
    size_t ncols = md_reader_ncols(r);
    ensure_fields(r, ncols);
    memset(r->fields, 0, ncols * sizeof *r->fields); /* MD_F_ABSENT */
    json_object_foreach(r->json, key, v)
    {
        int64_t idx = md_strmap_find(&r->cols, key, strlen(key));
        set_json_field(r, &r->fields[idx], v);
    }
    return MD_OK;
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
            md_reader_fail_at(r, err, r->record_line, NULL, "record longer than 1 MiB");
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
    json_decref(r->json);
    r->json = NULL;
    owned_reset(r);
    free(r->owned);
    r->owned = NULL;
    r->owned_cap = 0;
}
