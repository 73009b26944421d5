/* Schema migrations, compiled into the binary.
 *
 * Why: a store outlives the binary that created it. Each entry moves PRAGMA user_version from
 * its index to index + 1 inside one transaction; entries are never edited once released, only
 * appended. Invariants that must hold whatever the caller (one production version per model,
 * legal stage moves, an append-only audit) are enforced here by the schema itself. */
#include <stdbool.h>

#include "policies.h"
#include "policy.h"
#include "sql.h"

/* A requester never decides their own request (approve or reject), held by the store itself;
 * made again by migration 14, which builds the requests table again. */
#define FOUR_EYES_SQL                                                                              \
    "CREATE TRIGGER approvals_four_eyes BEFORE INSERT ON approvals"                                \
    "  WHEN NEW.approver = (SELECT requested_by FROM requests WHERE id = NEW.request_id)"          \
    "  BEGIN SELECT RAISE(ABORT, 'four eyes: a requester cannot decide their own request'); END"

static const char m001_foundation[] =
    "CREATE TABLE settings ("
    "  key   TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL"
    ") WITHOUT ROWID;"

    "CREATE TABLE roles (name TEXT PRIMARY KEY) WITHOUT ROWID;"
    "INSERT INTO roles VALUES ('viewer'),('analyst'),('operator'),('approver'),('admin');"

    "CREATE TABLE users ("
    "  name       TEXT PRIMARY KEY,"
    "  created_at TEXT NOT NULL,"
    "  created_by TEXT NOT NULL"
    ");"
    "CREATE TABLE user_roles ("
    "  user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,"
    "  role TEXT NOT NULL REFERENCES roles(name),"
    "  PRIMARY KEY (user, role)"
    ") WITHOUT ROWID;"

    "CREATE TABLE models ("
    "  id          INTEGER PRIMARY KEY,"
    "  name        TEXT NOT NULL UNIQUE,"
    "  use_case    TEXT NOT NULL,"
    "  owner       TEXT NOT NULL,"
    "  description TEXT NOT NULL DEFAULT '',"
    "  integration TEXT NOT NULL DEFAULT '',"
    "  pattern     TEXT NOT NULL DEFAULT 'batch' CHECK (pattern IN ('batch','realtime','hybrid')),"
    "  sla_ms      INTEGER CHECK (sla_ms IS NULL OR sla_ms > 0),"
    "  fallback    TEXT NOT NULL DEFAULT 'last-good'"
    "              CHECK (fallback IN ('rules','last-good','suppress')),"
    "  created_at  TEXT NOT NULL,"
    "  created_by  TEXT NOT NULL,"
    "  updated_at  TEXT NOT NULL"
    ");"

    "CREATE TABLE version_statuses (name TEXT PRIMARY KEY) WITHOUT ROWID;"
    "INSERT INTO version_statuses VALUES ('candidate'),('staging'),('production'),"
    "  ('archived'),('challenger'),('shadow'),('rejected');"

    /* The legal stage moves; core reads this table, and a trigger refuses anything else. */
    "CREATE TABLE status_transitions ("
    "  from_status TEXT NOT NULL REFERENCES version_statuses(name),"
    "  to_status   TEXT NOT NULL REFERENCES version_statuses(name),"
    "  PRIMARY KEY (from_status, to_status)"
    ") WITHOUT ROWID;"
    "INSERT INTO status_transitions VALUES"
    "  ('candidate','staging'),('candidate','production'),('candidate','challenger'),"
    "  ('candidate','shadow'),('candidate','rejected'),('candidate','archived'),"
    "  ('staging','production'),('staging','challenger'),('staging','shadow'),"
    "  ('staging','rejected'),('staging','archived'),"
    "  ('challenger','production'),('challenger','staging'),('challenger','shadow'),"
    "  ('challenger','rejected'),('challenger','archived'),"
    "  ('shadow','production'),('shadow','staging'),('shadow','challenger'),"
    "  ('shadow','rejected'),('shadow','archived'),"
    "  ('production','archived'),"
    "  ('archived','production');"

    "CREATE TABLE versions ("
    "  id              INTEGER PRIMARY KEY,"
    "  model_id        INTEGER NOT NULL REFERENCES models(id),"
    "  number          INTEGER NOT NULL CHECK (number > 0),"
    "  status          TEXT NOT NULL DEFAULT 'candidate' REFERENCES version_statuses(name),"
    "  traffic_share   REAL CHECK (traffic_share IS NULL OR"
    "                              (traffic_share > 0 AND traffic_share <= 1)),"
    "  created_at      TEXT NOT NULL,"
    "  created_by      TEXT NOT NULL,"
    "  artifact_uri    TEXT NOT NULL CHECK (length(artifact_uri) > 0),"
    "  artifact_sha256 TEXT CHECK (artifact_sha256 IS NULL OR (length(artifact_sha256) = 64"
    "                   AND artifact_sha256 NOT GLOB '*[^0-9a-f]*')),"
    "  data_uri        TEXT,"
    "  data_sha256     TEXT CHECK (data_sha256 IS NULL OR (length(data_sha256) = 64"
    "                   AND data_sha256 NOT GLOB '*[^0-9a-f]*')),"
    "  data_from       TEXT,"
    "  data_to         TEXT,"
    "  code_ref        TEXT,"
    "  params          TEXT,"
    "  threshold       REAL CHECK (threshold IS NULL OR (threshold >= 0 AND threshold <= 1)),"
    "  metrics         TEXT,"
    "  notes           TEXT,"
    "  status_at       TEXT NOT NULL,"
    "  UNIQUE (model_id, number)"
    ");"
    /* Exactly one production version per model, whoever writes. */
    "CREATE UNIQUE INDEX versions_one_production ON versions(model_id)"
    "  WHERE status = 'production';"
    "CREATE TRIGGER versions_legal_transition BEFORE UPDATE OF status ON versions"
    "  WHEN NEW.status <> OLD.status AND NOT EXISTS (SELECT 1 FROM status_transitions"
    "       WHERE from_status = OLD.status AND to_status = NEW.status)"
    "  BEGIN SELECT RAISE(ABORT, 'illegal stage transition'); END;"
    "CREATE TRIGGER versions_born_candidate BEFORE INSERT ON versions"
    "  WHEN NEW.status <> 'candidate'"
    "  BEGIN SELECT RAISE(ABORT, 'a new version starts as candidate'); END;"

    "CREATE TABLE stage_history ("
    "  id          INTEGER PRIMARY KEY,"
    "  version_id  INTEGER NOT NULL REFERENCES versions(id),"
    "  from_status TEXT,"
    "  to_status   TEXT NOT NULL,"
    "  at          TEXT NOT NULL,"
    "  actor       TEXT NOT NULL,"
    "  reason      TEXT NOT NULL,"
    "  audit_seq   INTEGER NOT NULL"
    ");"
    "CREATE INDEX stage_history_version ON stage_history(version_id, id);"

    "CREATE TABLE audit ("
    "  seq       INTEGER PRIMARY KEY,"
    "  at        TEXT NOT NULL,"
    "  actor     TEXT NOT NULL,"
    "  action    TEXT NOT NULL,"
    "  object    TEXT NOT NULL,"
    "  reason    TEXT NOT NULL,"
    "  details   TEXT NOT NULL,"
    "  prev_hash TEXT NOT NULL,"
    "  hash      TEXT NOT NULL"
    ");"
    "CREATE INDEX audit_object ON audit(object);"
    MD_AUDIT_NO_UPDATE_SQL ";" MD_AUDIT_NO_DELETE_SQL ";";

static const char m002_monitoring[] =
    /* A version's baseline profile: what its windows are compared with. */
    "CREATE TABLE baselines ("
    "  id            INTEGER PRIMARY KEY,"
    "  version_id    INTEGER NOT NULL UNIQUE REFERENCES versions(id),"
    "  created_at    TEXT NOT NULL,"
    "  created_by    TEXT NOT NULL,"
    "  source        TEXT NOT NULL,"
    "  source_sha256 TEXT NOT NULL,"
    "  rows          INTEGER NOT NULL,"
    "  labeled       INTEGER NOT NULL,"
    "  score_edges   TEXT NOT NULL,"
    "  auc           REAL,"
    "  brier         REAL,"
    "  ece           REAL,"
    "  columns       TEXT NOT NULL,"
    "  contract      TEXT,"
    "  seed          INTEGER NOT NULL"
    ");"
    "CREATE TABLE baseline_features ("
    "  baseline_id INTEGER NOT NULL REFERENCES baselines(id) ON DELETE CASCADE,"
    "  position    INTEGER NOT NULL,"
    "  name        TEXT NOT NULL,"
    "  kind        TEXT NOT NULL CHECK (kind IN ('numeric', 'categorical')),"
    "  rows        INTEGER NOT NULL,"
    "  missing     INTEGER NOT NULL,"
    "  edges       TEXT,"
    "  counts      TEXT NOT NULL,"
    "  ks_n        INTEGER,"
    "  ks_values   BLOB,"
    "  ks_counts   BLOB,"
    "  contract    TEXT,"
    "  PRIMARY KEY (baseline_id, position)"
    ");"

    /* One row per ingested file; its rows' statistics per window are its parts. */
    "CREATE TABLE ingests ("
    "  id          INTEGER PRIMARY KEY,"
    "  version_id  INTEGER NOT NULL REFERENCES versions(id),"
    "  source      TEXT NOT NULL,"
    "  sha256      TEXT NOT NULL,"
    "  window_kind TEXT NOT NULL CHECK (window_kind IN ('day', 'hour')),"
    "  rows        INTEGER NOT NULL,"
    "  bad_rows    INTEGER NOT NULL,"
    "  windows     INTEGER NOT NULL,"
    "  new_columns TEXT NOT NULL,"
    "  at          TEXT NOT NULL,"
    "  actor       TEXT NOT NULL,"
    "  UNIQUE (version_id, sha256)"
    ");"
    "CREATE TABLE window_parts ("
    "  ingest_id INTEGER NOT NULL REFERENCES ingests(id) ON DELETE CASCADE,"
    "  window    TEXT NOT NULL,"
    "  rows      INTEGER NOT NULL,"
    "  state     BLOB NOT NULL,"
    "  PRIMARY KEY (ingest_id, window)"
    ");"
    "CREATE INDEX window_parts_window ON window_parts(window);"

    /* Results, recomputed from every part of the window whenever one is added or replaced. */
    "CREATE TABLE windows ("
    "  id               INTEGER PRIMARY KEY,"
    "  version_id       INTEGER NOT NULL REFERENCES versions(id),"
    "  kind             TEXT NOT NULL CHECK (kind IN ('day', 'hour')),"
    "  window           TEXT NOT NULL,"
    "  rows             INTEGER NOT NULL,"
    "  labeled          INTEGER NOT NULL,"
    "  auc              REAL,"
    "  auc_exact        INTEGER NOT NULL DEFAULT 1,"
    "  auc_error        REAL,"
    "  delta_auc        REAL,"
    "  brier            REAL,"
    "  ece              REAL,"
    "  hl_stat          REAL,"
    "  hl_pvalue        REAL,"
    "  deciles          TEXT NOT NULL,"
    "  latency          TEXT,"
    "  status           TEXT NOT NULL,"
    "  updated_at       TEXT NOT NULL,"
    "  UNIQUE (version_id, kind, window)"
    ");"
    "CREATE TABLE drift ("
    "  window_id      INTEGER NOT NULL REFERENCES windows(id) ON DELETE CASCADE,"
    "  position       INTEGER NOT NULL,"
    "  feature        TEXT NOT NULL,"
    "  kind           TEXT NOT NULL,"
    "  rows           INTEGER NOT NULL,"
    "  present        INTEGER NOT NULL,"
    "  psi            REAL,"
    "  psi_null_p99   REAL,"
    "  ks             REAL,"
    "  ks_pvalue      REAL,"
    "  missing_rate   REAL,"
    "  missing_delta  REAL,"
    "  schema_changes INTEGER NOT NULL,"
    "  type_errors    INTEGER NOT NULL,"
    "  absent         INTEGER NOT NULL,"
    "  new_categories TEXT NOT NULL,"
    "  violations     INTEGER NOT NULL,"
    "  status         TEXT NOT NULL CHECK (status IN ('ok', 'warn', 'alert')),"
    "  hist           TEXT NOT NULL,"
    "  PRIMARY KEY (window_id, position)"
    ");";

static const char m003_operations[] =
    /* How a version entered or left a stage: promotions, rollbacks and marks differ. */
    "ALTER TABLE stage_history ADD COLUMN action TEXT NOT NULL DEFAULT '';"
    /* A model taken out of service points its integration at its fallback. */
    "ALTER TABLE models ADD COLUMN serving TEXT NOT NULL DEFAULT 'model'"
    "  CHECK (serving IN ('model', 'rules', 'suppress'));"
    /* Positives per window: the standard error of AUC needs both class sizes. */
    "ALTER TABLE windows ADD COLUMN positives INTEGER NOT NULL DEFAULT 0;"

    /* Per-model policy overrides, every revision kept. */
    "CREATE TABLE policies ("
    "  id       INTEGER PRIMARY KEY,"
    "  model_id INTEGER NOT NULL REFERENCES models(id),"
    "  revision INTEGER NOT NULL,"
    "  document TEXT NOT NULL,"
    "  at       TEXT NOT NULL,"
    "  actor    TEXT NOT NULL,"
    "  reason   TEXT NOT NULL,"
    "  UNIQUE (model_id, revision)"
    ");"

    "CREATE TABLE incidents ("
    "  id               INTEGER PRIMARY KEY,"
    "  model_id         INTEGER NOT NULL REFERENCES models(id),"
    "  version_id       INTEGER REFERENCES versions(id),"
    "  kind             TEXT NOT NULL CHECK (kind IN ('drift', 'schema', 'calibration',"
    "                   'performance', 'latency', 'data_quality')),"
    "  key              TEXT NOT NULL,"
    "  severity         TEXT NOT NULL CHECK (severity IN ('P1', 'P2', 'P3', 'P4')),"
    "  state            TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),"
    "  title            TEXT NOT NULL,"
    "  opened_at        TEXT NOT NULL,"
    "  acked_at         TEXT,"
    "  acked_by         TEXT,"
    "  resolved_at      TEXT,"
    "  resolved_by      TEXT,"
    "  assignee         TEXT,"
    "  snoozed_until    TEXT,"
    "  last_evidence_at TEXT NOT NULL"
    ");"
    /* Dedup: one incident not yet resolved per (model, kind, key), whoever writes. */
    "CREATE UNIQUE INDEX incidents_one_active ON incidents(model_id, kind, key)"
    "  WHERE state <> 'resolved';"
    "CREATE INDEX incidents_state ON incidents(state, severity);"
    "CREATE TABLE incident_evidence ("
    "  incident_id INTEGER NOT NULL REFERENCES incidents(id),"
    "  version_id  INTEGER NOT NULL,"
    "  window_kind TEXT NOT NULL,"
    "  window      TEXT NOT NULL,"
    "  feature     TEXT NOT NULL,"
    "  severity    TEXT NOT NULL,"
    "  at          TEXT NOT NULL,"
    "  detail      TEXT NOT NULL,"
    "  PRIMARY KEY (incident_id, version_id, window_kind, window, feature)"
    ");"
    "CREATE TABLE incident_notes ("
    "  id          INTEGER PRIMARY KEY,"
    "  incident_id INTEGER NOT NULL REFERENCES incidents(id),"
    "  at          TEXT NOT NULL,"
    "  actor       TEXT NOT NULL,"
    "  text        TEXT NOT NULL"
    ");"

    "CREATE TABLE requests ("
    "  id                 INTEGER PRIMARY KEY,"
    "  model_id           INTEGER NOT NULL REFERENCES models(id),"
    "  version_id         INTEGER NOT NULL REFERENCES versions(id),"
    "  target             TEXT NOT NULL CHECK (target IN ('staging', 'production')),"
    "  state              TEXT NOT NULL CHECK (state IN ('pending', 'executed', 'rejected',"
    "                     'expired')),"
    "  requested_by       TEXT NOT NULL,"
    "  requested_at       TEXT NOT NULL,"
    "  reason             TEXT NOT NULL,"
    "  expires_at         TEXT NOT NULL,"
    "  approvals_required INTEGER NOT NULL,"
    "  gates_at_request   TEXT NOT NULL,"
    "  gates_at_execution TEXT,"
    "  decided_at         TEXT"
    ");"
    "CREATE TABLE approvals ("
    "  request_id INTEGER NOT NULL REFERENCES requests(id),"
    "  approver   TEXT NOT NULL,"
    "  decision   TEXT NOT NULL CHECK (decision IN ('approve', 'reject')),"
    "  at         TEXT NOT NULL,"
    "  comment    TEXT NOT NULL,"
    "  PRIMARY KEY (request_id, approver)"
    ");"
    /* Four eyes, held by the store itself. */
    FOUR_EYES_SQL ";"
    "CREATE TABLE gate_overrides ("
    "  id         INTEGER PRIMARY KEY,"
    "  request_id INTEGER NOT NULL REFERENCES requests(id),"
    "  version_id INTEGER NOT NULL REFERENCES versions(id),"
    "  gate       TEXT NOT NULL,"
    "  actor      TEXT NOT NULL,"
    "  at         TEXT NOT NULL,"
    "  reason     TEXT NOT NULL,"
    "  UNIQUE (request_id, gate)"
    ");"

    "CREATE TABLE proposals ("
    "  id         INTEGER PRIMARY KEY,"
    "  model_id   INTEGER NOT NULL REFERENCES models(id),"
    "  state      TEXT NOT NULL CHECK (state IN ('open', 'accepted', 'dismissed')),"
    "  created_at TEXT NOT NULL,"
    "  evidence   TEXT NOT NULL,"
    "  decided_at TEXT,"
    "  decided_by TEXT,"
    "  job_id     INTEGER"
    ");"
    "CREATE UNIQUE INDEX proposals_one_open ON proposals(model_id) WHERE state = 'open';"
    "CREATE TABLE jobs ("
    "  id           INTEGER PRIMARY KEY,"
    "  model_id     INTEGER NOT NULL REFERENCES models(id),"
    "  backend      TEXT NOT NULL CHECK (backend IN ('command', 'webhook')),"
    "  spec         TEXT NOT NULL,"
    "  state        TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed',"
    "               'cancelled', 'timeout')),"
    "  requested_by TEXT NOT NULL,"
    "  requested_at TEXT NOT NULL,"
    "  reason       TEXT NOT NULL,"
    "  proposal_id  INTEGER REFERENCES proposals(id),"
    "  started_at   TEXT,"
    "  finished_at  TEXT,"
    "  pid          INTEGER,"
    "  exit_status  INTEGER,"
    "  http_status  INTEGER,"
    "  attempts     INTEGER NOT NULL DEFAULT 0,"
    "  log_tail     TEXT NOT NULL DEFAULT '',"
    "  error        TEXT"
    ");";

/* The baseline's positives, for the standard error of its AUC (NULL: built before). */
static const char m004_baseline_positives[] = "ALTER TABLE baselines ADD COLUMN positives INTEGER;";

/* The console's header and registry show active incidents by model and severity at every
 * frame they load; with tens of thousands of incidents that must not cost a scan. A tally kept
 * by triggers, in the same transactions as the incidents, answers in a few rows; snoozed ones
 * (few) are subtracted through their own index. The scorecard reads a model's incidents by
 * time. */
static const char m005_incident_tally[] =
    "CREATE TABLE incident_tally ("
    "  model_id INTEGER NOT NULL,"
    "  severity TEXT NOT NULL,"
    "  active   INTEGER NOT NULL,"
    "  PRIMARY KEY (model_id, severity)"
    ") WITHOUT ROWID;"
    "INSERT INTO incident_tally SELECT model_id, severity, count(*) FROM incidents"
    "  WHERE state <> 'resolved' GROUP BY model_id, severity;"
    "CREATE TRIGGER incident_tally_insert AFTER INSERT ON incidents WHEN NEW.state <> 'resolved'"
    " BEGIN"
    "  INSERT INTO incident_tally VALUES (NEW.model_id, NEW.severity, 1)"
    "    ON CONFLICT (model_id, severity) DO UPDATE SET active = active + 1;"
    " END;"
    "CREATE TRIGGER incident_tally_update AFTER UPDATE OF state, severity ON incidents"
    " BEGIN"
    "  UPDATE incident_tally SET active = active - 1"
    "    WHERE OLD.state <> 'resolved' AND model_id = OLD.model_id AND severity = OLD.severity;"
    "  INSERT INTO incident_tally SELECT NEW.model_id, NEW.severity, 1"
    "    WHERE NEW.state <> 'resolved'"
    "    ON CONFLICT (model_id, severity) DO UPDATE SET active = active + 1;"
    " END;"
    "CREATE INDEX incidents_snoozed ON incidents(snoozed_until) WHERE snoozed_until IS NOT NULL;"
    "CREATE INDEX incidents_opened ON incidents(model_id, opened_at);"
    "CREATE INDEX requests_model ON requests(model_id, state);";

/* The binomial test of a window's missing count against the baseline's rate (NULL: computed
 * before there was one; the missingness rule then goes by its thresholds alone). */
static const char m006_missing_pvalue[] = "ALTER TABLE drift ADD COLUMN missing_pvalue REAL;";

/* The category counts' exact test of a categorical feature's window (NULL: numeric, or computed
 * before there was one), which lets PSI decide below drift.psi.min_rows. */
static const char m007_mix_pvalue[] = "ALTER TABLE drift ADD COLUMN mix_pvalue REAL;";

/* A sample of each ingest's rows by their identity (core/rowsample.h), which tells a log that
 * corrects or repeats an earlier one from a log that only shares its name or its windows (NULL:
 * ingested before; such an ingest is replaced by the same content, or with --replace-ingest
 * ID). */
static const char m008_row_sample[] = "ALTER TABLE ingests ADD COLUMN row_sample BLOB;"
                                      "ALTER TABLE ingests ADD COLUMN row_shift INTEGER;";

/* What an ingest's sampled identities name rows by: "id" (timestamp and id, picked by both) or
 * "fields" (timestamp, score and the other fields). NULL: sampled before this was kept, when
 * rows with ids were picked by their timestamp alone; such a sample is not compared with an
 * id-named one (core/ingest_replace.c) and its ingest is handled as one without a sample. */
static const char m009_row_identity[] = "ALTER TABLE ingests ADD COLUMN row_identity TEXT;";

/* The Hosmer-Lemeshow p-value on g - 2 degrees of freedom, g the deciles it sums over (those
 * with rows and a mean score strictly between 0 and 1), where stores up to schema 9 have g.
 * Only windows with a p-value, readable deciles and g >= 3 (as every window written by
 * modeldeck has) are touched, and only when the value changes: a row anyone edited into
 * something else keeps it rather than lock the store at schema 9. md_chi2_sf is registered on
 * the connection for migrations (store.c). */
static const char m010_hl_pvalue[] =
    "UPDATE windows SET hl_pvalue = md_chi2_sf(windows.hl_stat, t.g - 2) FROM ("
    "  SELECT id, (SELECT count(*) FROM json_each(deciles) WHERE json_extract(value, '$.n') > 0"
    "    AND json_extract(value, '$.expected') > 0 AND json_extract(value, '$.expected') < 1) AS g"
    "  FROM windows WHERE hl_pvalue IS NOT NULL AND hl_stat IS NOT NULL"
    "    AND json_valid(deciles) AND json_type(deciles) = 'array') AS t"
    " WHERE windows.id = t.id AND t.g >= 3"
    "  AND windows.hl_pvalue IS NOT md_chi2_sf(windows.hl_stat, t.g - 2);";

/* New categories past the bound a window keeps by name (core/newcats.c): how many there were
 * (estimated past it), and PSI's upper bound where their rows make PSI a lower bound. Rows
 * written before keep NULL: not recorded. */
static const char m011_new_categories[] =
    "ALTER TABLE drift ADD COLUMN new_distinct INTEGER;"
    "ALTER TABLE drift ADD COLUMN new_estimated INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE drift ADD COLUMN psi_max REAL;";

/* The incidents with evidence from a window, which every window an ingest stores looks up
 * (core/incidents.c, note_cleared): without it, each lookup read all the evidence there is. */
static const char m012_evidence_window[] = "CREATE INDEX IF NOT EXISTS incident_evidence_window ON "
                                           "incident_evidence(version_id, window_kind, window);";

/* Drift statuses at a threshold: a difference of ratios lands a rounding error off the threshold
 * it equals (300/1000 - 100/1000 is 0.19999999999999998), which stores up to schema 12 read as
 * below it; a fresh ingest reads within 1e-12 of a threshold as meeting it (md_at_least). The
 * schema is unchanged; restatus_at_thresholds gives the stored rows their statuses again. */
static const char m013_statuses_at_thresholds[] = "SELECT 1;";

/* Each model's stored drift rows given the status its policy gives their figures, as
 * `policy set` does (md_drift_restatus); *changed: the windows whose statuses changed. */
static md_status restatus_at_thresholds(md_store *s, int *changed, md_err *err)
{
    sqlite3_stmt *st;
    *changed = 0;
    if (md_sql_prepare(s, "SELECT id, name FROM models ORDER BY id", &st, err) != MD_OK)
        return err->code;
    bool row;
    md_status rc;
    while ((rc = md_sql_step(s, st, &row, err)) == MD_OK && row) {
        md_policy p;
        md_restatus r;
        md_err unread;
        /* a policy this binary cannot read keeps its model's statuses, rather than lock the
         * store at schema 12 (policy set restatuses them with a readable one) */
        if (md_policy_load(s, (const char *)sqlite3_column_text(st, 1), &p, &unread) != MD_OK) {
            md_policy_free(&p);
            continue;
        }
        rc = md_drift_restatus(s, sqlite3_column_int64(st, 0), &p.drift, &r, err);
        md_policy_free(&p);
        if (rc != MD_OK)
            break;
        *changed += (int)r.windows;
    }
    sqlite3_finalize(st);
    return rc;
}

/* A pending request may be withdrawn by whoever asked (or an admin): state 'withdrawn', with
 * who withdrew it and why. SQLite changes a CHECK only by building the table again: the new
 * table takes the rows, the old one goes (with the four-eyes trigger, which names it, and its
 * index), and the new one takes its name. Foreign keys are off while it runs, and those of
 * requests and of the tables naming it are checked before it commits (rebuild_checks). */
static const char m014_request_withdrawn[] =
    "CREATE TABLE requests_new ("
    "  id                 INTEGER PRIMARY KEY,"
    "  model_id           INTEGER NOT NULL REFERENCES models(id),"
    "  version_id         INTEGER NOT NULL REFERENCES versions(id),"
    "  target             TEXT NOT NULL CHECK (target IN ('staging', 'production')),"
    "  state              TEXT NOT NULL CHECK (state IN ('pending', 'executed', 'rejected',"
    "                     'expired', 'withdrawn')),"
    "  requested_by       TEXT NOT NULL,"
    "  requested_at       TEXT NOT NULL,"
    "  reason             TEXT NOT NULL,"
    "  expires_at         TEXT NOT NULL,"
    "  approvals_required INTEGER NOT NULL,"
    "  gates_at_request   TEXT NOT NULL,"
    "  gates_at_execution TEXT,"
    "  decided_at         TEXT,"
    "  withdrawn_by       TEXT,"
    "  withdraw_reason    TEXT"
    ");"
    "INSERT INTO requests_new(id, model_id, version_id, target, state, requested_by, requested_at,"
    "  reason, expires_at, approvals_required, gates_at_request, gates_at_execution, decided_at)"
    " SELECT id, model_id, version_id, target, state, requested_by, requested_at, reason,"
    "  expires_at, approvals_required, gates_at_request, gates_at_execution, decided_at"
    " FROM requests;"
    "DROP TRIGGER approvals_four_eyes;"
    "DROP TABLE requests;"
    "ALTER TABLE requests_new RENAME TO requests;" FOUR_EYES_SQL ";"
    "CREATE INDEX requests_model ON requests(model_id, state);";

const char *const md_migrations[] = {
    m001_foundation,
    m002_monitoring,
    m003_operations,
    m004_baseline_positives,
    m005_incident_tally,
    m006_missing_pvalue,
    m007_mix_pvalue,
    m008_row_sample,
    m009_row_identity,
    m010_hl_pvalue,
    m011_new_categories,
    m012_evidence_window,
    m013_statuses_at_thresholds,
    m014_request_withdrawn,
};

/* What a migration recomputes in rows already stored, audited when it changed any (NULL: only
 * the schema changes). */
const md_recompute md_migration_recomputes[] = {
    {0},
    {0},
    {0},
    {0},
    {0},
    {0},
    {0},
    {0},
    {0},
    {"hl_pvalue on g - 2 degrees of freedom", "modeldeck evaluate",
     "applies the incident rules to the new values", NULL, NULL},
    {0},
    {0},
    {"drift statuses within 1e-12 of a threshold read as meeting it", "modeldeck evaluate",
     "applies the incident rules to the new statuses", restatus_at_thresholds, NULL},
    {.rebuild_checks = (const char *const[]){"requests", "approvals", "gate_overrides", NULL}},
};

const int md_migration_count = (int)(sizeof md_migrations / sizeof md_migrations[0]);

_Static_assert(sizeof md_migration_recomputes / sizeof md_migration_recomputes[0] ==
                   sizeof md_migrations / sizeof md_migrations[0],
               "one md_migration_recomputes entry per migration");
