/* JSON helpers over jansson shared by the engine and both faces.
 *
 * Why: hyperparameters, metrics, audit details and every --json document go through the same
 * parsing rules and the same canonical form (compact, keys sorted), so stored JSON compares and
 * hashes byte for byte. */
#ifndef MD_JSON_H
#define MD_JSON_H

#include <jansson.h>
#include <stdint.h>

#include "err.h"

/* Parses `text`, requires a JSON object, and returns its canonical text (caller frees).
 * `what` names the field in the error ("--params"). */
md_status md_json_canonical_object(const char *text, const char *what, char **out, md_err *err);

/* Canonical text of any value (compact, sorted keys); caller frees. */
char *md_json_canonical(const json_t *v);

/* Serialization with reals written as the shortest text that reads back to the same double
 * ("0.1", not "0.10000000000000001"); non-finite reals become null. Caller frees. */
enum { MD_JSON_INDENT = 0, MD_JSON_COMPACT = 1, MD_JSON_SORT_KEYS = 2 };
char *md_json_dump(const json_t *v, int flags);

/* The shortest decimal text (at most 17 significant digits) that parses back to v exactly. */
void md_fmt_double(double v, char out[32]);

/* Member `key` of object o when it is a string, else "" (for display). */
const char *md_json_text(const json_t *o, const char *key);
/* Member `key` of object o when it is an integer, else 0. */
int64_t md_json_int(const json_t *o, const char *key);
/* A string or JSON null when s is NULL. */
json_t *md_json_str_or_null(const char *s);
/* An integer or JSON null when `present` is false. */
json_t *md_json_int_or_null(int present, int64_t v);
/* Reads a JSON file the user names (a contract, a policy): "cannot open PATH: why" or "PATH is
 * not a regular file" (MD_ERROR, as for data files; a FIFO is turned down without waiting for a
 * writer), "PATH:LINE: invalid JSON at column C: why" (MD_INVALID). Duplicate keys are invalid. */
md_status md_json_load_path(const char *path, json_t **out, md_err *err);
/* Parses stored canonical text back into a value; an unparseable text becomes the string. */
json_t *md_json_load_or_string(const char *text);

#endif
