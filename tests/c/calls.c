/*
 * calls.c — calling functions (spec/abi.md, "Calls"): both output
 * conventions (the library's box, the host's buffer) and a result spilling
 * out of a buffer too small, a unit result, NULL pointers, argument arrays
 * that leave out defaulted parameters (spec/wire.md, "Defaults"), and every
 * symbol called from several threads at once.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

static void add_both_conventions(const Lib *lib, int64_t add) {
    static const uint8_t args[] = {0x92, 0x02, 0x03};

    /* Empty box: the library allocates, the host frees. */
    Outcome o = call(lib, add, args, sizeof args);
    check(o.status == FERRY_OK && o.out.ptr != NULL && o.out.len == 1 && o.out.ptr[0] == 0x05,
          "add(2,3) = 5 (empty box -> library box)");
    release(lib, &o);
    check(o.out.ptr == NULL && o.out.len == 0 && o.out.cap == 0,
          "library box freed with ferryman_box_free");

    /* Host buffer: the result lands in it, ptr unchanged. */
    uint8_t buf[64];
    memset(buf, 0xee, sizeof buf);
    FerryBox a = borrow(args, sizeof args);
    FerryBox out = {buf, 0, sizeof buf};
    int32_t st = lib->call((uint32_t)add, &a, &out);
    check(st == FERRY_OK && out.ptr == buf && out.cap == sizeof buf && out.len == 1 && buf[0] == 0x05,
          "add(2,3) = 5 (64-byte host buffer, ptr unchanged)");
    if (out.ptr != buf) lib->box_free(&out);

    /* The host's len is ignored on input. */
    out = (FerryBox){buf, 999, sizeof buf};
    st = lib->call((uint32_t)add, &a, &out);
    check(st == FERRY_OK && out.ptr == buf && out.len == 1 && buf[0] == 0x05,
          "add(2,3) = 5 (host buffer with garbage len)");
    if (out.ptr != buf) lib->box_free(&out);

    /* An error value that fits stays in the host's buffer too. */
    static const uint8_t one[] = {0x91, 0x02};
    uint8_t big[4096];
    a = borrow(one, sizeof one);
    out = (FerryBox){big, 0, sizeof big};
    st = lib->call((uint32_t)add, &a, &out);
    check(st == FERRY_BAD_ARGS && out.ptr == big && one_value(big, out.len) &&
              map_str_is(big, out.len, "kind", "arity"),
          "add(2) -> status 3 into a 4096-byte host buffer, ptr unchanged");
    if (out.ptr != big) lib->box_free(&out);
}

static void echo_spill(const Lib *lib, int64_t echo) {
    enum { N = 1000 };
    uint8_t args[4 + N];
    args[0] = 0x91; /* one argument */
    args[1] = 0xc5; /* bin 16 */
    args[2] = N >> 8;
    args[3] = N & 0xff;
    for (int i = 0; i < N; i++) args[4 + i] = (uint8_t)(i * 7);

    uint8_t small[16];
    FerryBox a = borrow(args, sizeof args);
    FerryBox out = {small, 0, sizeof small};
    int32_t st = lib->call((uint32_t)echo, &a, &out);
    bool spilled = out.ptr != small;
    Rd r = {out.ptr, out.len, 0};
    Head h;
    bool same = st == FERRY_OK && spilled && out.ptr != NULL && head(&r, &h) && h.kind == MP_BIN &&
                h.len == N && memcmp(h.data, args + 4, N) == 0 && r.i == out.len;
    check(same, "echo_bytes(1000 bytes) spills out of a 16-byte host buffer into a library box");
    if (!same && out.ptr != NULL) hexdump("out", out.ptr, out.len);
    if (spilled) lib->box_free(&out);
    check(!spilled || (out.ptr == NULL && out.cap == 0), "spilled box freed with ferryman_box_free");
}

static void unit(const Lib *lib, int64_t nothing) {
    static const uint8_t args[] = {0x90};
    Outcome o = call(lib, nothing, args, sizeof args);
    check(o.status == FERRY_OK && o.out.len == 1 && o.out.ptr[0] == 0xc0, "nothing() = nil (c0)");
    release(lib, &o);
}

static void null_pointers(const Lib *lib, int64_t add) {
    static const uint8_t args[] = {0x92, 0x02, 0x03};
    FerryBox a = borrow(args, sizeof args);
    check(lib->call((uint32_t)add, &a, NULL) == FERRY_NULL_POINTER, "ferryman_call(out = NULL) = -1");

    uint8_t buf[8];
    FerryBox out = {buf, 5, sizeof buf};
    int32_t st = lib->call((uint32_t)add, NULL, &out);
    check(st == FERRY_NULL_POINTER && out.ptr == buf && out.len == 5 && out.cap == sizeof buf,
          "ferryman_call(args = NULL) = -1, out untouched");
    if (st != FERRY_NULL_POINTER && out.ptr != buf) lib->box_free(&out);

    check(lib->handshake(NULL) == FERRY_NULL_POINTER, "ferryman_handshake(NULL) = -1");
    check(lib->describe(NULL) == FERRY_NULL_POINTER, "ferryman_describe(NULL) = -1");
    check(lib->function_id(NULL) == -1, "ferryman_function_id(NULL) = -1");
}

/* ---- threads: every symbol may be called from any thread, concurrently ---- */

typedef struct Worker {
    const Lib *lib;
    int64_t add, divide, panic_now;
    int seed;
    int failures;
} Worker;

/* The fixture's `join_top(words, top = 10, sep = ",")`, `greet_default(name,
 * greeting: Option<String>)` and `scaled(x, scale = 1.5, strict = false)`:
 * a shorter array gets the defaults; fewer than the required is arity. */
static void short_arrays(const Lib *lib) {
    /* join_top(["a", "b", "c"]) -> "a,b,c" */
    static const uint8_t one[] = {0x91, 0x93, 0xa1, 'a', 0xa1, 'b', 0xa1, 'c'};
    static const uint8_t joined[] = {0xa5, 'a', ',', 'b', ',', 'c'};
    expect_result(lib, "join_top([a, b, c]) = \"a,b,c\" (top and sep defaulted)", "join_top", one, sizeof one,
                  joined, sizeof joined);
    /* join_top(["a", "b", "c"], 2) -> "a,b" */
    static const uint8_t two[] = {0x92, 0x93, 0xa1, 'a', 0xa1, 'b', 0xa1, 'c', 0x02};
    static const uint8_t first_two[] = {0xa3, 'a', ',', 'b'};
    expect_result(lib, "join_top([a, b, c], 2) = \"a,b\" (sep defaulted)", "join_top", two, sizeof two, first_two,
                  sizeof first_two);
    /* greet_default("Ann") -> "Hello, Ann": an Option defaults to None. */
    static const uint8_t ann[] = {0x91, 0xa3, 'A', 'n', 'n'};
    static const uint8_t hello[] = {0xaa, 'H', 'e', 'l', 'l', 'o', ',', ' ', 'A', 'n', 'n'};
    expect_result(lib, "greet_default(\"Ann\") = \"Hello, Ann\"", "greet_default", ann, sizeof ann, hello,
                  sizeof hello);
    /* scaled(2) -> 3.0 */
    static const uint8_t x[] = {0x91, 0x02};
    static const uint8_t three[] = {0xcb, 0x40, 0x08, 0, 0, 0, 0, 0, 0};
    expect_result(lib, "scaled(2) = 3.0 (scale 1.5)", "scaled", x, sizeof x, three, sizeof three);

    /* join_top() -> arity, saying how many it takes. */
    static const uint8_t none[] = {0x90};
    Outcome o = call(lib, function_id(lib, "join_top"), none, sizeof none);
    check(o.status == FERRY_BAD_ARGS && map_str_is(o.out.ptr, o.out.len, "kind", "arity") &&
              map_str_is(o.out.ptr, o.out.len, "message",
                         "`join_top()` takes 1 to 3 arguments (words, top, sep) but was given 0 arguments"),
          "join_top() -> status 3, arity: takes 1 to 3 arguments");
    release(lib, &o);
}

static void *work(void *arg) {
    Worker *w = arg;
    uint8_t buf[64]; /* one reused buffer per thread */
    for (int i = 0; i < 300; i++) {
        int64_t x = (int64_t)w->seed * 1000000007LL + i;
        uint8_t args[11] = {0x92, 0xd3};
        for (int k = 0; k < 8; k++) args[2 + k] = (uint8_t)((uint64_t)x >> (56 - 8 * k));
        args[10] = 0x01;
        FerryBox a = borrow(args, sizeof args);
        FerryBox out = {buf, 0, sizeof buf};
        int32_t st = w->lib->call((uint32_t)w->add, &a, &out);
        Rd r = {out.ptr, out.len, 0};
        Head h;
        if (st != FERRY_OK || out.ptr != buf || !head(&r, &h) || h.kind != MP_INT || h.i != x + 1) {
            w->failures++;
        }
        if (out.ptr != buf) w->lib->box_free(&out);

        if (i % 30 == 0) {
            static const uint8_t boom[] = {0x91, 0xa4, 'b', 'o', 'o', 'm'};
            static const uint8_t zero[] = {0x92, 0x01, 0x00};
            Outcome p = call(w->lib, w->panic_now, boom, sizeof boom);
            Outcome d = call(w->lib, w->divide, zero, sizeof zero);
            if (p.status != FERRY_PANIC || !map_str_is(p.out.ptr, p.out.len, "message", "boom") ||
                d.status != FERRY_ERROR || !map_str_is(d.out.ptr, d.out.len, "message", "division by zero")) {
                w->failures++;
            }
            release(w->lib, &p);
            release(w->lib, &d);
        }
    }
    return NULL;
}

static void threads(const Lib *lib, int64_t add, int64_t divide, int64_t panic_now) {
    enum { THREADS = 4 };
    pthread_t t[THREADS];
    Worker w[THREADS];
    int started = 0, failures = 0;
    for (int k = 0; k < THREADS; k++) {
        w[k] = (Worker){lib, add, divide, panic_now, k + 1, 0};
        if (pthread_create(&t[k], NULL, work, &w[k]) == 0) started++;
        else break;
    }
    for (int k = 0; k < started; k++) {
        pthread_join(t[k], NULL);
        failures += w[k].failures;
    }
    check(started == THREADS && failures == 0,
          "%d threads x 300 calls of add (host buffers), with panics and errors interleaved: %d wrong",
          started, failures);
}

void feature(const Lib *lib, const char *second_path) {
    (void)second_path;
    int64_t add = function_id(lib, "add");
    int64_t divide = function_id(lib, "divide");
    int64_t panic_now = function_id(lib, "panic_now");
    add_both_conventions(lib, add);
    echo_spill(lib, function_id(lib, "echo_bytes"));
    unit(lib, function_id(lib, "nothing"));
    null_pointers(lib, add);
    short_arrays(lib);
    threads(lib, add, divide, panic_now);
}
