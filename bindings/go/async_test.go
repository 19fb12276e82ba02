package ferryman_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	ferryman "github.com/ferryman-rs/ferryman/bindings/go"
)

// The Go host connects no completion function: an async export blocks its
// goroutine until the future ends (spec/abi.md, "Hosts that connect
// nothing"), which is how Go code waits anyway.
func TestAsyncFunctionsBlockTheirGoroutine(t *testing.T) {
	if v, err := ferryman.Call[int64](lib, "async_add", 2, 3); err != nil || v != 5 {
		t.Fatalf("async_add: %v %v", v, err)
	}
	start := time.Now()
	if v, err := ferryman.Call[string](lib, "async_sleep", 20, "late"); err != nil || v != "late" {
		t.Fatalf("async_sleep: %v %v", v, err)
	}
	if waited := time.Since(start); waited < 20*time.Millisecond {
		t.Fatalf("async_sleep answered after %v", waited)
	}
	_, err := lib.Call("async_fail", 5)
	var rustErr *ferryman.RustError
	if !errors.As(err, &rustErr) || rustErr.Type != "AsyncError" || rustErr.Message != "failed after 5 ms" {
		t.Fatalf("async_fail: %#v", err)
	}
	_, err = lib.Call("async_panic", 1)
	var panicErr *ferryman.RustPanic
	if !errors.As(err, &panicErr) {
		t.Fatalf("async_panic: %#v", err)
	}
	counter, err := lib.New("AsyncCounter", 10)
	if err != nil {
		t.Fatal(err)
	}
	defer counter.Close()
	if v, err := ferryman.CallMethod[int64](counter, "add_later", 1, 5); err != nil || v != 15 {
		t.Fatalf("add_later: %v %v", v, err)
	}
	// A method may return a stream too.
	upcoming, err := ferryman.CallMethod[*ferryman.Stream](counter, "upcoming", 2)
	if err != nil {
		t.Fatal(err)
	}
	var items []any
	for item, err := range upcoming.All() {
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, item)
	}
	if fmt.Sprint(items) != "[16 17]" {
		t.Fatalf("upcoming: %v", items)
	}
}

// Many goroutines wait on async exports at once.
func TestAsyncFunctionsFromManyGoroutines(t *testing.T) {
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := ferryman.Call[int64](lib, "async_add", i, 1)
			if err == nil && v != int64(i+1) {
				err = errors.New("wrong sum")
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func stream(t *testing.T, function string, args ...any) *ferryman.Stream {
	t.Helper()
	v, err := lib.Call(function, args...)
	if err != nil {
		t.Fatal(err)
	}
	s, ok := v.(*ferryman.Stream)
	if !ok {
		t.Fatalf("%s returned %T, not a *ferryman.Stream", function, v)
	}
	return s
}

func TestStreams(t *testing.T) {
	var got []int64
	for item, err := range stream(t, "stream_count", 200).All() {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, item.(int64))
	}
	if len(got) != 200 || got[0] != 0 || got[199] != 199 {
		t.Fatalf("stream_count(200): %d items %v…", len(got), got[:min(3, len(got))])
	}

	// An error item comes at its place, and the stream goes on after it.
	var items []any
	var failures []error
	for item, err := range stream(t, "count_failing", 4, 2).All() {
		if err != nil {
			failures = append(failures, err)
			continue
		}
		items = append(items, item)
	}
	var rustErr *ferryman.RustError
	if len(items) != 3 || len(failures) != 1 || !errors.As(failures[0], &rustErr) || rustErr.Type != "BadItem" {
		t.Fatalf("count_failing(4, 2): items %v, errors %v", items, failures)
	}

	// Next after the end keeps saying so.
	s := stream(t, "stream_count", 1)
	if item, ok, err := s.Next(); !ok || err != nil || item != int64(0) {
		t.Fatalf("first: %v %v %v", item, ok, err)
	}
	for range 2 {
		if _, ok, err := s.Next(); ok || err != nil {
			t.Fatalf("after the end: %v %v", ok, err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// Breaking out of a range releases the stream: the producer thread of the
// fixture's ticker sees its channel closed.
func TestBreakingOutOfAStreamReleasesIt(t *testing.T) {
	seen := 0
	for item, err := range stream(t, "ticker", 1000, 1, 2).All() {
		if err != nil {
			t.Fatal(err)
		}
		if item.(int64) != int64(seen) {
			t.Fatalf("item %v at %d", item, seen)
		}
		if seen++; seen == 3 {
			break
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		report, err := lib.Call("ticker_report")
		if err != nil {
			t.Fatal(err)
		}
		r := report.([]any)
		if r[1] == true && r[2] == true {
			if sent := r[0].(int64); sent >= 1000 {
				t.Fatalf("the producer sent all %d items", sent)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the producer did not see the close: %v", r)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// An AsyncCallback parameter is refused before the call, naming the function
// and the parameter (the Go host does not call async callbacks).
func TestAnAsyncCallbackParameterIsRefused(t *testing.T) {
	_, err := lib.Call("apply_async", func(x int64) int64 { return x + 1 }, 3)
	var argErr *ferryman.ArgumentError
	if !errors.As(err, &argErr) || argErr.Function != "apply_async" || argErr.Param != "f" {
		t.Fatalf("apply_async: %#v", err)
	}
	if !strings.Contains(argErr.Message, "is a ferryman::AsyncCallback") {
		t.Fatalf("message: %s", argErr.Message)
	}
}
