package main

/*
#cgo LDFLAGS: -L${SRCDIR}/../../target/release -lbench_cabi -Wl,-rpath,${SRCDIR}/../../target/release
#include <stdint.h>
#include <stdlib.h>

typedef struct BenchRecord {
    uint8_t *name;
    size_t name_len;
    size_t name_cap;
    int64_t id;
    double score;
    const int64_t *tags;
    size_t tags_len;
} BenchRecord;

int64_t bench_add(int64_t a, int64_t b);
void bench_echo(const uint8_t *data, size_t len, uint8_t *out);
int64_t bench_sum(const int64_t *values, size_t len);
int32_t bench_bump(BenchRecord *record);
int32_t bench_fail(int64_t code, int64_t *out);
*/
import "C"

import (
	"fmt"
	"runtime"
	"unsafe"
)

// The cgo column: bench/cabi-lib's plain C functions (libbench_cabi.so,
// linked at build time), called the way a cgo user writes the wrappers: Go
// slices passed by pointer for the call (cgo's pointer rules), the output
// buffer a Go slice, the record a C struct whose name is copied into C
// memory (C writes the "!" into it) and whose tags are pinned (Go memory
// that a struct passed to C points at must be), and the error code turned
// into a Go error.

func cgoAdd(a, b int64) int64 { return int64(C.bench_add(C.int64_t(a), C.int64_t(b))) }

func cgoEcho(data []byte) []byte {
	out := make([]byte, len(data))
	if len(data) > 0 {
		C.bench_echo((*C.uint8_t)(unsafe.Pointer(&data[0])), C.size_t(len(data)), (*C.uint8_t)(unsafe.Pointer(&out[0])))
	}
	return out
}

func cgoSum(values []int64) int64 {
	if len(values) == 0 {
		return 0
	}
	return int64(C.bench_sum((*C.int64_t)(unsafe.Pointer(&values[0])), C.size_t(len(values))))
}

func cgoBump(r Record) (Record, error) {
	// The name goes into C memory with room for the "!"; the tags are
	// pinned, since the struct that points at them is Go memory passed to C.
	name := C.malloc(C.size_t(len(r.Name) + 1))
	defer C.free(name)
	copy(unsafe.Slice((*byte)(name), len(r.Name)), r.Name)
	var pin runtime.Pinner
	defer pin.Unpin()
	rec := C.BenchRecord{
		name: (*C.uint8_t)(name), name_len: C.size_t(len(r.Name)), name_cap: C.size_t(len(r.Name) + 1),
		id: C.int64_t(r.ID), score: C.double(r.Score), tags_len: C.size_t(len(r.Tags)),
	}
	if len(r.Tags) > 0 {
		pin.Pin(&r.Tags[0])
		rec.tags = (*C.int64_t)(unsafe.Pointer(&r.Tags[0]))
	}
	if C.bench_bump(&rec) != 0 {
		return Record{}, fmt.Errorf("bench_bump: no room for the name")
	}
	return Record{
		Name:  C.GoStringN((*C.char)(name), C.int(rec.name_len)),
		ID:    int64(rec.id),
		Score: float64(rec.score),
		Tags:  r.Tags,
	}, nil
}

// cgoError is the error the cgo column's fail returns.
type cgoError struct{ code int64 }

func (e *cgoError) Error() string { return fmt.Sprintf("failed with code %d", e.code) }

func cgoFail(code int64) (int64, error) {
	var out C.int64_t
	if C.bench_fail(C.int64_t(code), &out) != 0 {
		return 0, &cgoError{code: int64(out)}
	}
	return 0, nil
}
