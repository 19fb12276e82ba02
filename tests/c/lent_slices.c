/*
 * lent_slices.c — a C host lending an array of numbers (spec/wire.md, "Lent
 * slices"; extension 3 with a 29-byte payload naming the item type) to &[f64],
 * &[i32] and &[i16] parameters: borrowed in place when aligned, copied when
 * not, items converted for a parameter of another number type, and malformed
 * payloads refused naming the parameter.
 *
 * Exercises the fixture functions in tests/fixture/src/lent_slices.rs.
 */
#include <stdio.h>
#include <string.h>

#include "c_host.h"

enum { COUNT = 1000, EXT_LEN = 3 + 29 };

/* 8-aligned storage for the items, one spare item for misaligned views. */
static double doubles[COUNT + 1];
static int16_t shorts[COUNT];

static void put_be(uint8_t *out, uint64_t v, int bytes) {
    for (int k = 0; k < bytes; k++) out[k] = (uint8_t)(v >> (8 * (bytes - 1 - k)));
}

/* [c7 1d 03 <host id:4> <handle 0:8> <ptr:8> <len:8> <item>]: one argument. */
static size_t put_args(uint8_t *out, const void *p, uint64_t n_bytes, uint8_t item) {
    out[0] = 0x91;
    out[1] = 0xc7;
    out[2] = 29;
    out[3] = FERRYMAN_EXT_LENT_BYTES;
    put_be(out + 4, c_host_id(), 4);
    put_be(out + 8, 0, 8);
    put_be(out + 16, (uint64_t)(uintptr_t)p, 8);
    put_be(out + 24, n_bytes, 8);
    out[32] = item;
    return 1 + EXT_LEN;
}

static Outcome call_slice(const Lib *lib, int64_t id, const void *p, uint64_t n_bytes, uint8_t item) {
    uint8_t args[1 + EXT_LEN];
    size_t len = put_args(args, p, n_bytes, item);
    return call(lib, id, args, len);
}

static bool int_result(const Outcome *o, int64_t *value) {
    Rd r = {o->out.ptr, o->out.len, 0};
    Head h;
    if (!(o->status == FERRY_OK && head(&r, &h) && h.kind == MP_INT && r.i == r.n)) return false;
    *value = h.i;
    return true;
}

/* A float 64 result (cb and 8 bytes, big-endian); NaN for anything else. */
static double f64_result(const Outcome *o) {
    if (!(o->status == FERRY_OK && o->out.len == 9 && o->out.ptr[0] == 0xcb)) return 0.0 / 0.0;
    uint64_t bits = 0;
    for (int k = 1; k < 9; k++) bits = (bits << 8) | o->out.ptr[k];
    double value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

static void handshake_says_lent_slices(const Lib *lib) {
    FerryBox out = EMPTY;
    Head h;
    bool ok = lib->handshake(&out) == FERRY_OK && map_get(out.ptr, out.len, "lent_slices", &h) &&
              h.kind == MP_BOOL && h.i == 1;
    check(ok, "the handshake says \"lent_slices\": true");
    lib->box_free(&out);
}

static void borrowed_and_copied(const Lib *lib, int64_t f64_address, int64_t sum_f64) {
    long releases = host_releases();
    int64_t address = 0;
    Outcome o = call_slice(lib, f64_address, doubles, COUNT * sizeof(double), 'd');
    bool ok = int_result(&o, &address) && (uintptr_t)address == (uintptr_t)doubles;
    if (!check(ok, "f64_slice_address(&[f64] lent, aligned) is the host's own array")) show(&o);
    release(lib, &o);

    /* One byte in: not aligned for f64, so the library copies the items. */
    const uint8_t *odd = (const uint8_t *)doubles + 1;
    o = call_slice(lib, f64_address, odd, 8 * sizeof(double), 'd');
    ok = int_result(&o, &address) && address != 0 && (uintptr_t)address != (uintptr_t)odd;
    if (!check(ok, "f64_slice_address(misaligned) is a copy's address")) show(&o);
    release(lib, &o);

    o = call_slice(lib, sum_f64, doubles, COUNT * sizeof(double), 'd');
    double want = 0;
    for (int k = 0; k < COUNT; k++) want += doubles[k];
    ok = f64_result(&o) == want;
    if (!check(ok, "sum_f64(&[f64] lent) = the sum of the host's items")) show(&o);
    release(lib, &o);

    o = call_slice(lib, f64_address, NULL, 0, 'd');
    ok = int_result(&o, &address) && address == 0;
    if (!check(ok, "f64_slice_address(NULL, len 0) = empty slice")) show(&o);
    release(lib, &o);
    check(host_releases() == releases, "lent slices with handle 0 retain and release nothing");
}

static void other_item_types(const Lib *lib, int64_t i16_sum, int64_t sum_f64, int64_t i32_address) {
    int64_t sum = 0, want = 0;
    for (int k = 0; k < COUNT; k++) want += shorts[k];
    Outcome o = call_slice(lib, i16_sum, shorts, sizeof shorts, 'h');
    bool ok = int_result(&o, &sum) && sum == want;
    if (!check(ok, "i16_slice_sum(&[i16] lent) = %lld", (long long)want)) show(&o);
    release(lib, &o);

    /* i16 items for a &[f64]: converted one by one, like an array's ints. */
    o = call_slice(lib, sum_f64, shorts, sizeof shorts, 'h');
    ok = f64_result(&o) == (double)want;
    if (!check(ok, "sum_f64(i16 items) converts each item")) show(&o);
    release(lib, &o);

    /* f64 items for a &[i32]: a type error naming the parameter. */
    o = call_slice(lib, i32_address, doubles, 16, 'd');
    ok = o.status == FERRY_BAD_ARGS && map_str_is(o.out.ptr, o.out.len, "kind", "type") &&
         map_str_is(o.out.ptr, o.out.len, "param", "values");
    if (!check(ok, "i32_slice_address(f64 items) -> status 3, kind type, param \"values\"")) show(&o);
    release(lib, &o);
}

static void malformed(const Lib *lib, int64_t f64_address, int64_t vec_sum) {
    Outcome o = call_slice(lib, f64_address, doubles, 13, 'd');
    bool ok = o.status == FERRY_BAD_ARGS && map_str_is(o.out.ptr, o.out.len, "param", "values") &&
              contains(o.out.ptr, o.out.len, "whole number");
    if (!check(ok, "13 bytes of f64 -> status 3 naming the parameter, \"whole number\"")) show(&o);
    release(lib, &o);

    o = call_slice(lib, f64_address, doubles, 16, 'x');
    ok = o.status == FERRY_BAD_ARGS && contains(o.out.ptr, o.out.len, "unknown item type");
    if (!check(ok, "item code 'x' -> status 3, \"unknown item type\"")) show(&o);
    release(lib, &o);

    /* A lent slice where bytes are expected (vec_sum takes Vec<u8>). */
    o = call_slice(lib, vec_sum, doubles, 16, 'd');
    ok = o.status == FERRY_BAD_ARGS && contains(o.out.ptr, o.out.len, "where bytes are expected");
    if (!check(ok, "a lent slice for Vec<u8> -> status 3, \"where bytes are expected\"")) show(&o);
    release(lib, &o);

    o = call_slice(lib, f64_address, NULL, 16, 'd');
    ok = o.status == FERRY_BAD_ARGS && contains(o.out.ptr, o.out.len, "NULL");
    if (!check(ok, "NULL ptr with len 16 -> status 3, \"NULL\"")) show(&o);
    release(lib, &o);
}

void feature(const Lib *lib, const char *second_path) {
    (void)second_path;
    CallbackSymbols s;
    if (!c_host_setup(lib, &s)) return;
    for (int k = 0; k < COUNT + 1; k++) doubles[k] = k * 0.25 - 7;
    for (int k = 0; k < COUNT; k++) shorts[k] = (int16_t)(k * 37 - 9000);
    static const char *const names[] = {"f64_slice_address", "i32_slice_address", "i16_slice_sum", "sum_f64",
                                        "vec_sum"};
    enum { N = sizeof names / sizeof *names };
    const char *missing;
    bool all = exports_all(lib, names, N, &missing);
    if (!check(all, "the fixture exports the %d lent slice functions%s%s", (int)N, *missing ? ", not " : "",
               missing)) return;
    int64_t f64_address = function_id(lib, "f64_slice_address");
    int64_t sum_f64 = function_id(lib, "sum_f64");

    handshake_says_lent_slices(lib);
    borrowed_and_copied(lib, f64_address, sum_f64);
    other_item_types(lib, function_id(lib, "i16_slice_sum"), sum_f64, function_id(lib, "i32_slice_address"));
    malformed(lib, f64_address, function_id(lib, "vec_sum"));
    c_host_finish();
}
