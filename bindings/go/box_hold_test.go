package ferryman

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"
)

// fixture loads the fixture library (the same *Library the package's
// external tests use: a path loaded again is the same library).
func fixture(t *testing.T) *Library {
	t.Helper()
	path := os.Getenv("FERRYMAN_FIXTURE")
	if path == "" {
		path = filepath.Join("..", "..", "target", "debug", "libferryman_fixture.so")
	}
	lib, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

// liveHandles are the closure and object handles the library still holds.
func liveHandles(t *testing.T, lib *Library) (closures, objects []uint64) {
	t.Helper()
	lc, err := lib.LiveClosures()
	if err != nil {
		t.Fatal(err)
	}
	lo, err := lib.LiveObjects()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range lc {
		closures = append(closures, c.Handle)
	}
	for _, o := range lo {
		objects = append(objects, o.Handle)
	}
	return closures, objects
}

// A closure and an object inside a Go callback's result stay alive until
// the library frees the box (spec/callbacks.md): collected earlier, their
// finalizers would release the handles before Rust reads them. Run as
// ferrymanGoInvoke runs it, with GC between invoke and the box's free_box.
func TestACallbackResultKeepsItsClosuresAndObjectsAlive(t *testing.T) {
	lib := fixture(t)
	var closureHandle, objectHandle uint64
	fn := func() []any {
		c, err := lib.Call("adder", 1)
		if err != nil {
			panic(err)
		}
		o, err := lib.New("Counter", "kept", 0)
		if err != nil {
			panic(err)
		}
		closureHandle, objectHandle = c.(*Closure).handle, o.handle
		return []any{c, o} // the only references left
	}
	h := hostNew(fn)
	defer hostRelease(h)
	body, hold, status := invoke(lib, h, []byte{0x90})
	if status != 0 || len(body) == 0 {
		t.Fatalf("invoke: status %d, %q", status, body)
	}
	const box = 1 // a box address no malloc gives
	holdForBox(box, hold)
	hold = boxHold{}
	live := func() (bool, bool) {
		closures, objects := liveHandles(t, lib)
		return slices.Contains(closures, closureHandle), slices.Contains(objects, objectHandle)
	}
	for i := 0; i < 5; i++ {
		runtime.GC()
		time.Sleep(2 * time.Millisecond) // the finalizers run on a goroutine of their own
	}
	if c, o := live(); !c || !o {
		t.Fatalf("before free_box: closure live %v, object live %v", c, o)
	}
	boxFreed(box)
	// Once the box is freed, nothing keeps them: their finalizers release them.
	for i := 0; ; i++ {
		runtime.GC()
		time.Sleep(2 * time.Millisecond)
		c, o := live()
		if !c && !o {
			break
		}
		if i == 500 {
			t.Fatalf("after free_box: closure live %v, object live %v", c, o)
		}
	}
}
