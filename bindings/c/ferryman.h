/*
 * ferryman.h — the ferryman C ABI, version 1.
 *
 * This header is spec/abi.md written as C declarations; spec/abi.md and
 * spec/wire.md are normative, and tests/spec-drift (cargo test -p spec-drift)
 * fails when this file, the spec and the Rust constants disagree.
 *
 * A ferryman library is a shared object (a Rust cdylib built with
 * #[ferryman::export]) exporting the symbols below (six to call functions, four for callbacks). Everything that crosses
 * the boundary besides integers is one MessagePack value inside a FerryBox
 * (spec/wire.md). A host that links the library directly can call the
 * declarations; a host that dlopen()s it can use the FerrymanXxxFn pointer types.
 *
 * Ownership in one sentence: memory is freed only by the side that allocated
 * it — the host never free()s a library box, it hands it to ferryman_box_free.
 */
#ifndef FERRYMAN_H
#define FERRYMAN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- versions ----------------------------------------------------------- */

/* The ABI version this header describes; ferryman_abi_version() must return it. */
#define FERRYMAN_ABI_VERSION 1

/* The wire (MessagePack shapes) version; the handshake map's key "wire". */
#define FERRYMAN_WIRE_VERSION 1

/*
 * MessagePack extension type of an i128/u128 value beyond the 64 bits of
 * MessagePack ints (spec/wire.md, "Big integers"). Payload: 1 to 17 bytes,
 * the integer in big-endian two's complement.
 */
#define FERRYMAN_EXT_BIG_INT 4
/* An object of an exported class: payload class id (u32 BE, the index in
 * describe's "classes"), handle (u64 BE, never 0); spec/wire.md, "Objects".
 * Every object the library writes is a new handle the host releases once
 * with ferryman_object_release; objects in arguments are borrowed. */
#define FERRYMAN_EXT_OBJECT 5
/* A pending future (ferryman_call answered FERRY_PENDING): payload handle
 * (u64 BE, never 0); spec/abi.md, "Futures". */
#define FERRYMAN_EXT_FUTURE 6
/* A stream (the result of a function describe marks "stream": true):
 * payload handle (u64 BE, never 0); released once with
 * ferryman_stream_release; spec/abi.md, "Streams". */
#define FERRYMAN_EXT_STREAM 7

/* ---- the byte box ------------------------------------------------------- */

/*
 * A run of bytes and who may free it. Three machine words, always passed by
 * pointer.
 *
 *   ptr  first byte, or NULL when cap == 0
 *   len  initialised bytes (ptr[0..len])
 *   cap  bytes allocated at ptr
 *
 * A box is owned either by the host or by the library. A box the library
 * allocated is released with ferryman_box_free and nothing else; a box the
 * host allocated is released by the host. The empty box is {NULL, 0, 0}.
 */
typedef struct FerryBox {
    uint8_t *ptr;
    size_t len;
    size_t cap;
} FerryBox;

/* ---- status codes ------------------------------------------------------- */

/*
 * What the symbols with an `out` box return (ferryman_handshake,
 * ferryman_describe, ferryman_call, ferryman_closure_call,
 * ferryman_live_closures, ferryman_live_objects). Except for FERRY_NULL_POINTER, `out` holds a
 * MessagePack value on return: the result for FERRY_OK, an error value
 * (spec/wire.md, "Error values") for every other code. A host MUST treat an
 * unknown non-zero code as a failure with `out` holding an error value.
 * ferryman_register_host returns a host id instead, and
 * ferryman_closure_release and ferryman_object_release FERRY_OK or
 * FERRY_NO_FUNCTION with no `out`, ferryman_object_clone a handle or 0.
 * Pick the exception from the error value's "kind", not from the status
 * (spec/abi.md, "Status and kind"): FERRY_ERROR also carries the kind of a
 * callback's error the function propagated.
 */
typedef enum FerryStatus {
    FERRY_OK = 0,           /* out: the result value */
    FERRY_ERROR = 1,        /* out: error value, kind "error" (an Err returned), or a propagated callback error's kind */
    FERRY_PANIC = 2,        /* out: error value, kind "panic" */
    FERRY_BAD_ARGS = 3,     /* out: error value, kind "arity", "type", "overflow" or "malformed" */
    FERRY_NO_FUNCTION = 4,  /* out: error value, kind "no_function" */
    FERRY_INTERNAL = 5,     /* out: error value, kind "internal" */
    FERRY_PENDING = 6,      /* out: a future handle (ferryman_call) or nil (ferryman_stream_next); the result comes to the completion function */
    FERRY_CANCELLED = 7,    /* out: error value, kind "cancelled" (a completion after ferryman_future_cancel or ferryman_stream_release) */
    FERRY_NULL_POINTER = -1 /* a required pointer was NULL; out untouched */
} FerryStatus;

/* ---- symbols ------------------------------------------------------------ */
/*
 * All symbols use the C calling convention, may be called from any thread
 * concurrently, and never unwind: a Rust panic is caught inside the library
 * and reported as FERRY_PANIC.
 *
 * The `out` rule (ferryman_handshake, ferryman_describe, ferryman_call):
 * before the call the host initialises *out either to the empty box or to a
 * writable buffer it owns (ptr, cap; len is ignored). On return:
 *   - out->ptr equal to the pointer passed in: the value is in the host's
 *     buffer (out->len bytes) and the host still owns it;
 *   - otherwise *out is a box the library allocated (the value did not fit,
 *     or the host passed the empty box): read out->ptr[0..len], then call
 *     ferryman_box_free(out) exactly once.
 * With FERRY_NULL_POINTER, *out is untouched and nothing is owed.
 */

/*
 * The ABI version of the library. Call it first and refuse the library unless
 * it returns a version the host speaks (FERRYMAN_ABI_VERSION). A shared object
 * without this symbol is not a ferryman library. Owns nothing.
 */
uint32_t ferryman_abi_version(void);

/*
 * Writes the handshake map (abi, wire, ferryman, library, library_version,
 * functions, lent_bytes, lent_slices, objects, futures) to *out, following the `out` rule above. Returns FERRY_OK, or
 * FERRY_NULL_POINTER when out is NULL.
 */
int32_t ferryman_handshake(FerryBox *out);

/*
 * Writes the describe map (the handshake map with `functions` as an array of
 * function descriptions, sorted by name, index == id) to *out, following the
 * `out` rule above. Returns FERRY_OK, or FERRY_NULL_POINTER when out is NULL.
 */
int32_t ferryman_describe(FerryBox *out);

/*
 * The id of the function called name->ptr[0..len] (UTF-8, no terminator), or
 * -1 when no function has that name, when several do (a broken build; see
 * spec/wire.md, "Describe"), when name is NULL or when the bytes are not UTF-8. `name` is owned by the host and only
 * borrowed for the call. Ids are the indexes of the describe map's `functions`
 * array, stable for the life of the loaded library and equal in every process
 * that loads the same build.
 */
int64_t ferryman_function_id(const FerryBox *name);

/*
 * Calls function `function_id` with the MessagePack argument array in
 * args->ptr[0..len] (one element per parameter, even for zero or one; the
 * trailing parameters describe gives a "default" may be left out) and
 * writes the result (FERRY_OK) or an error value (any other code except
 * FERRY_NULL_POINTER) to *out, following the `out` rule above.
 *
 * `args` is owned by the host and only borrowed for the duration of the call:
 * the library neither frees nor keeps it. Returns FERRY_NULL_POINTER, leaving
 * *out untouched, when args or out is NULL.
 */
int32_t ferryman_call(uint32_t function_id, const FerryBox *args, FerryBox *out);

/*
 * Frees a box the library allocated and sets *box to the empty box. Freeing
 * the empty box does nothing; passing NULL does nothing. Never pass a box the
 * host allocated.
 */
void ferryman_box_free(FerryBox *box);

/* ---- callbacks (spec/callbacks.md); hosts that neither pass nor receive
 * callables skip these. A host that receives closures (a function whose
 * describe `returns` holds a "callback" descriptor) still calls
 * ferryman_closure_release once for each. ----------------------------------- */

/* MessagePack extension types of callables and lent bytes on the wire. */
#define FERRYMAN_EXT_HOST_OBJECT 1    /* payload: host id (u32 BE), handle (u64 BE, never 0) */
#define FERRYMAN_EXT_LIBRARY_CLOSURE 2 /* payload: handle (u64 BE) */
#define FERRYMAN_EXT_LENT_BYTES 3     /* payload: host id (u32 BE), handle (u64 BE), ptr (u64 BE), len (u64 BE) */

/*
 * Lent bytes (spec/abi.md, "Lent bytes"): an argument that names len bytes at
 * ptr in the host's memory instead of holding them, sent only to a library
 * whose handshake says "lent_bytes": true. The memory is readable from any
 * thread and unchanged while lent. Handle 0: lent for the one call whose
 * arguments hold it (no host needs to be registered). A non-zero handle: a host
 * object counted with retain/release like FERRYMAN_EXT_HOST_OBJECT, whose bytes
 * stay valid until the library released every reference it retained; a result
 * may carry it back, with one reference the host drops after copying.
 *
 * Lent slices (spec/abi.md, "Lent bytes"; spec/wire.md, "Lent slices"): the
 * same extension with a 29-byte payload, the 28 above plus one byte naming the
 * item type ('d' f64, 'f' f32, 'q' i64, 'i' i32, 'Q' u64, 'I' u32, 'h' i16,
 * 'H' u16, 'b' i8), len in bytes, items in the process's byte order; sent only
 * to a library whose handshake says "lent_slices": true. A &[f64] parameter
 * reads aligned items in place, so the memory must not change during the call.
 */

/*
 * What a host hands the library so Rust can call back into it. Every function
 * must be callable from any thread while the library is loaded. `invoke` and
 * `check_interrupt` fill *out with a box the HOST allocates; the library hands
 * it back through `free_box`. `invoke` returns 0 with the result, or non-zero
 * (FERRY_ERROR) with an error value whose "kind" ("host"), "type" and
 * "message" are required. Every callable in `args` carries one reference for
 * the host. `retain`/`release` count the library's references to host object
 * `handle` (never 0: 0 means no object).
 */
typedef struct FerryHost {
    uint32_t abi_version; /* FERRYMAN_ABI_VERSION */
    void *context;        /* passed back as the first argument of every function */
    int32_t (*invoke)(void *context, uint64_t handle, const FerryBox *args, FerryBox *out);
    void (*retain)(void *context, uint64_t handle);
    void (*release)(void *context, uint64_t handle);
    void (*free_box)(void *context, FerryBox *box);
    int32_t (*check_interrupt)(void *context, FerryBox *out);
} FerryHost;

/*
 * Registers a host (the struct is copied). Returns its id (>= 0), or -1 when
 * host is NULL, names another ABI version or lacks a function pointer.
 */
int32_t ferryman_register_host(const FerryHost *host);

/*
 * Calls a Rust closure the library handed out (extension 2) with the argument
 * array in *args; same `out` rule and status codes as ferryman_call.
 */
int32_t ferryman_closure_call(uint64_t closure, const FerryBox *args, FerryBox *out);

/*
 * Drops the host's reference to a closure. Returns FERRY_OK, or
 * FERRY_NO_FUNCTION when it was not live. Call it exactly once per closure
 * received.
 */
int32_t ferryman_closure_release(uint64_t closure);

/*
 * Writes [{"handle": u64, "signature": str}, ...], every closure hosts still
 * hold, to *out following the `out` rule.
 */
int32_t ferryman_live_closures(FerryBox *out);

/* ---- objects (spec/wire.md, "Objects"; optional symbols) ----------------- */

/*
 * Drops the host's handle to an object (extension 5); the object's Rust Drop
 * may run on this thread when it was the last reference. Returns FERRY_OK, or
 * FERRY_NO_FUNCTION when the handle was not live. Call it exactly once per
 * object handle received (from a result, a callback's arguments, an iterator
 * batch or ferryman_object_clone).
 */
int32_t ferryman_object_release(uint64_t handle);

/*
 * A new handle to the same object (sharing its state and guard), owned by the
 * caller; 0 when `handle` is not live.
 */
uint64_t ferryman_object_clone(uint64_t handle);

/*
 * Writes [{"handle": u64, "class": str}, ...], every object handle hosts still
 * hold, oldest first, to *out following the `out` rule.
 */
int32_t ferryman_live_objects(FerryBox *out);

/* ---- logs (spec/abi.md, "Logs"; optional symbols) ------------------------ */

/* Levels: 1 error, 2 warn, 3 info, 4 debug, 5 trace; as a maximum, 0 is off. */

/*
 * Sends the library's log records at levels up to `max_level` to host object
 * `handle` of host `host_id`: each record is one invoke() whose args are the
 * array of one map (spec/wire.md, "Log records"), on the thread that logged;
 * the answer is freed with free_box and ignored. The library retains `handle`
 * and releases it when a later connect replaces the connection; handle 0
 * disconnects. Returns 0, 1 when the library sends no records (nothing
 * retained), -1 for an unknown host id or a level above 5.
 */
int32_t ferryman_log_connect(uint32_t host_id, uint64_t handle, uint32_t max_level);

/*
 * The most verbose level the host wants now; records above it are not built.
 * Returns 0, 1 when the library sends no records, -1 for a level above 5.
 */
int32_t ferryman_log_level(uint32_t max_level);

/* ---- futures and streams (spec/abi.md, "Futures" and "Streams"; optional
 * symbols) ----------------------------------------------------------------- */

/*
 * The host's completion function: called exactly once per started pending
 * future, and once per pending stream next, from any thread (an executor
 * thread, or the thread calling ferryman_future_start,
 * ferryman_future_cancel or ferryman_stream_release, before it returns), but
 * never inside the ferryman_call that made the future. `context` is the
 * registered host's, `token` the one the host gave ferryman_future_start.
 * status/out as a call's: FERRY_OK with the result, an error status with an
 * error value, FERRY_CANCELLED; *out is a library box the host frees with
 * ferryman_box_free.
 */
typedef void (*FerryComplete)(void *context, uint64_t token, int32_t status, FerryBox *out);

/*
 * Connects host `host_id`'s completion function. Until some host connected
 * one, an async function runs to its end inside ferryman_call (blocking) and
 * no call answers FERRY_PENDING. Returns 0, or -1 for an unknown host or NULL.
 */
int32_t ferryman_completion_connect(uint32_t host_id, FerryComplete complete);

/*
 * Sends the result of pending future `handle` (or every pending next of
 * stream `handle`) to host `host_id`'s completion function with `token`.
 * Call it once per pending future; the completion may come before it
 * returns. Returns 0, FERRY_NO_FUNCTION when the handle is not live (or the
 * future was started already), -1 when the host connected no completion.
 */
int32_t ferryman_future_start(uint64_t handle, uint32_t host_id, uint64_t token);

/*
 * Cancels pending future `handle`: dropped now (or as soon as the poll
 * running now returns), and its completion comes with FERRY_CANCELLED.
 * Returns 0, or FERRY_NO_FUNCTION when it is not live or has ended.
 */
int32_t ferryman_future_cancel(uint64_t handle);

/*
 * The next batch of stream `handle`, following the `out` rule: FERRY_OK with
 * an array of 1 to max_items items, or nil when the stream has ended; an
 * error status with an error item's error value; FERRY_PENDING (out: nil)
 * when nothing is ready, the batch then coming to the completion function
 * (ferryman_future_start on the stream); without one, the call waits.
 * FERRY_NO_FUNCTION for a handle that is not live, FERRY_BAD_ARGS (kind
 * "borrow") while a next of the stream is pending.
 */
int32_t ferryman_stream_next(uint64_t handle, uint32_t max_items, FerryBox *out);

/*
 * Drops stream `handle` (its producer sees the end); a pending next
 * completes with FERRY_CANCELLED. Returns 0, or FERRY_NO_FUNCTION when it
 * was not live. Call it exactly once per stream handle received.
 */
int32_t ferryman_stream_release(uint64_t handle);

/*
 * Writes [{"handle": u64, "kind": "future" | "stream", "function": str}, ...],
 * every pending future and stream hosts hold, oldest first, to *out following
 * the `out` rule.
 */
int32_t ferryman_live_futures(FerryBox *out);

/*
 * ferryman_call, except that it never answers FERRY_PENDING: an async
 * function whose future is pending at its first poll runs it to its end
 * inside the call (as when no host connected a completion function).
 */
int32_t ferryman_call_blocking(uint32_t function_id, const FerryBox *args, FerryBox *out);

/* ---- pointer types for hosts that dlopen() the library ------------------- */
/* Look each symbol up per handle (dlsym) with RTLD_LOCAL; see spec/abi.md. */

typedef uint32_t (*FerrymanAbiVersionFn)(void);
typedef int32_t (*FerrymanHandshakeFn)(FerryBox *out);
typedef int32_t (*FerrymanDescribeFn)(FerryBox *out);
typedef int64_t (*FerrymanFunctionIdFn)(const FerryBox *name);
typedef int32_t (*FerrymanCallFn)(uint32_t function_id, const FerryBox *args, FerryBox *out);
typedef void (*FerrymanBoxFreeFn)(FerryBox *box);
typedef int32_t (*FerrymanRegisterHostFn)(const FerryHost *host);
typedef int32_t (*FerrymanClosureCallFn)(uint64_t closure, const FerryBox *args, FerryBox *out);
typedef int32_t (*FerrymanClosureReleaseFn)(uint64_t closure);
typedef int32_t (*FerrymanLiveClosuresFn)(FerryBox *out);
typedef int32_t (*FerrymanObjectReleaseFn)(uint64_t handle);
typedef uint64_t (*FerrymanObjectCloneFn)(uint64_t handle);
typedef int32_t (*FerrymanLiveObjectsFn)(FerryBox *out);
typedef int32_t (*FerrymanLogConnectFn)(uint32_t host_id, uint64_t handle, uint32_t max_level);
typedef int32_t (*FerrymanLogLevelFn)(uint32_t max_level);
typedef int32_t (*FerrymanCompletionConnectFn)(uint32_t host_id, FerryComplete complete);
typedef int32_t (*FerrymanFutureStartFn)(uint64_t handle, uint32_t host_id, uint64_t token);
typedef int32_t (*FerrymanFutureCancelFn)(uint64_t handle);
typedef int32_t (*FerrymanStreamNextFn)(uint64_t handle, uint32_t max_items, FerryBox *out);
typedef int32_t (*FerrymanStreamReleaseFn)(uint64_t handle);
typedef int32_t (*FerrymanLiveFuturesFn)(FerryBox *out);
typedef int32_t (*FerrymanCallBlockingFn)(uint32_t function_id, const FerryBox *args, FerryBox *out);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* FERRYMAN_H */
