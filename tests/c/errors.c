/*
 * errors.c — failed calls (spec/abi.md, "Status codes"; spec/wire.md, "Error
 * values"): a Rust Err as an error value with every key, bad arguments of each
 * kind naming the parameter, unknown function ids, and panics caught.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"

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
    check(all, "divide(1,0) error map has all 17 keys%s%s", *missing ? ", missing " : "", missing);
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

void feature(const Lib *lib, const char *second_path) {
    (void)second_path;
    divide_error(lib, function_id(lib, "divide"));
    bad_calls(lib, function_id(lib, "add"), function_count(lib));
    panics(lib, function_id(lib, "panic_now"));
}
