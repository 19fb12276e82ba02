/*
 * logs.c — the library's Rust log records received by a C host (spec/abi.md,
 * "Logs"; spec/wire.md, "Log records"): a host object of the C host connected
 * with ferryman_log_connect receives one map per record, from the calling
 * thread and from a Rust thread; the cached maximum level (ferryman_log_level)
 * keeps the others from being sent at all; the reference the library holds is
 * released when it disconnects.
 *
 * Exercises the fixture functions in tests/fixture/src/logs.rs.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dlfcn.h>

#include "c_host.h"

#define MAX_RECORDS 16

/* The records received so far (each map's bytes). */
static pthread_mutex_t records_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    uint8_t *bytes;
    size_t n;
} records[MAX_RECORDS];
static size_t record_count;

/* The sink: keeps a copy of its one map argument, returns nil. */
static bool c_log_record(const Head *args, size_t n, Writer *result, Failure *failure) {
    (void)failure;
    if (n == 1 && args[0].kind == MP_MAP) {
        pthread_mutex_lock(&records_lock);
        if (record_count < MAX_RECORDS) {
            records[record_count].bytes = malloc((size_t)args[0].i);
            memcpy(records[record_count].bytes, args[0].data, (size_t)args[0].i);
            records[record_count].n = (size_t)args[0].i;
            record_count++;
        }
        pthread_mutex_unlock(&records_lock);
    }
    w_nil(result);
    return true;
}

/* How many records arrived since the last forget_records(). */
static size_t take_records(void) {
    pthread_mutex_lock(&records_lock);
    size_t n = record_count;
    pthread_mutex_unlock(&records_lock);
    return n;
}

static void forget_records(void) {
    pthread_mutex_lock(&records_lock);
    for (size_t k = 0; k < record_count; k++) free(records[k].bytes);
    record_count = 0;
    pthread_mutex_unlock(&records_lock);
}

static void call_str(const Lib *lib, const char *name, const char *arg) {
    Writer a = {NULL, 0, 0};
    w_array(&a, 1);
    w_str(&a, arg);
    Outcome o = call_with(lib, function_id(lib, name), &a);
    if (!check(o.status == FERRY_OK, "%s(\"%s\") returns", name, arg)) show(&o);
    release(lib, &o);
}

static int64_t max_level(const Lib *lib) {
    Writer a = {NULL, 0, 0};
    w_array(&a, 0);
    Outcome o = call_with(lib, function_id(lib, "log_max_level"), &a);
    Rd r = {o.out.ptr, o.out.len, 0};
    Head h = {0};
    bool ok = o.status == FERRY_OK && head(&r, &h) && h.kind == MP_INT;
    release(lib, &o);
    return ok ? h.i : -1;
}

static void each_level(const Lib *lib) {
    call_str(lib, "log_each_level", "c");
    size_t n = take_records();
    if (!check(n == 3, "max level 3 (info): error, warn and info arrive (%zu records)", n)) return;
    int64_t level = 0;
    check(map_int(records[0].bytes, records[0].n, "level", &level) && level == 1, "the first is level 1 (error)");
    check(map_int(records[2].bytes, records[2].n, "level", &level) && level == 3, "the third is level 3 (info)");
    check(map_str_is(records[2].bytes, records[2].n, "message", "info: c"), "message \"info: c\"");
    check(map_str_is(records[2].bytes, records[2].n, "target", "ferryman_fixture::logs"),
          "target is the Rust module path, ferryman_fixture::logs");
    check(map_str_is(records[2].bytes, records[2].n, "file", "tests/fixture/src/logs.rs"),
          "file is tests/fixture/src/logs.rs");
    int64_t line = 0;
    bool has_line = map_int(records[2].bytes, records[2].n, "line", &line);
    check(has_line && line > 0, "line is set (%lld)", (long long)line);
    int64_t thread_id = 0;
    check(map_int(records[2].bytes, records[2].n, "thread_id", &thread_id) &&
              (uint64_t)thread_id == (uint64_t)pthread_self(),
          "thread_id is the calling thread's pthread_self()");
    forget_records();
}

static void from_thread(const Lib *lib) {
    call_str(lib, "log_from_thread", "t");
    size_t n = take_records();
    if (!check(n == 1, "a record logged on a Rust thread arrives (%zu)", n)) return;
    check(map_str_is(records[0].bytes, records[0].n, "thread", "fixture-logger"), "thread is the Rust thread's name");
    int64_t thread_id = 0;
    check(map_int(records[0].bytes, records[0].n, "thread_id", &thread_id) &&
              (uint64_t)thread_id != (uint64_t)pthread_self(),
          "thread_id is not the calling thread's");
    forget_records();
}

void feature(const Lib *lib, const char *second_path) {
    (void)second_path;
    CallbackSymbols s;
    if (!c_host_setup(lib, &s)) return;
    FerrymanLogConnectFn connect = (FerrymanLogConnectFn)dlsym(lib->handle, "ferryman_log_connect");
    FerrymanLogLevelFn set_level = (FerrymanLogLevelFn)dlsym(lib->handle, "ferryman_log_level");
    if (!check(connect != NULL && set_level != NULL, "the library has both log symbols")) return;

    call_str(lib, "log_each_level", "before");
    check(take_records() == 0 && max_level(lib) == 0, "before a connect nothing is sent (max level 0)");

    uint64_t sink = host_new(c_log_record);
    check(connect(c_host_id(), sink, 6) == -1, "ferryman_log_connect(level 6) = -1");
    check(connect(c_host_id() + 100, sink, 3) == -1, "ferryman_log_connect(unknown host) = -1");
    check(set_level(6) == -1, "ferryman_log_level(6) = -1");
    check(connect(c_host_id(), sink, 3) == 0, "ferryman_log_connect(host, sink, 3) = 0");
    check(host_refs(sink) == 2, "the library retained the sink (host + library: %ld)", host_refs(sink));
    check(max_level(lib) == 3, "the library's cached maximum is 3");

    each_level(lib);
    from_thread(lib);

    check(set_level(5) == 0, "ferryman_log_level(5) = 0");
    call_str(lib, "log_each_level", "all");
    size_t n = take_records();
    check(n == 5, "max level 5 (trace): all five levels arrive (%zu)", n);
    forget_records();

    check(set_level(0) == 0 && max_level(lib) == 0, "ferryman_log_level(0): the maximum is off");
    call_str(lib, "log_each_level", "off");
    n = take_records();
    check(n == 0, "max level 0: no record is sent (%zu)", n);

    check(connect(c_host_id(), 0, 0) == 0, "ferryman_log_connect(handle 0) disconnects");
    check(host_refs(sink) == 1, "disconnecting released the library's reference");
    host_drop(sink);
    forget_records();
    c_host_finish();
}
