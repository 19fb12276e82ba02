package fixturebind_test

import (
	"math"
	"reflect"
	"testing"
	"time"

	ferryman "github.com/ferryman-rs/ferryman/bindings/go"
	"github.com/ferryman-rs/ferryman/bindings/go/internal/fixturebind"
)

// The generated variant types are ferryman.EnumVariants: Library.Call sends
// them as the typed methods do — as an argument, and inside a generated
// struct (Settings.Mode), a list, a map — not as the maps of their fields
// (which the library refused: "unknown variant `retries`", "map with 0
// entries").
func TestGeneratedEnumsThroughCall(t *testing.T) {
	var _ ferryman.EnumVariant = fixturebind.ShapeSquare{}

	shapes := []fixturebind.Shape{
		fixturebind.ShapeEmpty{},
		fixturebind.ShapeSquare{Value: 3},
		&fixturebind.ShapeSquare{Value: 2},
		fixturebind.ShapeCircle{Center: fixturebind.Point{X: 1, Y: -2}, Radius: 2},
	}
	for _, shape := range shapes {
		want, err := typed.Area(shape)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ferryman.Call[float64](lib, "area", shape)
		if err != nil || got != want {
			t.Errorf("Call(area, %#v) = %v, %v; typed: %v", shape, got, err, want)
		}
	}

	// A generated struct holding an enum, through lib.Call: the wire form's result.
	label := "l"
	for _, c := range []struct {
		mode fixturebind.Mode
		wire any
	}{
		{fixturebind.ModeFast{}, "Fast"},
		{fixturebind.ModeCareful{Retries: 2}, map[string]any{"Careful": map[string]any{"retries": int64(2)}}},
		{&fixturebind.ModeCareful{Retries: 3}, map[string]any{"Careful": map[string]any{"retries": int64(3)}}},
	} {
		settings := fixturebind.Settings{MaxDepth: 3, Label: &label, Key: []byte{9}, Mode: c.mode}
		got, err := lib.Call("configure", settings, nil)
		want := map[string]any{"maxDepth": int64(6), "verbose": false, "label": "l", "key": []byte{9}, "mode": c.wire}
		if err != nil || !reflect.DeepEqual(got.([]any)[0], want) {
			t.Errorf("Call(configure, %#v) = %#v, %v; want %#v first", settings, got, err, want)
		}
		typedGot, err := typed.Configure(settings, fixturebind.Marker{})
		if err != nil || !reflect.DeepEqual(typedGot.Field0.Mode, reflect.Indirect(reflect.ValueOf(c.mode)).Interface()) {
			t.Errorf("Configure(%#v) = %#v, %v", settings, typedGot, err)
		}
	}

	// A list of every kind of variant, through a method of the general way
	// (Summarize takes any) and through Call; the typed Replay agrees.
	events := []fixturebind.Event{
		fixturebind.EventStart{},
		fixturebind.EventMove{Value: fixturebind.Point{X: 0.5, Y: 2}},
		fixturebind.EventResize{Field0: 640, Field1: 480},
		fixturebind.EventClose{Code: -7, Reason: "bye"},
	}
	if got, err := typed.Summarize(events, 1); err != nil || !reflect.DeepEqual(got, map[string]any{"count": int64(4)}) {
		t.Errorf("Summarize(events) = %#v, %v", got, err)
	}
	wires := []any{
		"Start",
		map[string]any{"Move": map[string]any{"x": 0.5, "y": 2.0}},
		map[string]any{"Resize": []any{int64(640), int64(480)}},
		map[string]any{"close": map[string]any{"code": int64(-7), "reason": "bye"}},
	}
	for i := range events {
		got, err := lib.Call("replay", 1, events[:i+1])
		if err != nil || !reflect.DeepEqual(got, wires[i]) {
			t.Errorf("Call(replay, …%#v) = %#v, %v; want %#v", events[i], got, err, wires[i])
		}
	}

	// Variants holding times and paths: echo_events returns what it was sent.
	at := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	fileEvents := []fixturebind.FileEvent{
		fixturebind.FileEventIdle{},
		fixturebind.FileEventStarted{Value: at},
		fixturebind.FileEventMoved{Field0: "/a", Field1: "/b"},
		fixturebind.FileEventTimed{Took: 1500 * time.Millisecond, At: &at},
	}
	wire, err := lib.Call("echo_events", fileEvents)
	if err != nil {
		t.Fatal(err)
	}
	typedWire, err := lib.Call("echo_events", []any{"Idle", map[string]any{"Started": at},
		map[string]any{"Moved": []any{"/a", "/b"}}, map[string]any{"Timed": map[string]any{"took": 1500 * time.Millisecond, "at": at}}})
	if err != nil || !reflect.DeepEqual(wire, typedWire) {
		t.Errorf("Call(echo_events, variants) = %#v, %v; the wire form gives %#v", wire, err, typedWire)
	}
	if area, err := ferryman.Call[float64](lib, "area", fixturebind.ShapeCircle{Radius: 1}); err != nil || area != math.Pi {
		t.Errorf("Call(area, circle of 1) = %v, %v", area, err)
	}
}
