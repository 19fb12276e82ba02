package ferryman_test

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	ferryman "github.com/ferryman-rs/ferryman/bindings/go"
)

// Go structs standing for the variants of the fixture's enums, as
// ferryman-go generates them (Shape, Mode and Event of tests/fixture).
type (
	shapeEmpty  struct{}
	shapeSquare struct{ Value float64 }
	shapeCircle struct {
		Center map[string]float64 `msgpack:"center"`
		Radius float64            `msgpack:"radius"`
	}
	modeFast    struct{}
	modeCareful struct {
		Retries uint8 `msgpack:"retries"`
	}
	eventResize struct{ Field0, Field1 uint32 }
)

func (shapeEmpty) FerrymanVariant() (string, ferryman.VariantKind) {
	return "Empty", ferryman.UnitVariant
}
func (shapeSquare) FerrymanVariant() (string, ferryman.VariantKind) {
	return "Square", ferryman.NewtypeVariant
}
func (shapeCircle) FerrymanVariant() (string, ferryman.VariantKind) {
	return "Circle", ferryman.StructVariant
}
func (modeFast) FerrymanVariant() (string, ferryman.VariantKind) { return "Fast", ferryman.UnitVariant }
func (modeCareful) FerrymanVariant() (string, ferryman.VariantKind) {
	return "Careful", ferryman.StructVariant
}
func (eventResize) FerrymanVariant() (string, ferryman.VariantKind) {
	return "Resize", ferryman.TupleVariant
}

// settings is the fixture's Settings with its enum field.
type settings struct {
	MaxDepth uint32 `msgpack:"maxDepth"`
	Key      []byte `msgpack:"key"`
	Mode     any    `msgpack:"mode"`
}

// A variant's struct crosses in its enum's wire form wherever it is: as an
// argument, and in a struct's field, a list, a map, behind a pointer — the
// same bytes as the wire form written out ("Fast", {"Careful": {…}}).
func TestEnumVariantsCrossAtAnyDepth(t *testing.T) {
	for _, c := range []struct {
		shape any
		area  float64
	}{
		{shapeEmpty{}, 0},
		{shapeSquare{Value: 3}, 9},
		{&shapeSquare{Value: 2}, 4},
		{shapeCircle{Center: map[string]float64{"x": 1, "y": 2}, Radius: 1}, math.Pi},
	} {
		if got := call(t, "area", c.shape); got != c.area {
			t.Errorf("area(%#v) = %v, want %v", c.shape, got, c.area)
		}
	}
	if got := call(t, "echo_shape", shapeSquare{Value: 3}); !reflect.DeepEqual(got, map[string]any{"Square": 3.0}) {
		t.Errorf("echo_shape(Square 3) = %#v", got)
	}

	// In a struct's field: what the wire form gives.
	for _, c := range []struct {
		mode, wire any
	}{
		{modeFast{}, "Fast"},
		{&modeFast{}, "Fast"},
		{modeCareful{Retries: 2}, map[string]any{"Careful": map[string]any{"retries": 2}}},
		{&modeCareful{Retries: 7}, map[string]any{"Careful": map[string]any{"retries": 7}}},
	} {
		got, err := lib.Call("configure", settings{MaxDepth: 3, Key: []byte{1}, Mode: c.mode}, nil)
		want, werr := lib.Call("configure", settings{MaxDepth: 3, Key: []byte{1}, Mode: c.wire}, nil)
		if err != nil || werr != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("configure(mode %#v) = %#v, %v; the wire form gives %#v, %v", c.mode, got, err, want, werr)
		}
		// A map's value, too.
		got, err = lib.Call("configure", map[string]any{"maxDepth": 3, "key": []byte{1}, "mode": c.mode}, nil)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("configure({mode: %#v}) = %#v, %v; want %#v", c.mode, got, err, want)
		}
	}

	// In a list, each kind (replay returns the last event).
	for _, c := range []struct {
		event any
		want  []any
	}{
		{eventResize{Field0: 640, Field1: 480}, []any{int64(640), int64(480)}},
		{&eventResize{Field0: 1, Field1: 2}, []any{int64(1), int64(2)}},
	} {
		got, err := lib.Call("replay", 1.5, []any{"Start", c.event})
		if want := map[string]any{"Resize": c.want}; err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("replay(…, %#v) = %#v, %v; want %#v", c.event, got, err, want)
		}
	}
	if got, err := lib.Call("summarize", []eventResize{{1, 2}, {3, 4}}, 1); err != nil ||
		!reflect.DeepEqual(got, map[string]any{"count": int64(2)}) {
		t.Errorf("summarize([]eventResize) = %#v, %v", got, err)
	}

	// A nil pointer to a variant is nil, which the library refuses naming the parameter.
	_, err := lib.Call("configure", settings{MaxDepth: 3, Key: []byte{1}, Mode: (*modeCareful)(nil)}, nil)
	var ae *ferryman.ArgumentError
	if !errors.As(err, &ae) || ae.Param != "settings" {
		t.Errorf("configure(mode nil *modeCareful): %v", err)
	}
}

type (
	badKind    struct{}
	twoNewtype struct{ A, B int }
	unitFields struct{ A int }
)

func (badKind) FerrymanVariant() (string, ferryman.VariantKind) { return "Bad", 9 }
func (twoNewtype) FerrymanVariant() (string, ferryman.VariantKind) {
	return "Two", ferryman.NewtypeVariant
}
func (unitFields) FerrymanVariant() (string, ferryman.VariantKind) {
	return "Unit", ferryman.UnitVariant
}

// A type whose FerrymanVariant does not fit its fields is not sent: the
// *ArgumentError names the function, the parameter and the type.
func TestEnumVariantThatCannotBeSent(t *testing.T) {
	for _, v := range []any{badKind{}, twoNewtype{}, unitFields{}} {
		_, err := lib.Call("configure", settings{MaxDepth: 1, Key: []byte{1}, Mode: v}, nil)
		var ae *ferryman.ArgumentError
		if !errors.As(err, &ae) || ae.Function != "configure" || ae.Param != "settings" ||
			!strings.Contains(ae.Message, reflect.TypeOf(v).String()) {
			t.Errorf("configure(mode %#v): %v", v, err)
		}
	}
}
