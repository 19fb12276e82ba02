package ferryman

/*
#include "cabi.h"
*/
import "C"

import (
	"encoding/binary"
	"math"
	"unsafe"
)

// Small calls: a typed call of numbers (ferryman-go's bindings use it for a
// function whose parameters are numbers, bools or lists of numbers, whose
// result is a number, a bool or nothing, and which has no Rust error type).
// Its argument array, when it fits in smallArgs bytes, and its reply, when it
// fits in smallReply, cross to C by value — three words in, two out — so Go
// hands C no pointer, and the call needs no encoder, pool or out buffer: the
// Small lives on the caller's stack.
//
// A Small writes only the one-piece forms of spec/wire.md that small numbers
// take — a positive fixint, a bool, an f64 or f32, a fixarray of them — into
// its array, each as the general writer writes it. It has the writers the
// generated code calls for those parameters (a top-level list is lent when
// long: LendInts, LendFloats), not all of Args'. Any other value (a
// negative or larger int, a long list, a list worth lending) turns the call
// into the general one (Args), the bytes so far moved to its encoder, which
// writes that value and the rest.

const (
	smallArgs  = 24
	smallReply = 16
)

// Small is one small call being written, then read: Begin, one value per
// parameter (each preceded by Param), Call; then the Result as for Args.
// A Small is used once, by one goroutine.
type Small struct {
	fn    *Fn
	n     int // bytes of args written; smallArgs once the call is the general one
	param int
	args  [smallArgs]byte
	big   Args // the general call, once begun
	res   Result
	reply [smallReply]byte
}

// Begin starts a call of fn: the array's header for all of fn's parameters.
func (s *Small) Begin(fn *Fn) {
	s.fn, s.param = fn, -1
	if n := len(fn.f.Params); n <= 15 {
		s.args[0], s.n = 0x90|byte(n), 1
		return
	}
	s.big, s.n = fn.Args(), smallArgs
}

// Param says that parameter i's value comes next.
func (s *Small) Param(i int) {
	s.param = i
	if s.big.e != nil {
		s.big.Param(i)
	}
}

// general is the general call, begun now (with the bytes written so far)
// if it was not.
func (s *Small) general() Args {
	if s.big.e == nil {
		s.big = s.fn.Args()
		e := s.big.e
		e.w.b = append(e.w.b[:0], s.args[:s.n]...)
		e.param = s.param
		s.n = smallArgs
	}
	return s.big
}

// one writes the one-byte value c; false: no room (or the general call).
func (s *Small) one(c byte) bool {
	if s.n < smallArgs {
		s.args[s.n] = c
		s.n++
		return true
	}
	return false
}

// Bool writes a bool.
func (s *Small) Bool(v bool) {
	c := byte(0xc2)
	if v {
		c = 0xc3
	}
	if !s.one(c) {
		s.general().Bool(v)
	}
}

// Int writes a signed integer.
func (s *Small) Int(v int64) {
	if uint64(v) > 0x7f || !s.one(byte(v)) {
		s.general().Int(v)
	}
}

// Uint writes an unsigned integer.
func (s *Small) Uint(v uint64) {
	if v > 0x7f || !s.one(byte(v)) {
		s.general().Uint(v)
	}
}

// Float32 writes an f32.
func (s *Small) Float32(v float32) {
	if s.n+5 > smallArgs {
		s.general().Float32(v)
		return
	}
	s.args[s.n] = 0xca
	binary.BigEndian.PutUint32(s.args[s.n+1:], math.Float32bits(v))
	s.n += 5
}

// Float64 writes an f64.
func (s *Small) Float64(v float64) {
	if s.n+9 > smallArgs {
		s.general().Float64(v)
		return
	}
	s.args[s.n] = 0xcb
	binary.BigEndian.PutUint64(s.args[s.n+1:], math.Float64bits(v))
	s.n += 9
}

// LendInts is Args.LendInts (a list long enough to lend is the general
// call's, which lends it).
func (s *Small) LendInts(v []int64) {
	if !s.ints(v) {
		s.general().LendInts(v)
	}
}

// ints writes v when it is a fixarray of positive fixints with room;
// false: the general call is to write it.
func (s *Small) ints(v []int64) bool {
	n := s.n
	if len(v) > 15 || n+1+len(v) > smallArgs {
		return false
	}
	for _, x := range v {
		if uint64(x) > 0x7f {
			return false
		}
	}
	s.args[n] = 0x90 | byte(len(v))
	for i, x := range v {
		s.args[n+1+i] = byte(x)
	}
	s.n = n + 1 + len(v)
	return true
}

// LendFloats is Args.LendFloats.
func (s *Small) LendFloats(v []float64) {
	if !s.floats(v) {
		s.general().LendFloats(v)
	}
}

func (s *Small) floats(v []float64) bool {
	if len(v) > 15 || s.n+1+9*len(v) > smallArgs {
		return false
	}
	s.args[s.n] = 0x90 | byte(len(v))
	s.n++
	for _, x := range v {
		s.Float64(x)
	}
	return true
}

// Call makes the call, as Args.Call: an error value, a panic or a bridge
// error is the error; else the Result is read, then Done.
func (s *Small) Call() (*Result, error) {
	if s.big.e != nil {
		return s.big.Call()
	}
	f, l := s.fn.f, s.fn.l
	// The words in this process's byte order: C reads them back as the bytes.
	r := C.fm_call_small(C.uintptr_t(uintptr(l.sym.call)), C.uint32_t(f.ID),
		C.uint64_t(binary.NativeEndian.Uint64(s.args[0:])), C.uint64_t(binary.NativeEndian.Uint64(s.args[8:])),
		C.uint64_t(binary.NativeEndian.Uint64(s.args[16:])), C.size_t(s.n))
	res := &s.res
	res.e, res.fn, res.r.i, res.bin = nil, s.fn, 0, nil
	if r.ptr != nil {
		// A reply too long for the words (an error value, or another
		// library's result): in a library box, read there, then freed.
		rep := reply{status: int32(r.status), bytes: unsafe.Slice((*byte)(unsafe.Pointer(r.ptr)), int(r.len))}
		if r.status != 0 {
			err := l.failure(f.Name, &rep)
			C.fm_box_free_parts(l.sym.boxFree, r.ptr, r.len, r.cap)
			return nil, err
		}
		res.r.b = append([]byte(nil), rep.bytes...)
		C.fm_box_free_parts(l.sym.boxFree, r.ptr, r.len, r.cap)
		return res, nil
	}
	if r.status != 0 {
		rep := reply{status: int32(r.status)}
		if r.status != -1 {
			rep.bytes = wordBytes(&s.reply, &r.words, int(r.len))
		}
		return nil, l.failure(f.Name, &rep)
	}
	res.r.b = wordBytes(&s.reply, &r.words, int(r.len))
	return res, nil
}

// wordBytes copies the reply's words into reply, and is its first n bytes.
// The slice points into the Small that holds reply, on its caller's stack:
// noescape hides that pointer from escape analysis, which would otherwise
// move every Small to the heap (a Small storing a pointer to itself), as
// strings.Builder hides its own. It is valid for as long as the Small is.
func wordBytes(reply *[smallReply]byte, words *[2]C.uint64_t, n int) []byte {
	binary.NativeEndian.PutUint64(reply[0:], uint64(words[0]))
	binary.NativeEndian.PutUint64(reply[8:], uint64(words[1]))
	return unsafe.Slice((*byte)(noescape(unsafe.Pointer(reply))), min(n, smallReply))
}

// noescape hides p from escape analysis (the trick of the runtime's
// noescape and strings.Builder's): the result is p, read back from the
// integer it was.
//
//go:nosplit
func noescape(p unsafe.Pointer) unsafe.Pointer {
	x := uintptr(p)
	return *(*unsafe.Pointer)(unsafe.Pointer(&x))
}
