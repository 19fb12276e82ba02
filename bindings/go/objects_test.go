package ferryman_test

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	ferryman "github.com/ferryman-rs/ferryman/bindings/go"
)

func liveObjects(t *testing.T) int {
	t.Helper()
	live, err := lib.LiveObjects()
	if err != nil {
		t.Fatal(err)
	}
	return len(live)
}

func counterDrops(t *testing.T) uint64 {
	t.Helper()
	n, err := ferryman.Call[uint64](lib, "counter_drops")
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestObjects(t *testing.T) {
	before, drops := liveObjects(t), counterDrops(t)
	c, err := lib.New("Counter", "c", 1)
	if err != nil {
		t.Fatal(err)
	}
	if c.Class() != "Counter" || liveObjects(t) != before+1 {
		t.Fatalf("class %q, %d live", c.Class(), liveObjects(t))
	}
	if v, err := c.Call("add", 2); v != int64(3) || err != nil {
		t.Fatalf("add(2) = %#v, %v", v, err)
	}
	if _, err := c.Call("rename", "d"); err != nil {
		t.Fatal(err)
	}
	if name, err := ferryman.CallMethod[string](c, "name"); name != "d" || err != nil {
		t.Fatalf("name = %q, %v", name, err)
	}
	// As an argument of a free function, lent for the call.
	if v := call(t, "counter_value", c); v != int64(3) {
		t.Fatalf("counter_value = %#v", v)
	}
	if v := call(t, "counter_in_thread", c, 4); v != int64(7) {
		t.Fatalf("counter_in_thread = %#v", v)
	}
	var re *ferryman.RustError
	if _, err := c.Call("fail", "nope"); !errors.As(err, &re) || re.Type != "CounterError" || re.Function != "Counter.fail" {
		t.Fatalf("fail: %#v", err)
	}
	var p *ferryman.RustPanic
	if _, err := c.Call("boom"); !errors.As(err, &p) || p.Message != "counter boom" {
		t.Fatalf("boom: %#v", err)
	}
	// Arguments after self: an arity error counts only them; a constructor
	// or static method is not called through an object.
	var ae *ferryman.ArgumentError
	if _, err := c.Call("add"); !errors.As(err, &ae) || ae.Message != "`Counter.add()` takes 1 argument (n) but was given 0 arguments" {
		t.Fatalf("add(): %v", err)
	}
	if _, err := c.Call("new", "x", 1); err == nil || !strings.Contains(err.Error(), "constructor, not a method: call lib.New(\"Counter\"") {
		t.Fatalf("new through an object: %v", err)
	}
	if _, err := c.Call("named", "x"); err == nil || !strings.Contains(err.Error(), "is a static method") {
		t.Fatalf("a static through an object: %v", err)
	}
	// fmt prints the Display text (the class opts into display).
	if text := fmt.Sprint(c); text != "Counter(d=7)" {
		t.Fatalf("fmt.Sprint = %q", text)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	_ = c.Close() // once only
	if liveObjects(t) != before || counterDrops(t) != drops+1 {
		t.Fatalf("after Close: %d live, %d drops (want %d, %d)", liveObjects(t), counterDrops(t), before, drops+1)
	}
	if _, err := c.Call("value"); !errors.As(err, &ae) || ae.Param != "self" {
		t.Fatalf("a closed object: %#v", err)
	}
	if text := fmt.Sprint(c); text != "<closed Counter object>" {
		t.Fatalf("fmt.Sprint of a closed object = %q", text)
	}
}

func TestObjectsInResultsAndCallbacks(t *testing.T) {
	before := liveObjects(t)
	cs, err := ferryman.Call[[]*ferryman.Object](lib, "counters", 3)
	if err != nil || len(cs) != 3 {
		t.Fatalf("counters(3) = %v, %v", cs, err)
	}
	if v := call(t, "counter_total", cs); v != int64(0+1+2) {
		t.Fatalf("counter_total = %#v", v)
	}
	// The callback receives the same object, as a handle of its own.
	v, err := ferryman.Call[int64](lib, "with_counter", cs[2], func(c *ferryman.Object) (int64, error) {
		defer c.Close()
		return ferryman.CallMethod[int64](c, "add", 10)
	})
	if err != nil || v != 12 {
		t.Fatalf("with_counter = %v, %v", v, err)
	}
	if none := call(t, "maybe_counter", false); none != nil {
		t.Fatalf("maybe_counter(false) = %#v", none)
	}
	// A &mut self call from inside a callback of the same object is a borrow error.
	_, err = cs[0].Call("visit", func(name string) (int64, error) {
		_, err := cs[0].Call("rename", "x")
		return 0, err
	})
	var be *ferryman.BorrowError
	if !errors.As(err, &be) {
		t.Fatalf("visit/rename: %#v", err)
	}
	for _, c := range cs {
		c.Close()
	}
	if liveObjects(t) != before {
		t.Fatalf("%d objects live, want %d", liveObjects(t), before)
	}
	noLeaks(t)
}

func TestObjectFinalizer(t *testing.T) {
	drops := counterDrops(t)
	func() {
		for i := 0; i < 5; i++ {
			if _, err := lib.New("Counter", "lost", i); err != nil {
				t.Fatal(err)
			}
		}
	}()
	deadline := time.Now().Add(5 * time.Second)
	for counterDrops(t) < drops+5 {
		if time.Now().After(deadline) {
			t.Fatalf("the finalizer released %d of 5 counters", counterDrops(t)-drops)
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
}
