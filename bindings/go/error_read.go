package ferryman

import (
	"fmt"
)

// Reading an error value (spec/wire.md, "Error values") straight into an
// errorValue: every failed call reads one, and going through the generic
// map and reflection cost several microseconds. Unknown keys are read and
// dropped; every known key may be nil.

// readErrorValue fills ev (the caller's, which stays on its stack: the
// struct is large and only its fields are kept).
func (l *Library) readErrorValue(where string, data []byte, ev *errorValue) error {
	d := decoder{lib: l, r: wireReader{b: data}}
	if err := d.errorValue(ev); err != nil {
		return &ProtocolError{Function: where, Message: "an error value that cannot be read: " + err.Error()}
	}
	if d.r.i != len(data) {
		return &ProtocolError{Function: where, Message: "bytes after the error value"}
	}
	return nil
}

// mapLen reads a map header; ok is false for nil.
func (d *decoder) mapLen() (n int, ok bool, err error) {
	c, err := d.r.byte()
	switch {
	case err != nil:
		return 0, false, err
	case c == 0xc0:
		return 0, false, nil
	case c >= 0x80 && c <= 0x8f:
		return int(c & 0x0f), true, nil
	case c == 0xde || c == 0xdf:
		m, err := d.r.uint(2 << (c - 0xde))
		if err == nil && m > uint64(d.r.left()/2) {
			// Each pair takes at least two bytes: a length beyond what is
			// left is a lie (and the readers below allocate from it).
			return 0, false, fmt.Errorf("a map of %d pairs in %d bytes", m, d.r.left())
		}
		return int(m), true, err
	}
	return 0, false, fmt.Errorf("expected a map, found byte 0x%02x", c)
}

// arrayLen reads an array header; ok is false for nil.
func (d *decoder) arrayLen() (n int, ok bool, err error) {
	c, err := d.r.byte()
	switch {
	case err != nil:
		return 0, false, err
	case c == 0xc0:
		return 0, false, nil
	case c >= 0x90 && c <= 0x9f:
		return int(c & 0x0f), true, nil
	case c == 0xdc || c == 0xdd:
		m, err := d.r.uint(2 << (c - 0xdc))
		if err == nil && m > uint64(d.r.left()) {
			// Each item takes at least one byte: texts, frames and causes
			// make their slices from this length.
			return 0, false, fmt.Errorf("an array of %d items in %d bytes", m, d.r.left())
		}
		return int(m), true, err
	}
	return 0, false, fmt.Errorf("expected an array, found byte 0x%02x", c)
}

// key reads a map key that is a str, in place (a switch on string(key)
// compares without allocating).
func (d *decoder) key() ([]byte, error) {
	// A fixstr, as every key and most names are, read with the cursor in
	// locals (the general reading below stores it back at each step).
	b, i := d.r.b, d.r.i
	if i < len(b) {
		if c := b[i]; c >= 0xa0 && c <= 0xbf {
			if end := i + 1 + int(c&0x1f); end <= len(b) {
				d.r.i = end
				return b[i+1 : end], nil
			}
		}
	}
	return d.keyOther()
}

// keyOther is key for a str that is not a whole fixstr (or not a str).
func (d *decoder) keyOther() ([]byte, error) {
	c, err := d.r.byte()
	switch {
	case err != nil:
		return nil, err
	case c >= 0xa0 && c <= 0xbf:
		return d.r.take(int(c & 0x1f))
	case c >= 0xd9 && c <= 0xdb:
		n, err := d.r.uint(1 << (c - 0xd9))
		if err != nil {
			return nil, err
		}
		return d.r.take(int(n))
	}
	return nil, fmt.Errorf("expected a str key, found byte 0x%02x", c)
}

// text reads a str, or nil as "".
func (d *decoder) text() (string, error) {
	c, err := d.r.byte()
	switch {
	case err != nil:
		return "", err
	case c == 0xc0:
		return "", nil
	case c >= 0xa0 && c <= 0xbf:
		return d.r.str(int(c & 0x1f))
	case c >= 0xd9 && c <= 0xdb:
		n, err := d.r.uint(1 << (c - 0xd9))
		if err != nil {
			return "", err
		}
		return d.r.str(int(n))
	}
	return "", fmt.Errorf("expected a str, found byte 0x%02x", c)
}

// name reads a str that names something (a kind, a type, a function, a
// file), interned; nil is "".
func (d *decoder) name() (string, error) {
	if d.r.i < len(d.r.b) && d.r.b[d.r.i] == 0xc0 {
		d.r.i++
		return "", nil
	}
	b, err := d.key()
	if err != nil {
		return "", err
	}
	if s, ok := internLookup(b); ok {
		return s, nil
	}
	if !validBytes(b) {
		return "", fmt.Errorf("a str that is not UTF-8")
	}
	return intern(b), nil
}

// integer reads an int; ok is false for nil.
func (d *decoder) integer() (n int64, ok bool, err error) {
	// nil and a fixint, what the library writes for an index, a line or a
	// handle, without going through value's any.
	if d.r.i < len(d.r.b) {
		switch c := d.r.b[d.r.i]; {
		case c <= 0x7f:
			d.r.i++
			return int64(c), true, nil
		case c == 0xc0:
			d.r.i++
			return 0, false, nil
		}
	}
	v, err := d.value(maxDepth)
	switch v := v.(type) {
	case nil:
		return 0, false, err
	case int64:
		return v, true, nil
	case uint64:
		return int64(v), true, nil
	}
	return 0, false, fmt.Errorf("expected an int, found %s", describeFound(v))
}

func (d *decoder) errorValue(ev *errorValue) error {
	n, _, err := d.mapLen()
	if err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		key, err := d.key()
		if err != nil {
			return err
		}
		switch string(key) {
		case "kind":
			ev.Kind, err = d.name()
		case "type":
			ev.Type, err = d.name()
		case "rust_type":
			ev.RustType, err = d.name()
		case "message":
			ev.messageStart = d.r.i
			ev.Message, err = d.text()
			ev.messageEnd = d.r.i
		case "function":
			ev.Function, err = d.name()
		case "param":
			ev.Param, err = d.name()
		case "expected":
			ev.Expected, err = d.name()
		case "found":
			ev.Found, err = d.text()
		case "variant":
			ev.Variant, err = d.name()
		case "base":
			ev.Base, err = d.name()
		case "index":
			var v int64
			var ok bool
			if v, ok, err = d.integer(); ok {
				index := int(v)
				ev.Index = &index
			}
		case "host_exception":
			var v int64
			v, _, err = d.integer()
			ev.HostException = uint64(v)
		case "fields":
			var v any
			if v, err = d.value(2); err == nil && v != nil {
				m, isMap := v.(map[string]any)
				if !isMap {
					return fmt.Errorf("fields: expected a map with str keys, found %s", describeFound(v))
				}
				ev.Fields = m
			}
		case "notes":
			ev.Notes, err = d.texts()
		case "os_error":
			ev.OSError, err = d.osError()
		case "frames":
			ev.Frames, err = d.frames(ev)
		case "causes":
			ev.Causes, err = d.causes()
		default:
			_, err = d.value(2)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", string(key), err)
		}
	}
	return nil
}

func (d *decoder) texts() ([]string, error) {
	n, _, err := d.arrayLen()
	if err != nil || n == 0 {
		return nil, err
	}
	out := make([]string, n)
	for i := range out {
		if out[i], err = d.text(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (d *decoder) osError() (*osErrorValue, error) {
	n, ok, err := d.mapLen()
	if err != nil || !ok {
		return nil, err
	}
	o := &osErrorValue{}
	for i := 0; i < n; i++ {
		key, err := d.key()
		if err != nil {
			return nil, err
		}
		switch string(key) {
		case "errno":
			var v int64
			var has bool
			if v, has, err = d.integer(); has {
				errno := int(v)
				o.Errno = &errno
			}
		case "kind":
			o.Kind, err = d.name()
		default:
			_, err = d.value(3)
		}
		if err != nil {
			return nil, err
		}
	}
	return o, nil
}

// frames reads ev's frames: one frame of an error of kind "error" into
// ev.withFrame, made with the RustError it goes to.
func (d *decoder) frames(ev *errorValue) ([]Frame, error) {
	n, _, err := d.arrayLen()
	if err != nil || n == 0 {
		return nil, err
	}
	var out []Frame
	if n == 1 && ev.Kind == "error" {
		ev.withFrame = new(rustErrorFrame)
		out = ev.withFrame.frame[:]
	} else {
		out = make([]Frame, n)
	}
	for i := range out {
		f := &out[i]
		m, _, err := d.mapLen()
		if err != nil {
			return nil, err
		}
		for j := 0; j < m; j++ {
			key, err := d.key()
			if err != nil {
				return nil, err
			}
			var v int64
			switch string(key) {
			case "function":
				f.Function, err = d.name()
			case "file":
				f.File, err = d.name()
			case "language":
				f.Language, err = d.name()
			case "line":
				v, _, err = d.integer()
				f.Line = int(v)
			case "column":
				v, _, err = d.integer()
				f.Column = int(v)
			default:
				_, err = d.value(4)
			}
			if err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func (d *decoder) causes() ([]causeValue, error) {
	n, _, err := d.arrayLen()
	if err != nil || n == 0 {
		return nil, err
	}
	out := make([]causeValue, n)
	for i := range out {
		c := &out[i]
		m, _, err := d.mapLen()
		if err != nil {
			return nil, err
		}
		for j := 0; j < m; j++ {
			key, err := d.key()
			if err != nil {
				return nil, err
			}
			switch string(key) {
			case "type":
				c.Type, err = d.name()
			case "message":
				c.Message, err = d.text()
			case "host_exception":
				var v int64
				v, _, err = d.integer()
				c.HostException = uint64(v)
			case "os_error":
				c.OSError, err = d.osError()
			default:
				_, err = d.value(4)
			}
			if err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}
