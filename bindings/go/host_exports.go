package ferryman

/*
#include <stdlib.h>
#include "cabi.h"
*/
import "C"

import (
	"unsafe"
)

// The FerryHost functions (spec/callbacks.md), exported to the C
// trampolines in cabi.c. They run on whatever thread Rust calls from (cgo
// gives a foreign thread a goroutine) and never let a Go panic reach C.

//export ferrymanGoInvoke
func ferrymanGoInvoke(ctx C.uintptr_t, handle C.uint64_t, args *C.uint8_t, n C.size_t, out *C.FerryBox) (status C.int32_t) {
	var data []byte
	if args != nil && n > 0 {
		data = C.GoBytes(unsafe.Pointer(args), C.int(n))
	}
	body, hold, st := invoke(libraryByContext(uintptr(ctx)), uint64(handle), data)
	if len(body) == 0 {
		return C.int32_t(st)
	}
	ptr := C.malloc(C.size_t(len(body)))
	copy(unsafe.Slice((*byte)(ptr), len(body)), body)
	out.ptr = (*C.uint8_t)(ptr)
	out.len = C.size_t(len(body))
	out.cap = C.size_t(len(body))
	holdForBox(uintptr(ptr), hold)
	return C.int32_t(st)
}

//export ferrymanGoRetain
func ferrymanGoRetain(ctx C.uintptr_t, handle C.uint64_t) { hostRetain(uint64(handle)) }

//export ferrymanGoRelease
func ferrymanGoRelease(ctx C.uintptr_t, handle C.uint64_t) { hostRelease(uint64(handle)) }

//export ferrymanGoBoxFreed
func ferrymanGoBoxFreed(ptr *C.uint8_t) { boxFreed(uintptr(unsafe.Pointer(ptr))) }

//export ferrymanGoComplete
func ferrymanGoComplete(ctx C.uintptr_t, token C.uint64_t, status C.int32_t, out *C.FerryBox) {
	completed(libraryByContext(uintptr(ctx)), uint64(token), int32(status), out)
}
