/*
 * two_libraries.c — a second ferryman library (examples/geometry) loaded next
 * to the fixture in one process (spec/abi.md, "Threads and processes"): each
 * handle answers with its own handshake, ids, errors and panics, also while
 * both are called from several threads at once.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

/* area([{x:0,y:0}, {x:2,y:0}, {x:2,y:2}, {x:0,y:2}]): ints are accepted for f64. */
static const uint8_t SQUARE[] = {0x91, 0x94,                                     /* [[ */
                                 0x82, 0xa1, 'x', 0x00, 0xa1, 'y', 0x00,         /* {x:0,y:0} */
                                 0x82, 0xa1, 'x', 0x02, 0xa1, 'y', 0x00,         /* {x:2,y:0} */
                                 0x82, 0xa1, 'x', 0x02, 0xa1, 'y', 0x02,         /* {x:2,y:2} */
                                 0x82, 0xa1, 'x', 0x00, 0xa1, 'y', 0x02};        /* {x:0,y:2}]] */
/* 4.0 as float 64. */
static const uint8_t FOUR[] = {0xcb, 0x40, 0x10, 0, 0, 0, 0, 0, 0};
/* area([]) and vertex([], 0). */
static const uint8_t NO_POLYGON[] = {0x91, 0x90};
static const uint8_t NO_VERTEX[] = {0x92, 0x90, 0x00};
static const uint8_t BOOM[] = {0x91, 0xa4, 'b', 'o', 'o', 'm'};
static const uint8_t TWO_THREE[] = {0x92, 0x02, 0x03};

typedef struct Ids {
    int64_t add, panic_now, area, vertex;
} Ids;

static bool handshake_names(const Lib *lib, const char *name) {
    FerryBox out = EMPTY;
    bool ok = lib->handshake(&out) == FERRY_OK && map_str_is(out.ptr, out.len, "library", name);
    lib->box_free(&out);
    return ok;
}

/* One round of calls into both libraries; true when every answer is right. */
static bool round_trip(const Lib *fixture, const Lib *geometry, const Ids *ids) {
    bool ok = true;
    Outcome o = call(geometry, ids->area, SQUARE, sizeof SQUARE);
    ok &= o.status == FERRY_OK && o.out.len == sizeof FOUR && memcmp(o.out.ptr, FOUR, sizeof FOUR) == 0;
    release(geometry, &o);

    o = call(fixture, ids->add, TWO_THREE, sizeof TWO_THREE);
    ok &= o.status == FERRY_OK && o.out.len == 1 && o.out.ptr[0] == 0x05;
    release(fixture, &o);

    o = call(geometry, ids->area, NO_POLYGON, sizeof NO_POLYGON);
    ok &= o.status == FERRY_ERROR && map_str_is(o.out.ptr, o.out.len, "type", "GeometryError") &&
          map_str_is(o.out.ptr, o.out.len, "variant", "TooFewVertices");
    release(geometry, &o);

    /* Panics in each library, each caught by that library's own hook. */
    o = call(geometry, ids->vertex, NO_VERTEX, sizeof NO_VERTEX);
    ok &= o.status == FERRY_PANIC && contains(o.out.ptr, o.out.len, "index out of bounds") &&
          contains(o.out.ptr, o.out.len, "examples/geometry/src/lib.rs") &&
          !contains(o.out.ptr, o.out.len, "panics.rs");
    release(geometry, &o);

    o = call(fixture, ids->panic_now, BOOM, sizeof BOOM);
    ok &= o.status == FERRY_PANIC && map_str_is(o.out.ptr, o.out.len, "message", "boom") &&
          contains(o.out.ptr, o.out.len, "tests/fixture/src/panics.rs") &&
          !contains(o.out.ptr, o.out.len, "geometry");
    release(fixture, &o);
    return ok;
}

typedef struct Both {
    const Lib *fixture, *geometry;
    const Ids *ids;
    int failures;
} Both;

static void *both_work(void *arg) {
    Both *b = arg;
    for (int i = 0; i < 100; i++) {
        if (!round_trip(b->fixture, b->geometry, b->ids)) b->failures++;
    }
    return NULL;
}

void feature(const Lib *fixture, const char *second_path) {
    if (second_path == NULL) {
        check(false, "a second library to load (run.sh passes examples/geometry)");
        return;
    }
    Lib geometry = load_library(second_path);
    check(geometry.handle != fixture->handle, "the second library has its own handle");
    check(geometry.abi_version() == FERRYMAN_ABI_VERSION, "second library: ferryman_abi_version() = 1");
    check(handshake_names(&geometry, "geometry") && handshake_names(fixture, "ferryman-fixture"),
          "each handshake names its own library (geometry, ferryman-fixture)");
    check(geometry.call != fixture->call, "ferryman_call resolved per handle: two different functions");

    Ids ids = {function_id(fixture, "add"), function_id(fixture, "panic_now"), function_id(&geometry, "area"),
               function_id(&geometry, "vertex")};
    check(ids.add >= 0 && ids.panic_now >= 0 && ids.area >= 0 && ids.vertex >= 0,
          "ids looked up per library (add, panic_now; area, vertex)");
    check(function_id(&geometry, "add") == -1 && function_id(fixture, "vertex") == -1,
          "each library knows only its own functions");
    if (ids.add < 0 || ids.panic_now < 0 || ids.area < 0 || ids.vertex < 0) {
        unload_library(&geometry);
        return;
    }

    check(round_trip(fixture, &geometry, &ids),
          "calls, errors and panics of both, interleaved: each answered by its own library");

    enum { THREADS = 4 };
    pthread_t t[THREADS];
    Both w[THREADS];
    int started = 0, failures = 0;
    for (int k = 0; k < THREADS; k++) {
        w[k] = (Both){fixture, &geometry, &ids, 0};
        if (pthread_create(&t[k], NULL, both_work, &w[k]) == 0) started++;
        else break;
    }
    for (int k = 0; k < started; k++) {
        pthread_join(t[k], NULL);
        failures += w[k].failures;
    }
    check(started == THREADS && failures == 0,
          "%d threads x 100 rounds over both libraries (calls, errors, panics): %d wrong", started, failures);
    unload_library(&geometry);
}
