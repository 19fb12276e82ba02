package ferryman

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"sync/atomic"
)

// Object is an object of an exported class (extension 5, spec/wire.md
// "Objects"): a handle the host owns. Call its methods with Call; Close it
// to drop the handle (a finalizer closes a forgotten one). Passing it as an
// argument lends it for the call.
type Object struct {
	lib     *Library
	classID uint32
	class   string
	handle  uint64
	closed  atomic.Bool
}

func newObject(lib *Library, classID uint32, handle uint64) *Object {
	class := fmt.Sprintf("class %d", classID)
	if lib != nil && int(classID) < len(lib.description.Classes) {
		class = lib.description.Classes[classID].Name
	}
	o := &Object{lib: lib, classID: classID, class: class, handle: handle}
	runtime.SetFinalizer(o, func(o *Object) { o.Close() })
	return o
}

// Class is the name of the object's class.
func (o *Object) Class() string { return o.class }

// String is what fmt prints: the Rust Display text when the class opts into
// it (`#[ferryman::export(display)]`, the method Class.__str__), else
// "<Counter object>" ("<closed Counter object>" once closed).
func (o *Object) String() string {
	if o.closed.Load() {
		return "<closed " + o.class + " object>"
	}
	if f := o.lib.function(o.class + ".__str__"); f != nil && f.Kind == "method" {
		if v, err := o.lib.Call(f.Name, o); err == nil {
			if text, ok := v.(string); ok {
				runtime.KeepAlive(o)
				return text
			}
		}
	}
	return "<" + o.class + " object>"
}

// Call calls method (Class.method in describe) with the object as self.
// The arguments are the method's after self (an arity error counts only
// them); a constructor or static method is not called through an object.
func (o *Object) Call(method string, args ...any) (any, error) {
	return o.call(nil, method, args)
}

// CallContext is Call with a context, as Library.CallContext: an async
// method's future is cancelled when ctx is done first.
func (o *Object) CallContext(ctx context.Context, method string, args ...any) (any, error) {
	return o.call(ctx, method, args)
}

func (o *Object) call(ctx context.Context, method string, args []any) (any, error) {
	name := o.class + "." + method
	if f := o.lib.function(name); f != nil {
		if err := o.checkMethod(f, len(args)); err != nil {
			return nil, err
		}
	}
	args = append([]any{o}, args...)
	var v any
	var err error
	if ctx == nil {
		v, _, err = o.lib.call(name, args, reflect.Value{})
	} else {
		v, _, err = o.lib.callContext(ctx, name, args, reflect.Value{})
	}
	runtime.KeepAlive(o)
	return v, err
}

// checkMethod refuses a constructor or static method of the class, and a
// count of arguments (after self) the method does not take.
func (o *Object) checkMethod(f *Function, given int) error {
	switch f.Kind {
	case "constructor":
		return &ArgumentError{Kind: "arity", Function: f.Name, Index: -1,
			Message: fmt.Sprintf("`%s()` is %s's constructor, not a method: call lib.New(%q, …)", f.Name, o.class, o.class)}
	case "static":
		return &ArgumentError{Kind: "arity", Function: f.Name, Index: -1,
			Message: fmt.Sprintf("`%s()` is a static method (it takes no self): call lib.Call(%q, …)", f.Name, f.Name)}
	}
	if len(f.Params) == 0 || checkArity(f, given+1) == nil {
		return nil
	}
	return checkArity(&Function{Name: f.Name, Params: f.Params[1:]}, given)
}

// Close releases the handle (ferryman_object_release); the Rust value is
// dropped once no handle and no Rust reference is left. Calling it again
// does nothing.
func (o *Object) Close() error {
	if o.closed.CompareAndSwap(false, true) {
		runtime.SetFinalizer(o, nil)
		if o.lib.sym.objectRelease == nil { // an optional symbol (spec/abi.md)
			return &BridgeError{Kind: "no_function", Function: "ferryman_object_release",
				Message: o.lib.handshake.Library + " has no ferryman_object_release, so a " + o.class + " object cannot be released"}
		}
		if o.lib.sym.releaseObject(o.handle) != 0 {
			return &BridgeError{Kind: "no_function", Message: fmt.Sprintf("%s object %d was not live", o.class, o.handle)}
		}
	}
	return nil
}

// New calls the constructor of class (describe's "constructor").
func (l *Library) New(class string, args ...any) (*Object, error) {
	c := l.classByName[class]
	if c == nil || c.Constructor == nil || int(*c.Constructor) >= len(l.description.Functions) {
		return nil, &BridgeError{Kind: "no_function", Function: class + ".new",
			Message: fmt.Sprintf("%s has no class `%s` with a constructor", l.handshake.Library, class)}
	}
	return Call[*Object](l, l.description.Functions[*c.Constructor].Name, args...)
}

// CallMethod calls method on o and decodes its result into a T, like Call.
func CallMethod[T any](o *Object, method string, args ...any) (T, error) {
	v, err := o.call(nil, method, args)
	return into[T](o.class+"."+method, v, err)
}

// CallMethodContext is CallMethod with a context, as Library.CallContext.
func CallMethodContext[T any](ctx context.Context, o *Object, method string, args ...any) (T, error) {
	v, err := o.call(ctx, method, args)
	return into[T](o.class+"."+method, v, err)
}
