/* Text that crosses a trust boundary: display sanitizing and input validation.
 *
 * Why: the terminal is hostile ground (DESIGN principle 7). Model descriptions, feature names
 * and remote error messages may hold escape sequences; everything shown to a human goes through
 * md_text_sanitize first. The validators keep names usable as identifiers everywhere. */
#ifndef MD_TEXT_H
#define MD_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Returns a new string safe to print on a terminal: valid UTF-8 is kept; tab, CR and LF become a
 * space; other C0 controls and DEL become caret notation (ESC -> "^["); C1 controls, bidi
 * overrides and invalid bytes become U+FFFD. NULL gives "". The caller frees. */
char *md_text_sanitize(const char *s);

/* The same for a category from the data: tab, CR and LF too become caret
 * notation ("^I", "^M", "^J"), so that "a<TAB>b" and "a b" do not read alike. */
char *md_text_sanitize_value(const char *s);

/* The same, keeping line breaks (for multi-line text such as a job's log tail). */
char *md_text_sanitize_lines(const char *s);

/* Returns a copy with every invalid UTF-8 byte replaced by U+FFFD (controls kept). */
char *md_utf8_repair(const char *s);

/* True when the bytes are valid UTF-8 (no overlongs, no surrogates). */
bool md_utf8_valid(const char *s, size_t n);

/* Model names: a slug, [a-z0-9][a-z0-9_-]*, at most 64 bytes. */
bool md_valid_slug(const char *s);
/* User names: [A-Za-z0-9_][A-Za-z0-9_.-]*, at most 64 bytes. */
bool md_valid_username(const char *s);
/* A SHA-256 digest written as 64 hex digits (either case). */
bool md_valid_sha256_hex(const char *s);
/* Lower-cases ASCII in place. */
void md_ascii_lower(char *s);
/* "1d 4h", "3h 12m", "40s": a duration with two units (0 for a negative one). */
void md_text_span(double seconds, char *out, size_t cap);

#endif
