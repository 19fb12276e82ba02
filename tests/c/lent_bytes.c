/*
 * lent_bytes.c — a C host lending its own memory to the library (spec/wire.md
 * and spec/abi.md, "Lent bytes"; extension 3): for one call (handle 0) to
 * &[u8], Vec<u8> and ferryman::Bytes parameters, and as host objects from the
 * table of the C host (c_host.c), which ferryman::Bytes keeps (and releases
 * later) and hands back in results.
 *
 * Exercises the fixture functions in tests/fixture/src/lent_bytes.rs.
 */
#include <stdio.h>
#include <string.h>

#include "c_host.h"

enum { SIZE = 5000, EXT_LEN = 3 + 28 };

static uint8_t data[SIZE];

static void put_be(uint8_t *out, uint64_t v, int bytes) {
    for (int k = 0; k < bytes; k++) out[k] = (uint8_t)(v >> (8 * (bytes - 1 - k)));
}

static uint64_t get_be(const uint8_t *in, int bytes) {
    uint64_t v = 0;
    for (int k = 0; k < bytes; k++) v = (v << 8) | in[k];
    return v;
}

/* c7 1c 03 <host id:4> <handle:8> <ptr:8> <len:8>, with `payload` bytes of
 * payload announced (28 unless testing a malformed one). Returns its length. */
static size_t put_lent(uint8_t *out, uint32_t host, uint64_t handle, const void *p, uint64_t n, uint8_t payload) {
    out[0] = 0xc7;
    out[1] = payload;
    out[2] = FERRYMAN_EXT_LENT_BYTES;
    uint8_t full[28];
    put_be(full, host, 4);
    put_be(full + 4, handle, 8);
    put_be(full + 12, (uint64_t)(uintptr_t)p, 8);
    put_be(full + 20, n, 8);
    memset(out + 3, 0, payload);
    memcpy(out + 3, full, payload < 28 ? payload : 28);
    return 3 + (size_t)payload;
}

/* Calls `id` with one argument: lent bytes. */
static Outcome call_lent(const Lib *lib, int64_t id, uint64_t handle, const void *p, uint64_t n) {
    uint8_t args[1 + EXT_LEN];
    args[0] = 0x91;
    size_t len = 1 + put_lent(args + 1, c_host_id(), handle, p, n, 28);
    return call(lib, id, args, len);
}

static bool is_int(const Outcome *o, uint64_t want) {
    Rd r = {o->out.ptr, o->out.len, 0};
    Head h;
    return o->status == FERRY_OK && head(&r, &h) && h.kind == MP_INT && (uint64_t)h.i == want && r.i == r.n;
}

static bool is_bool(const Outcome *o, bool want) {
    return o->status == FERRY_OK && o->out.len == 1 && o->out.ptr[0] == (want ? 0xc3 : 0xc2);
}

/* Whether p[0..n] starts with extension 3 naming `handle` of this host and
 * exactly want[0..len]. */
static bool lent_is(const uint8_t *p, size_t n, uint64_t handle, const uint8_t *want, size_t len) {
    return n >= EXT_LEN && p[0] == 0xc7 && p[1] == 28 && p[2] == FERRYMAN_EXT_LENT_BYTES &&
           get_be(p + 3, 4) == c_host_id() && get_be(p + 7, 8) == handle &&
           get_be(p + 15, 8) == (uint64_t)(uintptr_t)want && get_be(p + 23, 8) == len;
}

static uint64_t sum_of(const uint8_t *p, size_t n) {
    uint64_t sum = 0;
    for (size_t k = 0; k < n; k++) sum += p[k];
    return sum;
}

static void handshake_says_lent_bytes(const Lib *lib) {
    FerryBox out = EMPTY;
    Head h;
    bool ok = lib->handshake(&out) == FERRY_OK && map_get(out.ptr, out.len, "lent_bytes", &h) && h.kind == MP_BOOL &&
              h.i == 1;
    check(ok, "the handshake says \"lent_bytes\": true");
    lib->box_free(&out);
}

/* Handle 0: lent for one call, nothing retained or released. */
static void for_one_call(const Lib *lib, int64_t address, int64_t vec_sum, int64_t is_lent, int64_t echo) {
    long releases = host_releases();
    Outcome o = call_lent(lib, address, 0, data, SIZE);
    if (!check(is_int(&o, (uint64_t)(uintptr_t)data), "slice_address(&[u8] lent for the call) is the host's own buffer"))
        show(&o);
    release(lib, &o);

    o = call_lent(lib, vec_sum, 0, data, SIZE);
    if (!check(is_int(&o, sum_of(data, SIZE)), "vec_sum(Vec<u8> lent for the call) = the sum of the lent bytes"))
        show(&o);
    release(lib, &o);

    o = call_lent(lib, is_lent, 0, data, SIZE);
    if (!check(is_bool(&o, false), "bytes_is_lent(handle 0) = false: Bytes copies what is lent for one call"))
        show(&o);
    release(lib, &o);

    o = call_lent(lib, echo, 0, data, SIZE);
    Rd r = {o.out.ptr, o.out.len, 0};
    Head h;
    bool bin = o.status == FERRY_OK && head(&r, &h) && h.kind == MP_BIN && h.len == SIZE &&
               memcmp(h.data, data, SIZE) == 0 && r.i == r.n;
    if (!check(bin, "bytes_echo(handle 0) returns a copy as bin, never the host's memory")) show(&o);
    release(lib, &o);

    o = call_lent(lib, address, 0, NULL, 0);
    if (!check(is_int(&o, 0), "slice_address(NULL, len 0) = empty slice")) show(&o);
    release(lib, &o);
    check(host_releases() == releases, "handle 0 retains and releases nothing");
}

/* A host object: Bytes keeps it without a copy, hands it back in results. */
static void as_host_object(const Lib *lib, int64_t is_lent, int64_t echo, int64_t slice) {
    uint64_t h = host_lend(data);
    long releases = host_releases();
    Outcome o = call_lent(lib, is_lent, h, data, SIZE);
    if (!check(is_bool(&o, true), "bytes_is_lent(host object) = true: no copy")) show(&o);
    release(lib, &o);
    check(host_refs(h) == 1 && host_releases() == releases + 1,
          "the parameter's reference was released at the end of the call (1 release, count back to 1)");

    o = call_lent(lib, echo, h, data, SIZE);
    bool back = o.status == FERRY_OK && o.out.len == EXT_LEN && lent_is(o.out.ptr, o.out.len, h, data, SIZE);
    if (!check(back, "bytes_echo(host object) returns extension 3: same host, handle, ptr and len")) show(&o);
    release(lib, &o);
    check(host_refs(h) == 2, "the result came with one reference for the host (count 2: own + result's)");
    host_drop(h);

    uint8_t args[1 + EXT_LEN + 2];
    args[0] = 0x93;
    size_t n = 1 + put_lent(args + 1, c_host_id(), h, data, SIZE, 28);
    args[n++] = 10;
    args[n++] = 30;
    o = call(lib, slice, args, n);
    back = o.status == FERRY_OK && o.out.len == EXT_LEN && lent_is(o.out.ptr, o.out.len, h, data + 10, 20);
    if (!check(back, "bytes_slice(host object, 10, 30) returns extension 3 with ptr + 10 and len 20"))
        show(&o);
    release(lib, &o);
    host_drop(h);
    check(host_refs(h) == 1, "after dropping the results' references only the host's own is left");
    host_drop(h);
    check(host_refs(h) == 0, "the host drops its own: the object is gone");
}

/* Bytes stored by Rust outlive the call, are read and returned later, from
 * another thread, and released when Rust drops them. */
static void stored(const Lib *lib, int64_t keep, int64_t keep_ref, int64_t sum, int64_t from_thread, int64_t drop) {
    uint64_t h = host_lend(data);
    Outcome o = call_lent(lib, keep, h, data, SIZE);
    if (!check(is_int(&o, 1), "keep_bytes(host object) = 1 kept")) show(&o);
    release(lib, &o);
    o = call_lent(lib, keep_ref, h, data + 100, 50);
    if (!check(is_int(&o, 2), "keep_bytes_ref(&Bytes of the same object, another range) = 2 kept")) show(&o);
    release(lib, &o);
    check(host_refs(h) == 3, "the library keeps two references (count 3 with the host's own): %ld", host_refs(h));
    host_drop(h);
    check(host_refs(h) == 2, "the host dropped its own; the stored Bytes keep the object alive");

    o = call(lib, sum, (const uint8_t *)"\x90", 1);
    uint64_t want = sum_of(data, SIZE) + sum_of(data + 100, 50);
    if (!check(is_int(&o, want), "kept_bytes_sum() reads the host's memory after the calls returned"))
        show(&o);
    release(lib, &o);

    o = call(lib, from_thread, (const uint8_t *)"\x90", 1);
    const uint8_t *p = o.out.ptr;
    bool both = o.status == FERRY_OK && o.out.len == 1 + 2 * EXT_LEN && p[0] == 0x92 &&
                lent_is(p + 1, EXT_LEN, h, data, SIZE) && lent_is(p + 1 + EXT_LEN, EXT_LEN, h, data + 100, 50);
    if (!check(both, "kept_bytes_from_thread() = [ext 3 (whole), ext 3 (range)], cloned on another thread"))
        show(&o);
    release(lib, &o);
    check(host_refs(h) == 4, "two more references came with that result (count 4)");
    host_drop(h);
    host_drop(h);

    long releases = host_releases();
    o = call(lib, drop, (const uint8_t *)"\x90", 1);
    if (!check(is_int(&o, 2), "drop_kept_bytes() = 2, dropped on another thread")) show(&o);
    release(lib, &o);
    check(host_releases() == releases + 2 && host_refs(h) == 0,
          "dropping the stored Bytes released the object twice; it is gone (%ld releases, count %ld)",
          host_releases() - releases, host_refs(h));
}

/* Malformed extension 3: argument errors naming the parameter, never a crash. */
static void malformed(const Lib *lib, int64_t is_lent, int64_t address) {
    uint8_t args[1 + 3 + 40];
    args[0] = 0x91;
    size_t n = 1 + put_lent(args + 1, c_host_id(), 0, data, SIZE, 27);
    Outcome o = call(lib, is_lent, args, n);
    bool ok = o.status == FERRY_BAD_ARGS && map_str_is(o.out.ptr, o.out.len, "kind", "type") &&
              map_str_is(o.out.ptr, o.out.len, "param", "data") && contains(o.out.ptr, o.out.len, "28-byte");
    if (!check(ok, "a 27-byte payload -> status 3, kind type, param \"data\", says 28-byte")) show(&o);
    release(lib, &o);

    n = 1 + put_lent(args + 1, c_host_id(), 0, NULL, 8, 28);
    o = call(lib, address, args, n);
    ok = o.status == FERRY_BAD_ARGS && map_str_is(o.out.ptr, o.out.len, "param", "data") &&
         contains(o.out.ptr, o.out.len, "NULL");
    if (!check(ok, "NULL ptr with len 8 -> status 3 naming the parameter")) show(&o);
    release(lib, &o);

    n = 1 + put_lent(args + 1, 0xfffffff0u, 5, data, SIZE, 28);
    o = call(lib, is_lent, args, n);
    ok = o.status == FERRY_BAD_ARGS && contains(o.out.ptr, o.out.len, "not registered");
    if (!check(ok, "a host object of unregistered host 0xfffffff0 -> status 3, \"not registered\"")) show(&o);
    release(lib, &o);
}

void feature(const Lib *lib, const char *second_path) {
    (void)second_path;
    CallbackSymbols s;
    if (!c_host_setup(lib, &s)) return;
    for (size_t k = 0; k < SIZE; k++) data[k] = (uint8_t)(k * 7 + 3);
    static const char *const names[] = {"slice_address", "vec_sum",        "bytes_is_lent",  "bytes_echo",
                                        "bytes_slice",   "keep_bytes",     "keep_bytes_ref", "kept_bytes_sum",
                                        "kept_bytes_from_thread",          "drop_kept_bytes"};
    enum { N = sizeof names / sizeof *names };
    const char *missing;
    bool all = exports_all(lib, names, N, &missing);
    if (!check(all, "the fixture exports the %d lent bytes functions%s%s", (int)N,
               *missing ? ", not " : "", missing)) return;
    int64_t address = function_id(lib, "slice_address");
    int64_t is_lent = function_id(lib, "bytes_is_lent");
    int64_t echo = function_id(lib, "bytes_echo");

    handshake_says_lent_bytes(lib);
    for_one_call(lib, address, function_id(lib, "vec_sum"), is_lent, echo);
    as_host_object(lib, is_lent, echo, function_id(lib, "bytes_slice"));
    stored(lib, function_id(lib, "keep_bytes"), function_id(lib, "keep_bytes_ref"), function_id(lib, "kept_bytes_sum"),
           function_id(lib, "kept_bytes_from_thread"), function_id(lib, "drop_kept_bytes"));
    malformed(lib, is_lent, address);
    c_host_finish();
}
