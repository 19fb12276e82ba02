package ferryman

import (
	"math"
)

// Result is a typed call's result being read (typed_call.go): each method
// reads the next value when it has the form asked for and answers false,
// the cursor unmoved, when not. A reader that met a false, an unknown key
// or bytes left over (End) hands the whole result to Decode, which reads it
// the general way and explains any mismatch as Call[T] does. Done (or
// Decode) gives the call's buffers back; the Result is not used after it.
type Result struct {
	e   *encoder
	fn  *Fn
	r   wireReader
	bin []byte // a large bin the library wrote into Go memory (bin_result.go)
}

// at reports whether a value starts at the cursor.
func (r *Result) at() bool { return r.r.i < len(r.r.b) }

// Nil reads nil, and reports whether it was there.
func (r *Result) Nil() bool {
	if r.at() && r.r.b[r.r.i] == 0xc0 {
		r.r.i++
		return true
	}
	return false
}

// Bool reads a bool.
func (r *Result) Bool() (bool, bool) {
	if r.at() {
		switch c := r.r.b[r.r.i]; c {
		case 0xc2, 0xc3:
			r.r.i++
			return c == 0xc3, true
		}
	}
	return false, false
}

// Int reads an integer that fits an int64.
func (r *Result) Int() (int64, bool) {
	if !r.at() {
		return 0, false
	}
	return fastInt(&r.r)
}

// Uint reads a non-negative integer that fits a uint64.
func (r *Result) Uint() (uint64, bool) {
	if !r.at() {
		return 0, false
	}
	if c := r.r.b[r.r.i]; c == 0xcf {
		n, ok := fastBig(&r.r, 8)
		if ok {
			r.r.i += 9
		}
		return n, ok
	}
	start := r.r.i
	n, ok := fastInt(&r.r)
	if !ok || n < 0 {
		r.r.i = start
		return 0, false
	}
	return uint64(n), true
}

// IntIn reads an integer in [lo, hi] (an i8, i16 or i32 result).
func (r *Result) IntIn(lo, hi int64) (int64, bool) {
	start := r.r.i
	n, ok := r.Int()
	if !ok || n < lo || n > hi {
		r.r.i = start
		return 0, false
	}
	return n, true
}

// UintTo reads an integer in [0, hi] (a u8, u16 or u32 result).
func (r *Result) UintTo(hi uint64) (uint64, bool) {
	start := r.r.i
	n, ok := r.Uint()
	if !ok || n > hi {
		r.r.i = start
		return 0, false
	}
	return n, true
}

// Float64 reads a float (or an integer, as an f64).
func (r *Result) Float64() (float64, bool) {
	if !r.at() {
		return 0, false
	}
	return fastFloat(&r.r)
}

// Float32 reads an f32 (an f64 that an f32 holds exactly, or an integer).
func (r *Result) Float32() (float32, bool) {
	start := r.r.i
	x, ok := r.Float64()
	if !ok || (float64(float32(x)) != x && !math.IsNaN(x)) {
		r.r.i = start
		return 0, false
	}
	return float32(x), true
}

// Str reads a str into a new string.
func (r *Result) Str() (string, bool) {
	p, ok := r.Key()
	if !ok || !validBytes(p) {
		return "", false
	}
	return string(p), true
}

// Key reads a str in place, valid until Done: a struct's field name, which
// the reader compares (switch string(k) makes no string).
func (r *Result) Key() ([]byte, bool) {
	if !r.at() {
		return nil, false
	}
	return fastStr(&r.r)
}

// Bytes reads a bin into a new []byte.
func (r *Result) Bytes() ([]byte, bool) {
	if r.bin != nil && r.r.i == 0 {
		r.r.i = len(r.r.b) // the whole result, already in Go memory of its own
		return r.bin, true
	}
	if !r.at() {
		return nil, false
	}
	p, ok := fastBin(&r.r)
	if !ok {
		return nil, false
	}
	return append([]byte{}, p...), true
}

// ArrayLen reads an array's header.
func (r *Result) ArrayLen() (int, bool) {
	if !r.at() {
		return 0, false
	}
	n, ok := fastLen(&r.r, 0x90, 0xdc)
	return n, ok && n <= r.r.left()
}

// MapLen reads a map's header.
func (r *Result) MapLen() (int, bool) {
	if !r.at() {
		return 0, false
	}
	n, ok := fastLen(&r.r, 0x80, 0xde)
	return n, ok && 2*n <= r.r.left()
}

// Ints reads an array of integers into a new []int64.
func (r *Result) Ints() ([]int64, bool) {
	n, ok := r.ArrayLen()
	if !ok {
		return nil, false
	}
	items := make([]int64, n)
	return items, fastInts(items, &r.r)
}

// Floats reads an array of numbers into a new []float64.
func (r *Result) Floats() ([]float64, bool) {
	n, ok := r.ArrayLen()
	if !ok {
		return nil, false
	}
	items := make([]float64, n)
	return items, fastFloats(items, &r.r)
}

// Value reads the next value the general way into *dst, converted as
// Call[T] converts a result: for the types the other readers do not take
// (a time.Duration, a time.Time, a *big.Int). false, the cursor unmoved,
// when it is not one.
func (r *Result) Value(dst any) bool {
	if !r.at() {
		return false
	}
	d := decoder{lib: r.fn.l, r: r.r, where: r.fn.f.Name}
	v, err := d.value(1) // (a time or an int: not nested; the limit still holds below)
	if err != nil || assignResult(r.fn.f.Name, dst, v) != nil {
		return false
	}
	r.r = d.r
	return true
}

// End reports whether the whole result was read.
func (r *Result) End() bool { return r.r.i == len(r.r.b) }

// Done gives the call's buffers back.
func (r *Result) Done() {
	e := r.e
	r.e, r.fn, r.r.b, r.bin = nil, nil, nil, nil // (field by field, as Args.call fills it)
	if e == nil {
		return // a Small call's: nothing held
	}
	e.reply.done()
	e.done()
}

// Decode reads the whole result the general way into *dst (as Call[T]
// does), for a reader that did not take it; a value that does not fit is a
// *DecodeError saying where. It gives the call's buffers back.
func (r *Result) Decode(dst any) error {
	name := r.fn.f.Name
	var v any
	var err error
	if r.bin != nil {
		v = r.bin
	} else {
		v, err = r.fn.l.decode(name, r.r.b)
	}
	r.Done()
	if err != nil {
		return err
	}
	return assignResult(name, dst, v)
}
