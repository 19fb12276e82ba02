/*
 * callbacks.c — host callables passed to Rust (spec/callbacks.md): C
 * functions of the C host (c_host.c) called by Rust as Callback values, also
 * from Rust threads and after the call that passed them returned; host errors
 * carried through Rust and back with their exception objects; references
 * counted exactly.
 *
 * Exercises the fixture functions in tests/fixture/src/callbacks.rs.
 */
#include <stdio.h>
#include <string.h>

#include "c_host.h"

/* Registration (spec/callbacks.md): incomplete tables are refused. */
static bool register_host(const CallbackSymbols *s) {
    FerryHost host = c_host_table();
    check(s->register_host(NULL) == -1, "ferryman_register_host(NULL) = -1");
    FerryHost wrong = host;
    wrong.abi_version = FERRYMAN_ABI_VERSION + 1;
    check(s->register_host(&wrong) == -1, "ferryman_register_host(abi_version %d) = -1",
          FERRYMAN_ABI_VERSION + 1);
    FerryHost partial = host;
    partial.check_interrupt = NULL;
    check(s->register_host(&partial) == -1, "ferryman_register_host(check_interrupt = NULL) = -1");
    int32_t id = c_host_register(s);
    return check(id >= 0, "ferryman_register_host(complete host) = %d (>= 0)", (int)id);
}

static void apply_double(const Lib *lib, int64_t apply) {
    uint64_t f = host_new(c_double);
    Writer a = {NULL, 0, 0};
    w_array(&a, 2);
    w_host_object(&a, c_host_id(), f);
    w_int(&a, 21);
    Outcome o = call_with(lib, apply, &a);
    if (!check(int_is(&o, 42), "apply(c_double, 21) = 42")) show(&o);
    release(lib, &o);
    long refs = host_refs_in_invoke();
    check(refs == 2, "while apply ran, c_double's count was 2 (host + Rust): %ld", refs);
    check(host_refs(f) == 1, "after apply returned, only the host's own reference is left");
    host_drop(f);
    check(host_refs(f) == 0, "host drops its reference -> c_double's table entry is gone");
}

static void map_values(const Lib *lib, int64_t id) {
    uint64_t f = host_new(c_double);
    Writer a = {NULL, 0, 0};
    w_array(&a, 2);
    w_array(&a, 3);
    w_int(&a, 1); w_int(&a, 2); w_int(&a, 3);
    w_host_object(&a, c_host_id(), f);
    Outcome o = call_with(lib, id, &a);
    static const uint8_t want[] = {0x93, 0x02, 0x04, 0x06};
    if (!check(o.status == FERRY_OK && o.out.len == sizeof want && memcmp(o.out.ptr, want, sizeof want) == 0,
               "map_values([1,2,3], c_double) = [2,4,6]"))
        show(&o);
    release(lib, &o);
    host_drop(f);
    check(host_refs(f) == 0, "map_values kept no reference");
}

static void call_from_threads(const Lib *lib, int64_t id) {
    uint64_t f = host_new(c_double);
    Writer a = {NULL, 0, 0};
    w_array(&a, 2);
    w_host_object(&a, c_host_id(), f);
    w_int(&a, 8);
    Outcome o = call_with(lib, id, &a);
    /* sum of 2*i for i in 0..8 */
    if (!check(int_is(&o, 56), "call_from_threads(c_double, 8) = 56 (8 Rust threads at once)")) show(&o);
    release(lib, &o);
    host_drop(f);
    check(host_refs(f) == 0, "call_from_threads kept no reference");
}

static void stored(const Lib *lib, int64_t store, int64_t on_thread, int64_t drop) {
    uint64_t f = host_new(c_prefix);
    Writer a = {NULL, 0, 0};
    w_array(&a, 1);
    w_host_object(&a, c_host_id(), f);
    Outcome o = call_with(lib, store, &a);
    if (!check(o.status == FERRY_OK && o.out.len == 1 && o.out.ptr[0] == 0xc0, "store_callback(c_prefix) = nil"))
        show(&o);
    release(lib, &o);
    host_drop(f);
    check(host_refs(f) == 1, "after the host dropped its reference, the stored callback keeps c_prefix (count 1)");

    w_array(&a, 1);
    w_str(&a, "hi");
    o = call_with(lib, on_thread, &a);
    Rd r = {o.out.ptr, o.out.len, 0};
    Head h;
    if (!check(o.status == FERRY_OK && head(&r, &h) && str_is(&h, "c:hi") && r.i == r.n,
               "call_stored_on_thread(\"hi\") = \"c:hi\""))
        show(&o);
    release(lib, &o);
    check(c_prefix_ran_off_main(), "c_prefix was called from a Rust thread, not the main thread");

    w_array(&a, 0);
    o = call_with(lib, drop, &a);
    if (!check(o.status == FERRY_OK && o.out.len == 1 && o.out.ptr[0] == 0xc3, "drop_stored() = true")) show(&o);
    release(lib, &o);
    check(host_refs(f) == 0, "drop_stored released c_prefix: table entry gone");
}

static void host_error(const Lib *lib, int64_t apply) {
    uint64_t f = host_new(c_refuse);
    Writer a = {NULL, 0, 0};
    w_array(&a, 2);
    w_host_object(&a, c_host_id(), f);
    w_int(&a, 7);
    Outcome o = call_with(lib, apply, &a);
    host_drop(f);
    uint64_t raised = host_last_exception();
    const uint8_t *p = o.out.ptr;
    size_t n = o.out.len;
    const char *missing = "";
    int64_t exc = -1;
    bool ok = check(o.status == FERRY_ERROR && p != NULL && one_value(p, n) && map_str_is(p, n, "kind", "host") &&
                        map_str_is(p, n, "type", "DomainError") &&
                        map_str_is(p, n, "message", "c_refuse will not take 7"),
                    "apply(c_refuse, 7) -> status 1, kind host, the host's type and message");
    if (!ok) show(&o);
    bool all = ok && has_all_error_keys(p, n, &missing);
    check(all, "apply(c_refuse, 7) error has all 17 keys%s%s", *missing ? ", missing " : "", missing);
    bool same = ok && map_int(p, n, "host_exception", &exc) && (uint64_t)exc == raised;
    check(same, "apply(c_refuse, 7) host_exception names the exception the host made (%lld)", (long long)exc);
    check(host_refs(raised) == 1,
          "the library released its reference to the exception and handed one to the host (%ld)",
          host_refs(raised));
    check(ok && map_str_is(p, n, "function", "apply"), "apply(c_refuse, 7) error names function apply");
    uint64_t count = 0, count2 = 0;
    size_t frames, at;
    uint64_t len;
    bool rust = ok && frame_is(p, n, 0, "rust", "apply", &count) && map_at(p, n, "frames", &frames) &&
                array_at(p + frames, n - frames, 0, &at, &len) &&
                map_str_is(p + frames + at, n - frames - at, "file", "tests/fixture/src/callbacks.rs");
    bool c = ok && frame_is(p, n, 1, "c", "c_refuse", &count2);
    check(rust && c && count == 2, "frames: [rust apply (tests/fixture/src/callbacks.rs), then c c_refuse], %llu frames",
          (unsigned long long)count);
    release(lib, &o);
    host_drop(raised);
    check(host_refs(f) == 0 && host_refs(raised) == 0, "a failing call kept no reference");
}

/* Exceptions Rust swallows, keeps for later, or panics about. */
static void exception_lifetimes(const Lib *lib, int64_t count, int64_t keep, int64_t take, int64_t or_panic) {
    uint64_t f = host_new(c_refuse);
    Writer a = {NULL, 0, 0};
    w_array(&a, 2);
    w_host_object(&a, c_host_id(), f);
    w_int(&a, 3);
    Outcome o = call_with(lib, count, &a);
    static const uint8_t zero[] = {0x00};
    if (!check(o.status == FERRY_OK && o.out.len == 1 && memcmp(o.out.ptr, zero, 1) == 0,
               "count_successes(c_refuse, 3) = 0"))
        show(&o);
    release(lib, &o);
    check(host_refs(host_last_exception()) == 0, "each exception Rust swallowed was released at once");

    w_array(&a, 2);
    w_host_object(&a, c_host_id(), f);
    w_int(&a, 4);
    o = call_with(lib, keep, &a);
    uint64_t kept = host_last_exception();
    if (!check(o.status == FERRY_OK && o.out.len == 1 && o.out.ptr[0] == 0xc3, "keep_error_of(c_refuse, 4) = true"))
        show(&o);
    release(lib, &o);
    check(host_refs(kept) == 1, "while Rust keeps the error, its exception keeps one reference");
    w_array(&a, 0);
    o = call_with(lib, take, &a);
    int64_t exc = -1;
    bool named = o.status == FERRY_ERROR && map_int(o.out.ptr, o.out.len, "host_exception", &exc) &&
                 (uint64_t)exc == kept;
    check(named, "take_kept_error() -> status 1 naming the kept exception (%lld)", (long long)exc);
    release(lib, &o);
    check(host_refs(kept) == 1, "... with one reference, the host's");
    host_drop(kept);

    w_array(&a, 2);
    w_host_object(&a, c_host_id(), f);
    w_int(&a, 5);
    o = call_with(lib, or_panic, &a);
    uint64_t context = host_last_exception();
    exc = -1;
    named = o.status == FERRY_PANIC && map_int(o.out.ptr, o.out.len, "host_exception", &exc) &&
            (uint64_t)exc == context;
    check(named, "apply_or_panic(c_refuse, 5) -> status 2 naming the exception it panicked about (%lld)",
          (long long)exc);
    release(lib, &o);
    check(host_refs(context) == 1, "... with one reference, the host's");
    host_drop(context);
    host_drop(f);
    check(host_refs(f) == 0 && host_refs(kept) == 0 && host_refs(context) == 0, "nothing of these calls is left");
}

static void bad_host_id(const Lib *lib, int64_t apply) {
    Writer a = {NULL, 0, 0};
    w_array(&a, 2);
    w_host_object(&a, 0xfffffff0u, 1);
    w_int(&a, 1);
    Outcome o = call_with(lib, apply, &a);
    bool ok = check(o.status == FERRY_BAD_ARGS && contains(o.out.ptr, o.out.len, "not registered"),
                    "apply(object of unregistered host 0xfffffff0) -> status 3, \"not registered\"");
    if (!ok) show(&o);
    release(lib, &o);
}

void feature(const Lib *lib, const char *second_path) {
    (void)second_path;
    CallbackSymbols s;
    if (!check(callback_symbols(lib, &s), "the library exports the four callback symbols") || !register_host(&s)) {
        return;
    }
    static const char *const names[] = {"apply",           "map_values",      "store_callback", "call_stored_on_thread",
                                        "drop_stored",     "call_from_threads", "count_successes", "keep_error_of",
                                        "take_kept_error", "apply_or_panic"};
    enum { N = sizeof names / sizeof *names };
    const char *missing;
    bool all = exports_all(lib, names, N, &missing);
    if (!check(all, "the fixture exports the %d callback functions%s%s", (int)N,
               *missing ? ", not " : "", missing)) return;
    int64_t apply = function_id(lib, "apply");
    apply_double(lib, apply);
    map_values(lib, function_id(lib, "map_values"));
    call_from_threads(lib, function_id(lib, "call_from_threads"));
    stored(lib, function_id(lib, "store_callback"), function_id(lib, "call_stored_on_thread"),
           function_id(lib, "drop_stored"));
    host_error(lib, apply);
    exception_lifetimes(lib, function_id(lib, "count_successes"), function_id(lib, "keep_error_of"),
                        function_id(lib, "take_kept_error"), function_id(lib, "apply_or_panic"));
    bad_host_id(lib, apply);
    c_host_finish();
}
