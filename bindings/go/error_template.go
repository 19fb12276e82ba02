package ferryman

import (
	"bytes"
	"hash/maphash"
	"slices"
	"sync/atomic"
)

// Error templates. A library returns the same error from the same place
// again and again (a lookup that finds nothing, a parse that fails), and
// such error values differ at most in their message. Reading one key by key
// costs ~4,500 instructions; so each library keeps the last error values it
// read, decoded, by their bytes before and after the message, and a new
// value whose bytes around its message are the same takes the decoded parts
// and reads only its message.
//
// Only an error value whose every part can be shared is kept: kind "error",
// no host exception handle (each must be resolved once), fields nil or
// empty. A value with fields (a serde error with data) is read whole.

// errorTemplateSlots is how many shapes a library keeps: each in one of two
// slots chosen by a hash of the bytes after its message, so that errors
// alternating in a loop do not keep replacing each other.
const errorTemplateSlots = 8

type errorTemplates struct {
	last  atomic.Pointer[errorTemplate] // the one used last, tried first
	slots [errorTemplateSlots]atomic.Pointer[errorTemplate]
}

type errorTemplate struct {
	head, tail []byte     // the bytes before the message's value and after it
	ev         errorValue // read from them; Message empty. Never handed out: copied
	fields     bool       // the value's fields were {} (each error gets its own map)
}

var templateSeed = maphash.MakeSeed()

// slots are where a value with these bytes after its message may be kept.
func (t *errorTemplates) candidates(tail []byte) (*atomic.Pointer[errorTemplate], *atomic.Pointer[errorTemplate]) {
	i := maphash.Bytes(templateSeed, tail) % errorTemplateSlots
	return &t.slots[i], &t.slots[i^1]
}

// find is the template of data's shape (its message ends at end), or nil.
func (t *errorTemplates) find(data []byte, end int) (*errorTemplate, int) {
	a, b := t.candidates(data[end:])
	for _, slot := range [2]*atomic.Pointer[errorTemplate]{a, b} {
		if k := slot.Load(); k != nil {
			if end := k.messageEnd(data); end != 0 {
				return k, end
			}
		}
	}
	return nil, 0
}

// keep keeps k in an empty slot of its two, else in the first.
func (t *errorTemplates) keep(k *errorTemplate) {
	a, b := t.candidates(k.tail)
	if a.Load() != nil && b.Load() == nil {
		a = b
	}
	a.Store(k)
	t.last.Store(k)
}

// messageEnd is where the message's value ends when data is of t's shape
// (its bytes around the message are t's), or 0.
func (t *errorTemplate) messageEnd(data []byte) int {
	if len(data) < len(t.head)+1+len(t.tail) || !bytes.Equal(t.head, data[:len(t.head)]) {
		return 0
	}
	d := decoder{r: wireReader{b: data, i: len(t.head)}}
	if _, err := d.strOrNil(); err != nil || !bytes.Equal(t.tail, data[d.r.i:]) {
		return 0
	}
	return d.r.i
}

// messageAt is where the message's value (a str or nil) lies in data, an
// error value whose keys before "message" have str or nil values (as the
// library writes kind, type and rust_type); ok is false otherwise.
func messageAt(data []byte) (start, end int, ok bool) {
	d := decoder{r: wireReader{b: data}}
	n, _, err := d.mapLen()
	if err != nil {
		return 0, 0, false
	}
	for i := 0; i < n; i++ {
		key, err := d.key()
		if err != nil {
			return 0, 0, false
		}
		isMessage := string(key) == "message"
		at := d.r.i
		if _, err := d.strOrNil(); err != nil {
			return 0, 0, false
		}
		if isMessage {
			return at, d.r.i, true
		}
	}
	return 0, 0, false
}

// strOrNil reads a str or nil in place (nil: nil).
func (d *decoder) strOrNil() ([]byte, error) {
	if d.r.i < len(d.r.b) && d.r.b[d.r.i] == 0xc0 {
		d.r.i++
		return nil, nil
	}
	return d.key()
}

// fromTemplate fills ev from a kept template when data is one of its
// shape: the bytes around the message are the template's. False: read data
// whole (readErrorValue), then keepTemplate.
func (l *Library) fromTemplate(data []byte, ev *errorValue) bool {
	t := l.errTemplates.last.Load()
	end := 0
	if t != nil {
		end = t.messageEnd(data)
	}
	if end == 0 {
		_, stop, ok := messageAt(data)
		if !ok {
			return false
		}
		if t, end = l.errTemplates.find(data, stop); t == nil {
			return false
		}
		l.errTemplates.last.Store(t)
	}
	d := decoder{r: wireReader{b: data[:end], i: len(t.head)}}
	message, err := d.text()
	if err != nil {
		return false // read whole, which says what is wrong
	}
	*ev = t.ev
	ev.Message = message
	// What the error hands out is its own: a caller may change it.
	if t.fields {
		ev.Fields = map[string]any{}
	}
	ev.Notes = slices.Clone(t.ev.Notes)
	if len(t.ev.Frames) == 1 {
		ev.withFrame = new(rustErrorFrame)
		ev.withFrame.frame[0] = t.ev.Frames[0]
		ev.Frames = ev.withFrame.frame[:]
	} else {
		ev.Frames = slices.Clone(t.ev.Frames)
	}
	return true
}

// keepTemplate keeps ev, just read whole from data, as the template of its
// shape, when every part of it can be shared.
func (l *Library) keepTemplate(data []byte, ev *errorValue) {
	if ev.Kind != "error" || ev.HostException != 0 || len(ev.Fields) != 0 {
		return
	}
	for _, c := range ev.Causes {
		if c.HostException != 0 {
			return
		}
	}
	start, end, ok := messageAt(data)
	// The message the whole read kept must be the one messageAt finds (a
	// value with two "message" keys keeps the last).
	if !ok || start != ev.messageStart || end != ev.messageEnd {
		return
	}
	kept := slices.Clone(data)
	t := &errorTemplate{head: kept[:start], tail: kept[end:], ev: *ev, fields: ev.Fields != nil}
	t.ev.Message, t.ev.Fields, t.ev.withFrame = "", nil, nil
	t.ev.Notes = slices.Clone(ev.Notes)
	t.ev.Frames = slices.Clone(ev.Frames)
	l.errTemplates.keep(t)
}
