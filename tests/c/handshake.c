/*
 * handshake.c — the first symbols a host calls (spec/abi.md): the ABI
 * version, the handshake map, the describe map and function ids by name, and
 * ferryman_box_free of the boxes they return.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"

/* ferryman_function_id itself (harness.c's function_id reads describe). */
static int64_t symbol_id(const Lib *lib, const char *name) {
    FerryBox b = borrow(name, strlen(name));
    return lib->function_id(&b);
}

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
        int64_t id = symbol_id(lib, names[k]);
        describe_name(out.ptr, out.len, id, name, sizeof name);
        check(id >= 0 && strcmp(name, names[k]) == 0,
              "ferryman_function_id(\"%s\") = %lld, describe functions[%lld].name matches",
              names[k], (long long)id, (long long)id);
    }
    lib->box_free(&out);
    check(symbol_id(lib, "no_such_function") == -1, "ferryman_function_id(\"no_such_function\") = -1");
}

void feature(const Lib *lib, const char *second_path) {
    (void)second_path;
    int64_t count;
    version_and_handshake(lib, &count);
    static const char *const names[] = {"add", "divide", "echo_bytes", "panic_now", "nothing"};
    describe(lib, count, names, sizeof names / sizeof *names);
}
