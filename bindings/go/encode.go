package ferryman

import (
	"encoding/binary"
	"fmt"
	"math/big"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
	"unsafe"
)

// encoder writes Go values as one MessagePack argument array (spec/wire.md,
// "Arguments"). Go funcs become host objects (extension 1): each gets a new
// handle whose first reference is the host's own for the call, listed in
// held and dropped when the call returns (or, for a callback's result, when
// the library frees the box).
type encoder struct {
	lib  *Library
	w    wireWriter
	enc  *wireWriter // &w
	held []uint64
	// handles: a closure or object was written, whose Go value must stay
	// reachable (its finalizer releases the handle) until Rust has read it.
	handles bool
	keep    unsafe.Pointer // the first memory lent for the call (lent.go), kept by cgo
	pins    runtime.Pinner // memory lent for the call beyond keep
	pinned  bool
	out     *outBuffer // the call's out buffer (pooled encoders only)
	reply   reply      // the call's reply, filled in place (a reply returned by
	// value is copied field by field, which costs more than the call's encoding)

	// A typed call's (typed_call.go): the parameter being written, and the
	// first value that cannot be sent (a string that is not UTF-8), its
	// parameter and its kind ("type", or "overflow" for an integer).
	param, faultParam int
	fault, faultKind  string
	objects           []*Object // sent by Args.Object: kept reachable (no finalizer releases them) until done
	result            Result    // the typed call's result (Args.Call)
}

func newEncoder(lib *Library) *encoder {
	e := &encoder{lib: lib}
	e.enc = &e.w
	return e
}

// bytes is what the encoder wrote.
func (e *encoder) bytes() []byte { return e.w.b }

// encoders are the argument encoders of calls, reused (their buffers with them).
var encoders = sync.Pool{New: func() any {
	e := &encoder{out: newOutBuffer()}
	e.enc = &e.w
	e.w.b = e.out.argsSpace()
	return e
}}

// spare is one encoder kept beside the pool: a goroutine calling in a loop
// takes it and gives it back with two atomic operations, half of what the
// pool's Get and Put cost (their pinning to the P); the pool serves nested
// and concurrent calls. Calls from goroutines on several cores at once
// would pass the slot's cache line between the cores on every call, which
// costs more than the pool: once the slot was found taken spareGiveUp
// times, it is given up for good (a read of a line no longer written).
var (
	spare       atomic.Pointer[encoder]
	spareMisses atomic.Uint32
)

const spareGiveUp = 256

func pooledEncoder(lib *Library) *encoder {
	var e *encoder
	if spareMisses.Load() < spareGiveUp {
		if e = spare.Swap(nil); e == nil {
			spareMisses.Add(1)
		}
	}
	if e == nil {
		e = encoders.Get().(*encoder)
	}
	e.lib = lib
	return e
}

// done drops the host's references of the call (held), unpins what was lent
// and gives the encoder back to the pool with its out buffer: its bytes, and
// a reply's that lay in the buffer, are invalid from then on.
func (e *encoder) done() {
	e.keep = nil
	if e.pinned {
		e.pins.Unpin()
		e.pinned = false
	}
	hostReleaseAll(e.held)
	e.held, e.lib, e.handles = e.held[:0], nil, false
	e.fault = ""
	if len(e.objects) > 0 {
		clear(e.objects)
		e.objects = e.objects[:0]
	}
	if cap(e.w.b) > 64<<10 {
		e.w.b = e.out.argsSpace() // a large argument's buffer is not kept
	}
	// (A buffer that replaced argsSpace is kept: the next call's arguments
	// may be as long, and the copy into argsSpace costs less than growing.)
	e.w.b = e.w.b[:0]
	if spareMisses.Load() >= spareGiveUp || !spare.CompareAndSwap(nil, e) {
		encoders.Put(e)
	}
}

// plain writes the scalars no call lends, first: most arguments are one.
func (e *encoder) plain(a any) bool {
	switch a := a.(type) {
	case int:
		_ = e.enc.EncodeInt(int64(a))
	case int64:
		_ = e.enc.EncodeInt(a)
	case float64:
		_ = e.enc.EncodeFloat64(a)
	case string:
		if !utf8.ValidString(a) {
			return false // value explains
		}
		_ = e.enc.EncodeString(a)
	case bool:
		_ = e.enc.EncodeBool(a)
	default:
		return false
	}
	return true
}

// scalar writes the other argument types most calls pass without
// reflection (after plain and lendArg); false when a is not one of them.
func (e *encoder) scalar(a any) bool {
	switch a := a.(type) {
	case []byte:
		_ = e.enc.EncodeBytes(a)
	case []int64:
		e.enc.EncodeInts(a)
	case []int:
		_ = e.enc.EncodeArrayLen(len(a))
		for _, n := range a {
			_ = e.enc.EncodeInt(int64(n))
		}
	case []float64:
		_ = e.enc.EncodeArrayLen(len(a))
		for _, x := range a {
			_ = e.enc.EncodeFloat64(x)
		}
	case []string:
		start := len(e.w.b)
		_ = e.enc.EncodeArrayLen(len(a))
		for _, x := range a {
			if !utf8.ValidString(x) {
				e.w.b = e.w.b[:start] // value explains
				return false
			}
			_ = e.enc.EncodeString(x)
		}
	default:
		return false
	}
	return true
}

var (
	bigIntType   = reflect.TypeOf((*big.Int)(nil))
	closureType  = reflect.TypeOf((*Closure)(nil))
	objectType   = reflect.TypeOf((*Object)(nil))
	durationType = reflect.TypeOf(time.Duration(0))
	timeType     = reflect.TypeOf(time.Time{})
	errorType    = reflect.TypeOf((*error)(nil)).Elem()
	anyType      = reflect.TypeOf((*any)(nil)).Elem()
)

// noWireForm is a Go value that has no MessagePack form: kind "type", or
// "overflow" for an integer no Rust integer holds.
type noWireForm struct {
	found string
	kind  string
}

func (e noWireForm) Error() string { return e.found }

func (e *encoder) value(v reflect.Value, depth int) error {
	if !v.IsValid() {
		return e.enc.EncodeNil()
	}
	// The types with forms of their own, found by kind first (v.Type() and
	// comparing types cost more than the kind switch, which most values end at).
	if k := v.Kind(); k == reflect.Pointer || k == reflect.Int64 || k == reflect.Struct {
		if done, err := e.ownForm(v); done {
			return err
		}
	}
	switch v.Kind() {
	case reflect.Bool:
		return e.enc.EncodeBool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return e.enc.EncodeInt(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return e.enc.EncodeUint(v.Uint())
	case reflect.Float32:
		return e.enc.EncodeFloat32(float32(v.Float()))
	case reflect.Float64:
		return e.enc.EncodeFloat64(v.Float())
	case reflect.String:
		return e.text(v.String())
	case reflect.Pointer, reflect.Interface:
		return e.indirect(v, depth)
	case reflect.Slice, reflect.Array:
		// A nil slice or map is an empty one, as everywhere in Go.
		if v.Type().Elem().Kind() == reflect.Uint8 {
			if v.Kind() == reflect.Slice {
				return e.enc.EncodeBytes(v.Bytes())
			}
			b := make([]byte, v.Len())
			reflect.Copy(reflect.ValueOf(b), v)
			return e.enc.EncodeBytes(b)
		}
		if err := e.nest(depth); err != nil {
			return err
		}
		if v.Kind() == reflect.Slice && e.numbers(v) {
			return nil
		}
		if err := e.enc.EncodeArrayLen(v.Len()); err != nil {
			return err
		}
		for i := 0; i < v.Len(); i++ {
			if err := e.value(v.Index(i), depth+1); err != nil {
				return err
			}
		}
		return nil
	case reflect.Map:
		if err := e.nest(depth); err != nil {
			return err
		}
		if err := e.enc.EncodeMapLen(v.Len()); err != nil {
			return err
		}
		it := v.MapRange()
		for it.Next() {
			if err := e.value(it.Key(), depth+1); err != nil {
				return err
			}
			if err := e.value(it.Value(), depth+1); err != nil {
				return err
			}
		}
		return nil
	case reflect.Struct:
		if err := e.nest(depth); err != nil {
			return err
		}
		return e.structValue(v, depth)
	case reflect.Func:
		if v.IsNil() {
			return e.enc.EncodeNil()
		}
		return e.callback(v)
	}
	return noWireForm{found: fmt.Sprintf("a Go %s, which has no wire form", v.Type())}
}

// ownForm writes v when its type has a form of its own (*big.Int,
// *Closure, *Object, time.Duration, time.Time, Lent); done is false, with
// nothing written, for any other type.
func (e *encoder) ownForm(v reflect.Value) (done bool, err error) {
	t, special := v.Type(), false
	switch v.Kind() {
	case reflect.Pointer:
		special = t == bigIntType || t == closureType || t == objectType
	case reflect.Int64:
		special = t == durationType
	case reflect.Struct:
		special = t == timeType || t == lentType
	}
	switch {
	case !special:
		return false, nil
	case t == bigIntType:
		if v.IsNil() {
			return true, e.enc.EncodeNil()
		}
		return true, e.bigInt(v.Interface().(*big.Int))
	case t == closureType:
		if v.IsNil() {
			return true, e.enc.EncodeNil()
		}
		return true, e.closure(v.Interface().(*Closure))
	case t == objectType:
		if v.IsNil() {
			return true, e.enc.EncodeNil()
		}
		return true, e.object(v.Interface().(*Object))
	case t == durationType:
		// [secs, nanos] with 0 <= nanos < 1e9 (host-guide.md, step 6).
		d := v.Interface().(time.Duration)
		secs, nanos := int64(d/time.Second), int64(d%time.Second)
		if nanos < 0 {
			secs, nanos = secs-1, nanos+int64(time.Second)
		}
		_ = e.enc.EncodeArrayLen(2)
		_ = e.enc.EncodeInt(secs)
		return true, e.enc.EncodeInt(nanos)
	case t == timeType:
		return true, e.instant(v.Interface().(time.Time))
	case t == lentType:
		return true, e.lent(v.Interface().(Lent))
	}
	return false, nil
}

// instant writes a time.Time as RFC 3339 text in UTC (spec/wire.md,
// "Times"). RFC 3339 writes the years 0000 to 9999 only, and a host sends
// nothing else: a time outside them is not sent (Format would write
// 10000-… or -0001-…, which jiff, time and SystemTime refuse, some with a
// message about a month or "invalid characters", and chrono refuses the
// first); the call answers a "type" *ArgumentError naming the parameter,
// as the library refuses a time its type cannot hold.
func (e *encoder) instant(tm time.Time) error {
	utc := tm.UTC()
	if year := utc.Year(); year < 0 || year > 9999 {
		return noWireForm{found: fmt.Sprintf("a time.Time in the year %d (UTC), which RFC 3339 text, "+
			"the wire form of an instant, cannot write (it holds the years 0000 to 9999)", year)}
	}
	return e.enc.EncodeString(utc.Format(time.RFC3339Nano))
}

// numbers writes a slice of int64 or float64 (of any name) read in place,
// not element by element through reflection; false for other slices.
func (e *encoder) numbers(v reflect.Value) bool {
	switch elem := v.Type().Elem(); {
	case elem.Kind() == reflect.Int64 && elem != durationType:
		e.enc.EncodeInts(unsafe.Slice((*int64)(v.UnsafePointer()), v.Len()))
	case elem.Kind() == reflect.Float64:
		items := unsafe.Slice((*float64)(v.UnsafePointer()), v.Len())
		_ = e.enc.EncodeArrayLen(len(items))
		for _, x := range items {
			_ = e.enc.EncodeFloat64(x)
		}
	default:
		return false
	}
	return true
}

// indirect writes what a pointer or interface leads to (nil for nil). The
// steps do not nest on the wire, so they are counted apart from depth: a
// cycle through pointers and interfaces alone (var a any; a = &a) ends at
// maxDepth steps.
func (e *encoder) indirect(v reflect.Value, depth int) error {
	start := v.Type()
	for steps := 0; ; steps++ {
		if v.IsNil() {
			return e.enc.EncodeNil()
		}
		if steps == maxDepth {
			return noWireForm{found: fmt.Sprintf("a %s that leads through more than %d pointers (a cycle?)", start, maxDepth)}
		}
		v = v.Elem()
		switch t := v.Type(); v.Kind() {
		case reflect.Interface:
		case reflect.Pointer:
			if t == bigIntType || t == closureType || t == objectType {
				return e.value(v, depth)
			}
		default:
			return e.value(v, depth)
		}
	}
}

// text writes a str, which must be UTF-8 (spec/wire.md: a host never sends
// a str that is not).
func (e *encoder) text(s string) error {
	if !utf8.ValidString(s) {
		return noWireForm{found: notUTF8(s)}
	}
	return e.enc.EncodeString(s)
}

// notUTF8 describes a string that is not valid UTF-8, and where.
func notUTF8(s string) string {
	at := 0
	for at < len(s) {
		r, size := utf8.DecodeRuneInString(s[at:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		at += size
	}
	return fmt.Sprintf("a string that is not valid UTF-8 (at byte %d of %.64q): strings travel as UTF-8 text", at, s)
}

func (e *encoder) nest(depth int) error {
	if depth > maxDepth {
		return noWireForm{found: fmt.Sprintf("a value nested deeper than %d levels", maxDepth)}
	}
	return nil
}

// structValue writes a struct as the map of its exported fields, named by
// their msgpack tags (`msgpack:"name"`, `msgpack:"-"` skips,
// `msgpack:",omitempty"` leaves out a zero value), else by the field name;
// an EnumVariant in its enum's wire form (variant.go).
func (e *encoder) structValue(v reflect.Value, depth int) error {
	info := structInfoOf(v.Type())
	if info.variant != nil {
		return e.variant(v, info, depth)
	}
	return e.structMap(v, info.fields, depth)
}

// structMap writes struct v as the map of fields.
func (e *encoder) structMap(v reflect.Value, fields []structField, depth int) error {
	present := len(fields)
	for i := range fields {
		if f := &fields[i]; f.omitEmpty && v.Field(f.index).IsZero() {
			present--
		}
	}
	if err := e.enc.EncodeMapLen(present); err != nil {
		return err
	}
	for i := range fields {
		f := &fields[i] // (not copied: a field is six words)
		if f.omitEmpty && present < len(fields) && v.Field(f.index).IsZero() {
			continue
		}
		e.w.b = append(e.w.b, f.key...)
		if err := e.value(v.Field(f.index), depth+1); err != nil {
			return err
		}
	}
	return nil
}

// minI128 is i128::MIN, -2^127.
var minI128 = new(big.Int).Neg(new(big.Int).Lsh(big.NewInt(1), 127))

// bigInt writes an int as MessagePack when it fits 64 bits, else as
// extension 4: 16 bytes of two's complement, 17 for a u128 above i128::MAX.
func (e *encoder) bigInt(n *big.Int) error {
	if n.IsInt64() {
		return e.enc.EncodeInt(n.Int64())
	}
	if n.IsUint64() {
		return e.enc.EncodeUint(n.Uint64())
	}
	// The range of i128 and u128 together: the library checks the
	// parameter's own, which needs the sign (16 bytes cannot hold both a
	// sign and a 128-bit magnitude).
	if n.BitLen() > 128 || n.Cmp(minI128) < 0 {
		return noWireForm{found: fmt.Sprintf("the integer %s, which no 128-bit integer holds", n), kind: "overflow"}
	}
	size := 16
	if n.Sign() > 0 && n.BitLen() == 128 {
		size = 17
	}
	payload := make([]byte, size)
	if n.Sign() >= 0 {
		n.FillBytes(payload)
	} else {
		// Two's complement: 2^(8*size) + n.
		t := new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), uint(8*size)), n)
		t.FillBytes(payload)
	}
	if err := e.enc.EncodeExtHeader(extBigInt, size); err != nil {
		return err
	}
	_, err := e.w.Write(payload)
	return err
}

func (e *encoder) closure(c *Closure) error {
	if c.lib != e.lib {
		return noWireForm{found: "a closure of another library"}
	}
	if c.released.Load() {
		return noWireForm{found: c.name() + ", which was already released"}
	}
	if err := e.enc.EncodeExtHeader(extClosure, 8); err != nil {
		return err
	}
	e.handles = true
	return binary.Write(&e.w, binary.BigEndian, c.handle)
}

func (e *encoder) object(o *Object) error {
	if o.lib != e.lib {
		return noWireForm{found: article(o.class) + " " + o.class + " object of another library"}
	}
	if o.closed.Load() {
		return noWireForm{found: fmt.Sprintf("%s %s object that was already closed", article(o.class), o.class)}
	}
	if err := e.enc.EncodeExtHeader(extObject, 12); err != nil {
		return err
	}
	e.handles = true
	e.w.b = binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint32(e.w.b, o.classID), o.handle)
	return nil
}

// callback hands a Go func to the library as a host object.
func (e *encoder) callback(fn reflect.Value) error {
	hostID, err := e.lib.host()
	if err != nil {
		return err
	}
	h := hostNew(fn.Interface())
	e.held = append(e.held, h)
	if err := e.enc.EncodeExtHeader(extHostObject, 12); err != nil {
		return err
	}
	_ = binary.Write(&e.w, binary.BigEndian, uint32(hostID))
	return binary.Write(&e.w, binary.BigEndian, h)
}

// article is "an" before a word that starts with a vowel, else "a".
func article(word string) string {
	if word != "" && strings.ContainsRune("AEIOUaeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}
