package ferryman_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	ferryman "github.com/ferryman-rs/ferryman/bindings/go"
)

// An iterator's Call(n) returns up to n items: Call(0) none, without pulling
// one (the library pulls at least one when asked), and a negative count is
// an *ArgumentError; neither crosses.
func TestIteratorCallOfZeroPullsNothing(t *testing.T) {
	it, err := ferryman.Call[*ferryman.Closure](lib, "count_up", 4)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Release()
	for _, zero := range []any{0, int64(0), uint8(0), uint64(0), int32(0)} {
		v, err := it.Call(zero)
		if items, ok := v.([]any); err != nil || !ok || items == nil || len(items) != 0 {
			t.Fatalf("Call(%T 0) = %#v, %v; want []any{}", zero, v, err)
		}
	}
	// Nothing was pulled: the iterator still starts at 0.
	if v, err := it.Call(2); err != nil || !reflect.DeepEqual(v, []any{int64(0), int64(1)}) {
		t.Fatalf("Call(2) after Call(0) = %#v, %v; want [0 1]", v, err)
	}
	for _, negative := range []any{-1, int8(-3), int64(-1 << 40)} {
		v, err := it.Call(negative)
		var ae *ferryman.ArgumentError
		if !errors.As(err, &ae) || v != nil {
			t.Fatalf("Call(%v) = %#v, %v; want an *ArgumentError", negative, v, err)
		}
		if ae.Kind != "overflow" || ae.Function != "count_up" || ae.Expected != "u32" ||
			!strings.Contains(ae.Message, "`count_up()`'s iterator") || !strings.Contains(ae.Message, "negative") {
			t.Fatalf("Call(%v): %+v", negative, ae)
		}
	}
	// Still where it was: the rest, then the end.
	if v, err := it.Call(10); err != nil || !reflect.DeepEqual(v, []any{int64(2), int64(3)}) {
		t.Fatalf("Call(10) = %#v, %v; want [2 3]", v, err)
	}
	if v, err := it.Call(1); err != nil || !reflect.DeepEqual(v, []any{}) {
		t.Fatalf("Call(1) at the end = %#v, %v", v, err)
	}
	// A released iterator says so, whatever the count.
	it.Release()
	var be *ferryman.BridgeError
	if _, err := it.Call(0); !errors.As(err, &be) {
		t.Fatalf("Call(0) after Release: %v, want a *BridgeError", err)
	}
}

// A method's iterator (it borrows its object) is an iterator too; and a
// closure that is not one still gets its 0.
func TestIteratorCallOfZeroOnAMethodAndOtherClosures(t *testing.T) {
	vocab, err := lib.New("Vocabulary", []string{"a", "b", "c"})
	if err != nil {
		t.Fatal(err)
	}
	defer vocab.Close()
	words, err := ferryman.CallMethod[*ferryman.Closure](vocab, "words")
	if err != nil {
		t.Fatal(err)
	}
	defer words.Release()
	if got, err := ferryman.CallClosure[[]string](words, 0); err != nil || got == nil || len(got) != 0 {
		t.Fatalf("words(0) = %#v, %v", got, err)
	}
	if got, err := ferryman.CallClosure[[]string](words, 5); err != nil || strings.Join(got, "") != "abc" {
		t.Fatalf("words(5) after words(0) = %v, %v", got, err)
	}
	if _, err := words.Call(-2); err == nil || !strings.Contains(err.Error(), "`Vocabulary.words()`'s iterator") {
		t.Fatalf("words(-2): %v", err)
	}

	add5, err := ferryman.Call[*ferryman.Closure](lib, "adder", 5)
	if err != nil {
		t.Fatal(err)
	}
	defer add5.Release()
	if v, err := add5.Call(0); v != int64(5) || err != nil {
		t.Fatalf("add5(0) = %#v, %v", v, err)
	}
	if v, err := add5.Call(-1); v != int64(4) || err != nil {
		t.Fatalf("add5(-1) = %#v, %v", v, err)
	}
}

// Call(0) on an iterator is no pull: it neither takes an item nor ends it.
func TestIteratorCallOfZeroDoesNotEndIt(t *testing.T) {
	it, err := ferryman.Call[*ferryman.Closure](lib, "droppable", 1)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Release()
	if v, err := it.Call(0); err != nil || !reflect.DeepEqual(v, []any{}) {
		t.Fatalf("Call(0) = %#v, %v", v, err)
	}
	if v, err := it.Call(1); err != nil || !reflect.DeepEqual(v, []any{int64(0)}) {
		t.Fatalf("Call(1) after Call(0) = %#v, %v; want [0]", v, err)
	}
}
