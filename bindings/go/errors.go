package ferryman

import (
	"fmt"
	"io"
	"io/fs"
	"strings"
	"syscall"
)

// Frame is one place in a traceback (spec/wire.md, "Error values"): Rust
// frames from the library, Go frames of a callback. Line and Column are
// 1-based, 0 when unknown.
type Frame struct {
	Function string `msgpack:"function"`
	File     string `msgpack:"file"`
	Line     int    `msgpack:"line"`
	Column   int    `msgpack:"column"`
	Language string `msgpack:"language"`
}

func (f Frame) String() string {
	loc := f.File
	if f.Line > 0 {
		loc = fmt.Sprintf("%s:%d", loc, f.Line)
		if f.Column > 0 {
			loc = fmt.Sprintf("%s:%d", loc, f.Column)
		}
	}
	return fmt.Sprintf("%s (%s) [%s]", f.Function, loc, f.Language)
}

// OSError is an std::io::Error's errno (0 when it did not come from the OS)
// and kind in snake case (not_found, permission_denied, ...).
type OSError struct {
	Errno int
	Kind  string
}

// formatError implements %v, %s (the message) and %+v (the message, then
// the causes and the frames, outermost first) for every error of this package.
func formatError(s fmt.State, verb rune, err error, frames []Frame, cause error) {
	if verb != 'v' || !s.Flag('+') {
		// %v, %s, %q, %x… of the message, as for an error without Format.
		_, _ = fmt.Fprintf(s, fmt.FormatString(s, verb), err.Error())
		return
	}
	_, _ = io.WriteString(s, err.Error())
	for _, f := range frames {
		_, _ = io.WriteString(s, "\n    at "+f.String())
	}
	if cause != nil {
		_, _ = fmt.Fprintf(s, "\ncaused by: %+v", cause)
	}
}

// RustError is a Rust Err the function returned (error value kind "error").
// Type is the Rust type's short name, RustType the full path; Variant and
// Fields are set when the error type is a serde enum or struct. Cause is the
// next link of the Rust source() chain (a *RustError, or the Go error a
// callback returned), so errors.Is and errors.As walk the whole chain.
type RustError struct {
	Type     string
	RustType string
	Message  string
	Function string
	Variant  string
	Fields   map[string]any
	Base     string
	OSError  *OSError
	Notes    []string
	Frames   []Frame
	Cause    error
}

func (e *RustError) Error() string {
	if e.Type == "" {
		return e.Message
	}
	return e.Type + ": " + e.Message
}

func (e *RustError) Unwrap() error { return e.Cause }

// Is makes an std::io::Error match Go's own: errors.Is(err, fs.ErrNotExist)
// (not_found), fs.ErrPermission (permission_denied), fs.ErrExist
// (already_exists), and its errno as a syscall.Errno.
func (e *RustError) Is(target error) bool {
	if e.OSError == nil {
		return false
	}
	if errno, ok := target.(syscall.Errno); ok {
		return e.OSError.Errno != 0 && syscall.Errno(e.OSError.Errno) == errno
	}
	switch target {
	case fs.ErrNotExist:
		return e.OSError.Kind == "not_found"
	case fs.ErrPermission:
		return e.OSError.Kind == "permission_denied"
	case fs.ErrExist:
		return e.OSError.Kind == "already_exists"
	}
	return false
}

func (e *RustError) Format(s fmt.State, verb rune) { formatError(s, verb, e, e.Frames, e.Cause) }

// RustPanic is a Rust panic (kind "panic"). The last frame is where it
// panicked. Cause is the callback's error Rust was handling when it panicked.
type RustPanic struct {
	Message  string
	Function string
	Frames   []Frame
	Cause    error
}

func (e *RustPanic) Error() string { return "rust panic: " + e.Message }

func (e *RustPanic) Unwrap() error { return e.Cause }

func (e *RustPanic) Format(s fmt.State, verb rune) { formatError(s, verb, e, e.Frames, e.Cause) }

// Location is the frame where the panic happened (the zero Frame when the
// library sent none).
func (e *RustPanic) Location() Frame {
	if len(e.Frames) == 0 {
		return Frame{}
	}
	return e.Frames[len(e.Frames)-1]
}

// ArgumentError is a bad argument or a wrong number of them, found by the
// library (kinds "arity", "type", "overflow") or by this package before the
// call (arity, a Go value with no wire form). Param and Index name the
// parameter when one is at fault (Index is -1 otherwise).
type ArgumentError struct {
	Kind     string
	Function string
	Param    string
	Index    int
	Expected string
	Found    string
	Message  string
	Frames   []Frame
}

func (e *ArgumentError) Error() string { return e.Message }

func (e *ArgumentError) Format(s fmt.State, verb rune) { formatError(s, verb, e, e.Frames, nil) }

// BorrowError is a &mut self method that could not have its object to
// itself (kind "borrow", spec/wire.md "The guard").
type BorrowError struct {
	Function string
	Message  string
	Frames   []Frame
}

func (e *BorrowError) Error() string { return e.Message }

func (e *BorrowError) Format(s fmt.State, verb rune) { formatError(s, verb, e, e.Frames, nil) }

// CallbackError is a Go callback's failure coming back out of a Rust call
// (kind "host"). Err is the error the callback returned (or its recovered
// panic as an error), so errors.Is/As find it; nil only when the library
// could not hand the handle back. Frames are the Rust frames, then the
// callback's.
type CallbackError struct {
	Type     string
	Message  string
	Function string
	Frames   []Frame
	Err      error
}

func (e *CallbackError) Error() string { return "callback failed: " + e.Message }

func (e *CallbackError) Unwrap() error { return e.Err }

func (e *CallbackError) Format(s fmt.State, verb rune) { formatError(s, verb, e, e.Frames, nil) }

// ProtocolError is bytes that are not the wire format (kind "malformed", or
// a reply this package cannot read): a bug in a host or library rather than
// in the caller's values.
type ProtocolError struct {
	Function string
	Message  string
	Frames   []Frame
}

func (e *ProtocolError) Error() string { return "ferryman protocol error: " + e.Message }

func (e *ProtocolError) Format(s fmt.State, verb rune) { formatError(s, verb, e, e.Frames, nil) }

// CancelledError is a call given up on because its context was done before
// it ended: the Rust future was cancelled (dropped), or, for a call not yet
// made, the call was not made. Err is ctx.Err() (context.Canceled or
// context.DeadlineExceeded) and Cause is context.Cause(ctx); errors.Is
// finds either.
type CancelledError struct {
	Function string
	Err      error
	Cause    error
}

func (e *CancelledError) Error() string {
	if e.Cause != nil && e.Cause != e.Err {
		return fmt.Sprintf("`%s()` was cancelled: %v (%v)", e.Function, e.Err, e.Cause)
	}
	return fmt.Sprintf("`%s()` was cancelled: %v", e.Function, e.Err)
}

func (e *CancelledError) Unwrap() []error { return []error{e.Err, e.Cause} }

// BridgeError is a failure of the bridge itself: an unknown function (Kind
// "no_function"), an internal error, a status or kind this host does not
// know, a released closure or closed object.
type BridgeError struct {
	Kind     string
	Function string
	Message  string
	Frames   []Frame
}

func (e *BridgeError) Error() string { return e.Message }

func (e *BridgeError) Format(s fmt.State, verb rune) { formatError(s, verb, e, e.Frames, nil) }

// LoadError is a library that could not be loaded or was refused (not a
// ferryman library, another ABI or wire version, duplicate function names).
type LoadError struct {
	Path    string
	Message string
}

func (e *LoadError) Error() string { return "cannot load " + e.Path + ": " + e.Message }

// DecodeError is a result that does not fit the Go type Call[T] was asked for.
type DecodeError struct {
	Function string
	Path     string
	Expected string
	Found    string
}

func (e *DecodeError) Error() string {
	where := ""
	if e.Path != "" {
		where = " at " + e.Path
	}
	return fmt.Sprintf("%s result%s: expected %s, but found %s", callName(e.Function), where, e.Expected, e.Found)
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func joinNames(names []string) string { return strings.Join(names, ", ") }
