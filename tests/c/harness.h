/*
 * harness.h — what every feature of the C host test shares (harness.c):
 * checks and the final "N passed, M failed" line, loading a library, function
 * ids looked up by name, a minimal MessagePack reader and writer, and calls.
 *
 * Each feature is one file (handshake.c, calls.c, errors.c, values.c,
 * callbacks.c, closures.c, interrupts.c, lent_bytes.c, two_libraries.c, objects.c, logs.c) built
 * into its own program with harness.c and c_host.c; it defines feature(),
 * which harness.c's main() runs. tests/c/run.sh builds and runs them.
 */
#ifndef FERRYMAN_C_TEST_HARNESS_H
#define FERRYMAN_C_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ferryman.h"

/* ---- the feature a program runs ----------------------------------------- */

typedef struct Lib Lib;

/* Defined by each feature file: its checks, against the fixture library and
 * (NULL unless given) the path of a second ferryman library. */
void feature(const Lib *fixture, const char *second_path);

/* ---- checks ------------------------------------------------------------- */

/* Prints "ok - ..." or "not ok - ..." (and, when not ok, "#   at file:line"),
 * counts it, and is cond. main() ends with "N passed, M failed". */
#define check(cond, ...) check_at(__FILE__, __LINE__, (cond), __VA_ARGS__)
bool check_at(const char *file, int line, bool cond, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void hexdump(const char *what, const uint8_t *p, size_t n);

/* ---- the library, looked up per handle ---------------------------------- */

struct Lib {
    FerrymanAbiVersionFn abi_version;
    FerrymanHandshakeFn handshake;
    FerrymanDescribeFn describe;
    FerrymanFunctionIdFn function_id;
    FerrymanCallFn call;
    FerrymanBoxFreeFn box_free;
    void *handle;       /* the dlopen() handle, for symbols only some hosts need */
    FerryBox described; /* its describe map, read once by load_library() */
};

static const FerryBox EMPTY = {NULL, 0, 0};

/* dlopen()s a library (RTLD_LOCAL), looks its six call symbols up on that
 * handle and reads its describe map. Refuses (exit 2) a library whose ABI or
 * wire version is not this header's, as spec/abi.md says a host must. */
Lib load_library(const char *path);
/* Frees what load_library() read (the library stays loaded). */
void unload_library(Lib *lib);

/* A borrowed box over bytes the host owns (the library only reads them). */
FerryBox borrow(const void *p, size_t n);
/* The id of the function called `name`: its index in describe's `functions`,
 * or -1 when the library exports no (or more than one) function of that name.
 * A failed check when ferryman_function_id says otherwise. */
int64_t function_id(const Lib *lib, const char *name);
/* The length of describe's `functions`. */
int64_t function_count(const Lib *lib);
/* Whether the library exports every one of names[0..n]; *missing is the first
 * one it does not. */
bool exports_all(const Lib *lib, const char *const names[], size_t n, const char **missing);

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
bool is_map_byte(uint8_t b);
bool str_is(const Head *h, const char *s);
/* Positions *r at the value of `key` in the map *r is positioned at. */
bool find_key(Rd *r, const char *key);
/* The header of the value of `key` in the top-level map of p[0..n]. */
bool map_get(const uint8_t *p, size_t n, const char *key, Head *out);
bool map_int(const uint8_t *p, size_t n, const char *key, int64_t *v);
bool map_str_is(const uint8_t *p, size_t n, const char *key, const char *want);
bool is_nil(const uint8_t *p, size_t n, const char *key);
/* Offset of the value of `key` in the map at p[0..n]. */
bool map_at(const uint8_t *p, size_t n, const char *key, size_t *at);
/* Offset of element `k` of the array at p[0..n], and the array's length. */
bool array_at(const uint8_t *p, size_t n, uint64_t k, size_t *at, uint64_t *len);
bool contains(const uint8_t *p, size_t n, const char *needle);
/* Whether the map at p[0..n] has every key of an error value (spec/wire.md). */
bool has_all_error_keys(const uint8_t *p, size_t n, const char **missing);
/* Whether frame k of the error value at p[0..n] has this language and
 * function; *count is the number of frames. */
bool frame_is(const uint8_t *p, size_t n, uint64_t k, const char *language, const char *function,
              uint64_t *count);

/* ---- a MessagePack writer into malloc'd memory -------------------------- */

/* Bytes the host allocated; handed to the library as a box, or freed. */
typedef struct Writer {
    uint8_t *ptr;
    size_t len, cap;
} Writer;

void w_byte(Writer *w, uint8_t b);
void w_be(Writer *w, uint64_t v, int bytes);
void w_int(Writer *w, int64_t v);
void w_nil(Writer *w);
void w_strn(Writer *w, const void *s, size_t n);
void w_str(Writer *w, const char *s);
void w_array(Writer *w, uint32_t n);
void w_map(Writer *w, uint32_t n);
/* Extension 1: c7 0c 01 <host id:4> <handle:8>. */
void w_host_object(Writer *w, uint32_t host_id, uint64_t handle);
/* Extension 2: d7 02 <handle:8>. */
void w_closure(Writer *w, uint64_t handle);

/* ---- calls -------------------------------------------------------------- */

/* A call into a library box (the host passes the empty box). */
typedef struct Outcome {
    int32_t status;
    FerryBox out;
} Outcome;

Outcome call(const Lib *lib, int64_t id, const uint8_t *args, size_t n);
/* Calls function `id` with the arguments in `args`, then frees them. */
Outcome call_with(const Lib *lib, int64_t id, Writer *args);
/* Frees the outcome's library box. */
void release(const Lib *lib, Outcome *o);
/* Whether the call returned exactly the int `want`. */
bool int_is(const Outcome *o, int64_t want);
/* Prints status and bytes of an outcome, after a failed check. */
void show(const Outcome *o);
/* Checks status and error kind of a failed call, then frees its box. */
void expect_error(const Lib *lib, const char *what, int64_t id, const uint8_t *args, size_t n, int32_t status,
                  const char *kind);
/* Calls `name` with `args` and checks the result is exactly `want`. */
void expect_result(const Lib *lib, const char *what, const char *name, const uint8_t *args, size_t n,
                   const uint8_t *want, size_t want_n);

#endif
