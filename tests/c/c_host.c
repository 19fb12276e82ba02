/*
 * c_host.c — a C host implementing FerryHost (spec/callbacks.md); what it
 * offers is in c_host.h.
 *
 * Exercises, with the features using it, the fixture functions in
 * tests/fixture/src/callbacks.rs, closures.rs and lent_bytes.rs.
 */
#define _POSIX_C_SOURCE 200809L

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_host.h"

/* ---- error values the host writes --------------------------------------- */

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

#define FAIL(f, ty, ...)                                                   \
    ((f)->type = (ty), (f)->function = __func__, (f)->line = __LINE__,    \
     snprintf((f)->message, sizeof (f)->message, __VA_ARGS__), false)

static pthread_t main_thread;
static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;
static bool prefix_ran_off_main; /* c_prefix ran on a thread other than main's */

bool c_double(const Head *args, size_t n, Writer *result, Failure *failure) {
    if (n != 1 || args[0].kind != MP_INT) return FAIL(failure, "TypeError", "c_double takes one int");
    w_int(result, args[0].i * 2);
    return true;
}

bool c_prefix(const Head *args, size_t n, Writer *result, Failure *failure) {
    if (n != 1 || args[0].kind != MP_STR) return FAIL(failure, "TypeError", "c_prefix takes one str");
    pthread_mutex_lock(&seen_lock);
    prefix_ran_off_main = !pthread_equal(pthread_self(), main_thread);
    pthread_mutex_unlock(&seen_lock);
    char buf[64];
    int k = snprintf(buf, sizeof buf, "c:%.*s", (int)args[0].len, (const char *)args[0].data);
    w_strn(result, buf, (size_t)k < sizeof buf ? (size_t)k : sizeof buf - 1);
    return true;
}

bool c_refuse(const Head *args, size_t n, Writer *result, Failure *failure) {
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

uint64_t host_new(CCallable fn) {
    return host_add(fn, NULL, NULL);
}

uint64_t host_lend(const void *data) {
    return host_add(NULL, data, NULL);
}

uint64_t host_last_exception(void) {
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
            size_t at = r.i;
            ok = head(&r, &argv[n]);
            if (ok && (argv[n].kind == MP_MAP || argv[n].kind == MP_EXT)) {
                /* A map (a log record, logs.c) or an extension (an async
                 * callback's resolver, async_callbacks.c): data and i are its bytes. */
                r.i = at;
                ok = skip(&r);
                argv[n].data = args->ptr + at;
                argv[n].i = (int64_t)(r.i - at);
            } else {
                ok = ok && (argv[n].kind == MP_INT || argv[n].kind == MP_STR);
            }
        }
        ok = ok && r.i == r.n;
        ok = ok ? fn(argv, n, &w, &failure)
                : FAIL(&failure, "TypeError", "the C host takes an array of ints, strs and maps");
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

uint64_t host_error_value(Writer *w, const char *type, const char *message, const char *function, int line) {
    uint64_t exception = host_add(NULL, NULL, type);
    w_host_error(w, type, message, function, line, (int64_t)exception);
    return exception;
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

void host_arm_interrupt(long after_polls) {
    pthread_mutex_lock(&the_host.lock);
    the_host.polls = 0;
    the_host.interrupt_after = after_polls;
    the_host.interrupt_pending = false;
    pthread_mutex_unlock(&the_host.lock);
}

long host_refs_in_invoke(void) {
    return locked(&the_host.refs_in_invoke);
}

long host_polls(void) {
    return locked(&the_host.polls);
}

bool host_interrupt_pending(void) {
    pthread_mutex_lock(&the_host.lock);
    bool pending = the_host.interrupt_pending;
    pthread_mutex_unlock(&the_host.lock);
    return pending;
}

bool c_prefix_ran_off_main(void) {
    pthread_mutex_lock(&seen_lock);
    bool off_main = prefix_ran_off_main;
    pthread_mutex_unlock(&seen_lock);
    return off_main;
}

/* ---- registering with a library ----------------------------------------- */

bool callback_symbols(const Lib *lib, CallbackSymbols *s) {
    s->register_host = (FerrymanRegisterHostFn)dlsym(lib->handle, "ferryman_register_host");
    s->closure_call = (FerrymanClosureCallFn)dlsym(lib->handle, "ferryman_closure_call");
    s->closure_release = (FerrymanClosureReleaseFn)dlsym(lib->handle, "ferryman_closure_release");
    s->live_closures = (FerrymanLiveClosuresFn)dlsym(lib->handle, "ferryman_live_closures");
    return s->register_host && s->closure_call && s->closure_release && s->live_closures;
}

FerryHost c_host_table(void) {
    FerryHost host = {
        .abi_version = FERRYMAN_ABI_VERSION,
        .context = &the_host,
        .invoke = host_invoke,
        .retain = host_retain,
        .release = host_release,
        .free_box = host_free_box,
        .check_interrupt = host_check_interrupt,
    };
    return host;
}

int32_t c_host_register(const CallbackSymbols *s) {
    main_thread = pthread_self();
    FerryHost host = c_host_table();
    int32_t id = s->register_host(&host);
    host_id = (uint32_t)id;
    return id;
}

bool c_host_setup(const Lib *lib, CallbackSymbols *s) {
    if (callback_symbols(lib, s) && c_host_register(s) >= 0) {
        return true;
    }
    return check(false, "the C host registered with the library");
}

void c_host_finish(void) {
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
