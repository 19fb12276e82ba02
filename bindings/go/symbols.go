package ferryman

/*
#cgo LDFLAGS: -ldl
#include <stdlib.h>
#include "cabi.h"
*/
import "C"

import (
	"fmt"
	"runtime"
	"unsafe"
)

// symbols holds what dlsym found in one loaded library (spec/abi.md,
// "Symbols"): the six call symbols are required, the rest optional (nil).
type symbols struct {
	handle         unsafe.Pointer
	abiVersion     unsafe.Pointer
	handshake      unsafe.Pointer
	describe       unsafe.Pointer
	functionID     unsafe.Pointer
	call           unsafe.Pointer
	boxFree        unsafe.Pointer
	registerHost   unsafe.Pointer
	closureCall    unsafe.Pointer
	closureRelease unsafe.Pointer
	liveClosures   unsafe.Pointer
	objectRelease  unsafe.Pointer
	objectClone    unsafe.Pointer
	liveObjects    unsafe.Pointer
	logConnect     unsafe.Pointer
	logLevel       unsafe.Pointer
	// futures (future.go): the first three, or the host awaits no future
	completionConnect unsafe.Pointer
	futureStart       unsafe.Pointer
	futureCancel      unsafe.Pointer
	liveFutures       unsafe.Pointer
	callBlocking      unsafe.Pointer
}

// openSymbols dlopens path (RTLD_NOW | RTLD_LOCAL: each library keeps its
// own runtime) and looks up the symbols. A shared object without
// ferryman_abi_version, or without one of the six call symbols, is refused.
func openSymbols(path string) (*symbols, error) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var cerr *C.char
	handle := C.fm_open(cpath, &cerr)
	if handle == nil {
		defer C.free(unsafe.Pointer(cerr))
		return nil, &LoadError{Path: path, Message: C.GoString(cerr)}
	}
	lookup := func(name string) unsafe.Pointer {
		cname := C.CString(name)
		defer C.free(unsafe.Pointer(cname))
		return C.fm_symbol(handle, cname)
	}
	s := &symbols{
		handle:         handle,
		abiVersion:     lookup("ferryman_abi_version"),
		handshake:      lookup("ferryman_handshake"),
		describe:       lookup("ferryman_describe"),
		functionID:     lookup("ferryman_function_id"),
		call:           lookup("ferryman_call"),
		boxFree:        lookup("ferryman_box_free"),
		registerHost:   lookup("ferryman_register_host"),
		closureCall:    lookup("ferryman_closure_call"),
		closureRelease: lookup("ferryman_closure_release"),
		liveClosures:   lookup("ferryman_live_closures"),
		objectRelease:  lookup("ferryman_object_release"),
		objectClone:    lookup("ferryman_object_clone"),
		liveObjects:    lookup("ferryman_live_objects"),
		logConnect:     lookup("ferryman_log_connect"),
		logLevel:       lookup("ferryman_log_level"),

		completionConnect: lookup("ferryman_completion_connect"),
		futureStart:       lookup("ferryman_future_start"),
		futureCancel:      lookup("ferryman_future_cancel"),
		liveFutures:       lookup("ferryman_live_futures"),
		callBlocking:      lookup("ferryman_call_blocking"),
	}
	if s.abiVersion == nil {
		C.fm_close(handle)
		return nil, &LoadError{Path: path, Message: "not a ferryman library: it has no symbol ferryman_abi_version"}
	}
	required := []struct {
		name string
		ptr  unsafe.Pointer
	}{
		{"ferryman_handshake", s.handshake}, {"ferryman_describe", s.describe},
		{"ferryman_function_id", s.functionID}, {"ferryman_call", s.call},
		{"ferryman_box_free", s.boxFree},
	}
	for _, r := range required {
		if r.ptr == nil {
			C.fm_close(handle)
			return nil, &LoadError{Path: path, Message: fmt.Sprintf("not a complete ferryman library: it has ferryman_abi_version but no %s", r.name)}
		}
	}
	return s, nil
}

// close unloads a library that was refused before anything was registered
// with it (a registered library is never unloaded: spec/callbacks.md).
func (s *symbols) close() { C.fm_close(s.handle) }

func (s *symbols) abi() uint32 { return uint32(C.fm_abi_version(s.abiVersion)) }

// reply is one value a symbol wrote to out. Its bytes are read in place —
// in the host's out buffer or in a library box — and are valid until done,
// which frees the box and returns the buffer; the decoder copies what it keeps.
type reply struct {
	status  int32
	bytes   []byte
	out     *C.FerryBox // the box the symbol wrote
	spilled bool        // out names a library box to free
	inPlace bool        // bytes are in Go memory the call offered (bin_result.go)
	sym     *symbols
}

// take fills r with what the symbol returned and wrote to out.
func (s *symbols) take(status C.int32_t, out *C.FerryBox, buf *outBuffer, r *reply) {
	*r = reply{status: int32(status), out: out, sym: s}
	if status == -1 || out.ptr == nil {
		return
	}
	r.bytes = unsafe.Slice((*byte)(unsafe.Pointer(out.ptr)), int(out.len))
	// The out rule (spec/abi.md): the value is in our buffer when the
	// pointer came back unchanged, else in a library box to free.
	r.spilled = buf == nil || unsafe.Pointer(out.ptr) != buf.ptr
}

// takeInto is take for fm_call_into: the value may be in into.
func (s *symbols) takeInto(status C.int32_t, out *C.FerryBox, into []byte, r *reply) {
	if status != -1 && out.ptr == nil && out.cap == C.size_t(^uint(0)) {
		*r = reply{status: int32(status), out: out, sym: s, inPlace: true}
		if int(out.len) <= len(into) {
			r.bytes = into[:out.len]
		}
		return
	}
	s.take(status, out, nil, r)
}

// done frees the reply's box, if the library allocated one; its bytes are
// invalid from then on (and so are they once the out buffer is reused).
func (r *reply) done() {
	if r.spilled {
		C.fm_box_free(r.sym.boxFree, r.out)
		r.spilled = false
	}
	r.bytes = nil
}

// outBufferSize is the C buffer a call hands the library as out: results
// that fit are written there, so the common call allocates nothing in the
// library; larger ones spill into a library box.
const outBufferSize = 4096

// outBuffer is one out buffer and the box that names it, both in C memory
// (a box in Go memory passed to C would escape to the heap on every call),
// freed by a finalizer when the pool drops the encoder that owns it.
//
// It also holds a C buffer for small argument arrays: copying a few bytes
// there costs less than cgo's check of a Go pointer passed to C.
type outBuffer struct {
	ptr  unsafe.Pointer
	box  *C.FerryBox
	args unsafe.Pointer
}

const argsBufferSize = 256

// newOutBuffer allocates an out buffer; each pooled encoder owns one.
func newOutBuffer() *outBuffer {
	b := &outBuffer{
		ptr:  C.malloc(outBufferSize),
		box:  (*C.FerryBox)(C.malloc(C.size_t(unsafe.Sizeof(C.FerryBox{})))),
		args: C.malloc(argsBufferSize),
	}
	runtime.SetFinalizer(b, func(b *outBuffer) {
		C.free(b.ptr)
		C.free(unsafe.Pointer(b.box))
		C.free(b.args)
	})
	return b
}

// reset sets the box to the buffer (spec/abi.md, "Ownership of out": a
// writable buffer the host owns).
func (b *outBuffer) reset() *C.FerryBox {
	*b.box = C.FerryBox{ptr: (*C.uint8_t)(b.ptr), len: 0, cap: outBufferSize}
	return b.box
}

// argsC copies args, which fit, into the C argument buffer and returns its
// address; args written there already (a pooled encoder starts writing in
// it: argsSpace) are not copied. (Larger arguments cross in Go memory
// itself, valid for the call by cgo's rule for Go pointers.)
func (b *outBuffer) argsC(args []byte) unsafe.Pointer {
	if unsafe.Pointer(unsafe.SliceData(args)) != b.args {
		copy(unsafe.Slice((*byte)(b.args), len(args)), args)
	}
	return b.args
}

// argsSpace is the C argument buffer as an empty slice to append to: the
// arguments a pooled encoder writes land in C memory, until they outgrow
// it and append moves them to Go memory.
func (b *outBuffer) argsSpace() []byte {
	return unsafe.Slice((*byte)(b.args), argsBufferSize)[:0]
}

// outOnly calls one of the symbols that only write out (handshake, describe,
// live closures, live objects) with the empty box.
func (s *symbols) outOnly(fn unsafe.Pointer) *reply {
	out, r := new(C.FerryBox), new(reply)
	s.take(C.fm_out(fn, out), out, nil, r)
	return r
}

func bytesPtr(b []byte) *C.uint8_t {
	if len(b) == 0 {
		return nil
	}
	return (*C.uint8_t)(unsafe.Pointer(&b[0]))
}

func (s *symbols) id(name string) int64 {
	b := []byte(name)
	return int64(C.fm_function_id(s.functionID, bytesPtr(b), C.size_t(len(b))))
}

// callID calls function id with args through fn (ferryman_call, or
// ferryman_call_blocking), its reply written to r (whose bytes
// may point into buf until buf is reused). Arguments that fit the C buffer
// and the out box, both C memory, cross as integers, as does the symbol:
// cgo checks every pointer argument for Go pointers, which costs more than
// the copy.
//
// keep, when not nil, is Go memory the arguments lend (lent.go): passed to
// C as an argument of its own, it stays pinned for the call by cgo's rule,
// which costs less than a runtime.Pinner.
func (s *symbols) callID(fn unsafe.Pointer, id uint32, args []byte, buf *outBuffer, keep unsafe.Pointer, r *reply) {
	out := buf.reset()
	var status C.int32_t
	switch {
	case len(args) <= argsBufferSize && keep == nil:
		status = C.fm_call_c(C.uintptr_t(uintptr(fn)), C.uint32_t(id), C.uintptr_t(uintptr(buf.argsC(args))), C.size_t(len(args)), C.uintptr_t(uintptr(unsafe.Pointer(out))))
	case len(args) <= argsBufferSize:
		status = C.fm_call(fn, C.uint32_t(id), (*C.uint8_t)(buf.argsC(args)), C.size_t(len(args)), out, keep)
	default:
		status = C.fm_call(fn, C.uint32_t(id), bytesPtr(args), C.size_t(len(args)), out, keep)
	}
	s.take(status, out, buf, r)
}

// callIDInto is callID with into, new Go memory, offered as out: a value
// that fits is written there (takeInto), a larger one into a library box.
func (s *symbols) callIDInto(fn unsafe.Pointer, id uint32, args []byte, buf *outBuffer, keep unsafe.Pointer, into []byte, r *reply) {
	out := buf.reset()
	argsPtr := bytesPtr(args)
	if len(args) <= argsBufferSize {
		argsPtr = (*C.uint8_t)(buf.argsC(args))
	}
	status := C.fm_call_into(fn, C.uint32_t(id), argsPtr, C.size_t(len(args)), out, keep, bytesPtr(into), C.size_t(len(into)))
	s.takeInto(status, out, into, r)
}

// The optional symbols' wrappers below check for NULL themselves (a
// library may lack them, spec/abi.md); their callers check first to say why.

func (s *symbols) callClosure(handle uint64, args []byte, buf *outBuffer, keep unsafe.Pointer, r *reply) {
	out := buf.reset()
	var status C.int32_t
	switch {
	case s.closureCall == nil:
		status = -1
	case len(args) <= argsBufferSize && keep == nil:
		status = C.fm_closure_call_c(C.uintptr_t(uintptr(s.closureCall)), C.uint64_t(handle), C.uintptr_t(uintptr(buf.argsC(args))), C.size_t(len(args)), C.uintptr_t(uintptr(unsafe.Pointer(out))))
	case len(args) <= argsBufferSize:
		status = C.fm_closure_call(s.closureCall, C.uint64_t(handle), (*C.uint8_t)(buf.argsC(args)), C.size_t(len(args)), out, keep)
	default:
		status = C.fm_closure_call(s.closureCall, C.uint64_t(handle), bytesPtr(args), C.size_t(len(args)), out, keep)
	}
	s.take(status, out, buf, r)
}

func (s *symbols) releaseClosure(handle uint64) int32 {
	if s.closureRelease == nil {
		return -1
	}
	return int32(C.fm_release(s.closureRelease, C.uint64_t(handle)))
}

func (s *symbols) releaseObject(handle uint64) int32 {
	if s.objectRelease == nil {
		return -1
	}
	return int32(C.fm_release(s.objectRelease, C.uint64_t(handle)))
}

func (s *symbols) cloneObject(handle uint64) uint64 {
	if s.objectClone == nil {
		return 0
	}
	return uint64(C.fm_object_clone(s.objectClone, C.uint64_t(handle)))
}

func (s *symbols) register(context uintptr) int32 {
	if s.registerHost == nil {
		return -1
	}
	return int32(C.fm_register_host(s.registerHost, C.uint32_t(ABIVersion), C.uintptr_t(context)))
}

func (s *symbols) connectLog(hostID int32, handle uint64, max uint32) int32 {
	if s.logConnect == nil {
		return -1
	}
	return int32(C.fm_log_connect(s.logConnect, C.uint32_t(hostID), C.uint64_t(handle), C.uint32_t(max)))
}

func (s *symbols) setLogLevel(max uint32) int32 {
	if s.logLevel == nil {
		return -1
	}
	return int32(C.fm_log_level(s.logLevel, C.uint32_t(max)))
}
