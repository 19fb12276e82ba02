/*
 * run_c.c — the C runner of the conformance suite (tests/conformance/README.md),
 * on the raw C ABI of bindings/c/ferryman.h: it encodes each case's arguments
 * as MessagePack itself (c/case_values.c, from cases.json parsed by the
 * vendored cJSON), calls ferryman_call, and compares the result, or the error
 * value (spec/wire.md, "Error values") and its status, with the case.
 *
 *   run_c path/to/libferryman_fixture.so path/to/cases.json path/to/repository [ID-SUBSTRING]
 *
 * Prints "FAIL <id>: <what differed>" per failed case, then "N passed, M
 * failed"; exits 1 when a case failed, 2 when it could not run at all.
 * tests/conformance/run_c.sh builds and runs it.
 */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c/case_values.h"
#include "c/msgpack.h"
#include "cJSON.h"
#include "ferryman.h"

/* The host buffer of the second run of each case: results of up to this many
 * bytes are written into it, longer ones spill into a library box. */
#define SMALL_BUFFER 48

typedef struct Lib {
    void *handle;
    FerrymanAbiVersionFn abi_version;
    FerrymanFunctionIdFn function_id;
    FerrymanCallFn call;
    FerrymanBoxFreeFn box_free;
    /* Optional (spec/abi.md, "Streams"): NULL in a library without streams. */
    int32_t (*stream_next)(uint64_t handle, uint32_t max_items, FerryBox *out);
    int32_t (*stream_release)(uint64_t handle);
} Lib;

static void *symbol(void *handle, const char *name) {
    void *p = dlsym(handle, name);
    if (p == NULL) {
        fprintf(stderr, "run_c: not a ferryman library (no %s): %s\n", name, dlerror());
        exit(2);
    }
    return p;
}

static Lib load(const char *path) {
    Lib lib = {0};
    lib.handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (lib.handle == NULL) {
        fprintf(stderr, "run_c: cannot load %s: %s\n", path, dlerror());
        exit(2);
    }
    lib.abi_version = (FerrymanAbiVersionFn)symbol(lib.handle, "ferryman_abi_version");
    if (lib.abi_version() != FERRYMAN_ABI_VERSION) {
        fprintf(stderr, "run_c: %s speaks ferryman ABI %u, this host speaks %d\n", path,
                (unsigned)lib.abi_version(), FERRYMAN_ABI_VERSION);
        exit(2);
    }
    lib.function_id = (FerrymanFunctionIdFn)symbol(lib.handle, "ferryman_function_id");
    lib.call = (FerrymanCallFn)symbol(lib.handle, "ferryman_call");
    lib.box_free = (FerrymanBoxFreeFn)symbol(lib.handle, "ferryman_box_free");
    *(void **)&lib.stream_next = dlsym(lib.handle, "ferryman_stream_next");
    *(void **)&lib.stream_release = dlsym(lib.handle, "ferryman_stream_release");
    return lib;
}

/* "a/b", malloc'd. */
static char *join_path(const char *a, const char *b) {
    size_t n = strlen(a) + strlen(b) + 2;
    char *path = malloc(n);
    if (path == NULL) {
        fprintf(stderr, "run_c: out of memory\n");
        abort();
    }
    snprintf(path, n, "%s/%s", a, b);
    return path;
}

/* The whole file, NUL-terminated; NULL when it cannot be read. */
static char *read_text(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    Buf b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        buf_put(&b, chunk, n);
    }
    fclose(f);
    buf_put(&b, "", 1);
    return (char *)b.p;
}

/* ---- what differed, per case ------------------------------------------------- */

static void note(Buf *report, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(Buf *report, const char *fmt, ...) {
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (report->len > 0) {
        report->len--; /* the NUL */
        buf_put(report, "; ", 2);
    }
    buf_put(report, line, strlen(line) + 1);
}

/* "<key>: expected <want>, got <got>" (values shown as text). */
static void note_values(Buf *report, const char *what, Span want, Span got) {
    Buf w = {0}, g = {0};
    mp_show(want, &w);
    if (got.p != NULL) {
        mp_show(got, &g);
    } else {
        buf_put(&g, "(missing)", 10);
    }
    note(report, "%s: expected %s, got %s", what, (char *)w.p, (char *)g.p);
    buf_free(&w);
    buf_free(&g);
}

/* "<what> <value as text>". */
static void note_value(Buf *report, const char *what, Span v) {
    Buf t = {0};
    mp_show(v, &t);
    note(report, "%s %s", what, (char *)t.p);
    buf_free(&t);
}

/* Compares map[key] of an error value with the case's JSON value. */
static bool check_key(Buf *report, const char *what, Span map, const char *key, const cJSON *want) {
    Buf enc = {0};
    char problem[256];
    if (!encode_value(want, &enc, problem, sizeof problem)) {
        note(report, "%s: %s", what, problem);
        buf_free(&enc);
        return false;
    }
    Span got = {NULL, 0};
    Span w = {enc.p, enc.len};
    bool ok = map_value(map, key, &got) && mp_equal(w, got);
    if (!ok) {
        note_values(report, what, w, got);
    }
    buf_free(&enc);
    return ok;
}

static bool str_of(Span v, const uint8_t **data, size_t *len) {
    size_t at = 0;
    Val h;
    if (!mp_head(v.p, v.n, &at, &h) || h.kind != V_STR) {
        return false;
    }
    *data = h.data;
    *len = (size_t)h.len;
    return true;
}

static bool int_of(Span v, int64_t *out) {
    size_t at = 0;
    Val h;
    return mp_head(v.p, v.n, &at, &h) && h.kind == V_INT && wide_i64(h.wide, out);
}

/* Element k of an array, and its length. */
static bool element(Span array, uint64_t k, Span *out, uint64_t *len) {
    size_t at = 0;
    Val h;
    if (!mp_head(array.p, array.n, &at, &h) || h.kind != V_ARRAY) {
        return false;
    }
    *len = h.len;
    for (uint64_t j = 0; j < h.len; j++) {
        size_t start = at;
        if (!mp_skip(array.p, array.n, &at)) {
            return false;
        }
        if (j == k) {
            out->p = array.p + start;
            out->n = at - start;
            return true;
        }
    }
    return false;
}

/* ---- frames ------------------------------------------------------------------ */

/* The 1-based line of repository/fixture/file holding `text` exactly once; 0
 * (with a note) otherwise. */
static int64_t line_of(Buf *report, const char *fixture_dir, const char *file, const char *text) {
    char *path = join_path(fixture_dir, file);
    char *source = read_text(path);
    if (source == NULL) {
        note(report, "frame: cannot read %s", path);
        free(path);
        return 0;
    }
    free(path);
    int64_t line = 0, hit = 0, hits = 0;
    for (char *start = source; *start;) {
        char *end = strchr(start, '\n');
        if (end != NULL) {
            *end = '\0';
        }
        line++;
        if (strstr(start, text) != NULL) {
            hit = line;
            hits++;
        }
        if (end == NULL) {
            break;
        }
        start = end + 1;
    }
    free(source);
    if (hits != 1) {
        note(report, "frame: line_of \"%s\" occurs %lld times in %s", text, (long long)hits, file);
        return 0;
    }
    return hit;
}

/* The innermost (last) frame of the error value against the case's "frame". */
static void check_frame(Buf *report, Span err, const cJSON *want, const char *fixture_dir) {
    Span frames, frame;
    uint64_t count = 0;
    if (!map_value(err, "frames", &frames) || !element(frames, 0, &frame, &count) ||
        !element(frames, count - 1, &frame, &count)) {
        note(report, "frame: the error value has no frames");
        return;
    }
    const cJSON *file = cJSON_GetObjectItemCaseSensitive(want, "file");
    const cJSON *line = cJSON_GetObjectItemCaseSensitive(want, "line");
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(want, "line_of");
    if (!cJSON_IsString(file) || (!cJSON_IsNumber(line) && !cJSON_IsString(text))) {
        note(report, "frame: the case needs file and line or line_of");
        return;
    }
    Span v;
    const uint8_t *got;
    size_t got_len;
    if (!map_value(frame, "file", &v) || !str_of(v, &got, &got_len)) {
        note(report, "frame: no file");
        return;
    }
    char *path = calloc(got_len + 1, 1);
    for (size_t j = 0; path && j < got_len; j++) {
        path[j] = got[j] == '\\' ? '/' : (char)got[j];
    }
    size_t n = strlen(file->valuestring);
    bool same = path && (strcmp(path, file->valuestring) == 0 ||
                         (got_len > n && path[got_len - n - 1] == '/' && strcmp(path + got_len - n, file->valuestring) == 0));
    if (!same) {
        note(report, "frame file: expected .../%s, got %s", file->valuestring, path ? path : "?");
    }
    int64_t want_line = cJSON_IsNumber(line) ? (int64_t)line->valuedouble
                                             : line_of(report, fixture_dir, file->valuestring, text->valuestring);
    int64_t got_line = -1;
    if (want_line != 0 && (!map_value(frame, "line", &v) || !int_of(v, &got_line) || got_line != want_line)) {
        note(report, "frame line: expected %lld, got %lld (%s)", (long long)want_line, (long long)got_line,
             path ? path : "?");
    }
    free(path);
    const char *keys[] = {"column", "function"};
    for (size_t k = 0; k < 2; k++) {
        const cJSON *w = cJSON_GetObjectItemCaseSensitive(want, keys[k]);
        if (w != NULL) {
            char what[32];
            snprintf(what, sizeof what, "frame %s", keys[k]);
            check_key(report, what, frame, keys[k], w);
        }
    }
}

/* ---- one case ---------------------------------------------------------------- */

/* The status spec/abi.md gives an error kind. */
static int32_t status_of(const char *kind) {
    if (strcmp(kind, "error") == 0) return FERRY_ERROR;
    if (strcmp(kind, "panic") == 0) return FERRY_PANIC;
    if (strcmp(kind, "no_function") == 0) return FERRY_NO_FUNCTION;
    if (strcmp(kind, "internal") == 0) return FERRY_INTERNAL;
    return FERRY_BAD_ARGS; /* arity, type, overflow, malformed */
}

static void check_causes(Buf *report, Span err, const cJSON *want) {
    Span causes, cause;
    uint64_t count = 0;
    size_t want_count = (size_t)cJSON_GetArraySize(want);
    if (!map_value(err, "causes", &causes) || (!element(causes, 0, &cause, &count) && count != 0) ||
        count != want_count) {
        note(report, "causes: expected %zu, got %llu", want_count, (unsigned long long)count);
        return;
    }
    uint64_t k = 0;
    for (const cJSON *w = want->child; w; w = w->next, k++) {
        element(causes, k, &cause, &count);
        for (const cJSON *field = w->child; field; field = field->next) {
            char what[64];
            snprintf(what, sizeof what, "causes[%llu] %s", (unsigned long long)k, field->string);
            check_key(report, what, cause, field->string, field);
        }
    }
}

static void check_error(Buf *report, int32_t status, Span err, const cJSON *want, const char *fixture_dir) {
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(want, "kind");
    if (!cJSON_IsString(kind)) {
        note(report, "the case's error has no kind");
        return;
    }
    if (!check_key(report, "kind", err, "kind", kind)) {
        Span m;
        if (map_value(err, "message", &m)) {
            note_value(report, "its message:", m);
        }
        return;
    }
    if (status != status_of(kind->valuestring)) {
        note(report, "status: expected %d for kind %s, got %d", status_of(kind->valuestring), kind->valuestring, status);
    }
    for (const cJSON *field = want->child; field; field = field->next) {
        const char *key = field->string;
        if (strcmp(key, "kind") == 0) {
            continue;
        } else if (strcmp(key, "frame") == 0) {
            check_frame(report, err, field, fixture_dir);
        } else if (strcmp(key, "causes") == 0) {
            check_causes(report, err, field);
        } else if (strcmp(key, "message_contains") == 0 && !cJSON_IsString(field)) {
            note(report, "message_contains: the case's value is not a string");
        } else if (strcmp(key, "message_contains") == 0) {
            Span m;
            const uint8_t *text;
            size_t len;
            size_t needle = strlen(field->valuestring);
            bool found = false;
            if (map_value(err, "message", &m) && str_of(m, &text, &len)) {
                for (size_t j = 0; !found && j + needle <= len; j++) {
                    found = memcmp(text + j, field->valuestring, needle) == 0;
                }
            }
            if (!found) {
                note(report, "message: expected it to contain \"%s\"", field->valuestring);
            }
        } else {
            /* type, variant, fields, message, function, param, index, expected, ...:
             * the error value's key of that name */
            check_key(report, key, err, key, field);
        }
    }
}

/* Checks one call's status and `out` against the case's result or error. */
static void check_outcome(Buf *report, int32_t status, Span got, const cJSON *result, const cJSON *error,
                          const char *fixture_dir) {
    char problem[256];
    size_t at = 0;
    if (status == FERRY_NULL_POINTER || !mp_skip(got.p, got.n, &at) || at != got.n) {
        note(report, "status %d with out not one MessagePack value", status);
    } else if (result != NULL) {
        if (status != FERRY_OK) {
            char what[64];
            snprintf(what, sizeof what, "expected a result, got status %d:", status);
            note_value(report, what, got);
        } else {
            Buf want = {0};
            if (!encode_value(result, &want, problem, sizeof problem)) {
                note(report, "result: %s", problem);
            } else if (!mp_equal((Span){want.p, want.len}, got)) {
                note_values(report, "result", (Span){want.p, want.len}, got);
            }
            buf_free(&want);
        }
    } else if (status == FERRY_OK) {
        note_value(report, "expected an error, got the result", got);
    } else {
        check_error(report, status, got, error, fixture_dir);
    }
}

/* Whether `v` is a stream handle (extension 7, spec/wire.md "Futures and
 * streams"), and which. */
static bool stream_handle(Span v, uint64_t *handle) {
    size_t at = 0;
    Val head;
    if (!mp_head(v.p, v.n, &at, &head) || head.kind != V_EXT || head.ext != 7 || head.len != 8) {
        return false;
    }
    *handle = 0;
    for (int i = 0; i < 8; i++) {
        *handle = (*handle << 8) | head.data[i];
    }
    return true;
}

/* Pulls stream `handle` to its end or its first error item, three items at
 * a time so that a case takes several nexts (no completion is connected: a
 * next waits for its batch), then releases it. `items` gets the array of the
 * items before the end or the error; returns the last next's status, its
 * `out` (nil at the end, else the error value) left in `last` to free. */
static int32_t drain_stream(const Lib *lib, uint64_t handle, Buf *items, FerryBox *last) {
    Buf body = {0};
    uint32_t count = 0;
    int32_t status = FERRY_NULL_POINTER;
    *last = (FerryBox){NULL, 0, 0};
    while (lib->stream_next != NULL) {
        status = lib->stream_next(handle, 3, last);
        size_t at = 0;
        Val head;
        if (status != FERRY_OK || !mp_head(last->ptr, last->len, &at, &head) || head.kind != V_ARRAY) {
            break; /* an error item, the end (nil), or a malformed batch (left to the check) */
        }
        buf_put(&body, last->ptr + at, last->len - at);
        count += (uint32_t)head.len;
        lib->box_free(last);
        *last = (FerryBox){NULL, 0, 0};
    }
    mp_array(items, count);
    buf_put(items, body.p, body.len);
    buf_free(&body);
    if (lib->stream_release != NULL) {
        lib->stream_release(handle);
    }
    return status;
}

/* Runs one case; the report stays empty when it passed. */
static void run_case(const Lib *lib, const cJSON *c, const char *fixture_dir, Buf *report) {
    const cJSON *function = cJSON_GetObjectItemCaseSensitive(c, "function");
    const cJSON *args = cJSON_GetObjectItemCaseSensitive(c, "args");
    const cJSON *result = cJSON_GetObjectItemCaseSensitive(c, "result");
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(c, "error");
    if (!cJSON_IsString(function) || !cJSON_IsArray(args) || (result == NULL) == (error == NULL)) {
        note(report, "a case needs function, args and either result or error");
        return;
    }
    FerryBox name = {(uint8_t *)function->valuestring, strlen(function->valuestring), 0};
    int64_t id = lib->function_id(&name);
    if (id < 0) {
        note(report, "the library has no function %s", function->valuestring);
        return;
    }
    Buf encoded = {0};
    char problem[256];
    if (!encode_value(args, &encoded, problem, sizeof problem)) {
        note(report, "args: %s", problem);
        buf_free(&encoded);
        return;
    }
    FerryBox in = {encoded.p, encoded.len, encoded.len};
    /* Each case runs twice (spec/host-guide.md, "7. Call, and the `out` rule"): with the
     * empty box (the library allocates), then with a small host buffer that a
     * short value is written into and a long one spills out of. */
    uint8_t small[SMALL_BUFFER];
    Buf first = {0}; /* the first run's report: the second says only what differs */
    for (int pass = 0; pass < 2; pass++) {
        FerryBox out = pass == 0 ? (FerryBox){NULL, 0, 0} : (FerryBox){small, 0, sizeof small};
        int32_t status = lib->call((uint32_t)id, &in, &out);
        if (pass == 1 && out.ptr != small && out.len <= sizeof small) {
            note(report, "a value of %zu bytes did not stay in the %zu-byte host buffer", out.len, sizeof small);
        }
        Buf pass_report = {0};
        Span got = {out.ptr, out.len};
        /* A stream's result is the array of its items; an error item is the
         * case's error, the items before it the case's `items`. */
        uint64_t stream;
        Buf items = {0};
        FerryBox last = {NULL, 0, 0};
        int32_t outcome = status;
        bool streamed = status == FERRY_OK && stream_handle(got, &stream);
        if (streamed) {
            outcome = drain_stream(lib, stream, &items, &last);
            got = outcome == FERRY_OK ? (Span){items.p, items.len} : (Span){last.ptr, last.len};
            const cJSON *want_items = cJSON_GetObjectItemCaseSensitive(c, "items");
            if (outcome != FERRY_OK && want_items != NULL) {
                Buf want = {0};
                if (!encode_value(want_items, &want, problem, sizeof problem)) {
                    note(&pass_report, "items: %s", problem);
                } else if (!mp_equal((Span){want.p, want.len}, (Span){items.p, items.len})) {
                    note_values(&pass_report, "items before the error", (Span){want.p, want.len},
                                (Span){items.p, items.len});
                }
                buf_free(&want);
            }
        }
        check_outcome(&pass_report, outcome, got, result, error, fixture_dir);
        if (streamed) {
            if (outcome != FERRY_NULL_POINTER) {
                lib->box_free(&last);
            }
            buf_free(&items);
        }
        bool repeated = pass == 1 && pass_report.len == first.len &&
                        (first.len == 0 || memcmp(pass_report.p, first.p, first.len) == 0);
        if (pass_report.len > 0 && !repeated) {
            note(report, "%s%s", pass == 0 ? "" : "(host buffer) ", (char *)pass_report.p);
        }
        if (pass == 0) {
            first = pass_report;
        } else {
            buf_free(&pass_report);
        }
        if (status != FERRY_NULL_POINTER && out.ptr != small) {
            lib->box_free(&out);
        }
    }
    buf_free(&first);
    buf_free(&encoded);
}

int main(int argc, char **argv) {
    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: %s path/to/libferryman_fixture.so path/to/cases.json path/to/repository [ID-SUBSTRING]\n",
                argv[0]);
        return 2;
    }
    char *text = read_text(argv[2]);
    cJSON *suite = text ? cJSON_Parse(text) : NULL;
    free(text);
    const cJSON *cases = cJSON_GetObjectItemCaseSensitive(suite, "cases");
    const cJSON *fixture = cJSON_GetObjectItemCaseSensitive(suite, "fixture");
    if (!cJSON_IsArray(cases) || !cJSON_IsString(fixture)) {
        fprintf(stderr, "run_c: %s is not a conformance suite (no cases, or no fixture)\n", argv[2]);
        cJSON_Delete(suite);
        return 2;
    }
    char *fixture_dir = join_path(argv[3], fixture->valuestring);
    Lib lib = load(argv[1]);
    int passed = 0, failed = 0;
    for (const cJSON *c = cases->child; c; c = c->next) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(c, "id");
        const char *name = cJSON_IsString(id) ? id->valuestring : "(no id)";
        if (argc == 5 && strstr(name, argv[4]) == NULL) {
            continue;
        }
        Buf report = {0};
        run_case(&lib, c, fixture_dir, &report);
        if (report.len > 0) {
            failed++;
            printf("FAIL %s: %s\n", name, (char *)report.p);
        } else {
            passed++;
        }
        buf_free(&report);
    }
    cJSON_Delete(suite);
    free(fixture_dir);
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
