/* The C side of the Go host: spec/abi.md's types, calls through symbols
 * looked up with dlsym, and the FerryHost trampolines into Go. */
#ifndef FERRYMAN_GO_CABI_H
#define FERRYMAN_GO_CABI_H

#include <stddef.h>
#include <stdint.h>

typedef struct FerryBox {
    uint8_t *ptr;
    size_t len;
    size_t cap;
} FerryBox;

typedef struct FerryHost {
    uint32_t abi_version;
    void *context;
    int32_t (*invoke)(void *context, uint64_t handle, const FerryBox *args, FerryBox *out);
    void (*retain)(void *context, uint64_t handle);
    void (*release)(void *context, uint64_t handle);
    void (*free_box)(void *context, FerryBox *box);
    int32_t (*check_interrupt)(void *context, FerryBox *out);
} FerryHost;

void *fm_open(const char *path, char **error);
void *fm_symbol(void *handle, const char *name);
void fm_close(void *handle);

uint32_t fm_abi_version(void *fn);
int32_t fm_out(void *fn, FerryBox *out);
int64_t fm_function_id(void *fn, const uint8_t *name, size_t len);
/* keep is Go memory the arguments lend, or NULL: unused here, it is an
 * argument so that cgo keeps it pinned for the call. */
int32_t fm_call(void *fn, uint32_t id, const uint8_t *args, size_t len, FerryBox *out, const void *keep);
int32_t fm_closure_call(void *fn, uint64_t closure, const uint8_t *args, size_t len, FerryBox *out, const void *keep);
/* fm_call with out set to `into`, Go memory of `cap` bytes (pinned by cgo for
 * the call, as keep is). What the library wrote is described in *out, which
 * never keeps the Go pointer: ptr NULL and cap SIZE_MAX when the value is in
 * `into` (its first len bytes), else the library box as written. */
int32_t fm_call_into(void *fn, uint32_t id, const uint8_t *args, size_t len, FerryBox *out, const void *keep, uint8_t *into, size_t cap);
/* The same calls with the symbol, arguments and out in C memory, given as
 * integers (cgo checks no integer for Go pointers). */
int32_t fm_call_c(uintptr_t fn, uint32_t id, uintptr_t args, size_t len, uintptr_t out);
int32_t fm_closure_call_c(uintptr_t fn, uint64_t closure, uintptr_t args, size_t len, uintptr_t out);
/* A small call (small_call.go): the argument array (len <= 24 bytes) and the
 * reply cross by value, so that Go passes C no pointer at all. The reply is in
 * `words` when it fits in their 16 bytes (ptr NULL), else in the library box
 * ptr/len/cap, which the caller frees with fm_box_free_parts. */
typedef struct FmSmall {
    int32_t status;
    size_t len;
    uint64_t words[2];
    uint8_t *ptr;
    size_t cap;
} FmSmall;
FmSmall fm_call_small(uintptr_t fn, uint32_t id, uint64_t a0, uint64_t a1, uint64_t a2, size_t len);
void fm_box_free_parts(void *fn, uint8_t *ptr, size_t len, size_t cap);
void fm_box_free(void *fn, FerryBox *box);
int32_t fm_release(void *fn, uint64_t handle);
uint64_t fm_object_clone(void *fn, uint64_t handle);
int32_t fm_register_host(void *fn, uint32_t abi_version, uintptr_t context);
int32_t fm_log_connect(void *fn, uint32_t host_id, uint64_t handle, uint32_t max_level);
int32_t fm_log_level(void *fn, uint32_t max_level);
/* ferryman_completion_connect with the trampoline into ferrymanGoComplete. */
int32_t fm_completion_connect(void *fn, uint32_t host_id);
int32_t fm_future_start(void *fn, uint64_t handle, uint32_t host_id, uint64_t token);

#endif
