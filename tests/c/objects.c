/*
 * objects.c — objects of exported classes (spec/wire.md, "Objects", extension
 * 5) and lazy iterators ("Iterators"): construct one, call its methods, pass
 * it to a function, clone and release handles, list the live ones, a wrong
 * class and a released handle as argument errors, the `&mut self` guard's
 * borrow error, iterate in batches, and release everything.
 *
 * Exercises the fixture functions in tests/fixture/src/objects.rs and
 * iterators.rs.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_host.h"

typedef struct ObjectSymbols {
    FerrymanObjectReleaseFn release;
    FerrymanObjectCloneFn clone;
    FerrymanLiveObjectsFn live;
} ObjectSymbols;

/* An object: class id and handle. */
typedef struct Obj {
    uint32_t class_id;
    uint64_t handle;
} Obj;

static uint64_t be(const uint8_t *p, int n) {
    uint64_t v = 0;
    for (int k = 0; k < n; k++) v = (v << 8) | p[k];
    return v;
}

/* The object at p[0..n]: c7 0c 05 <class:4> <handle:8>. */
static bool obj_at(const uint8_t *p, size_t n, Obj *o) {
    if (n < 15 || p[0] != 0xc7 || p[1] != 12 || p[2] != FERRYMAN_EXT_OBJECT) return false;
    o->class_id = (uint32_t)be(p + 3, 4);
    o->handle = be(p + 7, 8);
    return o->handle != 0;
}

static void w_object(Writer *w, Obj o) {
    w_byte(w, 0xc7);
    w_byte(w, 12);
    w_byte(w, FERRYMAN_EXT_OBJECT);
    w_be(w, o.class_id, 4);
    w_be(w, o.handle, 8);
}

/* How many live objects of class `name` ferryman_live_objects lists, and
 * whether `handle` is one of them. */
static long live_count(const Lib *lib, const ObjectSymbols *s, const char *name, uint64_t handle, bool *found) {
    FerryBox out = EMPTY;
    long count = 0;
    *found = false;
    if (s->live(&out) == FERRY_OK) {
        Rd r = {out.ptr, out.len, 0};
        Head h;
        if (head(&r, &h) && h.kind == MP_ARRAY) {
            for (uint64_t k = 0; k < h.len; k++) {
                size_t at = r.i;
                int64_t v;
                if (map_str_is(out.ptr + at, out.len - at, "class", name)) {
                    count++;
                    if (map_int(out.ptr + at, out.len - at, "handle", &v) && (uint64_t)v == handle) *found = true;
                }
                if (!skip(&r)) break;
            }
        }
    }
    lib->box_free(&out);
    return count;
}

/* Calls `name` with one object and optionally one int / str argument. */
static Outcome call_obj(const Lib *lib, const char *name, Obj o, int argc, int64_t i, const char *s) {
    Writer a = {NULL, 0, 0};
    w_array(&a, (uint32_t)(1 + argc));
    w_object(&a, o);
    if (argc == 1) {
        if (s) {
            w_str(&a, s);
        } else {
            w_int(&a, i);
        }
    }
    return call_with(lib, function_id(lib, name), &a);
}

static bool make(const Lib *lib, const char *name, Writer *args, Obj *o) {
    Outcome out = call_with(lib, function_id(lib, name), args);
    bool ok = out.status == FERRY_OK && obj_at(out.out.ptr, out.out.len, o);
    if (!ok) show(&out);
    release(lib, &out);
    return ok;
}

/* The handle of a result that is one library closure: d7 02 <handle:8>. */
static bool closure_from(const Outcome *o, uint64_t *handle) {
    const uint8_t *p = o->out.ptr;
    if (o->status != FERRY_OK || o->out.len != 10 || p[0] != 0xd7 || p[1] != FERRYMAN_EXT_LIBRARY_CLOSURE) return false;
    *handle = be(p + 2, 8);
    return true;
}

/* One batch of at most `n` items: the array's length, or -1 on failure. */
static long batch(const CallbackSymbols *cs, const Lib *lib, uint64_t iter, int64_t n, Outcome *kept) {
    Writer a = {NULL, 0, 0};
    w_array(&a, 1);
    w_int(&a, n);
    FerryBox args = borrow(a.ptr, a.len);
    Outcome o = {0, EMPTY};
    o.status = cs->closure_call(iter, &args, &o.out);
    free(a.ptr);
    long len = -1;
    Rd r = {o.out.ptr, o.out.len, 0};
    Head h;
    if (o.status == FERRY_OK && head(&r, &h) && h.kind == MP_ARRAY) len = (long)h.len;
    if (kept) {
        *kept = o;
    } else {
        release(lib, &o);
    }
    return len;
}

static void counters(const Lib *lib, const ObjectSymbols *s) {
    Writer a = {NULL, 0, 0};
    w_array(&a, 2);
    w_str(&a, "c");
    w_int(&a, 1);
    Obj c;
    if (!check(make(lib, "Counter.new", &a, &c), "Counter.new(\"c\", 1) = extension 5: c7 0c 05 + class + handle"))
        return;
    bool found;
    long before = live_count(lib, s, "Counter", c.handle, &found);
    check(found, "ferryman_live_objects lists it as a Counter");

    Outcome o = call_obj(lib, "Counter.add", c, 1, 2, NULL);
    if (!check(int_is(&o, 3), "Counter.add(c, 2) = 3 (a method, the object as argument 0)")) show(&o);
    release(lib, &o);
    o = call_obj(lib, "counter_value", c, 0, 0, NULL);
    if (!check(int_is(&o, 3), "counter_value(c) = 3 (an object passed to a free function)")) show(&o);
    release(lib, &o);
    o = call_obj(lib, "Counter.__str__", c, 0, 0, NULL);
    if (!check(o.status == FERRY_OK && contains(o.out.ptr, o.out.len, "Counter(c=3)"), "Counter.__str__(c) = \"Counter(c=3)\""))
        show(&o);
    release(lib, &o);

    /* &mut self, then the borrow error while Rust keeps another Arc. */
    o = call_obj(lib, "Counter.rename", c, 1, 0, "d");
    if (!check(o.status == FERRY_OK, "Counter.rename(c, \"d\") (&mut self)")) show(&o);
    release(lib, &o);
    o = call_obj(lib, "keep_counter", c, 0, 0, NULL);
    release(lib, &o);
    o = call_obj(lib, "Counter.rename", c, 1, 0, "e");
    if (!check(o.status == FERRY_BAD_ARGS && map_str_is(o.out.ptr, o.out.len, "kind", "borrow") &&
                   map_str_is(o.out.ptr, o.out.len, "type", "BorrowError") &&
                   map_str_is(o.out.ptr, o.out.len, "param", "self"),
               "Counter.rename while Rust keeps an Arc -> status 3, kind borrow, param self"))
        show(&o);
    release(lib, &o);
    w_array(&a, 0);
    o = call_with(lib, function_id(lib, "drop_kept_counters"), &a);
    release(lib, &o);

    /* A cloned handle is the same object. */
    Obj twin = {c.class_id, s->clone(c.handle)};
    check(twin.handle != 0 && twin.handle != c.handle, "ferryman_object_clone gives a new handle");
    o = call_obj(lib, "Counter.add", twin, 1, 10, NULL);
    if (!check(int_is(&o, 13), "Counter.add(clone, 10) = 13: the same counter")) show(&o);
    release(lib, &o);
    check(s->clone(0) == 0, "ferryman_object_clone(0) = 0");

    /* Wrong class. */
    w_array(&a, 1);
    w_array(&a, 2);
    w_str(&a, "x");
    w_str(&a, "y");
    Obj v;
    if (check(make(lib, "Vocabulary.new", &a, &v), "Vocabulary.new([\"x\", \"y\"]) = an object (constructor returning Arc<Self>)")) {
        check(v.class_id != c.class_id, "another class id");
        o = call_obj(lib, "counter_value", v, 0, 0, NULL);
        if (!check(o.status == FERRY_BAD_ARGS && map_str_is(o.out.ptr, o.out.len, "kind", "type") &&
                       map_str_is(o.out.ptr, o.out.len, "param", "counter") &&
                       contains(o.out.ptr, o.out.len, "expected Counter, but found a Vocabulary object"),
                   "counter_value(vocabulary) -> status 3, kind type, names both classes"))
            show(&o);
        release(lib, &o);

        /* A method's iterator, in batches. */
        o = call_obj(lib, "Vocabulary.words", v, 0, 0, NULL);
        uint64_t iter = 0;
        bool got = closure_from(&o, &iter);
        release(lib, &o);
        CallbackSymbols cs;
        if (check(got && callback_symbols(lib, &cs), "Vocabulary.words(v) = an iterator (extension 2)")) {
            Outcome first;
            long n = batch(&cs, lib, iter, 1, &first);
            check(n == 1 && contains(first.out.ptr, first.out.len, "x"), "first batch of 1: [\"x\"]");
            release(lib, &first);
            check(batch(&cs, lib, iter, 10, NULL) == 1, "next batch of up to 10: 1 item");
            check(batch(&cs, lib, iter, 10, NULL) == 0, "then [] (exhausted)");
            check(cs.closure_release(iter) == FERRY_OK, "iterator released once");
        }
        check(s->release(v.handle) == FERRY_OK, "vocabulary released");
    }

    /* Release: both handles, then the handle is unknown. */
    o = call_with(lib, function_id(lib, "counter_drops"), (w_array(&a, 0), &a));
    Rd r = {o.out.ptr, o.out.len, 0};
    Head h;
    int64_t drops = head(&r, &h) && h.kind == MP_INT ? h.i : -1;
    release(lib, &o);
    check(s->release(c.handle) == FERRY_OK, "ferryman_object_release(c) = 0");
    check(s->release(c.handle) == FERRY_NO_FUNCTION, "a second release = 4");
    o = call_obj(lib, "Counter.value", twin, 0, 0, NULL);
    check(int_is(&o, 13), "the clone still works after the first handle's release");
    release(lib, &o);
    check(s->release(twin.handle) == FERRY_OK, "the clone released");
    o = call_with(lib, function_id(lib, "counter_drops"), (w_array(&a, 0), &a));
    check(int_is(&o, drops + 1), "the counter was dropped once, at its last release");
    release(lib, &o);
    o = call_obj(lib, "Counter.add", c, 1, 1, NULL);
    if (!check(o.status == FERRY_BAD_ARGS && map_str_is(o.out.ptr, o.out.len, "kind", "type") &&
                   map_str_is(o.out.ptr, o.out.len, "param", "self") &&
                   contains(o.out.ptr, o.out.len, "already released"),
               "Counter.add(released) -> status 3, kind type, param self, \"already released\""))
        show(&o);
    release(lib, &o);
    check(live_count(lib, s, "Counter", c.handle, &found) == before - 1 && !found, "no longer listed");
}

static void iterators(const Lib *lib) {
    CallbackSymbols cs;
    if (!callback_symbols(lib, &cs)) return;
    Writer a = {NULL, 0, 0};
    w_array(&a, 1);
    w_int(&a, 5);
    Outcome o = call_with(lib, function_id(lib, "count_up"), &a);
    uint64_t iter = 0;
    bool got = closure_from(&o, &iter);
    release(lib, &o);
    if (!check(got, "count_up(5) = an iterator")) return;
    check(batch(&cs, lib, iter, 2, NULL) == 2, "[2] -> 2 items");
    check(batch(&cs, lib, iter, 10, NULL) == 3, "[10] -> the last 3");
    check(batch(&cs, lib, iter, 10, NULL) == 0, "[10] -> []");
    check(cs.closure_release(iter) == FERRY_OK, "released");

    w_array(&a, 1);
    w_array(&a, 3);
    w_str(&a, "1");
    w_str(&a, "x");
    w_str(&a, "3");
    o = call_with(lib, function_id(lib, "parse_all"), &a);
    got = closure_from(&o, &iter);
    release(lib, &o);
    if (!check(got, "parse_all([\"1\", \"x\", \"3\"]) = an iterator")) return;
    check(batch(&cs, lib, iter, 10, NULL) == 1, "first batch stops before the error: [1]");
    Outcome err;
    batch(&cs, lib, iter, 10, &err);
    if (!check(err.status == FERRY_ERROR && map_str_is(err.out.ptr, err.out.len, "type", "ParseError") &&
                   map_str_is(err.out.ptr, err.out.len, "function", "parse_all"),
               "then the Err: status 1, ParseError from parse_all"))
        show(&err);
    release(lib, &err);
    check(batch(&cs, lib, iter, 10, NULL) == 1, "then the item after it: [3]");
    check(cs.closure_release(iter) == FERRY_OK, "released before exhaustion");
}

void feature(const Lib *lib, const char *second_path) {
    (void)second_path;
    ObjectSymbols s = {
        (FerrymanObjectReleaseFn)dlsym(lib->handle, "ferryman_object_release"),
        (FerrymanObjectCloneFn)dlsym(lib->handle, "ferryman_object_clone"),
        (FerrymanLiveObjectsFn)dlsym(lib->handle, "ferryman_live_objects"),
    };
    if (!check(s.release && s.clone && s.live, "the library has the three object symbols")) return;
    static const char *const names[] = {"Counter.new", "Counter.add", "Counter.rename", "counter_value",
                                        "Vocabulary.new", "Vocabulary.words", "count_up", "parse_all"};
    enum { N = sizeof names / sizeof *names };
    const char *missing;
    bool all = exports_all(lib, names, N, &missing);
    if (!check(all, "the fixture exports the object functions%s%s", *missing ? ", not " : "", missing)) return;
    counters(lib, &s);
    iterators(lib);
}
