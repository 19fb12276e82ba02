package ferryman

import (
	"fmt"
)

// errorValue is the error value of spec/wire.md, "Error values". Every key
// may be missing or nil (a reader takes them as empty).
type errorValue struct {
	Kind          string         `msgpack:"kind"`
	Type          string         `msgpack:"type"`
	RustType      string         `msgpack:"rust_type"`
	Message       string         `msgpack:"message"`
	Function      string         `msgpack:"function"`
	Param         string         `msgpack:"param"`
	Index         *int           `msgpack:"index"`
	Expected      string         `msgpack:"expected"`
	Found         string         `msgpack:"found"`
	Variant       string         `msgpack:"variant"`
	Fields        map[string]any `msgpack:"fields"`
	Base          string         `msgpack:"base"`
	OSError       *osErrorValue  `msgpack:"os_error"`
	Causes        []causeValue   `msgpack:"causes"`
	Notes         []string       `msgpack:"notes"`
	Frames        []Frame        `msgpack:"frames"`
	HostException uint64         `msgpack:"host_exception"`

	withFrame *rustErrorFrame // Frames' one item lives here (readErrorValue's frames)

	messageStart, messageEnd int // where the message's value lay (error_template.go)
}

// rustErrorFrame is a RustError and its one frame, made at once: a
// returned error usually carries one frame, and the library writes the
// kind before the frames, so the reader knows to make both in one
// allocation instead of two.
type rustErrorFrame struct {
	err   RustError
	frame [1]Frame
}

type osErrorValue struct {
	Errno *int   `msgpack:"errno"`
	Kind  string `msgpack:"kind"`
}

type causeValue struct {
	Type          string        `msgpack:"type"`
	Message       string        `msgpack:"message"`
	HostException uint64        `msgpack:"host_exception"`
	OSError       *osErrorValue `msgpack:"os_error"`
}

func (o *osErrorValue) toOSError() *OSError {
	if o == nil {
		return nil
	}
	e := &OSError{Kind: o.Kind}
	if o.Errno != nil {
		e.Errno = *o.Errno
	}
	return e
}

// failure turns a non-zero status and its out bytes into the Go error the
// error value's kind names (spec/abi.md, "Status and kind").
func (l *Library) failure(function string, r *reply) error {
	if r.status == -1 {
		return &BridgeError{Kind: "internal", Function: function, Message: fmt.Sprintf("`%s()`: the library was handed a NULL pointer (status -1)", function)}
	}
	var ev errorValue
	if !l.fromTemplate(r.bytes, &ev) {
		if err := l.readErrorValue(function, r.bytes, &ev); err != nil {
			return err
		}
		l.keepTemplate(r.bytes, &ev)
	}
	return ev.toError(r.status)
}

// hostError resolves an exception handle: the Go error a callback returned,
// with the reference the library handed over dropped.
func hostError(handle uint64) error {
	if handle == 0 {
		return nil
	}
	v, ok := hostTake(handle)
	if !ok {
		return nil
	}
	err, _ := v.(error)
	return err
}

func (ev *errorValue) toError(status int32) error {
	own := hostError(ev.HostException)
	// Resolve every cause's handle, so each reference is released once.
	var cause error
	for i := len(ev.Causes) - 1; i >= 0; i-- {
		c := ev.Causes[i]
		if h := hostError(c.HostException); h != nil {
			cause = h
			continue
		}
		cause = &RustError{Type: c.Type, Message: c.Message, OSError: c.OSError.toOSError(), Cause: cause}
	}
	index := -1
	if ev.Index != nil {
		index = *ev.Index
	}
	switch ev.Kind {
	case "error":
		var e *RustError
		if w := ev.withFrame; w != nil && len(ev.Frames) == 1 && &ev.Frames[0] == &w.frame[0] {
			e = &w.err
		} else {
			e = new(RustError)
		}
		*e = RustError{
			Type: ev.Type, RustType: ev.RustType, Message: ev.Message, Function: ev.Function,
			Variant: ev.Variant, Fields: ev.Fields, Base: ev.Base, OSError: ev.OSError.toOSError(),
			Notes: ev.Notes, Frames: ev.Frames, Cause: cause,
		}
		return e
	case "panic":
		return &RustPanic{Message: ev.Message, Function: ev.Function, Frames: ev.Frames, Cause: own}
	case "arity", "type", "overflow":
		return &ArgumentError{Kind: ev.Kind, Function: ev.Function, Param: ev.Param, Index: index,
			Expected: ev.Expected, Found: ev.Found, Message: ev.Message, Frames: ev.Frames}
	case "borrow":
		return &BorrowError{Function: ev.Function, Message: ev.Message, Frames: ev.Frames}
	case "malformed":
		return &ProtocolError{Function: ev.Function, Message: ev.Message, Frames: ev.Frames}
	case "host":
		return &CallbackError{Type: ev.Type, Message: ev.Message, Function: ev.Function, Frames: ev.Frames, Err: own}
	case "no_function", "internal":
		return &BridgeError{Kind: ev.Kind, Function: ev.Function, Message: ev.Message, Frames: ev.Frames}
	}
	msg := ev.Message
	if msg == "" {
		msg = fmt.Sprintf("the call failed with status %d and kind %q", status, ev.Kind)
	}
	return &BridgeError{Kind: ev.Kind, Function: ev.Function, Message: msg, Frames: ev.Frames}
}
