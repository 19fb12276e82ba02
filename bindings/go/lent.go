package ferryman

import (
	"encoding/binary"
	"fmt"
	"reflect"
	"runtime"
	"unsafe"
)

// Lending Go memory to the library instead of copying it into the argument
// array (spec/wire.md, "Lent bytes" and "Lent slices"; spec/abi.md, "Lent
// bytes"): extension 3 naming a pointer and a length.
//
// A top-level []byte argument of at least lendBytesFrom bytes, for a
// parameter that takes bytes, is lent for the call only (handle 0), and a
// top-level slice of numbers of at least lendSliceFrom items, for a list
// parameter, as a lent slice: the memory is pinned until the call returns,
// and by Go's usual rule the caller does not write a slice while a call it
// passed the slice to runs. Lend(b) lends b as a host object the library may
// keep (a ferryman::Bytes parameter keeps it without copying, and returning
// it costs one copy).

// lendBytesFrom and lendSliceFrom are where lending beats copying: a lent
// argument costs its reflection, cgo's check of the memory passed to keep
// it (a runtime.Pinner, for a second one, about 60 ns) and the library's
// checks of the payload; writing a byte costs a fraction of a nanosecond,
// an int about 3. (Lending a slice of 10 ints measured ~50 ns slower than
// writing them.)
const (
	lendBytesFrom = 2048
	lendSliceFrom = 64
)

// Lent is a byte slice lent to the library as a host object (Lend).
type Lent struct{ data []byte }

// Lend marks b to be lent to the library rather than copied: as an argument
// where bytes are expected, the library reads b in place and may keep it
// (a ferryman::Bytes), until it releases it. The caller promises not to
// write b until then: LiveHostObjects counts it while the library holds it.
// A library that does not take lent bytes gets a copy.
func Lend(b []byte) Lent { return Lent{data: b} }

var lentType = reflect.TypeOf(Lent{})

// lentMemory is a Lent in the host object table: pinned until the last
// reference is released.
type lentMemory struct {
	data []byte
	pin  runtime.Pinner
}

func (m *lentMemory) release() { m.pin.Unpin() }

// lentItem is the item code of a lent slice's element type (spec/wire.md,
// "Lent slices"), 0 when it cannot be lent: also for a number type with a
// form of its own (time.Duration is [secs, nanos], not nanoseconds).
func lentItem(t reflect.Type) byte {
	if t == durationType {
		return 0
	}
	switch t.Kind() {
	case reflect.Float64:
		return 'd'
	case reflect.Float32:
		return 'f'
	case reflect.Int64:
		return 'q'
	case reflect.Uint64:
		return 'Q'
	case reflect.Int32:
		return 'i'
	case reflect.Uint32:
		return 'I'
	case reflect.Int16:
		return 'h'
	case reflect.Uint16:
		return 'H'
	case reflect.Int8:
		return 'b'
	case reflect.Int:
		if unsafe.Sizeof(int(0)) == 8 {
			return 'q'
		}
		return 'i'
	case reflect.Uint:
		if unsafe.Sizeof(uint(0)) == 8 {
			return 'Q'
		}
		return 'I'
	}
	return 0
}

// lendArg writes a top-level argument as extension 3 when that pays and the
// parameter's type takes it (descriptor "bytes" for a []byte, {"list": …}
// for a slice of numbers); false when it wrote nothing.
func (e *encoder) lendArg(a any, p *Param) bool {
	if p == nil || e.lib == nil || !e.lib.handshake.LentBytes {
		return false
	}
	switch a := a.(type) {
	case []byte:
		if len(a) < lendBytesFrom || p.Type != "bytes" {
			return false
		}
		e.lendCall(unsafe.Pointer(&a[0]), len(a), 0)
		return true
	case nil:
		return false
	}
	v := reflect.ValueOf(a)
	if v.Kind() != reflect.Slice || v.Len() < lendSliceFrom || !e.lib.handshake.LentSlices {
		return false
	}
	if m, isMap := p.Type.(map[string]any); !isMap || m["list"] == nil {
		return false
	}
	item := lentItem(v.Type().Elem())
	if item == 0 {
		return false
	}
	e.lendCall(v.UnsafePointer(), v.Len()*int(v.Type().Elem().Size()), item)
	return true
}

// lendCall writes memory lent for this call only (handle 0), pinned until
// the encoder is done: the first by passing it to C with the call (keep),
// others by the encoder's Pinner. Item 0 is bytes, else a lent slice's item code.
func (e *encoder) lendCall(ptr unsafe.Pointer, n int, item byte) {
	if e.keep == nil {
		e.keep = ptr
	} else {
		e.pins.Pin(ptr)
		e.pinned = true
	}
	size := 28
	if item != 0 {
		size = 29
	}
	_ = e.enc.EncodeExtHeader(extLentBytes, size)
	e.w.b = binary.BigEndian.AppendUint32(e.w.b, 0) // host id: unused with handle 0
	e.w.b = binary.BigEndian.AppendUint64(e.w.b, 0)
	e.w.b = binary.BigEndian.AppendUint64(e.w.b, uint64(uintptr(ptr)))
	e.w.b = binary.BigEndian.AppendUint64(e.w.b, uint64(n))
	if item != 0 {
		e.w.b = append(e.w.b, item)
	}
}

// lent writes a Lent: as a host object in a call's arguments when the
// library takes lent bytes, else (a callback's result, where extension 3
// is refused) as bin.
func (e *encoder) lent(l Lent) error {
	if e.out == nil || e.lib == nil || !e.lib.handshake.LentBytes || len(l.data) == 0 {
		return e.enc.EncodeBytes(l.data)
	}
	hostID, err := e.lib.host()
	if err != nil {
		return err
	}
	m := &lentMemory{data: l.data}
	m.pin.Pin(&l.data[0])
	h := hostNew(m)
	e.held = append(e.held, h)
	_ = e.enc.EncodeExtHeader(extLentBytes, 28)
	e.w.b = binary.BigEndian.AppendUint32(e.w.b, uint32(hostID))
	e.w.b = binary.BigEndian.AppendUint64(e.w.b, h)
	e.w.b = binary.BigEndian.AppendUint64(e.w.b, uint64(uintptr(unsafe.Pointer(&l.data[0]))))
	e.w.b = binary.BigEndian.AppendUint64(e.w.b, uint64(len(l.data)))
	return nil
}

// lentResult reads extension 3 in a result: a range of memory this host
// lent as a host object, with a reference for the host. It copies the range
// (results never alias arguments) after checking that it lies inside the
// object, and drops the reference.
func lentResult(payload []byte) (any, error) {
	if len(payload) != 28 {
		return nil, fmt.Errorf("lent bytes (extension 3) of %d bytes, not 28", len(payload))
	}
	h := binary.BigEndian.Uint64(payload[4:])
	ptr := uintptr(binary.BigEndian.Uint64(payload[12:]))
	n := binary.BigEndian.Uint64(payload[20:])
	if h == 0 {
		return nil, fmt.Errorf("lent bytes (extension 3) with handle 0 in a result")
	}
	v, ok := hostGet(h)
	defer hostRelease(h)
	m, isLent := v.(*lentMemory)
	if !ok || !isLent {
		return nil, fmt.Errorf("lent bytes (extension 3) naming host object %d, which this host did not lend", h)
	}
	base := uintptr(unsafe.Pointer(unsafe.SliceData(m.data)))
	if ptr < base || n > uint64(len(m.data)) || uint64(ptr-base) > uint64(len(m.data))-n {
		return nil, fmt.Errorf("lent bytes (extension 3) outside the %d bytes of host object %d", len(m.data), h)
	}
	start := int(ptr - base)
	return append([]byte{}, m.data[start:start+int(n)]...), nil
}
