package main

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>

typedef struct FloorBox { uint8_t *ptr; size_t len; size_t cap; } FloorBox;

static void *floor_call_fn;
static int64_t (*floor_id_fn)(const FloorBox *);
static void (*floor_free_fn)(FloorBox *);
static uint8_t floor_buf[4096];

// floor_open finds ferryman_call in an already loaded library (RTLD_NOLOAD:
// the one the Go host loaded); 0 on success.
static int floor_open(const char *path) {
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
    if (h == NULL) return 1;
    floor_id_fn = (int64_t (*)(const FloorBox *))dlsym(h, "ferryman_function_id");
    floor_call_fn = dlsym(h, "ferryman_call");
    floor_free_fn = (void (*)(FloorBox *))dlsym(h, "ferryman_box_free");
    if (floor_id_fn == NULL || floor_call_fn == NULL || floor_free_fn == NULL) return 2;
    return 0;
}

// floor_function is the id of the function `name`, or -1.
static int64_t floor_function(const char *name, size_t len) {
    FloorBox box = {(uint8_t *)name, len, len};
    return floor_id_fn(&box);
}

// The floors' calls: the function and its arguments, encoded beforehand.
typedef struct FloorCall { uint32_t id; FloorBox args; } FloorCall;
static FloorCall floor_calls[8];

// floor_prepare stores call `slot` (C memory for the arguments: the call
// itself then passes no Go pointer through cgo).
static void floor_prepare(int slot, uint32_t id, uint8_t *args, size_t len) {
    floor_calls[slot] = (FloorCall){id, {args, len, len}};
}

// floor_call is one ferryman_call of call `slot`, the reply left in a static
// buffer: what every host pays at least. Returns the status, the reply's
// length and its first byte packed in one integer (status << 32 | length <<
// 8 | first byte), so that the caller checks the reply without a second
// crossing. A reply too long for the buffer (none of the floors' is) comes
// in a library box, which is freed, and reads as first byte 0.
static int64_t floor_call(int slot) {
    FloorBox out = {floor_buf, 0, sizeof floor_buf};
    int32_t status = ((int32_t (*)(uint32_t, const FloorBox *, FloorBox *))floor_call_fn)(floor_calls[slot].id, &floor_calls[slot].args, &out);
    uint64_t len = out.len & 0xffffff, first = 0;
    if (out.ptr == floor_buf) {
        first = out.len > 0 ? floor_buf[0] : 0;
    } else if (out.ptr != NULL) {
        floor_free_fn(&out);
    }
    return (int64_t)((uint64_t)(uint32_t)status << 32 | len << 8 | first);
}
*/
import "C"

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"unsafe"
)

// floorCall is ferryman_call of `function` made from Go through cgo with
// the arguments `args` encoded beforehand (in C memory) and the reply not
// decoded, only looked at by `check` (its status, length and first byte,
// read in C): the library's share of that call plus one cgo crossing, which
// no Go host can go below.
func floorCall(libPath, function string, args []byte, check func(status int32, length, first int) bool) (func() (any, error), error) {
	p := C.CString(libPath)
	defer C.free(unsafe.Pointer(p))
	if rc := C.floor_open(p); rc != 0 {
		return nil, fmt.Errorf("floor: cannot find ferryman_call in %s (%d)", libPath, rc)
	}
	name := C.CString(function)
	defer C.free(unsafe.Pointer(name))
	id := C.floor_function(name, C.size_t(len(function)))
	if id < 0 {
		return nil, fmt.Errorf("floor: no function %s in %s", function, libPath)
	}
	// One slot per function, prepared once (a benchmark opens its floor
	// once per run).
	slot := C.int(slices.Index(floorSlots, function))
	if slot < 0 {
		if slot = C.int(len(floorSlots)); slot >= 8 {
			return nil, fmt.Errorf("floor: at most 8 floors")
		}
		floorSlots = append(floorSlots, function)
		C.floor_prepare(slot, C.uint32_t(id), (*C.uint8_t)(C.CBytes(args)), C.size_t(len(args))) // kept for the process
	}
	return func() (any, error) {
		got := int64(C.floor_call(slot))
		status, length, first := int32(uint32(uint64(got)>>32)), int(got>>8&0xffffff), int(got&0xff)
		if !check(status, length, first) {
			return nil, fmt.Errorf("floor: %s returned status %d, %d bytes starting 0x%02x", function, status, length, first)
		}
		return nil, nil
	}, nil
}

// floorSlots are the functions of the floors made so far.
var floorSlots []string

// floorAdd is the floor of add(1, 2): [1, 2] in, status 0 and the one
// byte 3 out.
func floorAdd(libPath string) (func() (any, error), error) {
	return floorCall(libPath, "add", []byte{0x92, 0x01, 0x02}, func(status int32, length, first int) bool {
		return status == 0 && length == 1 && first == 0x03
	})
}

// floorError is the floor of fail(7): [7] in, status 1 (FERRY_ERROR) and
// the library's error value out (a map), as the error row's ferryman column
// gets it before the Go host reads it.
func floorError(libPath string) (func() (any, error), error) {
	return floorCall(libPath, "fail", []byte{0x91, 0x07}, func(status int32, length, first int) bool {
		return status == 1 && length > 16 && (first&0xf0 == 0x80 || first == 0xde)
	})
}

// floorSum10 is the floor of sum([0, …, 9]): the array in, 45 out.
func floorSum10(libPath string) (func() (any, error), error) {
	args := []byte{0x91, 0x9a, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	return floorCall(libPath, "sum", args, func(status int32, length, first int) bool {
		return status == 0 && length == 1 && first == 45
	})
}

// floorRecord is the floor of bump(record): the record as the Go host
// encodes it (a map of its four fields) in, the bumped record (a map) out.
func floorRecord(libPath string) (func() (any, error), error) {
	args := []byte{0x91, 0x84}
	str := func(s string) { args = append(append(args, 0xa0|byte(len(s))), s...) }
	str("name")
	str("ferry")
	str("id")
	args = append(args, 41)
	str("score")
	args = binary.BigEndian.AppendUint64(append(args, 0xcb), math.Float64bits(1.25))
	str("tags")
	args = append(args, 0x9a, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9)
	return floorCall(libPath, "bump", args, func(status int32, length, first int) bool {
		return status == 0 && length == 48 && first == 0x84
	})
}
