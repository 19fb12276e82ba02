package ferryman

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
)

// Call calls the exported function name with args, in order, and returns its
// result as the decoder gives it (see the package doc for the Go types).
// Trailing parameters with a default may be left out.
func (l *Library) Call(name string, args ...any) (any, error) {
	v, _, err := l.call(name, args, reflect.Value{})
	return v, err
}

// CallContext is Call with a context: when ctx is done before an async
// export's future ended, the future is cancelled (the Rust future is
// dropped) and the error is a *CancelledError wrapping ctx's cause; a call
// whose ctx is done already is not made. A sync function, once called, runs
// to its end. A stream it returns is bound to ctx (see Stream).
func (l *Library) CallContext(ctx context.Context, name string, args ...any) (any, error) {
	v, _, err := l.callContext(ctx, name, args, reflect.Value{})
	return v, err
}

// call calls name; a result that decodeInto reads straight into into
// (when valid) answers true, else it is decoded as Call returns it.
func (l *Library) call(name string, args []any, into reflect.Value) (any, bool, error) {
	f := l.function(name)
	if f == nil {
		return nil, false, &BridgeError{Kind: "no_function", Function: name,
			Message: fmt.Sprintf("%s has no function `%s`", l.handshake.Library, name)}
	}
	if f.Async {
		return l.callAsync(nil, f, args, into)
	}
	if len(args) != len(f.Params) { // (checkArity is not inlined)
		if err := checkArity(f, len(args)); err != nil {
			return nil, false, err
		}
	}
	e, err := l.encodeArgs(name, f.Params, args)
	if err != nil {
		return nil, false, err
	}
	r := &e.reply
	if room := l.binRoom(f.ID); room > 0 {
		b, ok := l.callOffering(f, e, room, r)
		runtime.KeepAlive(args)
		if ok {
			r.done()
			e.done()
			return b, false, nil
		}
	} else {
		l.sym.callID(l.sym.call, f.ID, e.bytes(), e.out, e.keep, r)
		runtime.KeepAlive(args) // objects and closures must not be finalized mid-call
		l.sawResult(f.ID, r)
	}
	// decoded's body, written out: calling it costs this path ~20 instructions.
	if into.IsValid() && r.status == 0 && decodeInto(into, r.bytes) {
		r.done()
		e.done()
		return nil, true, nil
	}
	v, err := l.result(name, r)
	e.done()
	return v, false, err
}

// decoded is the outcome of a call that returned with r: read into into
// when decodeInto can, else as Call returns it; e is done with either way.
func (l *Library) decoded(name string, e *encoder, r *reply, into reflect.Value) (any, bool, error) {
	if into.IsValid() && r.status == 0 && decodeInto(into, r.bytes) {
		r.done()
		e.done()
		return nil, true, nil
	}
	v, err := l.result(name, r)
	e.done()
	return v, false, err
}

// callContext is call under ctx.
func (l *Library) callContext(ctx context.Context, name string, args []any, into reflect.Value) (any, bool, error) {
	if ctx.Err() != nil {
		return nil, false, cancelled(ctx, name)
	}
	if f := l.function(name); f != nil && f.Async {
		return l.callAsync(ctx, f, args, into)
	}
	v, direct, err := l.call(name, args, into)
	if s, isStream := v.(*Stream); isStream && ctx.Done() != nil {
		s.bind(ctx, name)
	}
	return v, direct, err
}

// callAsync calls async export f (future.go): through
// ferryman_call_blocking, or under a ctx that can be done through
// ferryman_call, awaiting a pending future. (Apart from call, whose sync
// path then carries none of this; a nil ctx is never done.)
func (l *Library) callAsync(ctx context.Context, f *Function, args []any, into reflect.Value) (any, bool, error) {
	if err := checkArity(f, len(args)); err != nil {
		return nil, false, err
	}
	e, err := l.encodeArgs(f.Name, f.Params, args)
	if err != nil {
		return nil, false, err
	}
	r := &e.reply
	err = l.callFuture(ctx, f, e, r)
	runtime.KeepAlive(args)
	if err != nil {
		return nil, false, err
	}
	return l.decoded(f.Name, e, r, into)
}

// Call calls the exported function name and decodes its result into a T:
// structs through their msgpack tags (else field names), Go ints of every
// width (a value out of range is an error), *big.Int, []byte, slices, maps,
// pointers (nil for None).
func Call[T any](l *Library, name string, args ...any) (T, error) {
	var out T
	v, direct, err := l.call(name, args, reflect.ValueOf(&out).Elem())
	if direct {
		return out, nil
	}
	return into[T](name, v, err)
}

// CallContext is Call[T] with a context, as Library.CallContext.
func CallContext[T any](ctx context.Context, l *Library, name string, args ...any) (T, error) {
	var out T
	v, direct, err := l.callContext(ctx, name, args, reflect.ValueOf(&out).Elem())
	if direct {
		return out, nil
	}
	return into[T](name, v, err)
}

func into[T any](name string, v any, err error) (T, error) {
	var out T
	if err != nil {
		return out, err
	}
	return out, assignResult(name, &out, v)
}

// assignResult stores function name's decoded result v into *dst; a value
// that does not fit is a *DecodeError saying where.
func assignResult(name string, dst any, v any) error {
	if cerr := assign(dst, v, name); cerr != nil {
		var ce *conversionError
		if errors.As(cerr, &ce) {
			return &DecodeError{Function: name, Path: ce.path, Expected: ce.expected, Found: ce.found}
		}
		return cerr
	}
	return nil
}

// function is byName[name], the last answer first: a loop calls one
// function, and comparing its name (often the same string) costs less than
// hashing it.
func (l *Library) function(name string) *Function {
	if f := l.lastCalled.Load(); f != nil && f.Name == name {
		return f
	}
	f := l.byName[name]
	if f != nil {
		l.lastCalled.Store(f)
	}
	return f
}

func checkArity(f *Function, given int) error {
	if given == len(f.Params) {
		return nil
	}
	required, total := f.required(), len(f.Params)
	if given >= required && given <= total {
		return nil
	}
	takes := plural(total, "argument")
	if required != total {
		takes = fmt.Sprintf("%d to %d arguments", required, total)
	}
	return &ArgumentError{
		Kind: "arity", Function: f.Name, Index: -1,
		Expected: takes, Found: plural(given, "argument"),
		Message: fmt.Sprintf("`%s()` takes %s (%s) but was given %s", f.Name, takes, joinNames(f.paramNames()), plural(given, "argument")),
	}
}

// encodeArgs writes the argument array; a Go value with no wire form is an
// *ArgumentError naming the function and the parameter (and its Rust type,
// when params describe it). The encoder's held handles carry the host's own
// reference for the call; its done releases them once the call returned.
func (l *Library) encodeArgs(function string, params []Param, args []any) (*encoder, error) {
	e := pooledEncoder(l)
	_ = e.enc.EncodeArrayLen(len(args))
	for i, a := range args {
		// The commonest arguments without the type switches below: an int,
		// and bytes or int64s too few to be lent (lendArg would decline them).
		if n, isInt := a.(int); isInt {
			_ = e.w.EncodeInt(int64(n))
			continue
		}
		if b, isBytes := a.([]byte); isBytes && len(b) < lendBytesFrom {
			_ = e.w.EncodeBytes(b)
			continue
		}
		if s, isInts := a.([]int64); isInts && len(s) < lendSliceFrom {
			e.w.EncodeInts(s)
			continue
		}
		var p *Param
		if i < len(params) {
			p = &params[i]
		}
		if e.plain(a) || e.lendArg(a, p) || e.scalar(a) {
			continue
		}
		if err := e.other(function, params, i, a); err != nil {
			e.done()
			return nil, err
		}
	}
	return e, nil
}

// other writes argument i when no fast path took it: through reflection,
// or as the *ArgumentError saying why it cannot be sent (kept out of
// encodeArgs's loop, which most calls run through for scalars only).
func (e *encoder) other(function string, params []Param, i int, a any) error {
	if a != nil && i < len(params) && params[i].awaited {
		p := &params[i]
		message := fmt.Sprintf("%s(): parameter `%s` is a ferryman::AsyncCallback, which the Go host "+
			"does not call (Rust would await a host function that answers later); the Python host supports it",
			function, p.Name)
		return &ArgumentError{Kind: "type", Function: function, Param: p.Name, Index: i,
			Expected: p.Rust, Found: fmt.Sprintf("%T", a), Message: message}
	}
	err := e.value(reflect.ValueOf(a), 1)
	if err == nil {
		return nil
	}
	param, expected := fmt.Sprintf("%d", i), ""
	if i < len(params) {
		param, expected = params[i].Name, params[i].Rust
	}
	var nw noWireForm
	if errors.As(err, &nw) {
		kind := nw.kind
		if kind == "" {
			kind = "type"
		}
		return &ArgumentError{Kind: kind, Function: function, Param: param, Index: i, Expected: expected, Found: nw.found,
			Message: argumentMessage(function, param, expected, nw.found)}
	}
	return err
}

// argumentMessage is "`f()` argument `p`: expected T, but found X" (without
// the expected part when the parameter's type is not known).
func argumentMessage(function, param, expected, found string) string {
	if expected == "" {
		return fmt.Sprintf("%s argument `%s`: found %s", callName(function), param, found)
	}
	return fmt.Sprintf("%s argument `%s`: expected %s, but found %s", callName(function), param, expected, found)
}

func callName(function string) string {
	if strings.HasSuffix(function, "'s closure") || function == "a closure" {
		return function
	}
	return "`" + function + "()`"
}

// result turns a reply into a value or an error.
func (l *Library) result(function string, r *reply) (any, error) {
	if r.status != 0 {
		err := l.failure(function, r)
		r.done()
		return nil, err
	}
	// A result of one byte (a small int, nil, a bool: add's, sum's) is
	// read here, as the decoder reads it, without making one.
	if len(r.bytes) == 1 {
		if v, ok := byteValue(r.bytes[0]); ok {
			r.done()
			return v, nil
		}
	}
	v, err := l.decode(function, r.bytes)
	r.done()
	return v, err
}
