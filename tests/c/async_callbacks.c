/*
 * async_callbacks.c — async callbacks (spec/callbacks.md, "Async callbacks"):
 * a C host whose callables answer later. invoke gets the arguments plus a
 * resolver closure (extension 2) as the last one; the callable starts a
 * thread and returns nil at once; the thread calls the resolver through
 * ferryman_closure_call with [status, value] and releases it. Covered: a
 * result (also awaited inside ferryman_call before any completion is
 * connected), two calls at once, an exception coming back as the same
 * object, a resolver released uncalled, an invoke that fails at once, a
 * future dropped before the resolver is called (a timeout inside Rust, and
 * ferryman_future_cancel), the resolver's own argument errors and a second
 * call, and nothing left live at the end.
 *
 * Exercises the fixture functions in tests/fixture/src/async_callbacks.rs.
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "c_host.h"
#include "completions.h"

static const Lib *the_lib;
static CallbackSymbols cs;
static FerrymanFutureStartFn future_start;
static FerrymanFutureCancelFn future_cancel;
static FerrymanLiveFuturesFn live_futures;

/* Awaits o's pending future through the completion function (o then holds
 * the completion's outcome); an answer that is not pending is kept as is. */
static bool await_outcome(Outcome *o, uint64_t token) {
    if (o->status != FERRY_PENDING) return true;
    const uint8_t *p = o->out.ptr;
    if (o->out.len != 10 || p[0] != 0xd7 || p[1] != FERRYMAN_EXT_FUTURE) return false;
    uint64_t handle = be(p + 2, 8), got = 0;
    release(the_lib, o);
    long seen = completions();
    if (future_start(handle, c_host_id(), token) != FERRY_OK) return false;
    return await_completion(seen, o, &got, 60) && got == token;
}

/* ---- the C host's async callables -------------------------------------- */

typedef enum { RESOLVE_OK, RESOLVE_RAISE, RESOLVE_NEVER, RESOLVE_TWICE, RESOLVE_BAD_ARGS } Mode;

/* What one started call does later, on its own thread. */
typedef struct Job {
    uint64_t resolver;
    int64_t x;
    long delay_ms;
    Mode mode;
    bool gated; /* waits for open_gate() before it resolves */
} Job;

static struct {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    long running;        /* jobs not finished yet */
    int32_t last_status; /* of the last resolver call that should succeed */
    int32_t extra_status; /* of the second call (RESOLVE_TWICE) or the bad one (RESOLVE_BAD_ARGS) */
    char extra_message[160];
    uint64_t last_exception; /* the exception object the last RESOLVE_RAISE made */
    bool gate_open;          /* gated jobs may resolve */
} jobs = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, -1, -1, "", 0, false};

/* Lets the gated jobs resolve (the checks of what is pending are done). */
static void open_gate(bool open) {
    pthread_mutex_lock(&jobs.lock);
    jobs.gate_open = open;
    pthread_cond_broadcast(&jobs.changed);
    pthread_mutex_unlock(&jobs.lock);
}

/* Calls resolver `handle` with the bytes in w (then frees them); the status. */
static int32_t resolve(uint64_t handle, Writer *w, char *message, size_t size) {
    FerryBox args = borrow(w->ptr, w->len);
    FerryBox out = EMPTY;
    int32_t status = cs.closure_call(handle, &args, &out);
    if (message != NULL) {
        Head h;
        Rd r = {out.ptr, out.len, 0};
        snprintf(message, size, "%s", "");
        if (map_get(out.ptr, out.len, "message", &h) && h.kind == MP_STR) {
            snprintf(message, size, "%.*s", (int)h.len, (const char *)h.data);
        }
        (void)r;
    }
    the_lib->box_free(&out);
    free(w->ptr);
    *w = (Writer){NULL, 0, 0};
    return status;
}

static void *run_job(void *arg) {
    Job job = *(Job *)arg;
    free(arg);
    struct timespec pause = {job.delay_ms / 1000, (job.delay_ms % 1000) * 1000000L};
    nanosleep(&pause, NULL);
    if (job.gated) {
        pthread_mutex_lock(&jobs.lock);
        while (!jobs.gate_open) pthread_cond_wait(&jobs.changed, &jobs.lock);
        pthread_mutex_unlock(&jobs.lock);
    }
    Writer w = {NULL, 0, 0};
    int32_t status = -1, extra = -1;
    char message[160] = "";
    uint64_t exception = 0;
    switch (job.mode) {
    case RESOLVE_BAD_ARGS:
        w_array(&w, 1);
        w_int(&w, 0);
        extra = resolve(job.resolver, &w, message, sizeof message);
        /* then settle it properly */
        /* fall through */
    case RESOLVE_OK:
    case RESOLVE_TWICE:
        w_array(&w, 2);
        w_int(&w, 0);
        w_int(&w, job.x * 2);
        status = resolve(job.resolver, &w, NULL, 0);
        if (job.mode == RESOLVE_TWICE) {
            w_array(&w, 2);
            w_int(&w, 0);
            w_int(&w, job.x * 3);
            extra = resolve(job.resolver, &w, message, sizeof message);
        }
        break;
    case RESOLVE_RAISE: {
        char text[64];
        snprintf(text, sizeof text, "c_raise_later will not take %lld", (long long)job.x);
        w_array(&w, 2);
        w_int(&w, 1);
        exception = host_error_value(&w, "DomainError", text, "c_raise_later", __LINE__);
        status = resolve(job.resolver, &w, NULL, 0);
        break;
    }
    case RESOLVE_NEVER:
        status = 0;
        break;
    }
    /* The host owns the resolver (an argument of invoke): released once. */
    int32_t released = cs.closure_release(job.resolver);
    pthread_mutex_lock(&jobs.lock);
    jobs.last_status = released == FERRY_OK ? status : -2;
    if (extra != -1) {
        jobs.extra_status = extra;
        snprintf(jobs.extra_message, sizeof jobs.extra_message, "%s", message);
    }
    if (exception != 0) jobs.last_exception = exception;
    jobs.running--;
    pthread_cond_broadcast(&jobs.changed);
    pthread_mutex_unlock(&jobs.lock);
    return NULL;
}

/* Waits (at most 60 s) until every started job has finished. */
static bool jobs_finished(void) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 60;
    pthread_mutex_lock(&jobs.lock);
    int rc = 0;
    while (jobs.running > 0 && rc != ETIMEDOUT) rc = pthread_cond_timedwait(&jobs.changed, &jobs.lock, &until);
    bool finished = jobs.running == 0;
    pthread_mutex_unlock(&jobs.lock);
    return finished;
}

/* Starts a job for invoke's arguments [x, resolver]: false when they are not that. */
static bool start_job(const Head *args, size_t n, Failure *failure, long delay_ms, Mode mode, bool gated) {
    if (n != 2 || (args[0].kind != MP_INT && args[0].kind != MP_STR) || args[1].kind != MP_EXT || args[1].i != 10 ||
        args[1].data[0] != 0xd7 || args[1].data[1] != 2) {
        failure->type = "TypeError";
        failure->function = __func__;
        failure->line = __LINE__;
        snprintf(failure->message, sizeof failure->message, "takes an int and a resolver (extension 2)");
        return false;
    }
    Job *job = malloc(sizeof *job);
    /* A str argument (notify_async) counts as 0. */
    *job = (Job){be(args[1].data + 2, 8), args[0].kind == MP_INT ? args[0].i : 0, delay_ms, mode, gated};
    pthread_mutex_lock(&jobs.lock);
    jobs.running++;
    pthread_mutex_unlock(&jobs.lock);
    pthread_t thread;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_create(&thread, &attr, run_job, job);
    pthread_attr_destroy(&attr);
    return true;
}

/* 2 * x, 30 ms later. */
static bool c_double_later(const Head *args, size_t n, Writer *result, Failure *failure) {
    w_nil(result);
    return start_job(args, n, failure, 30, RESOLVE_OK, false);
}

/* 2 * x, once the gate is open. */
static bool c_double_gated(const Head *args, size_t n, Writer *result, Failure *failure) {
    w_nil(result);
    return start_job(args, n, failure, 0, RESOLVE_OK, true);
}

/* 2 * x, 300 ms later: longer than apply_async_within waits. */
static bool c_double_slowly(const Head *args, size_t n, Writer *result, Failure *failure) {
    w_nil(result);
    return start_job(args, n, failure, 300, RESOLVE_OK, false);
}

/* Raises DomainError 30 ms later. */
static bool c_raise_later(const Head *args, size_t n, Writer *result, Failure *failure) {
    w_nil(result);
    return start_job(args, n, failure, 30, RESOLVE_RAISE, false);
}

/* Releases the resolver 30 ms later without calling it (its loop closed). */
static bool c_abandon(const Head *args, size_t n, Writer *result, Failure *failure) {
    w_nil(result);
    return start_job(args, n, failure, 30, RESOLVE_NEVER, false);
}

/* Resolves with 2 * x, then calls the resolver again. */
static bool c_resolve_twice(const Head *args, size_t n, Writer *result, Failure *failure) {
    w_nil(result);
    return start_job(args, n, failure, 30, RESOLVE_TWICE, false);
}

/* First calls the resolver with one argument, then properly. */
static bool c_resolve_badly(const Head *args, size_t n, Writer *result, Failure *failure) {
    w_nil(result);
    return start_job(args, n, failure, 30, RESOLVE_BAD_ARGS, false);
}

/* Cannot start: releases the resolver and fails in invoke itself. */
static bool c_fail_now(const Head *args, size_t n, Writer *result, Failure *failure) {
    (void)result;
    if (n == 2 && args[1].kind == MP_EXT && args[1].i == 10) cs.closure_release(be(args[1].data + 2, 8));
    failure->type = "RuntimeError";
    failure->function = __func__;
    failure->line = __LINE__;
    snprintf(failure->message, sizeof failure->message, "c_fail_now cannot start");
    return false;
}

/* ---- calls -------------------------------------------------------------- */

/* name(f, x) with f a new host object calling fn; the host's own reference
 * is dropped once the call returned. */
static Outcome apply(const char *name, CCallable fn, int64_t x) {
    uint64_t f = host_new(fn);
    Writer w = {NULL, 0, 0};
    w_array(&w, 2);
    w_host_object(&w, c_host_id(), f);
    w_int(&w, x);
    Outcome o = call_with(the_lib, function_id(the_lib, name), &w);
    host_drop(f);
    return o;
}

static long live_count(FerrymanLiveClosuresFn live, const char *needle, bool *found) {
    FerryBox out = EMPTY;
    long n = -1;
    if (live(&out) == FERRY_OK) {
        Rd r = {out.ptr, out.len, 0};
        Head h;
        if (head(&r, &h) && h.kind == MP_ARRAY) n = (long)h.len;
        if (found != NULL) *found = contains(out.ptr, out.len, needle);
    }
    the_lib->box_free(&out);
    return n;
}

static bool is_int(const Outcome *o, int64_t want) {
    return o->status == FERRY_OK && int_is(o, want);
}

static void test_before_connect(void) {
    /* No completion connected: the call waits inside ferryman_call while
     * another thread settles the callback. */
    Outcome o = apply("apply_async", c_double_later, 5);
    check(is_int(&o, 10), "without a connected completion, apply_async(c_double_later, 5) waits and answers 10");
    if (o.status != FERRY_OK) show(&o);
    release(the_lib, &o);
    check(jobs_finished(), "the job resolved and released its resolver");
}

static void test_results(void) {
    open_gate(false);
    Outcome o = apply("apply_async", c_double_gated, 21);
    check(o.status == FERRY_PENDING, "apply_async(c_double_gated, 21) is pending while the host function runs");
    bool listed = false;
    check(live_count(cs.live_closures, "resolver of i64", &listed) == 1 && listed,
          "the resolver is listed by ferryman_live_closures as \"resolver of i64\"");
    open_gate(true);
    check(await_outcome(&o, 1) && is_int(&o, 42), "its completion brings 42, resolved from another thread");
    release(the_lib, &o);
    check(jobs_finished(), "the job resolved and released its resolver");
    pthread_mutex_lock(&jobs.lock);
    check(jobs.last_status == FERRY_OK, "ferryman_closure_call of the resolver answered FERRY_OK (%d)", jobs.last_status);
    pthread_mutex_unlock(&jobs.lock);

    /* Two at once: both started before either is awaited. */
    open_gate(false);
    uint64_t f = host_new(c_double_gated), g = host_new(c_double_gated);
    Writer w = {NULL, 0, 0};
    w_array(&w, 4);
    w_host_object(&w, c_host_id(), f);
    w_int(&w, 1);
    w_host_object(&w, c_host_id(), g);
    w_int(&w, 2);
    o = call_with(the_lib, function_id(the_lib, "apply_async_both"), &w);
    host_drop(f);
    host_drop(g);
    check(live_count(cs.live_closures, "", NULL) == 2, "both calls' resolvers are live at once");
    open_gate(true);
    check(await_outcome(&o, 2) && is_int(&o, 6), "apply_async_both(f, 1, g, 2) == 2 + 4");
    release(the_lib, &o);
    check(jobs_finished(), "both jobs finished");

    /* A () result: the value (0) is not read. */
    f = host_new(c_double_later);
    w = (Writer){NULL, 0, 0};
    w_array(&w, 2);
    w_host_object(&w, c_host_id(), f);
    w_str(&w, "x");
    o = call_with(the_lib, function_id(the_lib, "notify_async"), &w);
    host_drop(f);
    check(await_outcome(&o, 3) && o.status == FERRY_OK && o.out.len == 1 && o.out.ptr[0] == 0xc0,
          "notify_async(c_double_later, \"x\") ignores the value the resolver was given: nil");
    release(the_lib, &o);
    check(jobs_finished(), "its job finished");
}

static void test_exceptions(void) {
    Outcome o = apply("apply_async", c_raise_later, 7);
    bool ok = await_outcome(&o, 4);
    check(jobs_finished(), "the raising job finished");
    pthread_mutex_lock(&jobs.lock);
    uint64_t raised = jobs.last_exception;
    pthread_mutex_unlock(&jobs.lock);
    const uint8_t *p = o.out.ptr;
    size_t n = o.out.len;
    int64_t exc = -1;
    check(ok && o.status == FERRY_ERROR && map_str_is(p, n, "kind", "host") && map_str_is(p, n, "type", "DomainError") &&
              map_str_is(p, n, "message", "c_raise_later will not take 7"),
          "apply_async(c_raise_later, 7) fails with the host's kind, type and message");
    bool named = map_int(p, n, "host_exception", &exc);
    check(named && (uint64_t)exc == raised && raised != 0,
          "host_exception names the exception object the resolver was given (%lld, made %llu)", (long long)exc,
          (unsigned long long)raised);
    uint64_t frames = 0;
    check(frame_is(p, n, 0, "rust", "apply_async", &frames) && frame_is(p, n, 1, "c", "c_raise_later", &frames),
          "frames: Rust apply_async, then the host's c_raise_later");
    check(host_refs(raised) == 1, "the library released its reference and handed one to the host (%ld)",
          host_refs(raised));
    release(the_lib, &o);
    host_drop(raised);

    /* Failing at once in invoke. */
    o = apply("apply_async", c_fail_now, 1);
    check(await_outcome(&o, 5) && o.status == FERRY_ERROR && map_str_is(o.out.ptr, o.out.len, "type", "RuntimeError") &&
              map_str_is(o.out.ptr, o.out.len, "message", "c_fail_now cannot start"),
          "a host function that cannot start fails the call with invoke's error value");
    release(the_lib, &o);
    host_drop(host_last_exception());
}

static void test_unresolved(void) {
    Outcome o = apply("apply_async", c_abandon, 1);
    check(await_outcome(&o, 6) && o.status == FERRY_ERROR && map_str_is(o.out.ptr, o.out.len, "kind", "internal") &&
              contains(o.out.ptr, o.out.len, "released the async callback's resolver without calling it"),
          "a resolver released uncalled fails the call (kind internal) instead of hanging");
    release(the_lib, &o);
    check(jobs_finished(), "the abandoning job finished");
}

static void test_dropped(void) {
    /* Rust stops waiting after 20 ms; the host function answers at 300 ms. */
    uint64_t f = host_new(c_double_slowly);
    Writer w = {NULL, 0, 0};
    w_array(&w, 3);
    w_host_object(&w, c_host_id(), f);
    w_int(&w, 4);
    w_int(&w, 20);
    Outcome o = call_with(the_lib, function_id(the_lib, "apply_async_within"), &w);
    host_drop(f);
    bool ok = await_outcome(&o, 7);
    check(ok && o.status == FERRY_OK && o.out.len == 1 && o.out.ptr[0] == 0xc0,
          "apply_async_within(c_double_slowly, 4, 20) gives up: nil");
    release(the_lib, &o);
    check(jobs_finished(), "the slow job still ran to its end");
    pthread_mutex_lock(&jobs.lock);
    check(jobs.last_status == FERRY_OK, "its late resolver call is a no-op answering FERRY_OK (%d)", jobs.last_status);
    pthread_mutex_unlock(&jobs.lock);

    /* The host cancels the Rust future while the host function runs. */
    o = apply("apply_async", c_double_slowly, 3);
    const uint8_t *p = o.out.ptr;
    bool pending = o.status == FERRY_PENDING && o.out.len == 10 && p[1] == FERRYMAN_EXT_FUTURE;
    uint64_t handle = pending ? be(p + 2, 8) : 0;
    release(the_lib, &o);
    long seen = completions();
    uint64_t token = 0;
    check(pending && future_start(handle, c_host_id(), 8) == FERRY_OK && future_cancel(handle) == FERRY_OK &&
              await_completion(seen, &o, &token, 60) && o.status == FERRY_CANCELLED,
          "apply_async cancelled while the host function runs completes with FERRY_CANCELLED");
    release(the_lib, &o);
    check(jobs_finished(), "the host function ran on and settled a resolver nobody waits for");
    pthread_mutex_lock(&jobs.lock);
    check(jobs.last_status == FERRY_OK, "that resolver call answered FERRY_OK (%d)", jobs.last_status);
    pthread_mutex_unlock(&jobs.lock);
}

static void test_misuse(void) {
    Outcome o = apply("apply_async", c_resolve_twice, 5);
    check(await_outcome(&o, 9) && is_int(&o, 10), "the first resolver call settles the call (10)");
    release(the_lib, &o);
    check(jobs_finished(), "the job calling its resolver twice finished");
    pthread_mutex_lock(&jobs.lock);
    check(jobs.extra_status == FERRY_INTERNAL && strstr(jobs.extra_message, "already called") != NULL,
          "a second resolver call answers FERRY_INTERNAL, \"already called\" (%d: %s)", jobs.extra_status,
          jobs.extra_message);
    pthread_mutex_unlock(&jobs.lock);

    o = apply("apply_async", c_resolve_badly, 6);
    check(await_outcome(&o, 10) && is_int(&o, 12), "a resolver called with bad arguments can still settle (12)");
    release(the_lib, &o);
    check(jobs_finished(), "the job calling its resolver badly finished");
    pthread_mutex_lock(&jobs.lock);
    check(jobs.extra_status == FERRY_BAD_ARGS &&
              strstr(jobs.extra_message, "an async callback's resolver takes 2 arguments") != NULL,
          "a resolver called with one argument answers FERRY_BAD_ARGS naming it (%d: %s)", jobs.extra_status,
          jobs.extra_message);
    pthread_mutex_unlock(&jobs.lock);
}

void feature(const Lib *lib, const char *second_path) {
    (void)second_path;
    the_lib = lib;
    FerrymanCompletionConnectFn connect =
        (FerrymanCompletionConnectFn)dlsym(lib->handle, "ferryman_completion_connect");
    future_start = (FerrymanFutureStartFn)dlsym(lib->handle, "ferryman_future_start");
    future_cancel = (FerrymanFutureCancelFn)dlsym(lib->handle, "ferryman_future_cancel");
    live_futures = (FerrymanLiveFuturesFn)dlsym(lib->handle, "ferryman_live_futures");
    if (!check(connect && future_start && future_cancel && live_futures, "the library has the future symbols")) return;
    if (!c_host_setup(lib, &cs)) return;
    if (!check(contains(lib->described.ptr, lib->described.len, "async_callback"),
               "describe names the async_callback descriptor")) {
        return;
    }
    test_before_connect();
    check(connect(c_host_id(), complete) == 0, "ferryman_completion_connect");
    test_results();
    test_exceptions();
    test_unresolved();
    test_dropped();
    test_misuse();
    check(live_count(cs.live_closures, "", NULL) == 0, "no closure (resolver) is left live");
    check(live_count((FerrymanLiveClosuresFn)live_futures, "", NULL) == 0, "no future is left live");
    c_host_finish();
}
