/*
 * async.c — async functions and streams (spec/abi.md, "Futures" and
 * "Streams"): an async call before any completion is connected (it waits),
 * one ready at once (an ordinary reply), pending ones awaited through the
 * completion function and a condition variable (result, Err, panic, a
 * method), cancelled ones (FERRY_CANCELLED, the future's Drop observed,
 * also cancelled before it was started), streams consumed in batches (ints,
 * an error item, a channel fed by a producer thread), stopped early (the
 * producer sees the close), released during a pending next, and nothing
 * left live at the end.
 *
 * Exercises the fixture functions in tests/fixture/src/async_fns.rs and
 * streams.rs.
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

typedef struct AsyncSymbols {
    FerrymanCompletionConnectFn connect;
    FerrymanFutureStartFn start;
    FerrymanFutureCancelFn cancel;
    FerrymanStreamNextFn next;
    FerrymanStreamReleaseFn release;
    FerrymanLiveFuturesFn live;
    FerrymanObjectReleaseFn object_release;
    FerrymanCallBlockingFn call_blocking;
} AsyncSymbols;

/* The handle of extension `ext` that is the whole of o's box: d7 <ext> <handle:8>. */
static bool handle_of(const Outcome *o, int ext, uint64_t *handle) {
    const uint8_t *p = o->out.ptr;
    if (o->out.len != 10 || p[0] != 0xd7 || p[1] != ext) return false;
    *handle = be(p + 2, 8);
    return *handle != 0;
}

static Outcome call_ints(const Lib *lib, const char *name, int n, int64_t a, int64_t b, int64_t c) {
    Writer w = {NULL, 0, 0};
    w_array(&w, (uint32_t)n);
    int64_t v[3] = {a, b, c};
    for (int k = 0; k < n; k++) w_int(&w, v[k]);
    return call_with(lib, function_id(lib, name), &w);
}

static Outcome call_int_str(const Lib *lib, const char *name, int64_t i, const char *s) {
    Writer w = {NULL, 0, 0};
    w_array(&w, 2);
    w_int(&w, i);
    w_str(&w, s);
    return call_with(lib, function_id(lib, name), &w);
}

static bool str_result(const Outcome *o, const char *want) {
    Rd r = {o->out.ptr, o->out.len, 0};
    Head h;
    return head(&r, &h) && str_is(&h, want);
}

static int64_t int_call(const Lib *lib, const char *name) {
    Outcome o = call_ints(lib, name, 0, 0, 0, 0);
    Rd r = {o.out.ptr, o.out.len, 0};
    Head h;
    int64_t v = -1;
    if (o.status == FERRY_OK && head(&r, &h) && h.kind == MP_INT) v = h.i;
    release(lib, &o);
    return v;
}

/* How many futures and streams ferryman_live_futures lists. */
static long live_count(const Lib *lib, const AsyncSymbols *s) {
    FerryBox out = EMPTY;
    long n = -1;
    if (s->live(&out) == FERRY_OK) {
        Rd r = {out.ptr, out.len, 0};
        Head h;
        if (head(&r, &h) && h.kind == MP_ARRAY) n = (long)h.len;
    }
    lib->box_free(&out);
    return n;
}

/* Calls `o`'s pending future to its end through the completion function. */
static bool await_future(const Lib *lib, const AsyncSymbols *s, Outcome *o, uint64_t token) {
    uint64_t handle = 0, got = 0;
    if (o->status != FERRY_PENDING || !handle_of(o, FERRYMAN_EXT_FUTURE, &handle)) {
        show(o);
        return false;
    }
    release(lib, o);
    long seen = completions();
    if (s->start(handle, c_host_id(), token) != FERRY_OK) return false;
    return await_completion(seen, o, &got, 120) && got == token;
}

static void test_futures(const Lib *lib, const AsyncSymbols *s) {
    /* Ready at the first poll: an ordinary reply. */
    Outcome o = call_ints(lib, "async_add", 2, 2, 3, 0);
    check(o.status == FERRY_OK && int_is(&o, 5), "a ready async function answers at once: async_add(2, 3) == 5");
    release(lib, &o);

    /* ferryman_call_blocking: the same kind of call, completion connected, waits
     * for its result inside the call and makes no future. */
    Writer w = {NULL, 0, 0};
    w_array(&w, 2);
    w_int(&w, 20);
    w_str(&w, "blocked");
    FerryBox args = borrow(w.ptr, w.len);
    long before = completions();
    o = (Outcome){0, EMPTY};
    o.status = s->call_blocking((uint32_t)function_id(lib, "async_sleep"), &args, &o.out);
    free(w.ptr);
    check(o.status == FERRY_OK && str_result(&o, "blocked") && live_count(lib, s) == 0,
          "ferryman_call_blocking runs a pending future to its end inside the call");
    release(lib, &o);
    check(completions() == before, "and no completion comes for it");

    /* Pending: a future handle, then the completion. */
    o = call_int_str(lib, "async_sleep", 500, "later"); /* long enough to be started first */
    uint64_t handle = 0;
    check(o.status == FERRY_PENDING && handle_of(&o, FERRYMAN_EXT_FUTURE, &handle),
          "a sleeping async function answers FERRY_PENDING with a future handle (extension 6)");
    check(live_count(lib, s) == 1, "the pending future is listed by ferryman_live_futures");
    release(lib, &o);
    long seen = completions();
    check(s->start(handle, c_host_id(), 77) == FERRY_OK, "ferryman_future_start accepts it");
    uint64_t token = 0;
    bool arrived = await_completion(seen, &o, &token, 120);
    check(arrived && token == 77 && o.status == FERRY_OK && str_result(&o, "later"),
          "the completion brings the result with the host's token (status %d)", o.status);
    check(last_completion_context() != NULL && !last_completion_on_caller(), "the completion came with the host's context, from another thread");
    release(lib, &o);
    check(s->start(handle, c_host_id(), 78) == FERRY_NO_FUNCTION, "a completed future's handle is not live any more");
    check(s->cancel(handle) == FERRY_NO_FUNCTION, "cancelling a completed future says it was not live");
    check(completions() == seen + 1, "exactly one completion per future");

    /* An Err and a panic come as a sync call's would. */
    o = call_ints(lib, "async_fail", 1, 10, 0, 0);
    check(await_future(lib, s, &o, 1) && o.status == FERRY_ERROR &&
              map_str_is(o.out.ptr, o.out.len, "kind", "error") && map_str_is(o.out.ptr, o.out.len, "type", "AsyncError") &&
              map_str_is(o.out.ptr, o.out.len, "message", "failed after 10 ms"),
          "an async Err completes with FERRY_ERROR and the error value");
    release(lib, &o);
    o = call_ints(lib, "async_panic", 1, 10, 0, 0);
    check(await_future(lib, s, &o, 2) && o.status == FERRY_PANIC && map_str_is(o.out.ptr, o.out.len, "kind", "panic") &&
              map_str_is(o.out.ptr, o.out.len, "message", "async panic after 10 ms"),
          "an async panic completes with FERRY_PANIC and the panic's message");
    release(lib, &o);

    /* Cancelled while waiting: dropped (its guard counted), FERRY_CANCELLED. */
    int64_t drops = int_call(lib, "async_drops");
    o = call_ints(lib, "async_guarded", 1, 60000, 0, 0);
    check(o.status == FERRY_PENDING && handle_of(&o, FERRYMAN_EXT_FUTURE, &handle), "a long future is pending");
    release(lib, &o);
    seen = completions();
    check(s->start(handle, c_host_id(), 5) == FERRY_OK, "and started");
    check(s->cancel(handle) == FERRY_OK, "ferryman_future_cancel accepts it");
    arrived = await_completion(seen, &o, &token, 120);
    check(arrived && token == 5 && o.status == FERRY_CANCELLED && map_str_is(o.out.ptr, o.out.len, "kind", "cancelled"),
          "the cancelled future completes with FERRY_CANCELLED, kind \"cancelled\"");
    release(lib, &o);
    check(int_call(lib, "async_drops") == drops + 1, "the cancelled future was dropped (its guard's Drop ran)");
    check(s->cancel(handle) == FERRY_NO_FUNCTION, "a second cancel says it is not live");

    /* Cancelled before it was started: the completion comes at the start. */
    o = call_ints(lib, "async_guarded", 1, 60000, 0, 0);
    check(o.status == FERRY_PENDING && handle_of(&o, FERRYMAN_EXT_FUTURE, &handle), "another long future is pending");
    release(lib, &o);
    check(s->cancel(handle) == FERRY_OK, "cancelled before ferryman_future_start");
    check(int_call(lib, "async_drops") == drops + 2, "dropped at once, on the cancelling thread");
    seen = completions();
    check(s->start(handle, c_host_id(), 6) == FERRY_OK, "then started");
    arrived = await_completion(seen, &o, &token, 120);
    check(arrived && token == 6 && o.status == FERRY_CANCELLED && last_completion_on_caller(),
          "its FERRY_CANCELLED completion came inside ferryman_future_start");
    release(lib, &o);

    /* An async method keeps its object. */
    o = call_ints(lib, "AsyncCounter.new", 1, 10, 0, 0);
    const uint8_t *p = o.out.ptr;
    bool made = o.status == FERRY_OK && o.out.len == 15 && p[0] == 0xc7 && p[2] == FERRYMAN_EXT_OBJECT;
    uint64_t obj = made ? be(p + 7, 8) : 0;
    uint8_t object_bytes[15];
    if (made) memcpy(object_bytes, p, 15);
    check(made, "AsyncCounter(10) is an object");
    release(lib, &o);
    if (made) {
        Writer w = {NULL, 0, 0};
        w_array(&w, 3);
        for (int k = 0; k < 15; k++) w_byte(&w, object_bytes[k]);
        w_int(&w, 20);
        w_int(&w, 5);
        o = call_with(lib, function_id(lib, "AsyncCounter.add_later"), &w);
        check(s->object_release(obj) == FERRY_OK, "the host releases its object while the method's future runs");
        check(await_future(lib, s, &o, 7) && o.status == FERRY_OK && int_is(&o, 15),
              "the async method completes on the object it kept alive: 15");
        release(lib, &o);
    }
    check(live_count(lib, s) == 0, "no future is live after the futures tests");
}

/* One ferryman_stream_next: its status, the batch's items appended to items[*n]. */
static int32_t next_batch(const Lib *lib, const AsyncSymbols *s, uint64_t stream, uint32_t max, int64_t *items, long *n,
                          bool *ended, Outcome *kept) {
    Outcome o = {0, EMPTY};
    o.status = s->next(stream, max, &o.out);
    Rd r = {o.out.ptr, o.out.len, 0};
    Head h;
    *ended = false;
    if (o.status == FERRY_OK && head(&r, &h)) {
        if (h.kind == MP_NIL) *ended = true;
        for (uint64_t k = 0; h.kind == MP_ARRAY && k < h.len; k++) {
            Head item;
            if (head(&r, &item) && item.kind == MP_INT) items[(*n)++] = item.i;
        }
    }
    if (kept) {
        *kept = o;
    } else {
        release(lib, &o);
    }
    return o.status;
}

/* The ticker's report: sent, saw_close, finished; waits (10 s) until finished. */
static bool ticker_report(const Lib *lib, int64_t *sent, bool *saw_close) {
    for (int tries = 0; tries < 1000; tries++) {
        Outcome o = call_ints(lib, "ticker_report", 0, 0, 0, 0);
        Rd r = {o.out.ptr, o.out.len, 0};
        Head h, a, b, c;
        bool read = o.status == FERRY_OK && head(&r, &h) && h.kind == MP_ARRAY && head(&r, &a) && head(&r, &b) &&
                    head(&r, &c);
        release(lib, &o);
        if (!read) return false;
        *sent = a.i;
        *saw_close = b.i != 0;
        if (c.i != 0) return true;
        struct timespec ten_ms = {0, 10 * 1000 * 1000};
        nanosleep(&ten_ms, NULL);
    }
    return false;
}

static void test_streams(const Lib *lib, const AsyncSymbols *s) {
    int64_t items[256];
    long n = 0;
    bool ended = false;
    uint64_t stream = 0;

    /* Ints, always ready: batches of at most 4, then the end. */
    Outcome o = call_ints(lib, "stream_count", 1, 10, 0, 0);
    check(o.status == FERRY_OK && handle_of(&o, FERRYMAN_EXT_STREAM, &stream), "stream_count(10) is a stream (extension 7)");
    release(lib, &o);
    int batches = 0;
    while (batches < 20 && next_batch(lib, s, stream, 4, items, &n, &ended, NULL) == FERRY_OK && !ended) batches++;
    int64_t sum = 0;
    for (long k = 0; k < n; k++) sum += items[k];
    check(ended && batches == 3 && n == 10 && sum == 45 && items[0] == 0 && items[9] == 9,
          "the stream's ten items come in three batches, then the end (nil)");
    check(next_batch(lib, s, stream, 4, items, &n, &ended, NULL) == FERRY_OK && ended, "the end stays the end");
    check(s->release(stream) == FERRY_OK, "ferryman_stream_release");
    check(s->release(stream) == FERRY_NO_FUNCTION, "a second release says it was not live");
    check(next_batch(lib, s, stream, 4, items, &n, &ended, NULL) == FERRY_NO_FUNCTION, "a released stream is not live");

    /* An error item ends its batch, and comes as the next answer. */
    o = call_ints(lib, "count_failing", 2, 5, 2, 0);
    check(o.status == FERRY_OK && handle_of(&o, FERRYMAN_EXT_STREAM, &stream), "count_failing(5, 2) is a stream");
    release(lib, &o);
    n = 0;
    check(next_batch(lib, s, stream, 10, items, &n, &ended, NULL) == FERRY_OK && n == 2, "the items before the error");
    Outcome error = {0, EMPTY};
    int32_t status = next_batch(lib, s, stream, 10, items, &n, &ended, &error);
    check(status == FERRY_ERROR && map_str_is(error.out.ptr, error.out.len, "kind", "error") &&
              map_str_is(error.out.ptr, error.out.len, "message", "item 2 is bad"),
          "then the error item, as FERRY_ERROR with its error value");
    release(lib, &error);
    n = 0;
    check(next_batch(lib, s, stream, 10, items, &n, &ended, NULL) == FERRY_OK && n == 2 && items[0] == 3,
          "the stream goes on after an error item");
    check(next_batch(lib, s, stream, 10, items, &n, &ended, NULL) == FERRY_OK && ended, "and ends");
    check(s->release(stream) == FERRY_OK, "released");

    /* A channel fed by a producer thread, pulled through the completion. */
    o = call_ints(lib, "ticker", 3, 1000, 2, 2);
    check(o.status == FERRY_OK && handle_of(&o, FERRYMAN_EXT_STREAM, &stream), "ticker(1000, 2 ms, capacity 2) is a stream");
    release(lib, &o);
    check(s->start(stream, c_host_id(), 40) == FERRY_OK, "ferryman_future_start on a stream sets its completion");
    n = 0;
    int pending = 0;
    for (int k = 0; k < 200 && n < 5; k++) {
        long before = completions();
        status = next_batch(lib, s, stream, 2, items, &n, &ended, NULL);
        if (status == FERRY_PENDING) {
            pending++;
            uint64_t token = 0;
            Outcome batch = {0, EMPTY};
            if (!await_completion(before, &batch, &token, 120)) break;
            Rd r = {batch.out.ptr, batch.out.len, 0};
            Head h;
            if (batch.status == FERRY_OK && head(&r, &h) && h.kind == MP_ARRAY) {
                for (uint64_t i = 0; i < h.len; i++) {
                    Head item;
                    if (head(&r, &item)) items[n++] = item.i;
                }
            }
            check(token == 40, "the pending next completed with the stream's token");
            release(lib, &batch);
        } else if (status != FERRY_OK) {
            break;
        }
    }
    check(n >= 5 && items[0] == 0 && items[4] == 4, "the first five items arrived in order (%d pending nexts)", pending);
    check(pending > 0, "some nexts were pending and came through the completion");
    check(s->release(stream) == FERRY_OK, "the host stops early: released");
    int64_t sent = 0;
    bool saw_close = false;
    bool reported = ticker_report(lib, &sent, &saw_close);
    check(reported && saw_close && sent < 1000,
          "the producer saw the close and stopped (sent %lld of 1000)", (long long)sent);
    check(sent <= n + 4, "the producer ran ahead only by the channel's capacity (sent %lld, read %ld)", (long long)sent, n);

    /* Released while a next is pending: that next completes cancelled. */
    o = call_ints(lib, "ticker", 3, 10, 60000, 1);
    check(o.status == FERRY_OK && handle_of(&o, FERRYMAN_EXT_STREAM, &stream), "a slow ticker is a stream");
    release(lib, &o);
    check(s->start(stream, c_host_id(), 41) == FERRY_OK, "with a completion");
    long seen = completions();
    n = 0;
    check(next_batch(lib, s, stream, 2, items, &n, &ended, NULL) == FERRY_PENDING, "its first next is pending");
    check(next_batch(lib, s, stream, 2, items, &n, &ended, &o) == FERRY_BAD_ARGS &&
              map_str_is(o.out.ptr, o.out.len, "kind", "borrow"),
          "a second next while one is pending is refused (kind \"borrow\")");
    release(lib, &o);
    check(s->release(stream) == FERRY_OK, "released during the pending next");
    uint64_t token = 0;
    check(await_completion(seen, &o, &token, 120) && token == 41 && o.status == FERRY_CANCELLED,
          "the pending next completes with FERRY_CANCELLED");
    release(lib, &o);

    /* Without a completion, a next waits for its batch. */
    o = call_ints(lib, "ticker", 3, 3, 5, 1);
    check(o.status == FERRY_OK && handle_of(&o, FERRYMAN_EXT_STREAM, &stream), "a ticker without a completion");
    release(lib, &o);
    n = 0;
    while (n < 3 && next_batch(lib, s, stream, 8, items, &n, &ended, NULL) == FERRY_OK && !ended) {
    }
    check(n == 3 && next_batch(lib, s, stream, 8, items, &n, &ended, NULL) == FERRY_OK && ended,
          "its nexts wait for the items, then the end");
    check(s->release(stream) == FERRY_OK, "released");
    check(ticker_report(lib, &sent, &saw_close) && sent == 3, "that producer sent all three");
    check(live_count(lib, s) == 0, "no future or stream is live at the end");
}

void feature(const Lib *lib, const char *second_path) {
    (void)second_path;
    completions_from(pthread_self());
    AsyncSymbols s = {
        (FerrymanCompletionConnectFn)dlsym(lib->handle, "ferryman_completion_connect"),
        (FerrymanFutureStartFn)dlsym(lib->handle, "ferryman_future_start"),
        (FerrymanFutureCancelFn)dlsym(lib->handle, "ferryman_future_cancel"),
        (FerrymanStreamNextFn)dlsym(lib->handle, "ferryman_stream_next"),
        (FerrymanStreamReleaseFn)dlsym(lib->handle, "ferryman_stream_release"),
        (FerrymanLiveFuturesFn)dlsym(lib->handle, "ferryman_live_futures"),
        (FerrymanObjectReleaseFn)dlsym(lib->handle, "ferryman_object_release"),
        (FerrymanCallBlockingFn)dlsym(lib->handle, "ferryman_call_blocking"),
    };
    if (!check(s.connect && s.start && s.cancel && s.next && s.release && s.live && s.object_release &&
                   s.call_blocking,
               "the library has the future and stream symbols")) {
        return;
    }
    FerryBox hs = EMPTY;
    lib->handshake(&hs);
    check(map_get(hs.ptr, hs.len, "futures", &(Head){0}) && contains(hs.ptr, hs.len, "futures"),
          "the handshake announces \"futures\"");
    lib->box_free(&hs);

    /* Before any host connected a completion: the call waits for the result. */
    Outcome o = call_int_str(lib, "async_sleep", 20, "waited");
    check(o.status == FERRY_OK && str_result(&o, "waited"),
          "without a connected completion, a pending async call runs to its end inside ferryman_call");
    release(lib, &o);

    CallbackSymbols cs;
    if (!c_host_setup(lib, &cs)) return;
    check(s.connect(c_host_id() + 100, complete) == -1, "connecting for an unknown host id is refused");
    check(s.connect(c_host_id(), NULL) == -1, "connecting NULL is refused");
    check(s.connect(c_host_id(), complete) == 0, "ferryman_completion_connect");
    test_futures(lib, &s);
    test_streams(lib, &s);
    c_host_finish();
}
