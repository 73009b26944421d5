#include "jobs.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "http.h"
#include "json.h"
#include "mem.h"
#include "models.h"
#include "policies.h"
#include "sql.h"
#include "text.h"

#define LOG_TAIL 4096

/* ---- queueing ---------------------------------------------------------------------------------- */

static const char *job_object(int64_t id, char buf[32])
{
    snprintf(buf, 32, "job:%lld", (long long)id);
    return buf;
}

md_status md_job_queue(md_store *s, const char *actor, int64_t mid, const char *model,
                       const json_t *backend, const char *reason, int64_t proposal, int64_t *job,
                       md_err *err)
{
    char at[MD_TIME_TEXT_MAX], obj[32], *spec = md_json_canonical(backend);
    md_store_now_text(s, at);
    const char *type = json_string_value(json_object_get(backend, "type"));
    md_status rc = md_sql_run(s, err,
                              "INSERT INTO jobs(model_id, backend, spec, state, requested_by,"
                              " requested_at, reason, proposal_id) VALUES (?,?,?,'queued',?,?,?,?)",
                              "itttttI", mid, type, spec, actor, at, reason, (int)(proposal != 0),
                              proposal);
    *job = sqlite3_last_insert_rowid(md_store_db(s));
    json_t *d = json_pack("{s:s, s:s, s:o}", "model", model, "backend", type ? type : "?",
                          "proposal", md_json_int_or_null(proposal != 0, proposal));
    if (rc == MD_OK)
        rc = md_audit_append(s, actor, "retrain.queue", job_object(*job, obj), reason, d, NULL,
                             err);
    json_decref(d);
    free(spec);
    return rc;
}

md_status md_retrain(md_store *s, const md_actor *a, const char *model, const char *reason,
                     int64_t proposal, int64_t *job, md_err *err)
{
    if (md_check_text("--reason", reason, 2048, true, err) != MD_OK)
        return err->code;
    md_policy p;
    if (md_policy_load(s, model, &p, err) != MD_OK)
        return err->code;
    md_status rc = md_write_begin(s, a, MD_PERM_OPS_ACTION, err);
    if (rc != MD_OK) {
        md_policy_free(&p);
        return rc;
    }
    int64_t mid = 0;
    rc = md_sql_int(s, &mid, err, "SELECT id FROM models WHERE name = ?", "t", model);
    if (rc == MD_NOTFOUND)
        rc = md_err_set(err, MD_NOTFOUND, "no model '%s'", model);
    if (rc == MD_OK)
        rc = md_job_queue(s, a->name, mid, model, p.retrain.backend, reason, proposal, job, err);
    md_policy_free(&p);
    return md_tx_end(s, rc, err);
}

/* ---- the supervisor: state changes -------------------------------------------------------------- */

typedef struct {
    int64_t id;
    char *model, *by, *reason, *state;
    json_t *spec;
    int64_t version; /* the production version when the job starts, 0 if none */
} job_ref;

static void job_ref_free(job_ref *j)
{
    free(j->model);
    free(j->by);
    free(j->reason);
    free(j->state);
    json_decref(j->spec);
}

static md_status load_job(md_store *s, int64_t id, job_ref *j, md_err *err)
{
    sqlite3_stmt *st;
    memset(j, 0, sizeof *j);
    md_status rc =
        md_sql_row_by_id(s,
                         "SELECT m.name, j.requested_by, j.reason, j.state, j.spec,"
                         " (SELECT number FROM versions v WHERE v.model_id = j.model_id AND"
                         " v.status = 'production') FROM jobs j JOIN models m ON m.id = j.model_id"
                         " WHERE j.id = ?",
                         id, "job", &st, err);
    if (rc == MD_OK) {
        j->id = id;
        j->model = md_sql_col_text(st, 0);
        j->by = md_sql_col_text(st, 1);
        j->reason = md_sql_col_text(st, 2);
        j->state = md_sql_col_text(st, 3);
        j->spec = json_loads((const char *)sqlite3_column_text(st, 4), 0, NULL);
        j->version = sqlite3_column_int64(st, 5);
    }
    sqlite3_finalize(st);
    return rc;
}

static md_status set_running(md_store *s, const job_ref *j, md_err *err)
{
    char at[MD_TIME_TEXT_MAX], obj[32];
    md_store_now_text(s, at);
    if (md_tx_begin(s, err) != MD_OK)
        return err->code;
    int64_t queued = 0;
    md_status rc = md_sql_int(s, &queued, err,
                              "SELECT count(*) FROM jobs WHERE id = ? AND state = 'queued'", "i",
                              j->id);
    if (rc == MD_OK && !queued)
        rc = md_err_set(err, MD_ERROR, "job %lld is not queued", (long long)j->id);
    if (rc == MD_OK)
        rc = md_sql_run(s, err,
                        "UPDATE jobs SET state = 'running', started_at = ?, pid = NULL WHERE id = ?",
                        "ti", at, j->id);
    if (rc == MD_OK)
        rc = md_audit_append(s, j->by, "retrain.start", job_object(j->id, obj), j->reason, NULL,
                             NULL, err);
    return md_tx_end(s, rc, err);
}

typedef struct {
    const char *state;
    int has_exit, has_http;
    int64_t exit_status, http_status, attempts;
    char tail[LOG_TAIL + 1];
    char error[MD_ERR_MSG_MAX + 64];
} outcome;

/* The final state, unless the job was cancelled meanwhile (then that stays). */
static md_status set_finished(md_store *s, const job_ref *j, const outcome *o, md_err *err)
{
    char at[MD_TIME_TEXT_MAX], obj[32];
    md_store_now_text(s, at);
    char *tail = md_utf8_repair(o->tail);
    if (md_tx_begin(s, err) != MD_OK) {
        free(tail);
        return err->code;
    }
    int64_t was_cancelled = 0;
    md_status rc = md_sql_int(s, &was_cancelled, err,
                              "SELECT count(*) FROM jobs WHERE id = ? AND state = 'cancelled'", "i",
                              j->id);
    const char *state = was_cancelled ? "cancelled" : o->state;
    if (rc == MD_OK)
        rc = md_sql_run(s, err,
                              "UPDATE jobs SET state = ?, finished_at = ?, exit_status = ?, http_status = ?,"
                              " attempts = ?, log_tail = ?, error = ? WHERE id = ?",
                              "ttIIitti", state, at, o->has_exit, o->exit_status,
                              o->has_http, o->http_status, o->attempts, tail,
                              /* a cancelled command dies of the cancel's signal: no error */
                              !was_cancelled && o->error[0] ? o->error : NULL, j->id);
    json_t *d = json_pack("{s:s, s:o, s:o, s:I}", "state", state,
                          "exit_status", md_json_int_or_null(o->has_exit, o->exit_status),
                          "http_status", md_json_int_or_null(o->has_http, o->http_status),
                          "attempts", (json_int_t)o->attempts);
    if (rc == MD_OK)
        rc = md_audit_append(s, j->by, "retrain.finish", job_object(j->id, obj), o->error, d,
                             NULL, err);
    json_decref(d);
    free(tail);
    return md_tx_end(s, rc, err);
}

/* ---- the supervisor: a command ------------------------------------------------------------------ */

/* Keeps the last LOG_TAIL bytes the command wrote. */
static void tail_add(outcome *o, size_t *len, const char *buf, size_t n)
{
    if (n >= LOG_TAIL) {
        memcpy(o->tail, buf + n - LOG_TAIL, LOG_TAIL);
        *len = LOG_TAIL;
    } else {
        size_t keep = *len + n > LOG_TAIL ? LOG_TAIL - n : *len;
        memmove(o->tail, o->tail + *len - keep, keep);
        memcpy(o->tail + keep, buf, n);
        *len = keep + n;
    }
    o->tail[*len] = '\0';
}

static bool job_cancelled(md_store *s, int64_t id)
{
    int64_t c = 0;
    md_err ignored;
    md_sql_int(s, &c, &ignored, "SELECT count(*) FROM jobs WHERE id = ? AND state = 'cancelled'",
               "i", id);
    return c > 0;
}

static void child_exec(const job_ref *j, int out, char **argv)
{
    char id[24], version[24];
    snprintf(id, sizeof id, "%lld", (long long)j->id);
    snprintf(version, sizeof version, "%lld", (long long)j->version);
    setpgid(0, 0);
    int null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    dup2(out, 1);
    dup2(out, 2);
    if (null > 2)
        close(null);
    if (out > 2)
        close(out); /* the command holds the log pipe only as its stdout and stderr */
    setenv("MODELDECK_JOB_ID", id, 1);
    setenv("MODELDECK_MODEL", j->model, 1);
    setenv("MODELDECK_VERSION", version, 1);
    setenv("MODELDECK_REASON", j->reason, 1);
    execvp(argv[0], argv);
    dprintf(out, "modeldeck: cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

static void stop_group(pid_t pid, int64_t grace_ms)
{
    kill(-pid, SIGTERM);
    for (int64_t waited = 0; waited < grace_ms; waited += 50) {
        siginfo_t si;
        memset(&si, 0, sizeof si);
        if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid)
            break;
        struct timespec ts = {0, 50000000};
        nanosleep(&ts, NULL);
    }
    kill(-pid, SIGKILL); /* the leader is unreaped, so the group id is still ours */
    waitpid(pid, NULL, 0);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads the command's output until it exits, the time runs out or the job is cancelled. */
static void supervise(md_store *s, const job_ref *j, pid_t pid, int fd, int64_t timeout_ms,
                      outcome *o)
{
    size_t len = 0;
    int64_t start = now_ms(), next_check = start + 1000;
    size_t shown = 0; /* the tail's length when last written to the store */
    bool open = true;
    int status = 0;
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        if (open && poll(&p, 1, 100) > 0) {
            char buf[4096];
            ssize_t n = read(fd, buf, sizeof buf);
            if (n > 0)
                tail_add(o, &len, buf, (size_t)n);
            else if (n == 0 || errno != EINTR)
                open = false;
        } else if (!open) {
            struct timespec ts = {0, 20000000};
            nanosleep(&ts, NULL);
        }
        if (waitpid(pid, &status, WNOHANG) == pid)
            break;
        int64_t t = now_ms();
        if (t - start > timeout_ms) {
            stop_group(pid, 2000);
            o->state = "timeout";
            snprintf(o->error, sizeof o->error, "timed out after %lld s",
                     (long long)(timeout_ms / 1000));
            return;
        }
        if (t >= next_check && len != shown) { /* the log so far, for whoever is watching */
            md_err ignored;
            md_sql_run(s, &ignored,
                       "UPDATE jobs SET log_tail = ? WHERE id = ? AND state = 'running'", "ti",
                       o->tail, j->id);
            shown = len;
        }
        if (t >= next_check && job_cancelled(s, j->id)) {
            stop_group(pid, 2000);
            o->state = "cancelled";
            return;
        }
        next_check = t >= next_check ? t + 1000 : next_check;
    }
    for (struct pollfd p = {fd, POLLIN, 0}; open && poll(&p, 1, 0) > 0;) { /* what is left */
        char buf[4096];
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0)
            break;
        tail_add(o, &len, buf, (size_t)n);
    }
    o->has_exit = 1;
    o->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    o->state = o->exit_status == 0 ? "succeeded" : "failed";
    if (o->exit_status != 0)
        snprintf(o->error, sizeof o->error, "exited with status %lld", (long long)o->exit_status);
}

static void run_command(md_store *s, const job_ref *j, outcome *o)
{
    const json_t *av = json_object_get(j->spec, "argv");
    size_t n = json_array_size(av);
    char **argv = md_xcalloc(n + 1, sizeof *argv);
    for (size_t i = 0; i < n; i++)
        argv[i] = (char *)json_string_value(json_array_get(av, i));
    int64_t timeout_ms = (int64_t)(json_number_value(json_object_get(j->spec, "timeout_s")) * 1000);
    int fds[2];
    o->attempts = 1;
    if (n == 0 || pipe(fds) != 0) {
        o->state = "failed";
        snprintf(o->error, sizeof o->error, "cannot start the command");
        free(argv);
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        child_exec(j, fds[1], argv);
    }
    close(fds[1]);
    if (pid > 0) { /* its process group, for a cancel from another process */
        setpgid(pid, pid); /* as the child does: whichever runs first, the group exists */
        md_err ignored;
        md_sql_run(s, &ignored, "UPDATE jobs SET pid = ? WHERE id = ?", "ii", (int64_t)pid, j->id);
    }
    if (pid < 0) {
        o->state = "failed";
        snprintf(o->error, sizeof o->error, "cannot fork: %s", strerror(errno));
    } else {
        supervise(s, j, pid, fds[0], timeout_ms > 0 ? timeout_ms : 3600000, o);
    }
    close(fds[0]);
    free(argv);
}

/* ---- the supervisor: a webhook ------------------------------------------------------------------ */

/* ${model}, ${version}, ${reason} and ${job} in the body template, JSON-escaped. */
static char *body_text(const job_ref *j)
{
    json_t *tmpl = json_object_get(j->spec, "body"), *empty = json_object();
    char *text = md_json_dump(tmpl ? tmpl : empty, MD_JSON_COMPACT);
    json_decref(empty);
    char version[24], id[24];
    snprintf(version, sizeof version, "%lld", (long long)j->version);
    snprintf(id, sizeof id, "%lld", (long long)j->id);
    const char *names[] = {"${model}", "${version}", "${reason}", "${job}"};
    const char *values[] = {j->model, version, j->reason, id};
    char *quoted[4];
    for (int i = 0; i < 4; i++) {
        json_t *v = json_string(values[i]);
        quoted[i] = md_json_dump(v, MD_JSON_COMPACT);
        json_decref(v);
    }
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    for (const char *p = text; *p;) {
        int i = 0;
        while (i < 4 && strncmp(p, names[i], strlen(names[i])) != 0)
            i++;
        if (i < 4) {
            fwrite(quoted[i] + 1, 1, strlen(quoted[i]) - 2, f);
            p += strlen(names[i]);
        } else {
            fputc(*p++, f);
        }
    }
    fclose(f);
    for (int i = 0; i < 4; i++)
        free(quoted[i]);
    free(text);
    return out;
}

static char **header_lines(const job_ref *j, outcome *o)
{
    json_t *h = json_object_get(j->spec, "headers"), *se = json_object_get(j->spec, "secret_env");
    size_t n = json_object_size(h), k = 0;
    const char **allowed = md_xcalloc(json_array_size(se) + 1, sizeof *allowed);
    for (size_t i = 0; i < json_array_size(se); i++)
        allowed[i] = json_string_value(json_array_get(se, i));
    char **lines = md_xcalloc(n + 1, sizeof *lines);
    const char *name;
    json_t *v;
    json_object_foreach(h, name, v)
    {
        char *value = NULL;
        md_err err;
        if (md_http_expand_env(json_string_value(v), allowed, &value, &err) != MD_OK) {
            snprintf(o->error, sizeof o->error, "header %s: %s", name, err.msg);
            break;
        }
        lines[k++] = md_xasprintf("%s: %s", name, value);
        free(value);
    }
    free(allowed);
    return lines;
}

static void free_lines(char **lines)
{
    for (char **l = lines; l && *l; l++) {
        memset(*l, 0, strlen(*l)); /* secrets do not linger in freed memory */
        free(*l);
    }
    free(lines);
}

typedef struct {
    md_store *s;
    int64_t id;
    volatile int flag, done;
} watch;

static void *watch_cancel(void *arg)
{
    watch *w = arg;
    while (!__atomic_load_n(&w->done, __ATOMIC_RELAXED)) {
        if (job_cancelled(w->s, w->id)) {
            __atomic_store_n(&w->flag, 1, __ATOMIC_RELAXED);
            break;
        }
        struct timespec ts = {0, 100000000};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

static void run_webhook(md_store *s, const job_ref *j, outcome *o)
{
    watch w = {s, j->id, 0, 0};
    pthread_t t;
    char **lines = header_lines(j, o);
    char *body = body_text(j);
    if (o->error[0]) {
        o->state = "failed";
    } else {
        md_http_request req = {0};
        req.url = json_string_value(json_object_get(j->spec, "url"));
        req.body = body;
        req.headers = (const char *const *)lines;
        req.timeout_ms = (long)(json_number_value(json_object_get(j->spec, "timeout_s")) * 1000);
        req.retries = (int)json_integer_value(json_object_get(j->spec, "retries"));
        req.backoff_ms = (long)json_integer_value(json_object_get(j->spec, "backoff_ms"));
        req.ca_file = json_string_value(json_object_get(j->spec, "ca_file"));
        md_http_result res;
        md_err err;
        req.cancel = &w.flag;
        pthread_create(&t, NULL, watch_cancel, &w);
        md_status rc = md_http_post_json(&req, &res, &err);
        __atomic_store_n(&w.done, 1, __ATOMIC_RELAXED);
        pthread_join(t, NULL);
        o->state = rc == MD_OK ? "succeeded" : (res.timed_out ? "timeout" : "failed");
        o->has_http = res.status != 0;
        o->http_status = res.status;
        o->attempts = res.attempts;
        snprintf(o->tail, sizeof o->tail, "%s", res.body_tail);
        if (rc != MD_OK)
            snprintf(o->error, sizeof o->error, "%s", err.msg);
    }
    free(body);
    free_lines(lines);
}

md_status md_job_run(md_store *s, int64_t id, md_err *err)
{
    job_ref j;
    if (load_job(s, id, &j, err) != MD_OK)
        return err->code;
    md_status rc = set_running(s, &j, err);
    if (rc == MD_OK) {
        outcome o;
        memset(&o, 0, sizeof o);
        const char *type = json_string_value(json_object_get(j.spec, "type"));
        if (type && strcmp(type, "webhook") == 0)
            run_webhook(s, &j, &o);
        else
            run_command(s, &j, &o);
        rc = set_finished(s, &j, &o, err);
    }
    job_ref_free(&j);
    return rc;
}

md_status md_job_launch(const char *exe, const char *db, int64_t id, md_err *err)
{
    char arg[24];
    snprintf(arg, sizeof arg, "%lld", (long long)id);
    int fds[2]; /* close-on-exec: EOF when the supervisor runs, an errno when it could not */
    if (pipe2(fds, O_CLOEXEC) != 0)
        return md_err_set(err, MD_ERROR, "cannot start the job: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return md_err_set(err, MD_ERROR, "cannot start the job: %s", strerror(errno));
    }
    if (pid == 0) { /* detach: a new session, then a grandchild that outlives us */
        close(fds[0]);
        setsid();
        pid_t grand = fork();
        if (grand != 0) {
            if (grand < 0) {
                int e = errno;
                (void)!write(fds[1], &e, sizeof e);
            }
            _exit(0);
        }
        int null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        if (null > 2)
            close(null);
        execl(exe, exe, "--db", db, "__job", arg, (char *)NULL);
        int e = errno;
        (void)!write(fds[1], &e, sizeof e);
        _exit(127);
    }
    close(fds[1]);
    int status, e = 0;
    waitpid(pid, &status, 0);
    ssize_t n;
    do
        n = read(fds[0], &e, sizeof e);
    while (n < 0 && errno == EINTR);
    close(fds[0]);
    if (n == (ssize_t)sizeof e)
        return md_err_set(err, MD_ERROR, "the supervisor of job %lld could not start (%s: %s); "
                                         "the job stays queued: cancel it, or run '%s --db %s "
                                         "__job %lld'",
                          (long long)id, exe, strerror(e), exe, db, (long long)id);
    return MD_OK;
}

/* ---- cancel, list, show --------------------------------------------------------------------------- */

md_status md_job_cancel(md_store *s, const md_actor *a, int64_t id, const char *reason,
                        md_err *err)
{
    if (md_check_text("--reason", reason, 2048, true, err) != MD_OK ||
        md_write_begin(s, a, MD_PERM_OPS_ACTION, err) != MD_OK)
        return err->code;
    job_ref j;
    char at[MD_TIME_TEXT_MAX], obj[32];
    md_store_now_text(s, at);
    int64_t pid = 0;
    md_status rc = load_job(s, id, &j, err);
    if (rc == MD_OK && strcmp(j.state, "queued") != 0 && strcmp(j.state, "running") != 0)
        rc = md_err_set(err, MD_ERROR, "job %lld is %s; only a queued or running job can be "
                                       "cancelled",
                        (long long)id, j.state);
    if (rc == MD_OK)
        md_sql_int(s, &pid, err, "SELECT coalesce(pid, 0) FROM jobs WHERE id = ?", "i", id);
    if (rc == MD_OK)
        rc = md_sql_run(s, err,
                        "UPDATE jobs SET state = 'cancelled', finished_at = ? WHERE id = ?", "ti",
                        at, id);
    json_t *d = json_pack("{s:s}", "was", j.state ? j.state : "?");
    if (rc == MD_OK)
        rc = md_audit_append(s, a->name, "retrain.cancel", job_object(id, obj), reason, d, NULL,
                             err);
    json_decref(d);
    bool running = rc == MD_OK && strcmp(j.state, "running") == 0;
    job_ref_free(&j);
    rc = md_tx_end(s, rc, err);
    if (rc == MD_OK && running && pid > 0)
        kill(-(pid_t)pid, SIGTERM); /* the supervisor also sees the state within a second */
    return rc;
}

#define JOB_SELECT                                                                                 \
    "SELECT j.id, m.name, j.backend, j.state, j.requested_by, j.requested_at, j.reason,"          \
    " j.proposal_id, j.started_at, j.finished_at, j.exit_status, j.http_status, j.attempts,"      \
    " j.log_tail, j.error, j.spec FROM jobs j JOIN models m ON m.id = j.model_id "

static json_t *job_row(sqlite3_stmt *st, bool full)
{
    json_t *o = json_object();
    static const char *const keys[] = {"id",          "model",       "backend",     "state",
                                       "requested_by", "requested_at", "reason",     "proposal",
                                       "started_at",  "finished_at", "exit_status", "http_status",
                                       "attempts",    "log_tail",    "error"};
    for (int c = 0; c < 15; c++) {
        if (!full && c == 13)
            continue;
        int t = sqlite3_column_type(st, c);
        json_object_set_new(o, keys[c],
                            t == SQLITE_NULL      ? json_null()
                            : t == SQLITE_INTEGER ? json_integer(sqlite3_column_int64(st, c))
                                                  : md_json_str_or_null(
                                                        (const char *)sqlite3_column_text(st, c)));
    }
    if (full) { /* what it runs, for the operator (never a secret: headers are templates) */
        json_t *spec = md_json_load_or_string((const char *)sqlite3_column_text(st, 15));
        json_object_del(spec, "secret_env");
        json_object_set_new(o, "spec", spec);
    }
    return o;
}

md_status md_jobs_list(md_store *s, const char *model, json_t **out, md_err *err)
{
    sqlite3_stmt *st;
    *out = NULL;
    if (md_sql_prepare(s, JOB_SELECT "WHERE ?1 IS NULL OR m.name = ?1 ORDER BY j.id DESC", &st,
                       err) != MD_OK)
        return err->code;
    md_sql_bind(st, "t", model);
    json_t *a = json_array();
    md_status rc = MD_OK;
    for (bool row = true; rc == MD_OK;) {
        rc = md_sql_step(s, st, &row, err);
        if (rc != MD_OK || !row)
            break;
        json_array_append_new(a, job_row(st, false));
    }
    sqlite3_finalize(st);
    if (rc == MD_OK)
        *out = a;
    else
        json_decref(a);
    return rc;
}

md_status md_job_show(md_store *s, int64_t id, json_t **out, md_err *err)
{
    sqlite3_stmt *st;
    *out = NULL;
    md_status rc = md_sql_row_by_id(s, JOB_SELECT "WHERE j.id = ?", id, "job", &st, err);
    if (rc == MD_OK)
        *out = job_row(st, true);
    sqlite3_finalize(st);
    return rc;
}
