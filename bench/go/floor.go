package main

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>

typedef struct FloorBox { uint8_t *ptr; size_t len; size_t cap; } FloorBox;

static void *floor_call_fn;
static FloorBox floor_args, floor_out;
static uint8_t floor_in[3] = {0x92, 0x01, 0x02}; // [1, 2]
static uint8_t floor_buf[4096];
static uint32_t floor_id;

// floor_open finds add in an already loaded library (RTLD_NOLOAD: the one
// the Go host loaded); 0 on success.
static int floor_open(const char *path) {
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
    if (h == NULL) return 1;
    int64_t (*id)(const FloorBox *) = (int64_t (*)(const FloorBox *))dlsym(h, "ferryman_function_id");
    floor_call_fn = dlsym(h, "ferryman_call");
    if (id == NULL || floor_call_fn == NULL) return 2;
    FloorBox name = {(uint8_t *)"add", 3, 3};
    int64_t n = id(&name);
    if (n < 0) return 3;
    floor_id = (uint32_t)n;
    floor_args = (FloorBox){floor_in, 3, 3};
    return 0;
}

// floor_add is one ferryman_call of add(1, 2): the arguments encoded
// beforehand, the result left in the buffer; what every host pays at least.
// The result is checked here, in the same crossing: 3 when it is add's 3.
static int floor_add(void) {
    floor_out = (FloorBox){floor_buf, 0, sizeof floor_buf};
    int32_t status = ((int32_t (*)(uint32_t, const FloorBox *, FloorBox *))floor_call_fn)(floor_id, &floor_args, &floor_out);
    if (status != 0 || floor_out.len != 1) return -1;
    return floor_out.ptr[0];
}
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// floorAdd is ferryman_call of add(1, 2) made from Go through cgo with the
// arguments encoded beforehand and the result not decoded: the library's
// share of a call plus one cgo crossing (one: the result is checked in C),
// which no Go host can go below.
func floorAdd(libPath string) (func() (any, error), error) {
	p := C.CString(libPath)
	defer C.free(unsafe.Pointer(p))
	if rc := C.floor_open(p); rc != 0 {
		return nil, fmt.Errorf("floor: cannot find add in %s (%d)", libPath, rc)
	}
	return func() (any, error) {
		if C.floor_add() != 3 {
			return nil, fmt.Errorf("floor: add(1, 2) failed")
		}
		return int64(3), nil
	}, nil
}
