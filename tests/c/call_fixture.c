/*
 * call_fixture.c — a C host for the ferryman fixture library, written from
 * spec/abi.md and spec/wire.md alone. Usage:
 * call_fixture path/to/libferryman_fixture.so [path/to/libgeometry.so]
 * (with the second library, two_libraries.c checks both in one process)
 *
 * Prints one "ok - ..." or "not ok - ..." line per check, then "N passed, M failed";
 * exits non-zero when any check failed. Run through tests/c/run.sh.
 *
 * The callback checks (spec/callbacks.md) live in callbacks.c, linked into the
 * same program; harness.h is what the two files share.
 */
#define _POSIX_C_SOURCE 200809L

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* ---- reporting ---------------------------------------------------------- */

static int passed, failed;

bool check(bool cond, const char *fmt, ...) {
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

/* ---- the library, looked up per handle ---------------------------------- */

static void *sym(void *handle, const char *name) {
    void *p = dlsym(handle, name);
    if (p == NULL) {
        fprintf(stderr, "call_fixture: missing symbol %s: %s\n", name, dlerror());
        exit(2);
    }
    return p;
}

Lib load_library(const char *path) {
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        fprintf(stderr, "call_fixture: cannot load %s: %s\n", path, dlerror());
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
    return lib;
}

/* A borrowed box over bytes the host owns (the library only reads them). */
FerryBox borrow(const void *p, size_t n) {
    FerryBox b = {(uint8_t *)(uintptr_t)p, n, n};
    return b;
}

int64_t function_id(const Lib *lib, const char *name) {
    FerryBox b = borrow(name, strlen(name));
    return lib->function_id(&b);
}

bool function_ids(const Lib *lib, const char *const names[], size_t n, int64_t ids[]) {
    bool all = true;
    for (size_t k = 0; k < n; k++) {
        ids[k] = function_id(lib, names[k]);
        all = all && ids[k] >= 0;
    }
    return all;
}

/* ---- a MessagePack reader, only as far as this test needs --------------- */

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

/* True when the bytes are exactly one well-formed value. */
bool one_value(const uint8_t *p, size_t n) {
    Rd r = {p, n, 0};
    return skip(&r) && r.i == n;
}

bool str_is(const Head *h, const char *s) {
    return h->kind == MP_STR && h->len == strlen(s) && memcmp(h->data, s, h->len) == 0;
}

/* Positions *r at the value of `key` in the map *r is positioned at. */
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

/* The header of the value of `key` in the top-level map of p[0..n]. */
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

bool contains(const uint8_t *p, size_t n, const char *needle) {
    size_t k = strlen(needle);
    for (size_t i = 0; k <= n && i <= n - k; i++) {
        if (memcmp(p + i, needle, k) == 0) {
            return true;
        }
    }
    return false;
}

static bool is_map_byte(uint8_t b) {
    return (b >= 0x80 && b <= 0x8f) || b == 0xde || b == 0xdf;
}

/* ---- calls -------------------------------------------------------------- */

Outcome call(const Lib *lib, int64_t id, const uint8_t *args, size_t n) {
    FerryBox a = borrow(args, n);
    Outcome o = {0, EMPTY};
    o.status = lib->call((uint32_t)id, &a, &o.out);
    return o;
}

void release(const Lib *lib, Outcome *o) {
    lib->box_free(&o->out);
}

/* Checks status and error kind of a failed call, then frees its box. */
static void expect_error(const Lib *lib, const char *what, int64_t id, const uint8_t *args, size_t n,
                         int32_t status, const char *kind) {
    Outcome o = call(lib, id, args, n);
    bool ok = check(o.status == status && o.out.ptr != NULL && one_value(o.out.ptr, o.out.len) &&
                        map_str_is(o.out.ptr, o.out.len, "kind", kind),
                    "%s -> status %d, kind \"%s\"", what, (int)status, kind);
    if (!ok) {
        printf("#   got status %d\n", (int)o.status);
        if (o.out.ptr != NULL) hexdump("out", o.out.ptr, o.out.len);
    }
    release(lib, &o);
}

static const char *const ERROR_KEYS[] = {"kind",     "type",   "rust_type", "message", "function",
                                         "param",    "index",  "expected",  "found",   "variant",
                                         "fields",   "causes", "notes",     "frames",  "host_exception"};

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

/* ---- the checks --------------------------------------------------------- */

static void version_and_handshake(const Lib *lib, int64_t *count) {
    uint32_t v = lib->abi_version();
    check(v == FERRYMAN_ABI_VERSION, "ferryman_abi_version() = %u", (unsigned)v);

    FerryBox out = EMPTY;
    int32_t st = lib->handshake(&out);
    bool ok = check(st == FERRY_OK && out.ptr != NULL && out.len > 0 && is_map_byte(out.ptr[0]) &&
                        one_value(out.ptr, out.len) && contains(out.ptr, out.len, "fixture"),
                    "ferryman_handshake: one map naming \"fixture\"");
    if (!ok) {
        printf("#   status %d\n", (int)st);
        if (out.ptr != NULL) hexdump("out", out.ptr, out.len);
    }
    int64_t abi = -1, wire = -1;
    bool versions = ok && map_int(out.ptr, out.len, "abi", &abi) && abi == FERRYMAN_ABI_VERSION &&
                    map_int(out.ptr, out.len, "wire", &wire) && wire == FERRYMAN_WIRE_VERSION;
    check(versions, "handshake abi = %lld, wire = %lld", (long long)abi, (long long)wire);
    *count = -1;
    bool counted = ok && map_int(out.ptr, out.len, "functions", count) && *count > 0;
    check(counted, "handshake functions = %lld", (long long)*count);
    lib->box_free(&out);
    check(out.ptr == NULL && out.len == 0 && out.cap == 0, "ferryman_box_free empties the box");
    lib->box_free(&out); /* freeing the empty box does nothing */
    lib->box_free(NULL); /* passing NULL does nothing */
    check(true, "ferryman_box_free of the empty box and of NULL");
}

/* Name of functions[id] in the describe map, or "" (into buf). */
static void describe_name(const uint8_t *p, size_t n, int64_t id, char *buf, size_t cap) {
    Rd r = {p, n, 0};
    Head h;
    buf[0] = 0;
    if (!find_key(&r, "functions") || !head(&r, &h) || h.kind != MP_ARRAY || id < 0 ||
        (uint64_t)id >= h.len) {
        return;
    }
    for (int64_t j = 0; j < id; j++) {
        if (!skip(&r)) return;
    }
    size_t at = r.i;
    if (map_get(p + at, n - at, "name", &h) && h.kind == MP_STR && h.len < cap) {
        memcpy(buf, h.data, h.len);
        buf[h.len] = 0;
    }
}

static void describe(const Lib *lib, int64_t count, const char *const *names, size_t nnames) {
    FerryBox out = EMPTY;
    int32_t st = lib->describe(&out);
    Head h;
    bool ok = check(st == FERRY_OK && out.ptr != NULL && one_value(out.ptr, out.len) &&
                        map_get(out.ptr, out.len, "functions", &h) && h.kind == MP_ARRAY &&
                        (int64_t)h.len == count,
                    "ferryman_describe: functions is an array of %lld", (long long)count);
    if (!ok) {
        printf("#   status %d\n", (int)st);
        if (out.ptr != NULL) hexdump("out", out.ptr, out.len);
    }
    for (size_t k = 0; ok && k < nnames; k++) {
        char name[64];
        int64_t id = function_id(lib, names[k]);
        describe_name(out.ptr, out.len, id, name, sizeof name);
        check(id >= 0 && strcmp(name, names[k]) == 0,
              "ferryman_function_id(\"%s\") = %lld, describe functions[%lld].name matches",
              names[k], (long long)id, (long long)id);
    }
    lib->box_free(&out);
    check(function_id(lib, "no_such_function") == -1, "ferryman_function_id(\"no_such_function\") = -1");
}

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

static void divide_error(const Lib *lib, int64_t divide) {
    static const uint8_t ok_args[] = {0x92, 0x07, 0x02};
    Outcome o = call(lib, divide, ok_args, sizeof ok_args);
    check(o.status == FERRY_OK && o.out.len == 1 && o.out.ptr[0] == 0x03, "divide(7,2) = 3");
    release(lib, &o);

    static const uint8_t args[] = {0x92, 0x01, 0x00};
    o = call(lib, divide, args, sizeof args);
    const uint8_t *p = o.out.ptr;
    size_t n = o.out.len;
    bool ok = check(o.status == FERRY_ERROR && p != NULL && n > 0 && is_map_byte(p[0]) && one_value(p, n) &&
                        contains(p, n, "division by zero"),
                    "divide(1,0) -> status 1, error map with \"division by zero\"");
    if (!ok) {
        printf("#   status %d\n", (int)o.status);
        if (p != NULL) hexdump("out", p, n);
    }
    const char *missing = "";
    check(ok && map_str_is(p, n, "kind", "error") && map_str_is(p, n, "type", "MathError") &&
              map_str_is(p, n, "message", "division by zero") && map_str_is(p, n, "function", "divide"),
          "divide(1,0) error: kind error, type MathError, message, function divide");
    bool all = ok && has_all_error_keys(p, n, &missing);
    check(all, "divide(1,0) error map has all 15 keys%s%s", *missing ? ", missing " : "", missing);
    release(lib, &o);
}

static void bad_calls(const Lib *lib, int64_t add, int64_t count) {
    static const uint8_t ok[] = {0x92, 0x02, 0x03};
    static const uint8_t arity1[] = {0x91, 0x02};
    static const uint8_t arity3[] = {0x93, 0x02, 0x03, 0x04};
    static const uint8_t arity0[] = {0x90};
    static const uint8_t c1[] = {0xc1};
    static const uint8_t trailing[] = {0x92, 0x02, 0x03, 0x00};
    static const uint8_t truncated[] = {0x92, 0x02};
    static const uint8_t not_array[] = {0x02};
    static const uint8_t type[] = {0x92, 0xa1, 0x78, 0x03};
    static const uint8_t overflow[] = {0x92, 0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x03};

    expect_error(lib, "add(2) wrong arity", add, arity1, sizeof arity1, FERRY_BAD_ARGS, "arity");
    expect_error(lib, "add(2,3,4) wrong arity", add, arity3, sizeof arity3, FERRY_BAD_ARGS, "arity");
    expect_error(lib, "add() wrong arity", add, arity0, sizeof arity0, FERRY_BAD_ARGS, "arity");
    expect_error(lib, "malformed bytes c1", add, c1, sizeof c1, FERRY_BAD_ARGS, "malformed");
    expect_error(lib, "empty args box", add, NULL, 0, FERRY_BAD_ARGS, "malformed");
    expect_error(lib, "bytes after the array", add, trailing, sizeof trailing, FERRY_BAD_ARGS, "malformed");
    expect_error(lib, "truncated array 92 02", add, truncated, sizeof truncated, FERRY_BAD_ARGS, "malformed");
    expect_error(lib, "args not an array", add, not_array, sizeof not_array, FERRY_BAD_ARGS, "malformed");
    expect_error(lib, "add(\"x\",3) wrong type", add, type, sizeof type, FERRY_BAD_ARGS, "type");
    expect_error(lib, "add(u64::MAX,3) overflow", add, overflow, sizeof overflow, FERRY_BAD_ARGS, "overflow");
    expect_error(lib, "unknown function id", count + 1000, ok, sizeof ok, FERRY_NO_FUNCTION, "no_function");
    expect_error(lib, "function id 0xffffffff", 0xffffffffLL, ok, sizeof ok, FERRY_NO_FUNCTION, "no_function");

    /* Bad argument errors name the parameter. */
    Outcome o = call(lib, add, type, sizeof type);
    int64_t index = -1;
    check(o.status == FERRY_BAD_ARGS && map_str_is(o.out.ptr, o.out.len, "param", "a") &&
              map_int(o.out.ptr, o.out.len, "index", &index) && index == 0 &&
              map_str_is(o.out.ptr, o.out.len, "function", "add"),
          "add(\"x\",3) error names function add, param a, index 0");
    release(lib, &o);
}

static void panics(const Lib *lib, int64_t panic_now) {
    static const uint8_t args[] = {0x91, 0xa4, 'b', 'o', 'o', 'm'};
    for (int round = 0; round < 2; round++) {
        Outcome o = call(lib, panic_now, args, sizeof args);
        const uint8_t *p = o.out.ptr;
        size_t n = o.out.len;
        const char *missing = "";
        bool ok = check(o.status == FERRY_PANIC && p != NULL && one_value(p, n) &&
                            map_str_is(p, n, "kind", "panic") && map_str_is(p, n, "type", "Panic") &&
                            contains(p, n, "boom") && has_all_error_keys(p, n, &missing),
                        "panic_now(\"boom\") -> status 2, kind panic, process alive (round %d)", round + 1);
        if (!ok) {
            printf("#   status %d%s%s\n", (int)o.status, *missing ? ", missing key " : "", missing);
            if (p != NULL) hexdump("out", p, n);
        }
        Head h;
        check(ok && map_get(p, n, "frames", &h) && h.kind == MP_ARRAY && h.len > 0,
              "panic_now error has frames");
        release(lib, &o);
    }
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

/* Calls `name` with `args` and checks the result is exactly `want`. */
static void expect_result(const Lib *lib, const char *what, const char *name, const uint8_t *args, size_t n,
                          const uint8_t *want, size_t want_n) {
    int64_t id = function_id(lib, name);
    Outcome o = call(lib, id, args, n);
    bool ok = check(id >= 0 && o.status == FERRY_OK && o.out.len == want_n && memcmp(o.out.ptr, want, want_n) == 0,
                    "%s", what);
    if (!ok && o.out.ptr != NULL) hexdump("out", o.out.ptr, o.out.len);
    release(lib, &o);
}

/* spec/wire.md, "Big integers" and "Byte sequences at any depth". */
static void wide_ints_and_nested_bytes(const Lib *lib) {
    /* [2**64] as extension 4 with a 16-byte payload, and the same value back. */
    uint8_t two_64[2 + 2 + 16] = {0x91, 0xd8, FERRYMAN_EXT_BIG_INT};
    two_64[3 + 7] = 0x01; /* bytes 3..19 hold 2**64, big-endian */
    expect_result(lib, "echo_i128(2**64) takes and returns extension 4", "echo_i128", two_64, 19, two_64 + 1, 18);
    expect_error(lib, "echo_i64(2**64 as extension 4)", function_id(lib, "echo_i64"), two_64, 19, FERRY_BAD_ARGS,
                 "overflow");
    static const uint8_t small[] = {0x91, 0xd4, FERRYMAN_EXT_BIG_INT, 0x07};
    static const uint8_t seven[] = {0x07};
    expect_result(lib, "echo_i128(7 as a 1-byte extension 4) returns the int 7", "echo_i128", small, sizeof small,
                  seven, sizeof seven);
    /* [[bin "ab", bin ""]] and the same back: nested Vec<u8> is bin. */
    static const uint8_t lists[] = {0x91, 0x92, 0xc4, 0x02, 'a', 'b', 0xc4, 0x00};
    expect_result(lib, "echo_byte_lists([b\"ab\", b\"\"]) is bin both ways", "echo_byte_lists", lists, sizeof lists,
                  lists + 1, sizeof lists - 1);
    static const uint8_t text[] = {0x91, 0xa1, 'x'};
    expect_error(lib, "echo_bytes(\"x\"): a str is not bytes", function_id(lib, "echo_bytes"), text, sizeof text,
                 FERRY_BAD_ARGS, "type");
}

int main(int argc, char **argv) {
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: %s path/to/libferryman_fixture.so [path/to/libgeometry.so]\n", argv[0]);
        return 2;
    }
    Lib lib = load_library(argv[1]);

    int64_t count;
    version_and_handshake(&lib, &count);
    if (failed != 0) {
        /* Refuse the library, as spec/abi.md says a host must. */
        printf("%d passed, %d failed\n", passed, failed);
        return 1;
    }

    static const char *const names[] = {"add", "divide", "echo_bytes", "panic_now", "nothing"};
    describe(&lib, count, names, sizeof names / sizeof *names);
    int64_t add = function_id(&lib, "add");
    int64_t divide = function_id(&lib, "divide");
    int64_t echo = function_id(&lib, "echo_bytes");
    int64_t panic_now = function_id(&lib, "panic_now");
    int64_t nothing = function_id(&lib, "nothing");

    if (add >= 0) add_both_conventions(&lib, add);
    if (echo >= 0) echo_spill(&lib, echo);
    if (divide >= 0) divide_error(&lib, divide);
    if (add >= 0) bad_calls(&lib, add, count);
    if (panic_now >= 0) panics(&lib, panic_now);
    if (nothing >= 0) unit(&lib, nothing);
    if (add >= 0) null_pointers(&lib, add);
    if (add >= 0 && divide >= 0 && panic_now >= 0) threads(&lib, add, divide, panic_now);
    wide_ints_and_nested_bytes(&lib);
    callbacks(&lib);
    if (argc == 3) two_libraries(&lib, argv[2]);

    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
