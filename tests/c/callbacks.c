/*
 * callbacks.c — a C host implementing FerryHost (spec/callbacks.md), linked into
 * the call_fixture program: C function pointers in a thread-safe refcounted table
 * passed to Rust as host objects (extension 1), Rust closures received as
 * extension 2, host errors carried through Rust and back (each naming an
 * exception object in the same table, one reference handed over with each
 * error value), and interrupts. The same table holds the byte strings
 * lent_bytes.c lends as host objects.
 *
 * Exercises the fixture functions in tests/fixture/src/callbacks.rs.
 */
#define _POSIX_C_SOURCE 200809L

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

/* ---- a MessagePack writer into malloc'd memory -------------------------- */

/* Bytes the host allocated; handed to the library as a box, or freed here. */
typedef struct Writer {
    uint8_t *ptr;
    size_t len, cap;
} Writer;

static void w_raw(Writer *w, const void *p, size_t n) {
    if (w->cap - w->len < n) {
        size_t cap = w->cap ? w->cap : 64;
        while (cap - w->len < n) cap *= 2;
        uint8_t *grown = realloc(w->ptr, cap);
        if (grown == NULL) {
            fprintf(stderr, "callbacks: out of memory\n");
            abort();
        }
        w->ptr = grown;
        w->cap = cap;
    }
    memcpy(w->ptr + w->len, p, n);
    w->len += n;
}

static void w_byte(Writer *w, uint8_t b) {
    w_raw(w, &b, 1);
}

static void w_be(Writer *w, uint64_t v, int bytes) {
    for (int k = bytes - 1; k >= 0; k--) w_byte(w, (uint8_t)(v >> (8 * k)));
}

static void w_int(Writer *w, int64_t v) {
    if (v >= -32 && v <= 127) {
        w_byte(w, (uint8_t)(int8_t)v); /* positive or negative fixint */
    } else {
        w_byte(w, 0xd3);
        w_be(w, (uint64_t)v, 8);
    }
}

static void w_nil(Writer *w) {
    w_byte(w, 0xc0);
}

static void w_strn(Writer *w, const void *s, size_t n) {
    if (n < 32) {
        w_byte(w, (uint8_t)(0xa0 | n));
    } else if (n < 256) {
        w_byte(w, 0xd9);
        w_be(w, n, 1);
    } else {
        w_byte(w, 0xda);
        w_be(w, n, 2);
    }
    w_raw(w, s, n);
}

static void w_str(Writer *w, const char *s) {
    w_strn(w, s, strlen(s));
}

static void w_array(Writer *w, uint32_t n) {
    if (n < 16) w_byte(w, (uint8_t)(0x90 | n));
    else { w_byte(w, 0xdc); w_be(w, n, 2); }
}

static void w_map(Writer *w, uint32_t n) {
    if (n < 16) w_byte(w, (uint8_t)(0x80 | n));
    else { w_byte(w, 0xde); w_be(w, n, 2); }
}

/* Extension 1: c7 0c 01 <host id:4> <handle:8>. */
static void w_host_object(Writer *w, uint32_t host_id, uint64_t handle) {
    w_byte(w, 0xc7);
    w_byte(w, 12);
    w_byte(w, FERRYMAN_EXT_HOST_OBJECT);
    w_be(w, host_id, 4);
    w_be(w, handle, 8);
}

/* Extension 2: d7 02 <handle:8>. */
static void w_closure(Writer *w, uint64_t handle) {
    w_byte(w, 0xd7);
    w_byte(w, FERRYMAN_EXT_LIBRARY_CLOSURE);
    w_be(w, handle, 8);
}

/* An error value with every key of spec/wire.md: kind "host", one C frame. */
static void w_host_error(Writer *w, const char *type, const char *message, const char *function,
                         int line, int64_t host_exception) {
    w_map(w, 15);
    w_str(w, "kind"); w_str(w, "host");
    w_str(w, "type"); w_str(w, type);
    w_str(w, "rust_type"); w_nil(w);
    w_str(w, "message"); w_str(w, message);
    w_str(w, "function"); w_nil(w);
    w_str(w, "param"); w_nil(w);
    w_str(w, "index"); w_nil(w);
    w_str(w, "expected"); w_nil(w);
    w_str(w, "found"); w_nil(w);
    w_str(w, "variant"); w_nil(w);
    w_str(w, "fields"); w_nil(w);
    w_str(w, "causes"); w_array(w, 0);
    w_str(w, "notes"); w_array(w, 0);
    w_str(w, "frames"); w_array(w, 1);
    w_map(w, 5);
    w_str(w, "function"); w_str(w, function);
    w_str(w, "file"); w_str(w, __FILE__);
    w_str(w, "line"); w_int(w, line);
    w_str(w, "column"); w_int(w, 0);
    w_str(w, "language"); w_str(w, "c");
    w_str(w, "host_exception");
    if (host_exception < 0) w_nil(w);
    else w_int(w, host_exception);
}

/* ---- the C callables ---------------------------------------------------- */

enum { MAX_ARGS = 8 };

/* Why a callable failed: becomes the error value's type, message and frame. */
typedef struct Failure {
    const char *type;
    char message[96];
    const char *function;
    int line;
} Failure;

#define FAIL(f, ty, ...)                                                   \
    ((f)->type = (ty), (f)->function = __func__, (f)->line = __LINE__,    \
     snprintf((f)->message, sizeof (f)->message, __VA_ARGS__), false)

/* A C callable: decoded arguments in, one encoded result (or a failure) out. */
typedef bool (*CCallable)(const Head *args, size_t n, Writer *result, Failure *failure);

static pthread_t main_thread;
static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;
static bool prefix_ran_off_main; /* c_prefix ran on a thread other than main's */

static bool c_double(const Head *args, size_t n, Writer *result, Failure *failure) {
    if (n != 1 || args[0].kind != MP_INT) return FAIL(failure, "TypeError", "c_double takes one int");
    w_int(result, args[0].i * 2);
    return true;
}

static bool c_prefix(const Head *args, size_t n, Writer *result, Failure *failure) {
    if (n != 1 || args[0].kind != MP_STR) return FAIL(failure, "TypeError", "c_prefix takes one str");
    pthread_mutex_lock(&seen_lock);
    prefix_ran_off_main = !pthread_equal(pthread_self(), main_thread);
    pthread_mutex_unlock(&seen_lock);
    char buf[64];
    int k = snprintf(buf, sizeof buf, "c:%.*s", (int)args[0].len, (const char *)args[0].data);
    w_strn(result, buf, (size_t)k < sizeof buf ? (size_t)k : sizeof buf - 1);
    return true;
}

static bool c_refuse(const Head *args, size_t n, Writer *result, Failure *failure) {
    (void)result;
    return FAIL(failure, "DomainError", "c_refuse will not take %lld",
                n == 1 && args[0].kind == MP_INT ? (long long)args[0].i : -1LL);
}

/* ---- the host: a refcounted table behind one mutex ---------------------- */

enum { SLOTS = 16 };

typedef struct Entry {
    uint64_t handle;
    CCallable fn;      /* NULL for lent bytes and exceptions */
    const void *data;  /* lent bytes: their memory */
    const char *exception; /* an exception a callable raised: its type */
    long refs; /* 0: free slot */
} Entry;

typedef struct Host {
    pthread_mutex_t lock;
    Entry slots[SLOTS];
    uint64_t next_handle;
    long boxes_out;     /* host boxes given to the library, not yet handed back */
    long violations;    /* protocol breaches seen: unknown handle, bad context, ... */
    long refs_in_invoke; /* the count of the last object invoked, while it ran */
    long releases;       /* release() calls received */
    uint64_t last_exception; /* the exception object of the last failed invoke */
    /* interrupts: after `interrupt_after` polls, the flag is set */
    long polls, interrupt_after;
    bool interrupt_pending;
} Host;

static Host the_host = {.lock = PTHREAD_MUTEX_INITIALIZER, .next_handle = 1};
static uint32_t host_id;

static Entry *find(Host *h, uint64_t handle) {
    for (int k = 0; k < SLOTS; k++) {
        if (h->slots[k].refs > 0 && h->slots[k].handle == handle) return &h->slots[k];
    }
    return NULL;
}

/* A new host object with one reference (the host's own, as while a call
 * passing it runs; for an exception, the one its error value hands over): a
 * callable, the bytes at data, or an exception of type `exception`. */
static uint64_t host_add(CCallable fn, const void *data, const char *exception) {
    pthread_mutex_lock(&the_host.lock);
    for (int k = 0; k < SLOTS; k++) {
        if (the_host.slots[k].refs == 0) {
            uint64_t handle = the_host.next_handle++;
            the_host.slots[k] = (Entry){handle, fn, data, exception, 1};
            pthread_mutex_unlock(&the_host.lock);
            return handle;
        }
    }
    pthread_mutex_unlock(&the_host.lock);
    fprintf(stderr, "callbacks: host table full\n");
    abort();
}

static uint64_t host_new(CCallable fn) {
    return host_add(fn, NULL, NULL);
}

uint64_t host_lend(const void *data) {
    return host_add(NULL, data, NULL);
}

static uint64_t last_exception(void) {
    pthread_mutex_lock(&the_host.lock);
    uint64_t handle = the_host.last_exception;
    pthread_mutex_unlock(&the_host.lock);
    return handle;
}

uint32_t c_host_id(void) {
    return host_id;
}

long host_releases(void) {
    pthread_mutex_lock(&the_host.lock);
    long releases = the_host.releases;
    pthread_mutex_unlock(&the_host.lock);
    return releases;
}

long host_refs(uint64_t handle) {
    pthread_mutex_lock(&the_host.lock);
    Entry *e = find(&the_host, handle);
    long refs = e ? e->refs : 0;
    pthread_mutex_unlock(&the_host.lock);
    return refs;
}

static Host *host_of(void *context) {
    if (context != &the_host) {
        pthread_mutex_lock(&the_host.lock);
        the_host.violations++;
        pthread_mutex_unlock(&the_host.lock);
    }
    return &the_host;
}

/* Hands `w` to the library as a host-allocated box. */
static void give_box(Host *h, Writer *w, FerryBox *out) {
    *out = (FerryBox){w->ptr, w->len, w->cap};
    pthread_mutex_lock(&h->lock);
    h->boxes_out++;
    pthread_mutex_unlock(&h->lock);
}

static int32_t host_invoke(void *context, uint64_t handle, const FerryBox *args, FerryBox *out) {
    Host *h = host_of(context);
    pthread_mutex_lock(&h->lock);
    Entry *e = find(h, handle);
    CCallable fn = e ? e->fn : NULL;
    h->refs_in_invoke = e ? e->refs : 0;
    if (fn == NULL || out->ptr != NULL) h->violations++; /* *out must be the empty box */
    pthread_mutex_unlock(&h->lock);

    Writer w = {NULL, 0, 0};
    Failure failure = {0};
    bool ok;
    if (fn == NULL) {
        ok = FAIL(&failure, "LookupError", "no C callable %llu", (unsigned long long)handle);
    } else {
        Head argv[MAX_ARGS], a;
        Rd r = {args->ptr, args->len, 0};
        size_t n = 0;
        ok = head(&r, &a) && a.kind == MP_ARRAY && a.len <= MAX_ARGS;
        for (; ok && n < a.len; n++) {
            ok = head(&r, &argv[n]) && (argv[n].kind == MP_INT || argv[n].kind == MP_STR);
        }
        ok = ok && r.i == r.n;
        ok = ok ? fn(argv, n, &w, &failure)
                : FAIL(&failure, "TypeError", "the C host takes an array of ints and strs");
    }
    if (!ok) {
        w.len = 0;
        /* The exception becomes an object of the table; the error value hands
         * the library its one reference, which it releases when done. */
        uint64_t exception = host_add(NULL, NULL, failure.type);
        pthread_mutex_lock(&h->lock);
        h->last_exception = exception;
        pthread_mutex_unlock(&h->lock);
        w_host_error(&w, failure.type, failure.message, failure.function, failure.line, (int64_t)exception);
    }
    give_box(h, &w, out);
    return ok ? 0 : 1;
}

static void host_retain(void *context, uint64_t handle) {
    Host *h = host_of(context);
    pthread_mutex_lock(&h->lock);
    Entry *e = find(h, handle);
    if (e) e->refs++;
    else h->violations++;
    pthread_mutex_unlock(&h->lock);
}

/* Drops one reference; the slot is free again at zero. */
static void host_release(void *context, uint64_t handle) {
    Host *h = host_of(context);
    pthread_mutex_lock(&h->lock);
    Entry *e = find(h, handle);
    if (e) e->refs--;
    else h->violations++;
    h->releases++;
    pthread_mutex_unlock(&h->lock);
}

void host_drop(uint64_t handle) {
    host_release(&the_host, handle);
}

static void host_free_box(void *context, FerryBox *box) {
    Host *h = host_of(context);
    if (box == NULL || box->ptr == NULL) return;
    free(box->ptr);
    *box = EMPTY;
    pthread_mutex_lock(&h->lock);
    h->boxes_out--;
    pthread_mutex_unlock(&h->lock);
}

static int32_t host_check_interrupt(void *context, FerryBox *out) {
    Host *h = host_of(context);
    pthread_mutex_lock(&h->lock);
    h->polls++;
    if (h->interrupt_after > 0 && h->polls == h->interrupt_after) h->interrupt_pending = true;
    bool interrupted = h->interrupt_pending;
    h->interrupt_pending = false;
    if (out->ptr != NULL) h->violations++;
    pthread_mutex_unlock(&h->lock);
    if (!interrupted) return 0;
    Writer w = {NULL, 0, 0};
    w_host_error(&w, "Interrupt", "interrupted by the C host", __func__, __LINE__, -1);
    give_box(h, &w, out);
    return 1;
}

/* Reads a field of the host under its lock. */
static long locked(const long *field) {
    pthread_mutex_lock(&the_host.lock);
    long v = *field;
    pthread_mutex_unlock(&the_host.lock);
    return v;
}

static void arm_interrupt(long after_polls) {
    pthread_mutex_lock(&the_host.lock);
    the_host.polls = 0;
    the_host.interrupt_after = after_polls;
    the_host.interrupt_pending = false;
    pthread_mutex_unlock(&the_host.lock);
}

/* ---- helpers for the checks --------------------------------------------- */

typedef struct Symbols {
    FerrymanRegisterHostFn register_host;
    FerrymanClosureCallFn closure_call;
    FerrymanClosureReleaseFn closure_release;
    FerrymanLiveClosuresFn live_closures;
} Symbols;

/* Calls function `id` with the arguments in `args`, then frees them. */
static Outcome call_with(const Lib *lib, int64_t id, Writer *args) {
    Outcome o = call(lib, id, args->ptr, args->len);
    free(args->ptr);
    *args = (Writer){NULL, 0, 0};
    return o;
}

static bool int_is(const Outcome *o, int64_t want) {
    Rd r = {o->out.ptr, o->out.len, 0};
    Head h;
    return o->status == FERRY_OK && head(&r, &h) && h.kind == MP_INT && h.i == want && r.i == r.n;
}

static void show(const Outcome *o) {
    printf("#   status %d\n", (int)o->status);
    if (o->out.ptr != NULL) hexdump("out", o->out.ptr, o->out.len);
}

/* Offset of the value of `key` in the map at p[0..n]. */
static bool map_at(const uint8_t *p, size_t n, const char *key, size_t *at) {
    Rd r = {p, n, 0};
    if (!find_key(&r, key)) return false;
    *at = r.i;
    return true;
}

/* Offset of element `k` of the array at p[0..n], and the array's length. */
static bool array_at(const uint8_t *p, size_t n, uint64_t k, size_t *at, uint64_t *len) {
    Rd r = {p, n, 0};
    Head h;
    if (!head(&r, &h) || h.kind != MP_ARRAY) return false;
    *len = h.len;
    for (uint64_t j = 0; j < k && j < h.len; j++) {
        if (!skip(&r)) return false;
    }
    *at = r.i;
    return k < h.len;
}

static bool is_nil(const uint8_t *p, size_t n, const char *key) {
    Head h;
    return map_get(p, n, key, &h) && h.kind == MP_NIL;
}

/* The frames of an error value: count, and "language:function" of frame k. */
static bool frame_is(const uint8_t *p, size_t n, uint64_t k, const char *language, const char *function,
                     uint64_t *count) {
    size_t frames, at;
    *count = 0;
    if (!map_at(p, n, "frames", &frames)) return false;
    bool ok = array_at(p + frames, n - frames, k, &at, count);
    at += frames;
    return ok && map_str_is(p + at, n - at, "language", language) &&
           map_str_is(p + at, n - at, "function", function);
}

static double ms_since(const struct timespec *t0) {
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* ---- the checks --------------------------------------------------------- */

static bool load_symbols(const Lib *lib, Symbols *s) {
    s->register_host = (FerrymanRegisterHostFn)dlsym(lib->handle, "ferryman_register_host");
    s->closure_call = (FerrymanClosureCallFn)dlsym(lib->handle, "ferryman_closure_call");
    s->closure_release = (FerrymanClosureReleaseFn)dlsym(lib->handle, "ferryman_closure_release");
    s->live_closures = (FerrymanLiveClosuresFn)dlsym(lib->handle, "ferryman_live_closures");
    return check(s->register_host && s->closure_call && s->closure_release && s->live_closures,
                 "the library exports the four callback symbols");
}

static bool register_host(const Symbols *s) {
    FerryHost host = {
        .abi_version = FERRYMAN_ABI_VERSION,
        .context = &the_host,
        .invoke = host_invoke,
        .retain = host_retain,
        .release = host_release,
        .free_box = host_free_box,
        .check_interrupt = host_check_interrupt,
    };
    check(s->register_host(NULL) == -1, "ferryman_register_host(NULL) = -1");
    FerryHost wrong = host;
    wrong.abi_version = FERRYMAN_ABI_VERSION + 1;
    check(s->register_host(&wrong) == -1, "ferryman_register_host(abi_version %d) = -1",
          FERRYMAN_ABI_VERSION + 1);
    FerryHost partial = host;
    partial.check_interrupt = NULL;
    check(s->register_host(&partial) == -1, "ferryman_register_host(check_interrupt = NULL) = -1");
    int32_t id = s->register_host(&host);
    host_id = (uint32_t)id;
    return check(id >= 0, "ferryman_register_host(complete host) = %d (>= 0)", (int)id);
}

static void apply_double(const Lib *lib, int64_t apply) {
    uint64_t f = host_new(c_double);
    Writer a = {NULL, 0, 0};
    w_array(&a, 2);
    w_host_object(&a, host_id, f);
    w_int(&a, 21);
    Outcome o = call_with(lib, apply, &a);
    if (!check(int_is(&o, 42), "apply(c_double, 21) = 42")) show(&o);
    release(lib, &o);
    long refs = locked(&the_host.refs_in_invoke);
    check(refs == 2, "while apply ran, c_double's count was 2 (host + Rust): %ld",
          refs);
    check(host_refs(f) == 1, "after apply returned, only the host's own reference is left");
    host_release(&the_host, f);
    check(host_refs(f) == 0, "host drops its reference -> c_double's table entry is gone");
}

static void map_values(const Lib *lib, int64_t id) {
    uint64_t f = host_new(c_double);
    Writer a = {NULL, 0, 0};
    w_array(&a, 2);
    w_array(&a, 3);
    w_int(&a, 1); w_int(&a, 2); w_int(&a, 3);
    w_host_object(&a, host_id, f);
    Outcome o = call_with(lib, id, &a);
    static const uint8_t want[] = {0x93, 0x02, 0x04, 0x06};
    if (!check(o.status == FERRY_OK && o.out.len == sizeof want && memcmp(o.out.ptr, want, sizeof want) == 0,
               "map_values([1,2,3], c_double) = [2,4,6]"))
        show(&o);
    release(lib, &o);
    host_release(&the_host, f);
    check(host_refs(f) == 0, "map_values kept no reference");
}

static void call_from_threads(const Lib *lib, int64_t id) {
    uint64_t f = host_new(c_double);
    Writer a = {NULL, 0, 0};
    w_array(&a, 2);
    w_host_object(&a, host_id, f);
    w_int(&a, 8);
    Outcome o = call_with(lib, id, &a);
    /* sum of 2*i for i in 0..8 */
    if (!check(int_is(&o, 56), "call_from_threads(c_double, 8) = 56 (8 Rust threads at once)")) show(&o);
    release(lib, &o);
    host_release(&the_host, f);
    check(host_refs(f) == 0, "call_from_threads kept no reference");
}

static void stored(const Lib *lib, int64_t store, int64_t on_thread, int64_t drop) {
    uint64_t f = host_new(c_prefix);
    Writer a = {NULL, 0, 0};
    w_array(&a, 1);
    w_host_object(&a, host_id, f);
    Outcome o = call_with(lib, store, &a);
    if (!check(o.status == FERRY_OK && o.out.len == 1 && o.out.ptr[0] == 0xc0, "store_callback(c_prefix) = nil"))
        show(&o);
    release(lib, &o);
    host_release(&the_host, f);
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
    pthread_mutex_lock(&seen_lock);
    bool off_main = prefix_ran_off_main;
    pthread_mutex_unlock(&seen_lock);
    check(off_main, "c_prefix was called from a Rust thread, not the main thread");

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
    w_host_object(&a, host_id, f);
    w_int(&a, 7);
    Outcome o = call_with(lib, apply, &a);
    host_release(&the_host, f);
    uint64_t raised = last_exception();
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
    check(all, "apply(c_refuse, 7) error has all 15 keys%s%s", *missing ? ", missing " : "", missing);
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
    host_release(&the_host, raised);
    check(host_refs(f) == 0 && host_refs(raised) == 0, "a failing call kept no reference");
}

/* Exceptions Rust swallows, keeps for later, or panics about. */
static void exception_lifetimes(const Lib *lib, int64_t count, int64_t keep, int64_t take, int64_t or_panic) {
    uint64_t f = host_new(c_refuse);
    Writer a = {NULL, 0, 0};
    w_array(&a, 2);
    w_host_object(&a, host_id, f);
    w_int(&a, 3);
    Outcome o = call_with(lib, count, &a);
    static const uint8_t zero[] = {0x00};
    if (!check(o.status == FERRY_OK && o.out.len == 1 && memcmp(o.out.ptr, zero, 1) == 0,
               "count_successes(c_refuse, 3) = 0"))
        show(&o);
    release(lib, &o);
    check(host_refs(last_exception()) == 0, "each exception Rust swallowed was released at once");

    w_array(&a, 2);
    w_host_object(&a, host_id, f);
    w_int(&a, 4);
    o = call_with(lib, keep, &a);
    uint64_t kept = last_exception();
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
    host_release(&the_host, kept);

    w_array(&a, 2);
    w_host_object(&a, host_id, f);
    w_int(&a, 5);
    o = call_with(lib, or_panic, &a);
    uint64_t context = last_exception();
    exc = -1;
    named = o.status == FERRY_PANIC && map_int(o.out.ptr, o.out.len, "host_exception", &exc) &&
            (uint64_t)exc == context;
    check(named, "apply_or_panic(c_refuse, 5) -> status 2 naming the exception it panicked about (%lld)",
          (long long)exc);
    release(lib, &o);
    check(host_refs(context) == 1, "... with one reference, the host's");
    host_release(&the_host, context);
    host_release(&the_host, f);
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

/* Whether ferryman_live_closures lists `handle` (and with a signature string). */
static bool live(const Lib *lib, const Symbols *s, uint64_t handle, bool *signature) {
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

static Outcome closure_call(const Symbols *s, uint64_t handle, int64_t x) {
    Writer a = {NULL, 0, 0};
    w_array(&a, 1);
    w_int(&a, x);
    FerryBox args = borrow(a.ptr, a.len);
    Outcome o = {0, EMPTY};
    o.status = s->closure_call(handle, &args, &o.out);
    free(a.ptr);
    return o;
}

static void closures(const Lib *lib, const Symbols *s, int64_t adder, int64_t apply) {
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

static void exploding(const Lib *lib, const Symbols *s, int64_t id) {
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
    if (!check(panicked, "calling it -> status 2, kind panic, \"closure exploded on 3\", all 15 keys%s%s",
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
static void failing_closure(const Lib *lib, const Symbols *s, int64_t id) {
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

static void interrupts(const Lib *lib, int64_t spin) {
    enum { POLLS = 5 };
    Writer a = {NULL, 0, 0};
    arm_interrupt(0);
    w_array(&a, 1);
    w_int(&a, 30);
    Outcome o = call_with(lib, spin, &a);
    long polls = locked(&the_host.polls);
    if (!check(int_is(&o, 30) && polls > 0,
               "spin_until_interrupted(30), never interrupted = 30 (check_interrupt polled %ld times)", polls))
        show(&o);
    release(lib, &o);

    arm_interrupt(POLLS);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    w_array(&a, 1);
    w_int(&a, 5000);
    o = call_with(lib, spin, &a);
    double ms = ms_since(&t0);
    polls = locked(&the_host.polls);
    const uint8_t *p = o.out.ptr;
    size_t n = o.out.len;
    const char *missing = "";
    uint64_t count = 0, count2 = 0;
    bool ok = check(o.status == FERRY_ERROR && map_str_is(p, n, "kind", "host") &&
                        map_str_is(p, n, "type", "Interrupt") &&
                        map_str_is(p, n, "message", "interrupted by the C host") && is_nil(p, n, "host_exception"),
                    "spin_until_interrupted(5000), interrupted at poll %d -> status 1, kind host, type Interrupt, "
                    "host_exception nil",
                    POLLS);
    if (!ok) show(&o);
    bool all = ok && has_all_error_keys(p, n, &missing);
    check(all, "the interrupt error has all 15 keys%s%s", *missing ? ", missing " : "", missing);
    check(ok && frame_is(p, n, 0, "rust", "spin_until_interrupted", &count) &&
              frame_is(p, n, 1, "c", "host_check_interrupt", &count2) && count == 2,
          "interrupt frames: [rust spin_until_interrupted, then c host_check_interrupt]");
    check(ms < 2000 && polls == POLLS, "returned after %.0f ms (< 2000 of 5000) and exactly %ld polls", ms, polls);
    release(lib, &o);
    pthread_mutex_lock(&the_host.lock);
    bool pending = the_host.interrupt_pending;
    pthread_mutex_unlock(&the_host.lock);
    check(!pending, "no interrupt left pending");
    arm_interrupt(0);
}

void callbacks(const Lib *lib) {
    main_thread = pthread_self();
    Symbols s;
    if (!load_symbols(lib, &s) || !register_host(&s)) return;

    const char *names[] = {"apply",           "map_values",        "store_callback",         "call_stored_on_thread",
                           "drop_stored",     "adder",             "exploding_closure",      "spin_until_interrupted",
                           "call_from_threads", "count_successes", "keep_error_of",          "take_kept_error",
                           "apply_or_panic",  "sqrt_closure"};
    enum { N = sizeof names / sizeof *names };
    int64_t id[N];
    if (!check(function_ids(lib, names, N, id), "the fixture exports the %d callback functions", (int)N)) return;

    apply_double(lib, id[0]);
    map_values(lib, id[1]);
    call_from_threads(lib, id[8]);
    stored(lib, id[2], id[3], id[4]);
    host_error(lib, id[0]);
    exception_lifetimes(lib, id[9], id[10], id[11], id[12]);
    bad_host_id(lib, id[0]);
    closures(lib, &s, id[5], id[0]);
    exploding(lib, &s, id[6]);
    failing_closure(lib, &s, id[13]);
    interrupts(lib, id[7]);
    lent_bytes(lib);

    pthread_mutex_lock(&the_host.lock);
    long used = 0;
    for (int k = 0; k < SLOTS; k++) used += the_host.slots[k].refs > 0;
    long boxes = the_host.boxes_out, violations = the_host.violations;
    pthread_mutex_unlock(&the_host.lock);
    check(used == 0, "the host table is empty at the end (%ld entries left)", used);
    check(boxes == 0, "every box the host allocated came back through free_box (%ld outstanding)", boxes);
    check(violations == 0, "no protocol violations seen by the host (unknown handle, non-empty out, context): %ld",
          violations);
}
