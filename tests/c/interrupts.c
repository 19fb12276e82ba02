/*
 * interrupts.c — a long Rust call polling the host (spec/callbacks.md,
 * check_interrupt): polled while it runs, stopped at the poll the host
 * interrupts, with the host's error value and frames.
 *
 * Exercises spin_until_interrupted in tests/fixture/src/callbacks.rs.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "c_host.h"

static double ms_since(const struct timespec *t0) {
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static void interrupts(const Lib *lib, int64_t spin) {
    enum { POLLS = 5 };
    Writer a = {NULL, 0, 0};
    host_arm_interrupt(0);
    w_array(&a, 1);
    w_int(&a, 30);
    Outcome o = call_with(lib, spin, &a);
    long polls = host_polls();
    if (!check(int_is(&o, 30) && polls > 0,
               "spin_until_interrupted(30), never interrupted = 30 (check_interrupt polled %ld times)", polls))
        show(&o);
    release(lib, &o);

    host_arm_interrupt(POLLS);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    w_array(&a, 1);
    w_int(&a, 5000);
    o = call_with(lib, spin, &a);
    double ms = ms_since(&t0);
    polls = host_polls();
    const uint8_t *p = o.out.ptr;
    size_t n = o.out.len;
    const char *missing = "";
    uint64_t count = 0, count2 = 0;
    bool ok = check(o.status == FERRY_ERROR && map_str_is(p, n, "kind", "host") &&
                        map_str_is(p, n, "type", "Interrupt") &&
                        map_str_is(p, n, "message", "interrupted by the C host") && is_nil(p, n, "host_exception"),
                    "spin_until_interrupted(5000), interrupted at poll %d -> status 1, kind host, type Interrupt, "
                    "host_exception nil",
                    POLLS);
    if (!ok) show(&o);
    bool all = ok && has_all_error_keys(p, n, &missing);
    check(all, "the interrupt error has all 17 keys%s%s", *missing ? ", missing " : "", missing);
    check(ok && frame_is(p, n, 0, "rust", "spin_until_interrupted", &count) &&
              frame_is(p, n, 1, "c", "host_check_interrupt", &count2) && count == 2,
          "interrupt frames: [rust spin_until_interrupted, then c host_check_interrupt]");
    check(ms < 2000 && polls == POLLS, "returned after %.0f ms (< 2000 of 5000) and exactly %ld polls", ms, polls);
    release(lib, &o);
    check(!host_interrupt_pending(), "no interrupt left pending");
    host_arm_interrupt(0);
}

void feature(const Lib *lib, const char *second_path) {
    (void)second_path;
    CallbackSymbols s;
    if (!c_host_setup(lib, &s)) return;
    int64_t spin = function_id(lib, "spin_until_interrupted");
    if (!check(spin >= 0, "the fixture exports spin_until_interrupted")) return;
    interrupts(lib, spin);
    c_host_finish();
}
