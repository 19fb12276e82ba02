package ferryman

import (
	"math"
	"reflect"
	"unicode/utf8"
	"unsafe"
)

// decodeInto is Call[T]'s fast path: it reads a result straight into dst
// when every value in it has the plain form dst's type takes (numbers,
// strings, bools, byte strings, arrays into slices, maps into structs by
// exact field name, nil). Anything else — an extension, a conversion that
// needs care, an unknown key, a value that does not fit — answers false
// with dst zeroed, and the caller decodes the general way and assigns,
// which also explains every mismatch. So both paths give the same T.
func decodeInto(dst reflect.Value, data []byte) bool {
	r := wireReader{b: data}
	if fastValue(dst, &r, 1) && r.i == len(data) {
		return true
	}
	dst.SetZero()
	return false
}

func fastValue(dst reflect.Value, r *wireReader, depth int) bool {
	if depth > maxDepth || r.i >= len(r.b) {
		return false
	}
	if r.b[r.i] == 0xc0 {
		r.i++
		dst.SetZero()
		return true
	}
	t := dst.Type()
	// The types with forms of their own (looked at by kind first: comparing
	// types costs more than the kind switch).
	switch k := t.Kind(); {
	case k == reflect.Pointer && (t == bigIntType || t == closureType || t == objectType),
		k == reflect.Int64 && t == durationType, k == reflect.Struct && t == timeType:
		return false
	}
	switch t.Kind() {
	case reflect.Bool:
		switch r.b[r.i] {
		case 0xc2, 0xc3:
			dst.SetBool(r.b[r.i] == 0xc3)
			r.i++
			return true
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := fastInt(r)
		if ok && !dst.OverflowInt(n) {
			dst.SetInt(n)
			return true
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, ok := fastInt(r)
		if ok && n >= 0 && !dst.OverflowUint(uint64(n)) {
			dst.SetUint(uint64(n))
			return true
		}
	case reflect.Float64:
		x, ok := fastFloat(r)
		if ok {
			dst.SetFloat(x)
		}
		return ok
	case reflect.String:
		if p, ok := fastStr(r); ok && utf8.Valid(p) {
			dst.SetString(string(p))
			return true
		}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			p, ok := fastBin(r)
			if ok {
				dst.SetBytes(append([]byte{}, p...))
			}
			return ok
		}
		n, ok := fastLen(r, 0x90, 0xdc)
		if !ok || n > r.left() {
			return false
		}
		if done, ok := fastNumbersInto(dst, n, r); done {
			return ok
		}
		s := reflect.MakeSlice(t, n, n)
		for i := 0; i < n; i++ {
			if !fastValue(s.Index(i), r, depth+1) {
				return false
			}
		}
		dst.Set(s)
		return true
	case reflect.Pointer:
		p := reflect.New(t.Elem())
		if !fastValue(p.Elem(), r, depth) {
			return false
		}
		dst.Set(p)
		return true
	case reflect.Struct:
		n, ok := fastLen(r, 0x80, 0xde)
		if !ok || 2*n > r.left() {
			return false
		}
		info := structInfoOf(t)
		for i := 0; i < n; i++ {
			key, ok := fastStr(r)
			if !ok {
				return false
			}
			index, known := info.fieldIndex(key, i)
			if !known || !fastValue(dst.Field(index), r, depth+1) {
				return false
			}
		}
		return true
	}
	return false
}

// fastInt reads an integer that fits int64; false (cursor unmoved) for
// anything else.
func fastInt(r *wireReader) (int64, bool) {
	c := r.b[r.i]
	switch {
	case c <= 0x7f:
		r.i++
		return int64(c), true
	case c >= 0xe0:
		r.i++
		return int64(int8(c)), true
	case c >= 0xcc && c <= 0xcf:
		size := 1 << (c - 0xcc)
		n, ok := fastBig(r, size)
		if !ok || n > math.MaxInt64 {
			return 0, false
		}
		r.i += 1 + size
		return int64(n), true
	case c >= 0xd0 && c <= 0xd3:
		size := 1 << (c - 0xd0)
		n, ok := fastBig(r, size)
		if !ok {
			return 0, false
		}
		r.i += 1 + size
		shift := 64 - 8*size
		return int64(n<<shift) >> shift, true
	}
	return 0, false
}

// fastBig is the big-endian number of size bytes after the marker at r.i.
func fastBig(r *wireReader, size int) (uint64, bool) {
	if r.left() < 1+size {
		return 0, false
	}
	var n uint64
	for _, c := range r.b[r.i+1 : r.i+1+size] {
		n = n<<8 | uint64(c)
	}
	return n, true
}

// fastNumbersInto sets dst, a slice of int64 or float64 (of any name), to
// n numbers read in place rather than element by element through
// reflection, in a slice made as a []int64 or []float64 and stored through
// dst's address (reflect.MakeSlice would allocate its header too): done is
// false for other slices and a dst that cannot be set so, ok whether every
// item was read (dst is unchanged when not).
func fastNumbersInto(dst reflect.Value, n int, r *wireReader) (done, ok bool) {
	if !dst.CanSet() || !dst.CanAddr() {
		return false, false
	}
	switch elem := dst.Type().Elem(); {
	case elem.Kind() == reflect.Int64 && elem != durationType:
		items := make([]int64, n)
		if ok = fastInts(items, r); ok {
			*(*[]int64)(unsafe.Pointer(dst.UnsafeAddr())) = items
		}
	case elem.Kind() == reflect.Float64:
		items := make([]float64, n)
		if ok = fastFloats(items, r); ok {
			*(*[]float64)(unsafe.Pointer(dst.UnsafeAddr())) = items
		}
	default:
		return false, false
	}
	return true, ok
}

// fastInts fills items with ints read in place; false when one is not.
func fastInts(items []int64, r *wireReader) bool {
	var ok bool
	for i := range items {
		if r.i >= len(r.b) {
			return false
		}
		if c := r.b[r.i]; c <= 0x7f { // a fixint, as fastInt reads it, without the call
			items[i] = int64(c)
			r.i++
			continue
		}
		if items[i], ok = fastInt(r); !ok {
			return false
		}
	}
	return true
}

// fastFloats fills items with numbers read in place; false when one is not.
func fastFloats(items []float64, r *wireReader) bool {
	var ok bool
	for i := range items {
		if r.i >= len(r.b) {
			return false
		}
		if items[i], ok = fastFloat(r); !ok {
			return false
		}
	}
	return true
}

func fastFloat(r *wireReader) (float64, bool) {
	switch r.b[r.i] {
	case 0xcb:
		n, ok := fastBig(r, 8)
		if ok {
			r.i += 9
		}
		return math.Float64frombits(n), ok
	case 0xca:
		n, ok := fastBig(r, 4)
		if ok {
			r.i += 5
		}
		return float64(math.Float32frombits(uint32(n))), ok
	}
	n, ok := fastInt(r)
	return float64(n), ok
}

// fastStr is the bytes of a str, in place.
func fastStr(r *wireReader) ([]byte, bool) {
	c := r.b[r.i]
	var n, head int
	switch {
	case c >= 0xa0 && c <= 0xbf:
		n, head = int(c&0x1f), 1
	case c >= 0xd9 && c <= 0xdb:
		size := 1 << (c - 0xd9)
		m, ok := fastBig(r, size)
		if !ok || m > uint64(r.left()) {
			return nil, false
		}
		n, head = int(m), 1+size
	default:
		return nil, false
	}
	if head+n > r.left() {
		return nil, false
	}
	p := r.b[r.i+head : r.i+head+n]
	r.i += head + n
	return p, true
}

// fastBin is the bytes of a bin, in place.
func fastBin(r *wireReader) ([]byte, bool) {
	c := r.b[r.i]
	if c < 0xc4 || c > 0xc6 {
		return nil, false
	}
	size := 1 << (c - 0xc4)
	m, ok := fastBig(r, size)
	if !ok || m > uint64(r.left()) || 1+size+int(m) > r.left() {
		return nil, false
	}
	p := r.b[r.i+1+size : r.i+1+size+int(m)]
	r.i += 1 + size + int(m)
	return p, true
}

// fastLen reads an array or map header: fix is the fix form's marker
// (0x90, 0x80), wide its 16-bit form's (0xdc, 0xde; 32-bit is wide+1).
func fastLen(r *wireReader, fix, wide byte) (int, bool) {
	c := r.b[r.i]
	switch {
	case c >= fix && c <= fix+0x0f:
		r.i++
		return int(c & 0x0f), true
	case c == wide || c == wide+1:
		size := 2 << (c - wide)
		m, ok := fastBig(r, size)
		if !ok || m > uint64(r.left()) {
			return 0, false
		}
		r.i += 1 + size
		return int(m), true
	}
	return 0, false
}
