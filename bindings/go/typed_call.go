package ferryman

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"unsafe"
)

// Typed calls: what the bindings cmd/ferryman-go generates call. A generated
// method knows its parameter and result types, so it writes the argument
// array itself (Args) and reads the result itself (Result) — no boxing of
// arguments into any, no reflection, no type switches — through the same
// encoder, call buffers, lending and error values as Library.Call.

// Fn is an export bound once for typed calls (Library.Bind).
type Fn struct {
	l *Library
	f *Function
	// bins: the result may be a large bin, which the library can write into
	// Go memory offered for it (bin_result.go); not for a scalar result.
	bins bool
}

// Bind looks up the function name for typed calls, and checks that its
// signature (Description.Signature) is sig: generated bindings were written
// against sig, and a library whose function takes or returns something else
// would be misread. The error names the function and both signatures.
func (l *Library) Bind(name, sig string) (*Fn, error) {
	f := l.byName[name]
	if f == nil {
		return nil, &BridgeError{Kind: "no_function", Function: name,
			Message: fmt.Sprintf("%s has no function `%s` (the bindings were generated from another version of it: regenerate them)", l.handshake.Library, name)}
	}
	l.typesOnce.Do(func() { l.types = l.description.TypesByName() })
	if got := signature(l.types, f); got != sig {
		return nil, &BridgeError{Kind: "signature", Function: name,
			Message: fmt.Sprintf("%s's `%s` is %s, but the bindings were generated for %s: regenerate them", l.handshake.Library, name, got, sig)}
	}
	scalar, isName := f.Returns.Type.(string)
	return &Fn{l: l, f: f, bins: !isName || scalar == "bytes"}, nil
}

// Library is the library fn belongs to.
func (fn *Fn) Library() *Library { return fn.l }

// Args is a typed call's argument array being written: one value per
// parameter, in order, each preceded by Param. It is used once: Call (or
// CallContext) makes the call and gives the encoder back.
type Args struct {
	e  *encoder
	fn *Fn
}

// Args begins a call of fn: the array's header for all of fn's parameters
// is written, and the caller writes exactly that many values.
func (fn *Fn) Args() Args {
	e := pooledEncoder(fn.l)
	e.param = -1
	_ = e.enc.EncodeArrayLen(len(fn.f.Params))
	return Args{e: e, fn: fn}
}

// Param says that parameter i's value comes next (an error names it).
func (a Args) Param(i int) { a.e.param = i }

// Nil writes nil (a None, a unit).
func (a Args) Nil() { _ = a.e.enc.EncodeNil() }

// Bool writes a bool.
func (a Args) Bool(v bool) { _ = a.e.enc.EncodeBool(v) }

// Int writes a signed integer.
func (a Args) Int(v int64) { _ = a.e.enc.EncodeInt(v) }

// Uint writes an unsigned integer.
func (a Args) Uint(v uint64) { _ = a.e.enc.EncodeUint(v) }

// Float32 writes an f32.
func (a Args) Float32(v float32) { _ = a.e.enc.EncodeFloat32(v) }

// Float64 writes an f64.
func (a Args) Float64(v float64) { _ = a.e.enc.EncodeFloat64(v) }

// String writes a str. A string that is not UTF-8 is not sent: the call
// answers an *ArgumentError naming the parameter.
func (a Args) String(s string) {
	if !validString(s) {
		a.fault(notUTF8(s))
		s = ""
	}
	_ = a.e.enc.EncodeString(s)
}

// Key writes a struct field's or an enum variant's name (a str known to be UTF-8).
func (a Args) Key(name string) { _ = a.e.enc.EncodeString(name) }

// Bytes writes a bin.
func (a Args) Bytes(b []byte) { _ = a.e.enc.EncodeBytes(b) }

// Ints writes an array of ints.
func (a Args) Ints(s []int64) { a.e.enc.EncodeInts(s) }

// Floats writes an array of f64s.
func (a Args) Floats(s []float64) {
	_ = a.e.enc.EncodeArrayLen(len(s))
	for _, x := range s {
		_ = a.e.enc.EncodeFloat64(x)
	}
}

// ArrayLen writes an array's header; its n items follow.
func (a Args) ArrayLen(n int) { _ = a.e.enc.EncodeArrayLen(n) }

// MapLen writes a map's header; its n keys and values follow.
func (a Args) MapLen(n int) { _ = a.e.enc.EncodeMapLen(n) }

// LendBytes writes a bytes parameter's value, lent for the call when that
// pays (as Library.Call lends a large []byte): only for a top-level
// argument whose parameter takes bytes.
func (a Args) LendBytes(b []byte) {
	if len(b) >= lendBytesFrom && a.fn.l.handshake.LentBytes {
		a.e.lendCall(unsafe.Pointer(&b[0]), len(b), 0)
		return
	}
	_ = a.e.enc.EncodeBytes(b)
}

// LendInts writes a list parameter's []int64, lent for the call when that
// pays: only for a top-level argument whose parameter takes a list of i64.
func (a Args) LendInts(s []int64) {
	if len(s) >= lendSliceFrom && a.fn.l.handshake.LentSlices {
		a.e.lendCall(unsafe.Pointer(&s[0]), 8*len(s), 'q')
		return
	}
	a.e.enc.EncodeInts(s)
}

// LendFloats is LendInts for a list of f64.
func (a Args) LendFloats(s []float64) {
	if len(s) >= lendSliceFrom && a.fn.l.handshake.LentSlices {
		a.e.lendCall(unsafe.Pointer(&s[0]), 8*len(s), 'd')
		return
	}
	a.Floats(s)
}

// Value writes v as Library.Call writes an argument (through reflection):
// for the values the other writers do not take (a time.Duration, a
// time.Time, a *big.Int). A value that cannot be sent (a *big.Int no
// 128-bit integer holds) is not: the call answers the *ArgumentError
// Library.Call would.
func (a Args) Value(v any) {
	if err := a.e.value(reflect.ValueOf(v), 1); err != nil {
		a.faultWith(err)
	}
}

// faultWith notes err, an encoder's: a value without a wire form, or
// another failure. (Apart: errors.As's target escapes, which would cost
// every call an allocation.)
func (a Args) faultWith(err error) {
	var nw noWireForm
	if errors.As(err, &nw) {
		a.faultOf(nw.found, nw.kind)
		return
	}
	a.fault(err.Error())
}

// Object writes an object (nil: nil), kept reachable until the call ends so
// that no finalizer releases it while the library uses it. One closed or of
// another library is not sent: the call answers the *ArgumentError
// Library.Call would.
func (a Args) Object(o *Object) {
	if o == nil {
		_ = a.e.enc.EncodeNil()
		return
	}
	if err := a.e.object(o); err != nil {
		a.faultWith(err)
		return
	}
	a.e.objects = append(a.e.objects, o)
}

// fault notes the first value that cannot be sent; the call is not made.
func (a Args) fault(found string) { a.faultOf(found, "type") }

func (a Args) faultOf(found, kind string) {
	if a.e.fault == "" {
		if kind == "" {
			kind = "type"
		}
		a.e.fault, a.e.faultParam, a.e.faultKind = found, a.e.param, kind
	}
}

// Call makes the call. An error value, a panic or a bridge error is the
// error (as Library.Call returns it); else the Result is read, then Done.
func (a Args) Call() (*Result, error) { return a.call(nil) }

// CallContext is Call under ctx, as Library.CallContext: an async export's
// future is cancelled when ctx is done first.
func (a Args) CallContext(ctx context.Context) (*Result, error) {
	if ctx.Err() != nil {
		a.e.done()
		return nil, cancelled(ctx, a.fn.f.Name)
	}
	return a.call(ctx)
}

// call makes the call; the Result lives in the encoder (a struct returned
// by value is copied field by field, which costs more than reading it).
func (a Args) call(ctx context.Context) (*Result, error) {
	e, f, l := a.e, a.fn.f, a.fn.l
	if e.fault != "" {
		err := faultError(f, e.faultParam, e.fault, e.faultKind)
		e.done()
		return nil, err
	}
	r := &e.reply
	var bin []byte
	switch {
	case f.Async:
		if err := l.callFuture(ctx, f, e, r); err != nil {
			return nil, err
		}
	case !a.fn.bins:
		l.sym.callID(l.sym.call, f.ID, e.bytes(), e.out, e.keep, r)
	default:
		if room := l.binRoom(f.ID); room > 0 {
			bin, _ = l.callOffering(f, e, room, r)
		} else {
			l.sym.callID(l.sym.call, f.ID, e.bytes(), e.out, e.keep, r)
			l.sawResult(f.ID, r)
		}
	}
	if r.status != 0 {
		err := l.failure(f.Name, r)
		r.done()
		e.done()
		return nil, err
	}
	// Field by field: a Result built whole is stored word by word on the
	// stack and copied by wider loads, which wait for those stores (~10%
	// of a small call).
	res := &e.result
	res.e, res.fn, res.r.b, res.r.i, res.bin = e, a.fn, r.bytes, 0, bin
	return res, nil
}

// faultError is the *ArgumentError of a value parameter i cannot send.
func faultError(f *Function, i int, found, kind string) error {
	param, expected := fmt.Sprintf("%d", i), ""
	if i >= 0 && i < len(f.Params) { // (Param was called, as generated code does)
		param, expected = f.Params[i].Name, f.Params[i].Rust
	}
	return &ArgumentError{Kind: kind, Function: f.Name, Param: param, Index: i, Expected: expected,
		Found: found, Message: argumentMessage(f.Name, param, expected, found)}
}
