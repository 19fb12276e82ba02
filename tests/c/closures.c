/*
 * closures.c — Rust closures handed to a host (spec/callbacks.md, extension
 * 2): called through ferryman_closure_call, passed back into Rust, listed by
 * ferryman_live_closures until released once; a closure's panic and its Err
 * as error values named after it; a wrong number of arguments.
 *
 * Exercises the fixture functions in tests/fixture/src/closures.rs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_host.h"

/* Whether ferryman_live_closures lists `handle` (and with a signature string). */
static bool live(const Lib *lib, const CallbackSymbols *s, uint64_t handle, bool *signature) {
    FerryBox out = EMPTY;
    bool found = false;
    *signature = false;
    if (s->live_closures(&out) == FERRY_OK) {
        Rd r = {out.ptr, out.len, 0};
        Head h;
        if (head(&r, &h) && h.kind == MP_ARRAY) {
            for (uint64_t k = 0; k < h.len; k++) {
                size_t at = r.i;
                int64_t v;
                Head sig;
                if (map_int(out.ptr + at, out.len - at, "handle", &v) && (uint64_t)v == handle) {
                    found = true;
                    *signature = map_get(out.ptr + at, out.len - at, "signature", &sig) && sig.kind == MP_STR;
                }
                if (!skip(&r)) break;
            }
        }
    }
    lib->box_free(&out);
    return found;
}

/* The handle of a result that is exactly one library closure: d7 02 <handle:8>. */
static bool closure_from(const Outcome *o, uint64_t *handle) {
    const uint8_t *p = o->out.ptr;
    if (o->status != FERRY_OK || o->out.len != 10 || p[0] != 0xd7 || p[1] != FERRYMAN_EXT_LIBRARY_CLOSURE) {
        return false;
    }
    *handle = 0;
    for (int k = 2; k < 10; k++) *handle = (*handle << 8) | p[k];
    return true;
}

static Outcome closure_call(const CallbackSymbols *s, uint64_t handle, int64_t x) {
    Writer a = {NULL, 0, 0};
    w_array(&a, 1);
    w_int(&a, x);
    FerryBox args = borrow(a.ptr, a.len);
    Outcome o = {0, EMPTY};
    o.status = s->closure_call(handle, &args, &o.out);
    free(a.ptr);
    return o;
}

static void closures(const Lib *lib, const CallbackSymbols *s, int64_t adder, int64_t apply) {
    Writer a = {NULL, 0, 0};
    w_array(&a, 1);
    w_int(&a, 10);
    Outcome o = call_with(lib, adder, &a);
    uint64_t h = 0;
    bool got = closure_from(&o, &h);
    bool ok = check(got, "adder(10) = extension 2: d7 02 + 8-byte handle (%llu)", (unsigned long long)h);
    if (!ok) show(&o);
    release(lib, &o);
    if (!ok) return;

    o = closure_call(s, h, 5);
    if (!check(int_is(&o, 15), "ferryman_closure_call(adder(10), [5]) = 15")) show(&o);
    release(lib, &o);

    w_array(&a, 2);
    w_closure(&a, h);
    w_int(&a, 1);
    o = call_with(lib, apply, &a);
    if (!check(int_is(&o, 11), "apply(adder(10) passed back, 1) = 11")) show(&o);
    release(lib, &o);

    bool signature;
    check(live(lib, s, h, &signature) && signature, "ferryman_live_closures lists it, with a signature");
    check(s->closure_release(h) == FERRY_OK, "ferryman_closure_release = 0");
    check(s->closure_release(h) == FERRY_NO_FUNCTION, "second ferryman_closure_release = 4");
    check(!live(lib, s, h, &signature), "ferryman_live_closures no longer lists it");

    w_array(&a, 2);
    w_closure(&a, h);
    w_int(&a, 1);
    o = call_with(lib, apply, &a);
    if (!check(o.status == FERRY_BAD_ARGS && map_str_is(o.out.ptr, o.out.len, "kind", "type") &&
                   contains(o.out.ptr, o.out.len, "released"),
               "apply(released closure, 1) -> status 3, message says \"released\""))
        show(&o);
    release(lib, &o);

    o = closure_call(s, h, 5);
    if (!check(o.status == FERRY_NO_FUNCTION && map_str_is(o.out.ptr, o.out.len, "kind", "no_function"),
               "ferryman_closure_call(released closure) -> status 4, kind no_function"))
        show(&o);
    release(lib, &o);
}

static void exploding(const Lib *lib, const CallbackSymbols *s, int64_t id) {
    Writer a = {NULL, 0, 0};
    w_array(&a, 0);
    Outcome o = call_with(lib, id, &a);
    uint64_t h = 0;
    bool ok = check(closure_from(&o, &h), "exploding_closure() = extension 2");
    release(lib, &o);
    if (!ok) return;
    o = closure_call(s, h, 3);
    const char *missing = "";
    bool panicked = o.status == FERRY_PANIC && map_str_is(o.out.ptr, o.out.len, "kind", "panic") &&
                    contains(o.out.ptr, o.out.len, "closure exploded on 3") &&
                    has_all_error_keys(o.out.ptr, o.out.len, &missing);
    if (!check(panicked, "calling it -> status 2, kind panic, \"closure exploded on 3\", all 17 keys%s%s",
               *missing ? ", missing " : "", missing))
        show(&o);
    uint64_t frames = 0;
    bool own = frame_is(o.out.ptr, o.out.len, 0, "rust", "exploding_closure::{{closure}}", &frames) && frames == 1;
    if (!check(own, "its frames are the closure's own: [exploding_closure::{{closure}}] (%llu frames)",
               (unsigned long long)frames))
        show(&o);
    release(lib, &o);
    check(s->closure_release(h) == FERRY_OK, "exploding closure released");
}

/* A closure returning Result: its Err is an exported function's Err, named after the closure. */
static void failing_closure(const Lib *lib, const CallbackSymbols *s, int64_t id) {
    Writer a = {NULL, 0, 0};
    w_array(&a, 0);
    Outcome o = call_with(lib, id, &a);
    uint64_t h = 0;
    bool ok = check(closure_from(&o, &h), "sqrt_closure() = extension 2");
    release(lib, &o);
    if (!ok) return;

    o = closure_call(s, h, -4);
    const char *missing = "";
    uint64_t frames = 0;
    bool failed = o.status == FERRY_ERROR && map_str_is(o.out.ptr, o.out.len, "kind", "error") &&
                  map_str_is(o.out.ptr, o.out.len, "type", "MathError") &&
                  map_str_is(o.out.ptr, o.out.len, "function", "sqrt_closure::{{closure}}") &&
                  map_str_is(o.out.ptr, o.out.len, "variant", "Negative") &&
                  frame_is(o.out.ptr, o.out.len, 0, "rust", "sqrt_closure::{{closure}}", &frames) && frames == 1 &&
                  has_all_error_keys(o.out.ptr, o.out.len, &missing);
    if (!check(failed, "calling it with -4 -> status 1, MathError.Negative from sqrt_closure::{{closure}}%s%s",
               *missing ? ", missing " : "", missing))
        show(&o);
    release(lib, &o);

    w_array(&a, 2);
    w_int(&a, 1);
    w_int(&a, 2);
    FerryBox args = borrow(a.ptr, a.len);
    o.out = EMPTY;
    o.status = s->closure_call(h, &args, &o.out);
    if (!check(o.status == FERRY_BAD_ARGS && map_str_is(o.out.ptr, o.out.len, "kind", "arity") &&
                   map_str_is(o.out.ptr, o.out.len, "expected", "1 argument") &&
                   contains(o.out.ptr, o.out.len, "takes 1 argument (i64) but was given 2 arguments"),
               "calling it with 2 arguments -> status 3, kind arity, says it takes 1 (i64) and was given 2"))
        show(&o);
    release(lib, &o);
    free(a.ptr);
    check(s->closure_release(h) == FERRY_OK, "failing closure released");
}

/* How many closures ferryman_live_closures lists (-1 if it fails). */
static long live_count(const Lib *lib, const CallbackSymbols *s) {
    FerryBox out = EMPTY;
    long n = -1;
    if (s->live_closures(&out) == FERRY_OK) {
        Rd r = {out.ptr, out.len, 0};
        Head h;
        if (head(&r, &h) && h.kind == MP_ARRAY) n = (long)h.len;
    }
    lib->box_free(&out);
    return n;
}

/* A Rust closure called in-process (passed back as a callable) with a
 * closure among its arguments or in its result: the references encoding made
 * for a host are released once it ran, on the error path (adder(1) takes an
 * int, not a closure) and on the success paths (applying_closure() applies the
 * doubler; adder_maker() returns a closure). */
static void in_process(const Lib *lib, const CallbackSymbols *s) {
    int64_t adder = function_id(lib, "adder"), apply_with_doubler = function_id(lib, "apply_with_doubler");
    int64_t applying = function_id(lib, "applying_closure"), maker = function_id(lib, "adder_maker");
    int64_t make_and_apply = function_id(lib, "make_and_apply");
    long before = live_count(lib, s);
    Writer a = {NULL, 0, 0};
    bool all_failed = true, all_doubled = true, all_made = true;
    for (int round = 0; round < 100; round++) {
        uint64_t h[3] = {0, 0, 0};
        int64_t makers[3] = {adder, applying, maker};
        bool got = true;
        for (int k = 0; k < 3; k++) {
            w_array(&a, k == 0 ? 1 : 0);
            if (k == 0) w_int(&a, 1);
            Outcome o = call_with(lib, makers[k], &a);
            got = closure_from(&o, &h[k]) && got;
            release(lib, &o);
        }
        if (!got) {
            all_failed = all_doubled = all_made = false;
            break;
        }
        w_array(&a, 2);
        w_closure(&a, h[0]);
        w_int(&a, 5);
        Outcome o = call_with(lib, apply_with_doubler, &a);
        all_failed = all_failed && o.status == FERRY_ERROR;
        release(lib, &o);
        w_array(&a, 2);
        w_closure(&a, h[1]);
        w_int(&a, 5);
        o = call_with(lib, apply_with_doubler, &a);
        all_doubled = all_doubled && int_is(&o, 10);
        release(lib, &o);
        w_array(&a, 3);
        w_closure(&a, h[2]);
        w_int(&a, 3);
        w_int(&a, 4);
        o = call_with(lib, make_and_apply, &a);
        all_made = all_made && int_is(&o, 7);
        release(lib, &o);
        for (int k = 0; k < 3; k++) s->closure_release(h[k]);
    }
    free(a.ptr);
    check(all_failed, "apply_with_doubler(adder(1), 5) fails (status 1: adder takes an int, not a closure)");
    check(all_doubled, "apply_with_doubler(applying_closure(), 5) = 10");
    check(all_made, "make_and_apply(adder_maker(), 3, 4) = 7");
    long after = live_count(lib, s);
    check(before >= 0 && after == before,
          "100 rounds of in-process closure calls leave the live closures as they were (%ld, then %ld)", before,
          after);
}

void feature(const Lib *lib, const char *second_path) {
    (void)second_path;
    CallbackSymbols s;
    if (!c_host_setup(lib, &s)) return;
    static const char *const names[] = {"adder",      "apply",         "apply_with_doubler", "applying_closure",
                                         "adder_maker", "make_and_apply", "exploding_closure", "sqrt_closure"};
    enum { N = sizeof names / sizeof *names };
    const char *missing;
    bool all = exports_all(lib, names, N, &missing);
    if (!check(all, "the fixture exports the %d closure functions%s%s", (int)N,
               *missing ? ", not " : "", missing)) return;
    closures(lib, &s, function_id(lib, "adder"), function_id(lib, "apply"));
    in_process(lib, &s);
    exploding(lib, &s, function_id(lib, "exploding_closure"));
    failing_closure(lib, &s, function_id(lib, "sqrt_closure"));
    c_host_finish();
}
