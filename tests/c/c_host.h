/*
 * c_host.h — a C host implementing FerryHost (spec/callbacks.md), in c_host.c:
 * C function pointers in a thread-safe refcounted table, passed to Rust as
 * host objects (extension 1); host errors, each naming an exception object in
 * the same table (one reference handed over with each error value);
 * interrupts; and the byte strings lent_bytes.c lends as host objects.
 * callbacks.c, closures.c, interrupts.c, lent_bytes.c and async_callbacks.c use it.
 */
#ifndef FERRYMAN_C_TEST_C_HOST_H
#define FERRYMAN_C_TEST_C_HOST_H

#include "harness.h"

/* ---- the callback symbols of the library -------------------------------- */

typedef struct CallbackSymbols {
    FerrymanRegisterHostFn register_host;
    FerrymanClosureCallFn closure_call;
    FerrymanClosureReleaseFn closure_release;
    FerrymanLiveClosuresFn live_closures;
} CallbackSymbols;

/* Looks the four callback symbols up; false when one is missing. */
bool callback_symbols(const Lib *lib, CallbackSymbols *s);
/* This host's complete table of functions. */
FerryHost c_host_table(void);
/* Registers this host (c_host_table()) with the library: its host id, or -1. */
int32_t c_host_register(const CallbackSymbols *s);
/* Both, for features that need the host registered (a failed check if not). */
bool c_host_setup(const Lib *lib, CallbackSymbols *s);
/* The host id the library gave this host. */
uint32_t c_host_id(void);
/* The checks every feature using the host ends with: the table is empty,
 * every box the host allocated came back, no protocol violations. */
void c_host_finish(void);

/* ---- the C callables ---------------------------------------------------- */

/* Why a callable failed: becomes the error value's type, message and frame. */
typedef struct Failure {
    const char *type;
    char message[96];
    const char *function;
    int line;
} Failure;

/* A C callable: decoded arguments in, one encoded result (or a failure) out.
 * An int or str argument is its Head; a map's Head has data and i set to its
 * bytes (data[0..i]), for map_get(). */
typedef bool (*CCallable)(const Head *args, size_t n, Writer *result, Failure *failure);

/* 2 * its one int. */
bool c_double(const Head *args, size_t n, Writer *result, Failure *failure);
/* "c:" + its one str; notes the thread it ran on. */
bool c_prefix(const Head *args, size_t n, Writer *result, Failure *failure);
/* Always fails: DomainError "c_refuse will not take <its int>". */
bool c_refuse(const Head *args, size_t n, Writer *result, Failure *failure);
/* Whether c_prefix last ran on a thread other than the one that registered the host. */
bool c_prefix_ran_off_main(void);

/* ---- the table of host objects ------------------------------------------ */

/* A new host object calling fn, with the host's own reference. */
uint64_t host_new(CCallable fn);
/* A host object lending the bytes at data, with the host's own reference. */
uint64_t host_lend(const void *data);
/* The references held to a host object (0 once it is gone). */
long host_refs(uint64_t handle);
/* Drops one reference (the host's own, or one a result handed over). */
void host_drop(uint64_t handle);
/* How many release() calls the library has made so far. */
long host_releases(void);
/* Writes an error value (kind "host", one C frame) naming a new exception
 * object of the table, whose one reference the value hands to its reader;
 * returns the exception's handle. */
uint64_t host_error_value(Writer *w, const char *type, const char *message, const char *function, int line);
/* The exception object of the last failed invoke. */
uint64_t host_last_exception(void);
/* The count of the last object invoked, while it ran. */
long host_refs_in_invoke(void);

/* ---- interrupts --------------------------------------------------------- */

/* After `after_polls` calls of check_interrupt (0: never), one interrupt is
 * pending; resets the count of polls. */
void host_arm_interrupt(long after_polls);
/* How many times the library called check_interrupt since the last arming. */
long host_polls(void);
/* Whether an interrupt is pending, not yet taken by check_interrupt. */
bool host_interrupt_pending(void);

#endif
