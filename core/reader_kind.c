/* What kind of file a reader was opened on, by its first bytes: a compressed file, a
 * spreadsheet, UTF-16 text or a JSON array is refused as what it is, with what to do, rather
 * than with a complaint about its bytes. */
#include <stdbool.h>
#include <string.h>

#include "reader_int.h"

/* Whether the first bytes hold one that no text file has: a control character other than tab,
 * line feed, form feed and carriage return, or a byte that never occurs in UTF-8. Some magic
 * numbers are plain letters ("BZh9", "PAR1"), and a CSV file may start with them as a column's
 * name; the files they mark have binary bytes within their first few bytes. */
static bool binary_bytes(const md_reader *r)
{
    size_t n = r->size < 4096 ? r->size : 4096;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)r->base[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\f' && c != '\r') || c == 0xC0 ||
            c == 0xC1 || c >= 0xF5)
            return true;
    }
    return false;
}

/* A compressed file, by its first bytes: its format's name, else NULL. */
static const char *compressed(const md_reader *r)
{
    static const struct {
        const char *magic, *name;
        size_t n;
    } kinds[] = {{"\x1F\x8B", "gzip", 2},
                 {"\x28\xB5\x2F\xFD", "zstd", 4},
                 {"BZh", "bzip2", 3},
                 {"\xFD" "7zXZ", "xz", 5},
                 {"PK\x03\x04", "zip", 4}};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (r->size > kinds[i].n && memcmp(r->base, kinds[i].magic, kinds[i].n) == 0 &&
            (kinds[i].n != 3 || (r->base[3] >= '1' && r->base[3] <= '9'))) /* BZh1 .. BZh9 */
            return kinds[i].name;
    return NULL;
}

/* A JSON file holding one array (an export's rows as a JSON document), by its first
 * character. */
static bool json_array_file(const md_reader *r)
{
    for (size_t i = r->pos; i < r->size; i++)
        if (r->base[i] != ' ' && r->base[i] != '\t' && r->base[i] != '\r' && r->base[i] != '\n')
            return r->base[i] == '[';
    return false;
}

/* A CSV file read as JSON Lines: its first line is no JSON object ('{' first) but holds commas,
 * as a header does. It would fail on line 1 anyway; this says why. */
static bool csv_file(const md_reader *r)
{
    size_t i = r->pos;
    if (r->size - i >= 3 && memcmp(r->base + i, "\xEF\xBB\xBF", 3) == 0)
        i += 3;
    while (i < r->size && (r->base[i] == ' ' || r->base[i] == '\t'))
        i++;
    if (i >= r->size || r->base[i] == '{' || r->base[i] == '[')
        return false;
    const char *nl = memchr(r->base + i, '\n', r->size - i);
    size_t len = nl ? (size_t)(nl - (r->base + i)) : r->size - i;
    return memchr(r->base + i, ',', len) && !memchr(r->base + i, '{', len);
}

/* A file of another kind than text by its first bytes: what it is and what to do, else NULL.
 * Spreadsheet and UTF-16 exports are what a CSV from Windows or Excel often turns out to be. */
static const char *not_text(const md_reader *r, bool binary)
{
    const char *b = r->base;
    size_t n = r->size < 4096 ? r->size : 4096;
    if (n >= 4 && memcmp(b, "\xFF\xFE\0\0", 4) == 0)
        return "UTF-32 text: save it as UTF-8 (iconv -f UTF-32 -t UTF-8)";
    bool bom16 = n >= 2 && (memcmp(b, "\xFF\xFE", 2) == 0 || memcmp(b, "\xFE\xFF", 2) == 0);
    /* without a byte order mark: ASCII text with every other byte 0 */
    bool zeros16 = n >= 4 && ((b[0] && !b[1] && b[2] && !b[3]) || (!b[0] && b[1] && !b[2] && b[3]));
    if (bom16 || zeros16)
        return "UTF-16 text: save it as UTF-8 (iconv -f UTF-16 -t UTF-8)";
    if (!binary)
        return NULL;
    if (n >= 8 && memcmp(b, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0)
        return "an Excel 97-2003 workbook (or another OLE file): export the sheet as CSV UTF-8";
    if (n >= 4 && memcmp(b, "PAR1", 4) == 0)
        return "a Parquet file: export it to CSV or JSON Lines";
    if (n >= 4 && memcmp(b, "PK\x03\x04", 4) == 0 &&
        (memmem(b, n, "xl/", 3) || memmem(b, n, "[Content_Types].xml", 19)))
        return "an Excel workbook (xlsx): export the sheet as CSV UTF-8";
    return NULL;
}

md_status md_reader_check_kind(const md_reader *r, md_err *err)
{
    bool binary = binary_bytes(r);
    const char *path = r->path, *other = not_text(r, binary),
               *packed = binary ? compressed(r) : NULL;
    if (other)
        return md_err_set(err, MD_ERROR, "%s is %s", path, other);
    if (packed)
        return md_err_set(err, MD_ERROR,
                          "%s is %s-compressed: decompress it first (modeldeck reads plain CSV or "
                          "JSON Lines)",
                          path, packed);
    if (r->fmt == MD_FMT_JSONL && json_array_file(r))
        return md_err_set(err, MD_ERROR,
                          "%s is a JSON array: modeldeck reads JSON Lines, one object per line "
                          "(jq -c '.[]' %s > rows.jsonl)",
                          path, path);
    if (r->fmt == MD_FMT_JSONL && csv_file(r))
        return md_err_set(
            err, MD_ERROR,
            "%s: reads as CSV, not JSON Lines (its first line is no JSON object but "
            "holds commas, as a header does): %s",
            path, r->fmt_given ? "read it with --format csv" : "name it .csv or add --format csv");
    return MD_OK;
}
