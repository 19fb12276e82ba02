/*
 * msgpack.h — the MessagePack the C conformance runner needs (msgpack.c):
 * a writer into a growing buffer, a reader of one value's header, and the
 * suite's equality of two values (tests/conformance/README.md, "Comparing").
 *
 * Integers are read as 17-byte big-endian two's complement (`wide`), whether
 * they came as a MessagePack int (any width, signed or not) or as extension 4
 * (spec/wire.md, "Big integers"), so every integer compares the same way.
 */
#ifndef FERRYMAN_CONFORMANCE_MSGPACK_H
#define FERRYMAN_CONFORMANCE_MSGPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WIDE 17 /* bytes of an integer as the reader holds it */

/* ---- writer ---------------------------------------------------------------- */

/* Bytes written by mp_*; free with buf_free. Allocation failure aborts. */
typedef struct Buf {
    uint8_t *p;
    size_t len, cap;
} Buf;

void buf_free(Buf *b);
void buf_put(Buf *b, const void *p, size_t n);
void mp_nil(Buf *b);
void mp_bool(Buf *b, bool v);
void mp_int(Buf *b, int64_t v);
void mp_uint(Buf *b, uint64_t v);
/* An integer held as WIDE bytes of two's complement: an int when it fits 64
 * bits, extension 4 otherwise (16 bytes when it fits i128, else 17). */
void mp_wide(Buf *b, const uint8_t wide[WIDE]);
void mp_f64(Buf *b, double v);
void mp_str(Buf *b, const char *s, size_t n);
void mp_bin(Buf *b, const uint8_t *p, size_t n);
void mp_array(Buf *b, uint32_t n);
void mp_map(Buf *b, uint32_t n);

/* ---- reader ---------------------------------------------------------------- */

typedef enum { V_NIL, V_BOOL, V_INT, V_FLOAT, V_STR, V_BIN, V_ARRAY, V_MAP, V_EXT } VKind;

/* One value's header. Containers: `len` elements (a map: entries) follow. */
typedef struct Val {
    VKind kind;
    bool b;              /* V_BOOL */
    uint8_t wide[WIDE];  /* V_INT (ints and extension 4) */
    double f;            /* V_FLOAT (float 32 widened) */
    const uint8_t *data; /* V_STR, V_BIN, V_EXT payload */
    uint64_t len;        /* bytes of data, or elements */
    int8_t ext;          /* V_EXT type */
} Val;

/* Reads the header at p[*at..n] and moves *at past it (past the payload for
 * str, bin and ext). False on bytes that are not MessagePack. */
bool mp_head(const uint8_t *p, size_t n, size_t *at, Val *v);
/* Moves *at past one whole value. */
bool mp_skip(const uint8_t *p, size_t n, size_t *at);
/* Whether a V_INT fits int64_t, and its value when it does. */
bool wide_i64(const uint8_t wide[WIDE], int64_t *v);

/* A span holding exactly one value. */
typedef struct Span {
    const uint8_t *p;
    size_t n;
} Span;

/* The value of `key` in the map `map`; false when it is not a map or has no such key. */
bool map_value(Span map, const char *key, Span *out);

/* ---- comparing and showing ------------------------------------------------- */

/* Whether the actual value `got` is the expected value `want`: numbers by
 * value (an int and a float of the same value are equal; NaN equals NaN),
 * bin equals an array of the same ints 0-255, maps regardless of order. */
bool mp_equal(Span want, Span got);
/* The value as text (JSON-like), appended to a NUL-terminated text buffer. */
void mp_show(Span v, Buf *text);

#endif
