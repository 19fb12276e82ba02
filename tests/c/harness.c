/*
 * harness.c — the shared part of the C host test (harness.h), written from
 * spec/abi.md and spec/wire.md alone: main(), checks, loading, ids by name, a
 * MessagePack reader and writer, calls. Every feature program is
 *
 *     <feature> path/to/libferryman_fixture.so [path/to/libgeometry.so]
 *
 * and prints one "ok - ..." or "not ok - ..." line per check, then
 * "N passed, M failed"; it exits 1 when a check failed, 2 when it could not
 * run. tests/c/run.sh builds and runs them.
 */
#define _POSIX_C_SOURCE 200809L

#include <dlfcn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* ---- checks ------------------------------------------------------------- */

static int passed, failed;

bool check_at(const char *file, int line, bool cond, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    printf(cond ? "ok - " : "not ok - ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    if (cond) {
        passed++;
    } else {
        failed++;
        printf("#   at %s:%d\n", file, line);
    }
    return cond;
}

void hexdump(const char *what, const uint8_t *p, size_t n) {
    printf("#   %s (%zu bytes):", what, n);
    for (size_t i = 0; i < n && i < 48; i++) {
        printf(" %02x", p[i]);
    }
    printf(n > 48 ? " ...\n" : "\n");
}

/* The number of entries of a live_closures / live_objects listing (an array),
 * or -1 when the symbol is missing or the call fails. */
static long live_entries(const Lib *lib, const char *symbol) {
    typedef int32_t (*ListFn)(FerryBox *out);
    ListFn list = (ListFn)dlsym(lib->handle, symbol);
    if (list == NULL) return -1;
    FerryBox out = EMPTY;
    long n = -1;
    if (list(&out) == FERRY_OK) {
        Rd r = {out.ptr, out.len, 0};
        Head h;
        if (head(&r, &h) && h.kind == MP_ARRAY) n = (long)h.len;
    }
    lib->box_free(&out);
    return n;
}

/* What every program ends with: nothing it was handed is still held by the
 * library for a host (each closure and object released exactly once). */
static void check_nothing_live(const Lib *lib) {
    long closures = live_entries(lib, "ferryman_live_closures");
    check(closures == 0, "no closure is live at the end (ferryman_live_closures lists %ld)", closures);
    long objects = live_entries(lib, "ferryman_live_objects");
    check(objects == 0, "no object handle is live at the end (ferryman_live_objects lists %ld)", objects);
}

int main(int argc, char **argv) {
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: %s path/to/libferryman_fixture.so [path/to/libgeometry.so]\n", argv[0]);
        return 2;
    }
    Lib lib = load_library(argv[1]);
    feature(&lib, argc == 3 ? argv[2] : NULL);
    check_nothing_live(&lib);
    unload_library(&lib);
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}

/* ---- the library, looked up per handle ---------------------------------- */

static void *sym(void *handle, const char *name) {
    void *p = dlsym(handle, name);
    if (p == NULL) {
        fprintf(stderr, "harness: missing symbol %s: %s\n", name, dlerror());
        exit(2);
    }
    return p;
}

/* Refuses the library unless it speaks this header's ABI and wire versions. */
static void refuse_unless_compatible(const Lib *lib, const char *path) {
    uint32_t abi = lib->abi_version();
    FerryBox out = EMPTY;
    int64_t shake_abi = -1, wire = -1;
    int32_t st = lib->handshake(&out);
    bool ok = abi == FERRYMAN_ABI_VERSION && st == FERRY_OK && one_value(out.ptr, out.len) &&
              map_int(out.ptr, out.len, "abi", &shake_abi) && shake_abi == FERRYMAN_ABI_VERSION &&
              map_int(out.ptr, out.len, "wire", &wire) && wire == FERRYMAN_WIRE_VERSION;
    lib->box_free(&out);
    if (!ok) {
        printf("Bail out! %s: ferryman_abi_version() = %u, handshake status %d, abi %lld, wire %lld "
               "(this host speaks abi %d, wire %d)\n",
               path, (unsigned)abi, (int)st, (long long)shake_abi, (long long)wire, FERRYMAN_ABI_VERSION,
               FERRYMAN_WIRE_VERSION);
        exit(2);
    }
}

Lib load_library(const char *path) {
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        fprintf(stderr, "harness: cannot load %s: %s\n", path, dlerror());
        exit(2);
    }
    Lib lib;
    lib.abi_version = (FerrymanAbiVersionFn)sym(h, "ferryman_abi_version");
    lib.handshake = (FerrymanHandshakeFn)sym(h, "ferryman_handshake");
    lib.describe = (FerrymanDescribeFn)sym(h, "ferryman_describe");
    lib.function_id = (FerrymanFunctionIdFn)sym(h, "ferryman_function_id");
    lib.call = (FerrymanCallFn)sym(h, "ferryman_call");
    lib.box_free = (FerrymanBoxFreeFn)sym(h, "ferryman_box_free");
    lib.handle = h;
    refuse_unless_compatible(&lib, path);
    lib.described = EMPTY;
    if (lib.describe(&lib.described) != FERRY_OK || !one_value(lib.described.ptr, lib.described.len)) {
        fprintf(stderr, "harness: %s: ferryman_describe failed\n", path);
        exit(2);
    }
    return lib;
}

void unload_library(Lib *lib) {
    lib->box_free(&lib->described);
}

/* A borrowed box over bytes the host owns (the library only reads them). */
FerryBox borrow(const void *p, size_t n) {
    FerryBox b = {(uint8_t *)(uintptr_t)p, n, n};
    return b;
}

/* Positions *r at describe's `functions` array; *count is its length. */
static bool functions(const Lib *lib, Rd *r, uint64_t *count) {
    Head h;
    *r = (Rd){lib->described.ptr, lib->described.len, 0};
    if (!find_key(r, "functions") || !head(r, &h) || h.kind != MP_ARRAY) {
        return false;
    }
    *count = h.len;
    return true;
}

int64_t function_count(const Lib *lib) {
    Rd r;
    uint64_t count = 0;
    return functions(lib, &r, &count) ? (int64_t)count : -1;
}

/* The index of the only entry of describe's `functions` named `name`, or -1. */
static int64_t described_id(const Lib *lib, const char *name) {
    Rd r;
    uint64_t count = 0;
    int64_t found = -1;
    if (!functions(lib, &r, &count)) {
        return -1;
    }
    for (uint64_t k = 0; k < count; k++) {
        if (map_str_is(r.p + r.i, r.n - r.i, "name", name)) {
            if (found >= 0) return -1; /* two functions share the name */
            found = (int64_t)k;
        }
        if (!skip(&r)) return -1;
    }
    return found;
}

int64_t function_id(const Lib *lib, const char *name) {
    int64_t id = described_id(lib, name);
    FerryBox b = borrow(name, strlen(name));
    int64_t looked_up = lib->function_id(&b);
    if (looked_up != id) {
        check(false, "describe and ferryman_function_id agree on \"%s\" (%lld, %lld)", name, (long long)id,
              (long long)looked_up);
    }
    return id;
}

bool exports_all(const Lib *lib, const char *const names[], size_t n, const char **missing) {
    for (size_t k = 0; k < n; k++) {
        if (function_id(lib, names[k]) < 0) {
            *missing = names[k];
            return false;
        }
    }
    *missing = "";
    return true;
}

/* ---- a MessagePack reader, only as far as the tests need ---------------- */

static bool take(Rd *r, size_t k, const uint8_t **at) {
    if (r->n - r->i < k) {
        return false;
    }
    *at = r->p + r->i;
    r->i += k;
    return true;
}

/* Big-endian unsigned of k bytes (k <= 8). */
static bool be(Rd *r, size_t k, uint64_t *v) {
    const uint8_t *at;
    if (!take(r, k, &at)) {
        return false;
    }
    *v = 0;
    for (size_t j = 0; j < k; j++) {
        *v = (*v << 8) | at[j];
    }
    return true;
}

bool head(Rd *r, Head *h) {
    const uint8_t *at;
    uint64_t v;
    if (!take(r, 1, &at)) {
        return false;
    }
    uint8_t b = *at;
    memset(h, 0, sizeof *h);
    if (b <= 0x7f) { h->kind = MP_INT; h->i = b; return true; }
    if (b >= 0xe0) { h->kind = MP_INT; h->i = (int8_t)b; return true; }
    if (b >= 0x80 && b <= 0x8f) { h->kind = MP_MAP; h->len = b & 0x0f; return true; }
    if (b >= 0x90 && b <= 0x9f) { h->kind = MP_ARRAY; h->len = b & 0x0f; return true; }
    if (b >= 0xa0 && b <= 0xbf) { h->kind = MP_STR; h->len = b & 0x1f; goto payload; }
    switch (b) {
    case 0xc0: h->kind = MP_NIL; return true;
    case 0xc2: case 0xc3: h->kind = MP_BOOL; h->i = b & 1; return true;
    case 0xc4: case 0xc5: case 0xc6:
        h->kind = MP_BIN;
        if (!be(r, (size_t)1 << (b - 0xc4), &h->len)) return false;
        goto payload;
    case 0xd9: case 0xda: case 0xdb:
        h->kind = MP_STR;
        if (!be(r, (size_t)1 << (b - 0xd9), &h->len)) return false;
        goto payload;
    case 0xca: h->kind = MP_FLOAT; return take(r, 4, &at);
    case 0xcb: h->kind = MP_FLOAT; return take(r, 8, &at);
    case 0xcc: case 0xcd: case 0xce: case 0xcf:
        if (!be(r, (size_t)1 << (b - 0xcc), &v)) return false;
        h->kind = MP_INT; h->i = (int64_t)v; return true;
    case 0xd0: case 0xd1: case 0xd2: case 0xd3: {
        size_t k = (size_t)1 << (b - 0xd0);
        if (!be(r, k, &v)) return false;
        if (k < 8 && (v >> (8 * k - 1))) v |= ~(uint64_t)0 << (8 * k); /* sign-extend */
        h->kind = MP_INT; h->i = (int64_t)v; return true;
    }
    case 0xdc: case 0xdd:
        h->kind = MP_ARRAY; return be(r, (size_t)2 << (b - 0xdc), &h->len);
    case 0xde: case 0xdf:
        h->kind = MP_MAP; return be(r, (size_t)2 << (b - 0xde), &h->len);
    case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8:
        h->kind = MP_EXT; return take(r, 1 + ((size_t)1 << (b - 0xd4)), &at);
    case 0xc7: case 0xc8: case 0xc9:
        h->kind = MP_EXT;
        if (!be(r, (size_t)1 << (b - 0xc7), &h->len)) return false;
        return take(r, 1 + h->len, &at);
    default: return false; /* 0xc1 is never used */
    }
payload:
    return take(r, h->len, &h->data);
}

bool skip(Rd *r) {
    Head h;
    if (!head(r, &h)) {
        return false;
    }
    uint64_t items = h.kind == MP_ARRAY ? h.len : h.kind == MP_MAP ? 2 * h.len : 0;
    for (uint64_t j = 0; j < items; j++) {
        if (!skip(r)) {
            return false;
        }
    }
    return true;
}

bool one_value(const uint8_t *p, size_t n) {
    Rd r = {p, n, 0};
    return p != NULL && skip(&r) && r.i == n;
}

bool is_map_byte(uint8_t b) {
    return (b >= 0x80 && b <= 0x8f) || b == 0xde || b == 0xdf;
}

bool str_is(const Head *h, const char *s) {
    return h->kind == MP_STR && h->len == strlen(s) && memcmp(h->data, s, h->len) == 0;
}

bool find_key(Rd *r, const char *key) {
    Head h;
    if (!head(r, &h) || h.kind != MP_MAP) {
        return false;
    }
    for (uint64_t j = 0; j < h.len; j++) {
        Head k;
        if (!head(r, &k)) {
            return false;
        }
        if (str_is(&k, key)) {
            return true;
        }
        if (!skip(r)) {
            return false;
        }
    }
    return false;
}

bool map_get(const uint8_t *p, size_t n, const char *key, Head *out) {
    Rd r = {p, n, 0};
    return find_key(&r, key) && head(&r, out);
}

bool map_int(const uint8_t *p, size_t n, const char *key, int64_t *v) {
    Head h;
    if (!map_get(p, n, key, &h) || h.kind != MP_INT) {
        return false;
    }
    *v = h.i;
    return true;
}

bool map_str_is(const uint8_t *p, size_t n, const char *key, const char *want) {
    Head h;
    return map_get(p, n, key, &h) && str_is(&h, want);
}

bool is_nil(const uint8_t *p, size_t n, const char *key) {
    Head h;
    return map_get(p, n, key, &h) && h.kind == MP_NIL;
}

bool map_at(const uint8_t *p, size_t n, const char *key, size_t *at) {
    Rd r = {p, n, 0};
    if (!find_key(&r, key)) return false;
    *at = r.i;
    return true;
}

bool array_at(const uint8_t *p, size_t n, uint64_t k, size_t *at, uint64_t *len) {
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

bool contains(const uint8_t *p, size_t n, const char *needle) {
    size_t k = strlen(needle);
    for (size_t i = 0; k <= n && i <= n - k; i++) {
        if (memcmp(p + i, needle, k) == 0) {
            return true;
        }
    }
    return false;
}

static const char *const ERROR_KEYS[] = {"kind",     "type",   "rust_type", "message", "function",
                                         "param",    "index",  "expected",  "found",   "variant",
                                         "fields",   "base",   "os_error",  "causes",  "notes",
                                         "frames",   "host_exception"};

bool has_all_error_keys(const uint8_t *p, size_t n, const char **missing) {
    for (size_t k = 0; k < sizeof ERROR_KEYS / sizeof *ERROR_KEYS; k++) {
        Head h;
        if (!map_get(p, n, ERROR_KEYS[k], &h)) {
            *missing = ERROR_KEYS[k];
            return false;
        }
    }
    return true;
}

bool frame_is(const uint8_t *p, size_t n, uint64_t k, const char *language, const char *function,
              uint64_t *count) {
    size_t frames, at;
    *count = 0;
    if (!map_at(p, n, "frames", &frames)) return false;
    bool ok = array_at(p + frames, n - frames, k, &at, count);
    at += frames;
    return ok && map_str_is(p + at, n - at, "language", language) &&
           map_str_is(p + at, n - at, "function", function);
}

/* ---- a MessagePack writer into malloc'd memory -------------------------- */

static void w_raw(Writer *w, const void *p, size_t n) {
    if (w->cap - w->len < n) {
        size_t cap = w->cap ? w->cap : 64;
        while (cap - w->len < n) cap *= 2;
        uint8_t *grown = realloc(w->ptr, cap);
        if (grown == NULL) {
            fprintf(stderr, "harness: out of memory\n");
            abort();
        }
        w->ptr = grown;
        w->cap = cap;
    }
    memcpy(w->ptr + w->len, p, n);
    w->len += n;
}

void w_byte(Writer *w, uint8_t b) {
    w_raw(w, &b, 1);
}

void w_be(Writer *w, uint64_t v, int bytes) {
    for (int k = bytes - 1; k >= 0; k--) w_byte(w, (uint8_t)(v >> (8 * k)));
}

void w_int(Writer *w, int64_t v) {
    if (v >= -32 && v <= 127) {
        w_byte(w, (uint8_t)(int8_t)v); /* positive or negative fixint */
    } else {
        w_byte(w, 0xd3);
        w_be(w, (uint64_t)v, 8);
    }
}

void w_nil(Writer *w) {
    w_byte(w, 0xc0);
}

void w_strn(Writer *w, const void *s, size_t n) {
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

void w_str(Writer *w, const char *s) {
    w_strn(w, s, strlen(s));
}

void w_array(Writer *w, uint32_t n) {
    if (n < 16) w_byte(w, (uint8_t)(0x90 | n));
    else { w_byte(w, 0xdc); w_be(w, n, 2); }
}

void w_map(Writer *w, uint32_t n) {
    if (n < 16) w_byte(w, (uint8_t)(0x80 | n));
    else { w_byte(w, 0xde); w_be(w, n, 2); }
}

void w_host_object(Writer *w, uint32_t host_id, uint64_t handle) {
    w_byte(w, 0xc7);
    w_byte(w, 12);
    w_byte(w, FERRYMAN_EXT_HOST_OBJECT);
    w_be(w, host_id, 4);
    w_be(w, handle, 8);
}

void w_closure(Writer *w, uint64_t handle) {
    w_byte(w, 0xd7);
    w_byte(w, FERRYMAN_EXT_LIBRARY_CLOSURE);
    w_be(w, handle, 8);
}

/* ---- calls -------------------------------------------------------------- */

Outcome call(const Lib *lib, int64_t id, const uint8_t *args, size_t n) {
    FerryBox a = borrow(args, n);
    Outcome o = {0, EMPTY};
    o.status = lib->call((uint32_t)id, &a, &o.out);
    return o;
}

Outcome call_with(const Lib *lib, int64_t id, Writer *args) {
    Outcome o = call(lib, id, args->ptr, args->len);
    free(args->ptr);
    *args = (Writer){NULL, 0, 0};
    return o;
}

void release(const Lib *lib, Outcome *o) {
    lib->box_free(&o->out);
}

bool int_is(const Outcome *o, int64_t want) {
    Rd r = {o->out.ptr, o->out.len, 0};
    Head h;
    return o->status == FERRY_OK && head(&r, &h) && h.kind == MP_INT && h.i == want && r.i == r.n;
}

void show(const Outcome *o) {
    printf("#   status %d\n", (int)o->status);
    if (o->out.ptr != NULL) hexdump("out", o->out.ptr, o->out.len);
}

void expect_error(const Lib *lib, const char *what, int64_t id, const uint8_t *args, size_t n, int32_t status,
                  const char *kind) {
    Outcome o = call(lib, id, args, n);
    bool ok = check(o.status == status && o.out.ptr != NULL && one_value(o.out.ptr, o.out.len) &&
                        map_str_is(o.out.ptr, o.out.len, "kind", kind),
                    "%s -> status %d, kind \"%s\"", what, (int)status, kind);
    if (!ok) show(&o);
    release(lib, &o);
}

void expect_result(const Lib *lib, const char *what, const char *name, const uint8_t *args, size_t n,
                   const uint8_t *want, size_t want_n) {
    int64_t id = function_id(lib, name);
    Outcome o = call(lib, id, args, n);
    bool ok = check(id >= 0 && o.status == FERRY_OK && o.out.len == want_n && memcmp(o.out.ptr, want, want_n) == 0,
                    "%s", what);
    if (!ok && o.out.ptr != NULL) hexdump("out", o.out.ptr, o.out.len);
    release(lib, &o);
}
