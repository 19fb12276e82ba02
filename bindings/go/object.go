package ferryman

import (
	"fmt"
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

// Call calls method (Class.method in describe) with the object as self.
func (o *Object) Call(method string, args ...any) (any, error) {
	v, err := o.lib.Call(o.class+"."+method, append([]any{o}, args...)...)
	runtime.KeepAlive(o)
	return v, err
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
	v, err := o.Call(method, args...)
	return into[T](o.class+"."+method, v, err)
}
