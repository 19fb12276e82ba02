/* msgpack.c — see msgpack.h. */
#include "msgpack.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- writer ---------------------------------------------------------------- */

void buf_free(Buf *b) {
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

void buf_put(Buf *b, const void *p, size_t n) {
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n) {
            cap *= 2;
        }
        uint8_t *grown = realloc(b->p, cap);
        if (grown == NULL) {
            fprintf(stderr, "run_c: out of memory\n");
            abort();
        }
        b->p = grown;
        b->cap = cap;
    }
    if (n > 0) {
        memcpy(b->p + b->len, p, n);
        b->len += n;
    }
}

static void put_byte(Buf *b, uint8_t v) { buf_put(b, &v, 1); }

static void put_be(Buf *b, uint64_t v, int bytes) {
    for (int k = bytes - 1; k >= 0; k--) {
        put_byte(b, (uint8_t)(v >> (8 * k)));
    }
}

void mp_nil(Buf *b) { put_byte(b, 0xc0); }

void mp_bool(Buf *b, bool v) { put_byte(b, v ? 0xc3 : 0xc2); }

void mp_uint(Buf *b, uint64_t v) {
    if (v <= 0x7f) { put_byte(b, (uint8_t)v); }
    else if (v <= 0xff) { put_byte(b, 0xcc); put_be(b, v, 1); }
    else if (v <= 0xffff) { put_byte(b, 0xcd); put_be(b, v, 2); }
    else if (v <= 0xffffffffu) { put_byte(b, 0xce); put_be(b, v, 4); }
    else { put_byte(b, 0xcf); put_be(b, v, 8); }
}

void mp_int(Buf *b, int64_t v) {
    if (v >= 0) { mp_uint(b, (uint64_t)v); }
    else if (v >= -32) { put_byte(b, (uint8_t)v); }
    else if (v >= INT8_MIN) { put_byte(b, 0xd0); put_be(b, (uint64_t)v, 1); }
    else if (v >= INT16_MIN) { put_byte(b, 0xd1); put_be(b, (uint64_t)v, 2); }
    else if (v >= INT32_MIN) { put_byte(b, 0xd2); put_be(b, (uint64_t)v, 4); }
    else { put_byte(b, 0xd3); put_be(b, (uint64_t)v, 8); }
}

/* Whether wide[0..k) are all the sign extension of wide[k]. */
static bool extends(const uint8_t wide[WIDE], size_t k) {
    uint8_t fill = (wide[k] & 0x80) ? 0xff : 0x00;
    for (size_t j = 0; j < k; j++) {
        if (wide[j] != fill) {
            return false;
        }
    }
    return true;
}

static uint64_t low64(const uint8_t wide[WIDE]) {
    uint64_t v = 0;
    for (size_t j = WIDE - 8; j < WIDE; j++) {
        v = (v << 8) | wide[j];
    }
    return v;
}

bool wide_i64(const uint8_t wide[WIDE], int64_t *v) {
    if (!extends(wide, WIDE - 8)) {
        return false;
    }
    *v = (int64_t)low64(wide);
    return true;
}

void mp_wide(Buf *b, const uint8_t wide[WIDE]) {
    int64_t i;
    if (wide_i64(wide, &i)) {
        mp_int(b, i);
        return;
    }
    bool negative = wide[0] & 0x80;
    bool high_zero = true;
    for (size_t j = 0; j < WIDE - 8; j++) {
        high_zero = high_zero && wide[j] == 0;
    }
    if (!negative && high_zero) {
        mp_uint(b, low64(wide));
    } else if (extends(wide, 1)) {
        put_byte(b, 0xd8); /* fixext 16 */
        put_byte(b, 4);
        buf_put(b, wide + 1, WIDE - 1);
    } else {
        put_byte(b, 0xc7); /* ext 8, 17 bytes */
        put_byte(b, WIDE);
        put_byte(b, 4);
        buf_put(b, wide, WIDE);
    }
}

void mp_f64(Buf *b, double v) {
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    put_byte(b, 0xcb);
    put_be(b, bits, 8);
}

void mp_str(Buf *b, const char *s, size_t n) {
    if (n <= 31) { put_byte(b, (uint8_t)(0xa0 | n)); }
    else if (n <= 0xff) { put_byte(b, 0xd9); put_be(b, n, 1); }
    else if (n <= 0xffff) { put_byte(b, 0xda); put_be(b, n, 2); }
    else { put_byte(b, 0xdb); put_be(b, n, 4); }
    buf_put(b, s, n);
}

void mp_bin(Buf *b, const uint8_t *p, size_t n) {
    if (n <= 0xff) { put_byte(b, 0xc4); put_be(b, n, 1); }
    else if (n <= 0xffff) { put_byte(b, 0xc5); put_be(b, n, 2); }
    else { put_byte(b, 0xc6); put_be(b, n, 4); }
    buf_put(b, p, n);
}

void mp_array(Buf *b, uint32_t n) {
    if (n <= 15) { put_byte(b, (uint8_t)(0x90 | n)); }
    else if (n <= 0xffff) { put_byte(b, 0xdc); put_be(b, n, 2); }
    else { put_byte(b, 0xdd); put_be(b, n, 4); }
}

void mp_map(Buf *b, uint32_t n) {
    if (n <= 15) { put_byte(b, (uint8_t)(0x80 | n)); }
    else if (n <= 0xffff) { put_byte(b, 0xde); put_be(b, n, 2); }
    else { put_byte(b, 0xdf); put_be(b, n, 4); }
}

/* ---- reader ---------------------------------------------------------------- */

static bool take(const uint8_t *p, size_t n, size_t *at, size_t k, const uint8_t **out) {
    if (k > n - *at) {
        return false;
    }
    *out = p + *at;
    *at += k;
    return true;
}

static bool be(const uint8_t *p, size_t n, size_t *at, size_t k, uint64_t *v) {
    const uint8_t *q;
    if (!take(p, n, at, k, &q)) {
        return false;
    }
    *v = 0;
    for (size_t j = 0; j < k; j++) {
        *v = (*v << 8) | q[j];
    }
    return true;
}

/* wide = v, sign-extended when `is_signed` and v is negative as int64_t. */
static void set_wide(uint8_t wide[WIDE], uint64_t v, bool is_signed) {
    memset(wide, is_signed && (int64_t)v < 0 ? 0xff : 0x00, WIDE);
    for (size_t j = 0; j < 8; j++) {
        wide[WIDE - 1 - j] = (uint8_t)(v >> (8 * j));
    }
}

static bool payload(const uint8_t *p, size_t n, size_t *at, Val *v) {
    if (v->len > SIZE_MAX) {
        return false;
    }
    return take(p, n, at, (size_t)v->len, &v->data);
}

/* Extension 4 (1 to 17 bytes, sign-extended) becomes V_INT. */
static bool ext_payload(const uint8_t *p, size_t n, size_t *at, Val *v) {
    const uint8_t *t;
    if (!take(p, n, at, 1, &t) || !payload(p, n, at, v)) {
        return false;
    }
    v->ext = (int8_t)t[0];
    if (v->ext == 4 && v->len >= 1 && v->len <= WIDE) {
        v->kind = V_INT;
        memset(v->wide, (v->data[0] & 0x80) ? 0xff : 0x00, WIDE);
        memcpy(v->wide + WIDE - v->len, v->data, (size_t)v->len);
    }
    return true;
}

bool mp_head(const uint8_t *p, size_t n, size_t *at, Val *v) {
    const uint8_t *q;
    uint64_t u;
    memset(v, 0, sizeof *v);
    if (*at > n || !take(p, n, at, 1, &q)) {
        return false;
    }
    uint8_t b = q[0];
    if (b <= 0x7f) { v->kind = V_INT; set_wide(v->wide, b, false); return true; }
    if (b >= 0xe0) { v->kind = V_INT; set_wide(v->wide, (uint64_t)(int64_t)(int8_t)b, true); return true; }
    if (b >= 0x80 && b <= 0x8f) { v->kind = V_MAP; v->len = b & 0x0f; return true; }
    if (b >= 0x90 && b <= 0x9f) { v->kind = V_ARRAY; v->len = b & 0x0f; return true; }
    if (b >= 0xa0 && b <= 0xbf) { v->kind = V_STR; v->len = b & 0x1f; return payload(p, n, at, v); }
    switch (b) {
    case 0xc0: v->kind = V_NIL; return true;
    case 0xc2: case 0xc3: v->kind = V_BOOL; v->b = b & 1; return true;
    case 0xc4: case 0xc5: case 0xc6:
        v->kind = V_BIN;
        return be(p, n, at, (size_t)1 << (b - 0xc4), &v->len) && payload(p, n, at, v);
    case 0xd9: case 0xda: case 0xdb:
        v->kind = V_STR;
        return be(p, n, at, (size_t)1 << (b - 0xd9), &v->len) && payload(p, n, at, v);
    case 0xca: {
        if (!be(p, n, at, 4, &u)) return false;
        uint32_t bits = (uint32_t)u;
        float f;
        memcpy(&f, &bits, sizeof f);
        v->kind = V_FLOAT; v->f = f;
        return true;
    }
    case 0xcb:
        if (!be(p, n, at, 8, &u)) return false;
        v->kind = V_FLOAT; memcpy(&v->f, &u, sizeof v->f);
        return true;
    case 0xcc: case 0xcd: case 0xce: case 0xcf:
        if (!be(p, n, at, (size_t)1 << (b - 0xcc), &u)) return false;
        v->kind = V_INT; set_wide(v->wide, u, false);
        return true;
    case 0xd0: case 0xd1: case 0xd2: case 0xd3: {
        size_t k = (size_t)1 << (b - 0xd0);
        if (!be(p, n, at, k, &u)) return false;
        if (k < 8 && (u >> (8 * k - 1))) u |= ~(uint64_t)0 << (8 * k); /* sign-extend */
        v->kind = V_INT; set_wide(v->wide, u, true);
        return true;
    }
    case 0xdc: case 0xdd:
        v->kind = V_ARRAY; return be(p, n, at, (size_t)2 << (b - 0xdc), &v->len);
    case 0xde: case 0xdf:
        v->kind = V_MAP; return be(p, n, at, (size_t)2 << (b - 0xde), &v->len);
    case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8:
        v->kind = V_EXT; v->len = (uint64_t)1 << (b - 0xd4);
        return ext_payload(p, n, at, v);
    case 0xc7: case 0xc8: case 0xc9:
        v->kind = V_EXT;
        return be(p, n, at, (size_t)1 << (b - 0xc7), &v->len) && ext_payload(p, n, at, v);
    default: return false; /* 0xc1 is never used */
    }
}

/* Containers nest at most this deep here (the wire allows 256; cases are shallow). */
#define MAX_NESTING 300

static bool skip_at(const uint8_t *p, size_t n, size_t *at, int depth) {
    Val v;
    if (depth > MAX_NESTING || !mp_head(p, n, at, &v)) {
        return false;
    }
    uint64_t items = v.kind == V_ARRAY ? v.len : v.kind == V_MAP ? 2 * v.len : 0;
    for (uint64_t j = 0; j < items; j++) {
        if (!skip_at(p, n, at, depth + 1)) {
            return false;
        }
    }
    return true;
}

bool mp_skip(const uint8_t *p, size_t n, size_t *at) { return skip_at(p, n, at, 0); }

/* The span of the value at p[*at..n], moving *at past it. */
static bool next_span(const uint8_t *p, size_t n, size_t *at, Span *out) {
    size_t start = *at;
    if (!mp_skip(p, n, at)) {
        return false;
    }
    out->p = p + start;
    out->n = *at - start;
    return true;
}

bool map_value(Span map, const char *key, Span *out) {
    size_t at = 0;
    Val v;
    if (!mp_head(map.p, map.n, &at, &v) || v.kind != V_MAP) {
        return false;
    }
    size_t klen = strlen(key);
    for (uint64_t j = 0; j < v.len; j++) {
        Val k;
        if (!mp_head(map.p, map.n, &at, &k)) {
            return false;
        }
        bool hit = k.kind == V_STR && k.len == klen && memcmp(k.data, key, klen) == 0;
        if (k.kind == V_ARRAY || k.kind == V_MAP) {
            /* a container key: skip its elements */
            uint64_t items = k.kind == V_ARRAY ? k.len : 2 * k.len;
            for (uint64_t e = 0; e < items; e++) {
                if (!mp_skip(map.p, map.n, &at)) {
                    return false;
                }
            }
        }
        if (!next_span(map.p, map.n, &at, out)) {
            return false;
        }
        if (hit) {
            return true;
        }
    }
    return false;
}

/* ---- comparing ------------------------------------------------------------- */

static bool number_equal(const Val *a, const Val *b) {
    if (a->kind == V_INT && b->kind == V_INT) {
        return memcmp(a->wide, b->wide, WIDE) == 0;
    }
    if (a->kind == V_FLOAT && b->kind == V_FLOAT) {
        return a->f == b->f || (isnan(a->f) && isnan(b->f));
    }
    const Val *i = a->kind == V_INT ? a : b;
    const Val *f = a->kind == V_FLOAT ? a : b;
    int64_t x;
    return wide_i64(i->wide, &x) && isfinite(f->f) && (double)x == f->f;
}

/* bin against an array: the array's elements are exactly the bytes. */
static bool bin_equals_array(const Val *bin, Span array) {
    size_t at = 0;
    Val a;
    if (!mp_head(array.p, array.n, &at, &a) || a.len != bin->len) {
        return false;
    }
    for (uint64_t j = 0; j < a.len; j++) {
        Val e;
        int64_t x;
        if (!mp_head(array.p, array.n, &at, &e) || e.kind != V_INT || !wide_i64(e.wide, &x) || x != bin->data[j]) {
            return false;
        }
    }
    return true;
}

static bool equal_at(Span want, Span got, int depth);

static bool arrays_equal(Span want, size_t wat, Span got, size_t gat, uint64_t len, int depth) {
    for (uint64_t j = 0; j < len; j++) {
        Span w, g;
        if (!next_span(want.p, want.n, &wat, &w) || !next_span(got.p, got.n, &gat, &g) ||
            !equal_at(w, g, depth + 1)) {
            return false;
        }
    }
    return true;
}

static bool maps_equal(Span want, size_t wat, Span got, size_t gat, uint64_t len, int depth) {
    Span *keys = calloc(len ? len : 1, sizeof *keys);
    Span *values = calloc(len ? len : 1, sizeof *values);
    bool *used = calloc(len ? len : 1, sizeof *used);
    bool ok = keys && values && used;
    for (uint64_t j = 0; ok && j < len; j++) {
        ok = next_span(got.p, got.n, &gat, &keys[j]) && next_span(got.p, got.n, &gat, &values[j]);
    }
    for (uint64_t j = 0; ok && j < len; j++) {
        Span k, v;
        ok = next_span(want.p, want.n, &wat, &k) && next_span(want.p, want.n, &wat, &v);
        uint64_t hit = len;
        for (uint64_t m = 0; ok && m < len && hit == len; m++) {
            if (!used[m] && equal_at(k, keys[m], depth + 1)) {
                hit = m;
            }
        }
        ok = ok && hit < len && equal_at(v, values[hit], depth + 1);
        if (ok) {
            used[hit] = true;
        }
    }
    free(keys);
    free(values);
    free(used);
    return ok;
}

static bool equal_at(Span want, Span got, int depth) {
    size_t wat = 0, gat = 0;
    Val w, g;
    if (depth > MAX_NESTING || !mp_head(want.p, want.n, &wat, &w) || !mp_head(got.p, got.n, &gat, &g)) {
        return false;
    }
    bool numbers = (w.kind == V_INT || w.kind == V_FLOAT) && (g.kind == V_INT || g.kind == V_FLOAT);
    if (numbers) {
        return number_equal(&w, &g);
    }
    if (w.kind == V_BIN && g.kind == V_ARRAY) {
        return bin_equals_array(&w, got);
    }
    if (w.kind != g.kind) {
        return false;
    }
    switch (w.kind) {
    case V_NIL: return true;
    case V_BOOL: return w.b == g.b;
    case V_STR:
    case V_BIN: return w.len == g.len && memcmp(w.data, g.data, (size_t)w.len) == 0;
    case V_EXT: return w.ext == g.ext && w.len == g.len && memcmp(w.data, g.data, (size_t)w.len) == 0;
    case V_ARRAY: return w.len == g.len && arrays_equal(want, wat, got, gat, w.len, depth);
    case V_MAP: return w.len == g.len && maps_equal(want, wat, got, gat, w.len, depth);
    default: return false;
    }
}

bool mp_equal(Span want, Span got) { return equal_at(want, got, 0); }

/* ---- showing --------------------------------------------------------------- */

static void text(Buf *t, const char *s) {
    if (t->len > 0 && t->p[t->len - 1] == '\0') {
        t->len--;
    }
    buf_put(t, s, strlen(s));
    buf_put(t, "", 1);
}

static void show_wide(const uint8_t wide[WIDE], Buf *t) {
    int64_t x;
    char s[64];
    if (wide_i64(wide, &x)) {
        snprintf(s, sizeof s, "%lld", (long long)x);
        text(t, s);
        return;
    }
    text(t, "0x");
    for (size_t j = 0; j < WIDE; j++) {
        snprintf(s, sizeof s, "%02x", wide[j]);
        text(t, s);
    }
}

static void show_at(const uint8_t *p, size_t n, size_t *at, Buf *t, int depth) {
    Val v;
    char s[64];
    if (depth > MAX_NESTING || !mp_head(p, n, at, &v)) {
        text(t, "<not MessagePack>");
        *at = n;
        return;
    }
    switch (v.kind) {
    case V_NIL: text(t, "nil"); break;
    case V_BOOL: text(t, v.b ? "true" : "false"); break;
    case V_INT: show_wide(v.wide, t); break;
    case V_FLOAT: snprintf(s, sizeof s, "%.17g", v.f); text(t, s); break;
    case V_STR:
        text(t, "\"");
        for (uint64_t j = 0; j < v.len; j++) {
            snprintf(s, sizeof s, v.data[j] < 0x20 ? "\\x%02x" : "%c", v.data[j]);
            text(t, s);
        }
        text(t, "\"");
        break;
    case V_BIN:
    case V_EXT:
        if (v.kind == V_EXT) {
            snprintf(s, sizeof s, "ext%d", v.ext);
            text(t, s);
        }
        text(t, "b'");
        for (uint64_t j = 0; j < v.len; j++) {
            snprintf(s, sizeof s, "%02x", v.data[j]);
            text(t, s);
        }
        text(t, "'");
        break;
    case V_ARRAY:
    case V_MAP:
        text(t, v.kind == V_ARRAY ? "[" : "{");
        for (uint64_t j = 0; j < v.len && *at < n; j++) {
            text(t, j ? ", " : "");
            show_at(p, n, at, t, depth + 1);
            if (v.kind == V_MAP) {
                text(t, ": ");
                show_at(p, n, at, t, depth + 1);
            }
        }
        text(t, v.kind == V_ARRAY ? "]" : "}");
        break;
    }
}

void mp_show(Span v, Buf *t) {
    size_t at = 0;
    show_at(v.p, v.n, &at, t, 0);
}
