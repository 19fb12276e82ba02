/* See cabi.h. Each fm_ call casts a dlsym'd pointer to the type ferryman.h
 * gives the symbol; argument boxes are built here, on the C stack, so Go
 * never hands C a Go struct holding a Go pointer. */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "cabi.h"
#include "_cgo_export.h"

void *fm_open(const char *path, char **error) {
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        const char *message = dlerror();
        *error = strdup(message != NULL ? message : "dlopen failed");
    }
    return handle;
}

void *fm_symbol(void *handle, const char *name) { return dlsym(handle, name); }

void fm_close(void *handle) { dlclose(handle); }

uint32_t fm_abi_version(void *fn) { return ((uint32_t(*)(void))fn)(); }

int32_t fm_out(void *fn, FerryBox *out) { return ((int32_t(*)(FerryBox *))fn)(out); }

int64_t fm_function_id(void *fn, const uint8_t *name, size_t len) {
    FerryBox box = {(uint8_t *)name, len, len};
    return ((int64_t(*)(const FerryBox *))fn)(&box);
}

int32_t fm_call(void *fn, uint32_t id, const uint8_t *args, size_t len, FerryBox *out, const void *keep) {
    (void)keep;
    FerryBox box = {(uint8_t *)args, len, len};
    return ((int32_t(*)(uint32_t, const FerryBox *, FerryBox *))fn)(id, &box, out);
}

int32_t fm_closure_call(void *fn, uint64_t closure, const uint8_t *args, size_t len, FerryBox *out, const void *keep) {
    (void)keep;
    FerryBox box = {(uint8_t *)args, len, len};
    return ((int32_t(*)(uint64_t, const FerryBox *, FerryBox *))fn)(closure, &box, out);
}

int32_t fm_call_into(void *fn, uint32_t id, const uint8_t *args, size_t len, FerryBox *out, const void *keep, uint8_t *into, size_t cap) {
    FerryBox box = {into, 0, cap};
    int32_t status = fm_call(fn, id, args, len, &box, keep);
    *out = box;
    if (box.ptr == into && into != NULL) {
        out->ptr = NULL;
        out->cap = SIZE_MAX;
    }
    return status;
}

int32_t fm_call_c(uintptr_t fn, uint32_t id, uintptr_t args, size_t len, uintptr_t out) {
    return fm_call((void *)fn, id, (const uint8_t *)args, len, (FerryBox *)out, NULL);
}

int32_t fm_closure_call_c(uintptr_t fn, uint64_t closure, uintptr_t args, size_t len, uintptr_t out) {
    return fm_closure_call((void *)fn, closure, (const uint8_t *)args, len, (FerryBox *)out, NULL);
}

FmSmall fm_call_small(uintptr_t fn, uint32_t id, uint64_t a0, uint64_t a1, uint64_t a2, size_t len) {
    uint64_t args[3] = {a0, a1, a2};
    FmSmall r = {0};
    FerryBox out = {(uint8_t *)r.words, 0, sizeof r.words};
    r.status = fm_call_c(fn, id, (uintptr_t)args, len, (uintptr_t)&out);
    r.len = out.len;
    if (out.ptr != (uint8_t *)r.words) {
        r.ptr = out.ptr;
        r.cap = out.cap;
    }
    return r;
}

void fm_box_free_parts(void *fn, uint8_t *ptr, size_t len, size_t cap) {
    FerryBox box = {ptr, len, cap};
    ((void (*)(FerryBox *))fn)(&box);
}

void fm_box_free(void *fn, FerryBox *box) { ((void (*)(FerryBox *))fn)(box); }

int32_t fm_release(void *fn, uint64_t handle) { return ((int32_t(*)(uint64_t))fn)(handle); }

uint64_t fm_object_clone(void *fn, uint64_t handle) { return ((uint64_t(*)(uint64_t))fn)(handle); }

int32_t fm_log_connect(void *fn, uint32_t host_id, uint64_t handle, uint32_t max_level) {
    return ((int32_t(*)(uint32_t, uint64_t, uint32_t))fn)(host_id, handle, max_level);
}

int32_t fm_log_level(void *fn, uint32_t max_level) { return ((int32_t(*)(uint32_t))fn)(max_level); }

/* The trampolines: FerryHost's signatures, forwarding to the Go exports. */
static int32_t host_invoke(void *context, uint64_t handle, const FerryBox *args, FerryBox *out) {
    return ferrymanGoInvoke((uintptr_t)context, handle, args->ptr, args->len, out);
}
static void host_retain(void *context, uint64_t handle) { ferrymanGoRetain((uintptr_t)context, handle); }
static void host_release(void *context, uint64_t handle) { ferrymanGoRelease((uintptr_t)context, handle); }
static void host_free_box(void *context, FerryBox *box) {
    (void)context;
    if (box == NULL || box->ptr == NULL) return;
    ferrymanGoBoxFreed(box->ptr);
    free(box->ptr);
    box->ptr = NULL;
    box->len = 0;
    box->cap = 0;
}
/* Go has no pending interrupt to deliver (no signal turns into an error of
 * a running call), so the answer is always "not interrupted". */
static int32_t host_check_interrupt(void *context, FerryBox *out) {
    (void)context;
    (void)out;
    return 0;
}

int32_t fm_register_host(void *fn, uint32_t abi_version, uintptr_t context) {
    FerryHost host = {abi_version, (void *)context, host_invoke, host_retain, host_release, host_free_box,
                      host_check_interrupt};
    return ((int32_t(*)(const FerryHost *))fn)(&host);
}

/* The completion function (spec/abi.md, "Futures"): hands the outcome to the
 * Go waiter; the box is freed by the waiter once it read it. */
static void host_complete(void *context, uint64_t token, int32_t status, FerryBox *out) {
    ferrymanGoComplete((uintptr_t)context, token, status, out);
}

int32_t fm_completion_connect(void *fn, uint32_t host_id) {
    typedef void (*complete_fn)(void *, uint64_t, int32_t, FerryBox *);
    return ((int32_t(*)(uint32_t, complete_fn))fn)(host_id, host_complete);
}

int32_t fm_future_start(void *fn, uint64_t handle, uint32_t host_id, uint64_t token) {
    return ((int32_t(*)(uint64_t, uint32_t, uint64_t))fn)(handle, host_id, token);
}
