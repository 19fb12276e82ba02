package ferryman

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
)

// GoPanic is a panic inside a Go callback, recovered before it could reach
// Rust; it comes back out of the Rust call inside a *CallbackError.
type GoPanic struct {
	Value any
	Stack []byte
}

func (p *GoPanic) Error() string { return fmt.Sprintf("panic in a Go callback: %v", p.Value) }

// Unwrap is the value the callback panicked with, when it is an error
// (panic(io.EOF): errors.Is(err, io.EOF) holds).
func (p *GoPanic) Unwrap() error {
	err, _ := p.Value.(error)
	return err
}

// invoke runs host object handle with the MessagePack argument array args,
// and returns the box to hand back (a result, or an error value), what that
// box keeps alive, and the status.
func invoke(lib *Library, handle uint64, args []byte) (body []byte, hold boxHold, status int32) {
	var fn reflect.Value
	calling := false
	defer func() {
		if r := recover(); r != nil {
			body, hold, status = errorBody(lib, &GoPanic{Value: r, Stack: debug.Stack()}, fn), boxHold{}, 1
		} else if calling {
			goexitInCallback(fn)
		}
	}()
	if lib == nil {
		return internalBody("the callback came from a library this host does not know"), boxHold{}, 1
	}
	target, ok := hostGet(handle)
	if !ok {
		return internalBody(fmt.Sprintf("host object %d is not live", handle)), boxHold{}, 1
	}
	fn = reflect.ValueOf(target)
	if fn.Kind() != reflect.Func {
		return internalBody(fmt.Sprintf("host object %d (%T) is not callable", handle, target)), boxHold{}, 1
	}
	raw, err := lib.decodeArgs("a callback's arguments", args)
	if err != nil {
		return errorBody(lib, err, fn), boxHold{}, 1
	}
	items, _ := raw.([]any)
	in, err := callbackArgs(fn, items)
	if err != nil {
		return errorBody(lib, err, fn), boxHold{}, 1
	}
	calling = true
	results := fn.Call(in)
	calling = false
	var value any
	if n := len(results); n > 0 && fn.Type().Out(n-1) == errorType {
		if e, _ := results[n-1].Interface().(error); e != nil {
			return errorBody(lib, e, fn), boxHold{}, 1
		}
		results = results[:n-1]
	}
	if len(results) > 0 {
		value = results[0].Interface()
	}
	e := newEncoder(lib)
	if err := e.value(reflect.ValueOf(value), 1); err != nil {
		hostReleaseAll(e.held)
		kind := "type"
		if nw, ok := err.(noWireForm); ok && nw.kind != "" {
			kind = nw.kind
		}
		return errorBody(lib, &ArgumentError{Kind: kind, Index: -1, Found: err.Error(),
			Message: "a Go callback returned " + err.Error()}, fn), boxHold{}, 1
	}
	hold = boxHold{handles: e.held}
	if e.handles {
		hold.value = value
	}
	return e.bytes(), hold, 0
}

// goexitInCallback is a callback that called runtime.Goexit (t.Fatal,
// t.FailNow), which no defer can stop: the Rust call that called it never
// returns (its frames are abandoned, not unwound, so what it holds stays
// held) and, on a thread Rust started, Go stops the process. Saying why is
// all that is left to do.
func goexitInCallback(fn reflect.Value) {
	name := "a Go callback"
	if f := runtime.FuncForPC(fn.Pointer()); f != nil {
		name = "the Go callback " + f.Name()
	}
	fmt.Fprintf(os.Stderr, "ferryman: %s called runtime.Goexit (t.Fatal, t.FailNow?), which cannot cross the Rust call "+
		"that called it: that call is abandoned; report a failure by returning an error instead\n", name)
}

// callbackArgs converts the decoded arguments to fn's parameter types.
func callbackArgs(fn reflect.Value, items []any) ([]reflect.Value, error) {
	t := fn.Type()
	fixed := t.NumIn()
	if t.IsVariadic() {
		fixed--
	}
	if len(items) < fixed || (!t.IsVariadic() && len(items) > fixed) {
		return nil, &ArgumentError{Kind: "arity", Index: -1,
			Message: fmt.Sprintf("a Go callback %s takes %s but was given %s", t, plural(fixed, "argument"), plural(len(items), "argument"))}
	}
	in := make([]reflect.Value, len(items))
	for i, item := range items {
		pt := anyType
		if i < fixed {
			pt = t.In(i)
		} else {
			pt = t.In(fixed).Elem()
		}
		v := reflect.New(pt).Elem()
		if err := assignValue(v, item, ""); err != nil {
			return nil, &ArgumentError{Kind: "type", Index: i,
				Message: fmt.Sprintf("a Go callback %s argument %d: %v", t, i, err)}
		}
		in[i] = v
	}
	return in, nil
}

// errorBody is the error value of a failed callback (kind "host"): the
// error itself stays in the host table, its handle going to Rust with one
// reference, so the same error comes back out of the Rust call.
func errorBody(lib *Library, err error, fn reflect.Value) []byte {
	typeName := fmt.Sprintf("%T", err)
	var gp *GoPanic
	if errors.As(err, &gp) {
		typeName = "GoPanic"
	}
	// A Go error's text may be any bytes; a str must be UTF-8.
	message := strings.ToValidUTF8(err.Error(), "\uFFFD")
	ev := map[string]any{"kind": "host", "type": typeName, "message": message, "host_exception": hostNew(err)}
	// The callback's own frame; "frames" is left out rather than nil
	// without one (spec/callbacks.md: nil is not an empty array).
	if fn.IsValid() {
		if f := runtime.FuncForPC(fn.Pointer()); f != nil {
			file, line := f.FileLine(f.Entry())
			ev["frames"] = []any{map[string]any{"function": f.Name(), "file": file, "line": line, "column": 0, "language": "go"}}
		}
	}
	e := newEncoder(lib)
	if e.value(reflect.ValueOf(ev), 1) != nil {
		return internalBody(message)
	}
	return e.bytes()
}

func internalBody(message string) []byte {
	e := newEncoder(nil)
	message = strings.ToValidUTF8(message, "\uFFFD")
	_ = e.value(reflect.ValueOf(map[string]any{"kind": "internal", "type": "BridgeError", "message": message}), 1)
	return e.bytes()
}
