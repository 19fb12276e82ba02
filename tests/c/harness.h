/*
 * harness.h — what the files of the C host test share: reporting, the library
 * looked up per handle, a MessagePack reader and calls. Defined in
 * call_fixture.c; callbacks.c adds the callback checks.
 */
#ifndef FERRYMAN_C_TEST_HARNESS_H
#define FERRYMAN_C_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ferryman.h"

/* ---- reporting ---------------------------------------------------------- */

/* Prints "ok - ..." or "not ok - ...", counts it, returns cond. */
bool check(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void hexdump(const char *what, const uint8_t *p, size_t n);

/* ---- the library, looked up per handle ---------------------------------- */

typedef struct Lib {
    FerrymanAbiVersionFn abi_version;
    FerrymanHandshakeFn handshake;
    FerrymanDescribeFn describe;
    FerrymanFunctionIdFn function_id;
    FerrymanCallFn call;
    FerrymanBoxFreeFn box_free;
    void *handle; /* the dlopen() handle, for symbols only some hosts need */
} Lib;

static const FerryBox EMPTY = {NULL, 0, 0};

/* dlopen()s a library (RTLD_LOCAL) and looks its six call symbols up on that handle. */
Lib load_library(const char *path);

/* A borrowed box over bytes the host owns (the library only reads them). */
FerryBox borrow(const void *p, size_t n);
int64_t function_id(const Lib *lib, const char *name);
/* Looks up n names into ids; false when any of them is not exported. */
bool function_ids(const Lib *lib, const char *const names[], size_t n, int64_t ids[]);

/* ---- a MessagePack reader, only as far as the tests need ---------------- */

typedef struct Rd {
    const uint8_t *p;
    size_t n, i;
} Rd;

typedef enum { MP_NIL, MP_BOOL, MP_INT, MP_FLOAT, MP_STR, MP_BIN, MP_ARRAY, MP_MAP, MP_EXT } MpKind;

/* Reads one header: kind plus int value (MP_INT), length (str/bin/array/map/ext). */
typedef struct Head {
    MpKind kind;
    int64_t i;
    uint64_t len;
    const uint8_t *data; /* str/bin payload */
} Head;

bool head(Rd *r, Head *h);
bool skip(Rd *r);
/* True when the bytes are exactly one well-formed value. */
bool one_value(const uint8_t *p, size_t n);
bool str_is(const Head *h, const char *s);
/* Positions *r at the value of `key` in the map *r is positioned at. */
bool find_key(Rd *r, const char *key);
/* The header of the value of `key` in the top-level map of p[0..n]. */
bool map_get(const uint8_t *p, size_t n, const char *key, Head *out);
bool map_int(const uint8_t *p, size_t n, const char *key, int64_t *v);
bool map_str_is(const uint8_t *p, size_t n, const char *key, const char *want);
bool contains(const uint8_t *p, size_t n, const char *needle);
/* Whether the map at p[0..n] has every key of an error value (spec/wire.md). */
bool has_all_error_keys(const uint8_t *p, size_t n, const char **missing);

/* ---- calls -------------------------------------------------------------- */

/* A call into a library box (the host passes the empty box). */
typedef struct Outcome {
    int32_t status;
    FerryBox out;
} Outcome;

Outcome call(const Lib *lib, int64_t id, const uint8_t *args, size_t n);
/* Frees the outcome's library box. */
void release(const Lib *lib, Outcome *o);

/* ---- callbacks.c -------------------------------------------------------- */

/* The spec/callbacks.md checks: a C host with callables, closures, interrupts. */
void callbacks(const Lib *lib);

/* The C host's table, for lent_bytes.c (after callbacks() registered the host). */
uint32_t c_host_id(void);
/* A host object lending the bytes at data, with the host's own reference. */
uint64_t host_lend(const void *data);
/* The references held to a host object (0 once it is gone). */
long host_refs(uint64_t handle);
/* Drops one reference (the host's own, or one a result handed over). */
void host_drop(uint64_t handle);
/* How many release() calls the library has made so far. */
long host_releases(void);

/* ---- lent_bytes.c ------------------------------------------------------- */

/* The lent bytes checks (extension 3), run by callbacks() with the host registered. */
void lent_bytes(const Lib *lib);

/* ---- two_libraries.c ---------------------------------------------------- */

/* Loads a second library (examples/geometry) and checks both side by side. */
void two_libraries(const Lib *fixture, const char *second_path);

#endif
