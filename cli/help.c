/* What `modeldeck COMMAND --help` says beyond the usage line, for the commands whose flags need
 * saying what they take: the monitoring ones, where a wrong column or window costs a night. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* FILE and the column flags, as baseline and ingest share them. */
#define COLUMN_FLAGS                                                                               \
    "  FILE               CSV (RFC 4180: quotes, CRLF, a UTF-8 BOM) or JSON Lines, one object a\n" \
    "                     line; .jsonl, .ndjson and .json files (any case) are JSON Lines, any\n"  \
    "                     other CSV\n"                                                             \
    "  --format csv|jsonl the format, whatever the file's name\n"                                  \
    "  --ts-col C         the timestamp: ISO-8601 with Z or an offset, or epoch seconds\n"         \
    "                     (default ts)\n"                                                          \
    "  --score-col C      the score, a probability in [0, 1] (default score)\n"                    \
    "  --label-col C      the label, 0 or 1, may be missing (default label)\n"                     \
    "  --id-col C         an entity id, kept out of the features\n"                                \
    "  --latency-col C    a latency in ms: p50, p95, p99 and the share over the model's SLA\n"     \
    "  --max-bad-rows N   skip and count up to N bad rows (default 0: the first one stops it);\n"  \
    "                     N% allows that share of the file's rows, judged once it is read\n"

/* What the rows hold, after the flags. */
#define ROWS_NOTE                                                                                  \
    "\nEvery other column is a feature, numeric when all its baseline values are numbers.\n"       \
    "Missing: an empty field, NA, NaN, null (any case), JSON null or an absent key.\n"             \
    "A bad row (a score outside [0, 1], a label not 0/1, a timestamp that does not parse, a\n"     \
    "ragged row, invalid UTF-8, a NUL byte, a line over 1 MiB, a stray character after a "         \
    "closing\n"                                                                                    \
    "quote, a JSON Lines line that is not an object) is reported as FILE:LINE: column C: why, "    \
    "and\n"                                                                                        \
    "nothing of the file is committed.\n"

static const struct {
    const char *cmd, *text;
    } details[] = {
        {"baseline",
         "\nBuilds the version's baseline profile from training or holdout data (operator): for "
         "each\n"
         "feature its PSI edges (deciles), a seeded KS sample of at most 10,000 values, its "
         "missing\n"
         "rate and categories; the score deciles and the baseline AUC. Windows are compared with "
         "it.\n"
         "The timestamp column, when there is one, is no feature, and its values are not read.\n"
         "\n" COLUMN_FLAGS
         "  --contract FILE    a data contract (JSON: name, type, nullable, min/max, allowed),\n"
         "                     kept with the baseline; see docs/METRICS.md\n"
         "  --seed N           the KS sample's seed (default 20261001)\n"
         "  --replace          build it again; the windows computed against the old one "
         "go\n" ROWS_NOTE},
        {"ingest",
         "\nStreams a scoring log into UTC windows of its timestamps and computes, for each "
         "window,\n"
         "drift per feature against the version's baseline and performance over the labeled rows;\n"
         "the incident rules run on the result (operator). Rows for a window that already has\n"
         "results are merged: the window is recomputed over all its rows. A column flag not\n"
         "given takes the name the baseline was built with (baseline show), or, when the file\n"
         "lacks that one, its default.\n"
         "\n" COLUMN_FLAGS
         "  --window day|hour  the windows (default day); a version's are all of one kind\n"
         "  --replace          ingest a file in place of each earlier ingest whose rows it holds\n"
         "                     (90% or more: the same content, a corrected, grown or relabeled\n"
         "                     copy, under any name), or, under the same name, holds in part (the\n"
         "                     file corrected to drop rows); without it such a file is refused\n"
         "                     (exit 3). A row is its timestamp and id (without an id column:\n"
         "                     its timestamp, score and other fields but the label); a daily\n"
         "                     file reusing one name holds other rows and replaces nothing\n"
         "  --replace-ingest ID[,ID]\n"
         "                     in place of these earlier ingests, whatever their rows\n" ROWS_NOTE},
        {"drift",
         "\nPSI (with its no-drift 99th percentile), KS and its p-value, missingness (with its\n"
         "binomial test), schema changes, contract violations and a status per feature and "
         "window.\n"
         "Without VERSION: the production version. A version without windows yet is an error\n"
         "(exit 4) saying what is missing: its baseline, or an ingest.\n"
         "\n"
         "  --window W         one window (2026-10-01, or 2026-10-01T13 by hour) or a kind (day,\n"
         "                     hour); a window or kind the version lacks is an error (exit 4)\n"
         "                     naming the windows it has\n"
         "  --alerts           only what is not ok\n"
         "  --json             the public document: {\"model\", \"version\", \"drift\": [...]}\n"
         "Definitions: docs/METRICS.md; thresholds: modeldeck policy show MODEL.\n"},
        {"calibration",
         "\nAUC and its change from the baseline, Brier, ECE and Hosmer-Lemeshow per window over "
         "the\n"
         "labeled rows, latency percentiles where the log has them, and with one window the "
         "decile\n"
         "table. Without VERSION: the production version. A version without windows yet is an\n"
         "error (exit 4) saying what is missing: its baseline, or an ingest.\n"
         "\n"
         "  --window W         one window (2026-10-01, or 2026-10-01T13 by hour) or a kind (day,\n"
         "                     hour); a window or kind the version lacks is an error (exit 4)\n"
         "  --json             the public document: {\"model\", \"version\", \"windows\": [...]}\n"
         "Definitions: docs/METRICS.md.\n"},
    };

int cli_print_help(cli_ctx *c)
{
    printf("usage: modeldeck %s\n", c->usage ? c->usage : "COMMAND [ARGS]");
    const char *cmd = c->cmd ? c->cmd : "";
    if (strcmp(cmd, "baseline build") == 0)
        cmd = "baseline";
    for (size_t i = 0; i < sizeof details / sizeof details[0]; i++)
        if (strcmp(details[i].cmd, cmd) == 0)
            fputs(details[i].text, stdout);
    return 0;
}
