package ferryman

import (
	"fmt"
	"math"
	"reflect"
	"runtime"
	"strings"
	"sync/atomic"
)

// Closure is a Rust closure the library handed out (extension 2,
// spec/callbacks.md "Library closures"). Call it with Call; Release it once
// you no longer need it (a finalizer releases a forgotten one). It may be
// passed back to the library as an argument.
type Closure struct {
	lib      *Library
	handle   uint64
	shown    string
	iterOf   string // a Rust iterator's ({"iter": T}): the function that returned it, else ""
	released atomic.Bool
}

// newClosure owns handle; shown is how messages name it (decoder.closureName).
func newClosure(lib *Library, handle uint64, shown string) *Closure {
	c := &Closure{lib: lib, handle: handle, shown: shown}
	runtime.SetFinalizer(c, func(c *Closure) { c.Release() })
	return c
}

func (c *Closure) name() string { return c.shown }

// Call calls the closure. Its failures are the same error types as Library.Call's.
//
// A Rust iterator's closure takes how many items to pull, n, and returns up
// to n items, []any{} at the end (spec/wire.md, "Iterators"). Call(0) pulls
// nothing and returns []any{} without calling the library (which would pull
// one: it asks for n >= 1); a negative n is an *ArgumentError, also without
// calling it.
func (c *Closure) Call(args ...any) (any, error) {
	if c.released.Load() {
		return nil, &BridgeError{Kind: "no_function", Function: c.name(), Message: c.name() + " was already released"}
	}
	if c.lib.sym.closureCall == nil { // an optional symbol (spec/abi.md)
		return nil, &BridgeError{Kind: "no_function", Function: c.name(),
			Message: c.lib.handshake.Library + " has no ferryman_closure_call, so " + c.name() + " cannot be called"}
	}
	if c.iterOf != "" && len(args) == 1 {
		if n, isInt := pullCount(args[0]); isInt && n <= 0 {
			return c.pullNone(n)
		}
	}
	e, err := c.lib.encodeArgs(c.name(), nil, args)
	if err != nil {
		return nil, err
	}
	r := &e.reply
	c.lib.sym.callClosure(c.handle, e.bytes(), e.out, e.keep, r)
	runtime.KeepAlive(args)
	runtime.KeepAlive(c)
	v, err := c.lib.result(c.name(), r)
	e.done()
	return v, err
}

// pullCount is a as an integer, when it is a Go integer (of any width or
// name); an unsigned one above MaxInt64 is MaxInt64 (only n <= 0 matters).
func pullCount(a any) (int64, bool) {
	switch n := a.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	}
	v := reflect.ValueOf(a)
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int(), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return int64(min(v.Uint(), math.MaxInt64)), true
	}
	return 0, false
}

// pullNone answers an iterator's Call(n) for n <= 0: no items for 0, and
// for a negative n the *ArgumentError the library would answer (kind
// "overflow": the count is a u32), worded for a count.
func (c *Closure) pullNone(n int64) (any, error) {
	if n == 0 {
		return []any{}, nil
	}
	iterator := strings.TrimSuffix(c.name(), "closure") + "iterator"
	found := fmt.Sprintf("integer %d", n)
	return nil, &ArgumentError{Kind: "overflow", Function: c.iterOf, Index: 0, Expected: "u32", Found: found,
		Message: fmt.Sprintf("%s argument 0 (how many items to pull): expected u32, but found %s, "+
			"which is negative (0 pulls no items)", iterator, found)}
}

// Func is the closure as a Go func.
func (c *Closure) Func() func(args ...any) (any, error) { return c.Call }

// Release drops the host's reference (ferryman_closure_release). Calling it
// again does nothing, nor does it on a library without that symbol.
func (c *Closure) Release() {
	if c.released.CompareAndSwap(false, true) {
		runtime.SetFinalizer(c, nil)
		if c.lib.sym.closureRelease != nil {
			c.lib.sym.releaseClosure(c.handle)
		}
	}
}

// CallClosure calls c and decodes its result into a T, like Call.
func CallClosure[T any](c *Closure, args ...any) (T, error) {
	v, err := c.Call(args...)
	return into[T](c.name(), v, err)
}
