package ferryman

import (
	"runtime"
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
func (c *Closure) Call(args ...any) (any, error) {
	if c.released.Load() {
		return nil, &BridgeError{Kind: "no_function", Function: c.name(), Message: c.name() + " was already released"}
	}
	if c.lib.sym.closureCall == nil { // an optional symbol (spec/abi.md)
		return nil, &BridgeError{Kind: "no_function", Function: c.name(),
			Message: c.lib.handshake.Library + " has no ferryman_closure_call, so " + c.name() + " cannot be called"}
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
