package ferryman_test

import (
	"context"
	"errors"
	"fmt"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"

	ferryman "github.com/ferryman-rs/ferryman/bindings/go"
)

// An async export blocks its goroutine until the future ends (the library
// runs it inside ferryman_call_blocking), which is how Go code waits anyway.
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

// waitForDrops waits until the fixture counted target dropped
// async_guarded futures, failing after 10 s.
func waitForDrops(t *testing.T, target int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		drops, err := ferryman.Call[int64](lib, "async_drops")
		if err != nil {
			t.Fatal(err)
		}
		if drops >= target {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("async_drops is %d, not %d: the future was not dropped", drops, target)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func noLiveFutures(t *testing.T) {
	t.Helper()
	live, err := lib.LiveFutures()
	if err != nil || len(live) != 0 {
		t.Fatalf("live futures: %v %v", live, err)
	}
}

// A context's deadline cancels the pending future: the Rust future is
// dropped (its guard counts) and the call ends with a *CancelledError that
// errors.Is finds context.DeadlineExceeded in.
func TestCallContextCancelsThePendingFuture(t *testing.T) {
	before, err := ferryman.Call[int64](lib, "async_drops")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	v, err := lib.CallContext(ctx, "async_guarded", 600_000)
	var ce *ferryman.CancelledError
	if !errors.As(err, &ce) || ce.Function != "async_guarded" || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("async_guarded(600000) under a 50 ms deadline: %v, %#v", v, err)
	}
	if err.Error() != "`async_guarded()` was cancelled: context deadline exceeded" {
		t.Fatalf("message: %q", err.Error())
	}
	waitForDrops(t, before+1)
	noLiveFutures(t)
}

// Cancelling from another goroutine cancels an async method; the method's
// effect never happens, and the cause given to the cancel is in the error.
func TestCancellingAnAsyncMethod(t *testing.T) {
	counter, err := lib.New("AsyncCounter", 10)
	if err != nil {
		t.Fatal(err)
	}
	defer counter.Close()
	ctx, cancel := context.WithCancelCause(context.Background())
	gaveUp := errors.New("the user gave up")
	go func() {
		time.Sleep(20 * time.Millisecond)
		cancel(gaveUp)
	}()
	_, err = ferryman.CallMethodContext[int64](ctx, counter, "add_later", 600_000, 5)
	var ce *ferryman.CancelledError
	if !errors.As(err, &ce) || ce.Function != "AsyncCounter.add_later" || !errors.Is(err, context.Canceled) || !errors.Is(err, gaveUp) {
		t.Fatalf("add_later cancelled: %#v", err)
	}
	if !strings.Contains(err.Error(), "the user gave up") {
		t.Fatalf("message: %q", err.Error())
	}
	// The count is unchanged: the future never got past its sleep.
	if v, err := ferryman.CallMethod[int64](counter, "add_later", 0, 0); err != nil || v != 10 {
		t.Fatalf("count after the cancel: %v %v", v, err)
	}
	noLiveFutures(t)
}

// A context that is done already: the call is not made, sync or async.
func TestADoneContextMakesNoCall(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	before, err := ferryman.Call[int64](lib, "async_drops")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"add", "async_guarded"} {
		_, err := lib.CallContext(ctx, name, 1, 2)
		var ce *ferryman.CancelledError
		if !errors.As(err, &ce) || ce.Function != name || !errors.Is(err, context.Canceled) {
			t.Fatalf("%s under a done context: %#v", name, err)
		}
	}
	if after, _ := ferryman.Call[int64](lib, "async_drops"); after != before {
		t.Fatalf("async_guarded ran: drops %d -> %d", before, after)
	}
}

// With a context that is not done, CallContext answers as Call does:
// results, Rust errors and panics alike.
func TestCallContextAnswersAsCall(t *testing.T) {
	ctx := context.Background()
	if v, err := ferryman.CallContext[string](ctx, lib, "async_sleep", 20, "late"); err != nil || v != "late" {
		t.Fatalf("async_sleep: %v %v", v, err)
	}
	if v, err := ferryman.CallContext[int64](ctx, lib, "add", 2, 3); err != nil || v != 5 {
		t.Fatalf("add: %v %v", v, err)
	}
	_, err := lib.CallContext(ctx, "async_fail", 5)
	var rustErr *ferryman.RustError
	if !errors.As(err, &rustErr) || rustErr.Type != "AsyncError" || rustErr.Message != "failed after 5 ms" {
		t.Fatalf("async_fail: %#v", err)
	}
	if len(rustErr.Frames) == 0 || !strings.HasSuffix(rustErr.Frames[0].File, "async_fns.rs") {
		t.Fatalf("async_fail's frames: %+v", rustErr.Frames)
	}
	_, err = lib.CallContext(ctx, "async_panic", 5)
	var panicErr *ferryman.RustPanic
	if !errors.As(err, &panicErr) || !strings.Contains(panicErr.Message, "async panic after 5 ms") {
		t.Fatalf("async_panic: %#v", err)
	}
	noLiveFutures(t)
}

// A goroutine waiting for a pending future under a context parks: it holds
// no OS thread (a cgo call blocked in the library would), so many waiting
// calls make no threads.
func TestWaitingCallsHoldNoThreads(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	threads := pprof.Lookup("threadcreate")
	before := threads.Count()
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if v, err := ferryman.CallContext[string](ctx, lib, "async_sleep", 100, fmt.Sprint(i)); err != nil || v != fmt.Sprint(i) {
				errs <- fmt.Errorf("async_sleep %d: %v %v", i, v, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if made := threads.Count() - before; made > 20 {
		t.Fatalf("200 waiting calls made %d OS threads", made)
	}
	noLiveFutures(t)
}

// Close may be called from another goroutine while the stream is read
// (go test -race checks that this is no data race); the reader's range
// ends and the producer sees the close.
func TestClosingAStreamFromAnotherGoroutine(t *testing.T) {
	s := stream(t, "ticker", 1000, 2, 2)
	third := make(chan struct{})
	closed := make(chan error, 1)
	go func() {
		<-third
		closed <- s.Close()
	}()
	seen := 0
	for _, err := range s.All() {
		if err != nil {
			t.Fatal(err)
		}
		if seen++; seen == 3 {
			close(third)
		}
	}
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if seen >= 1000 {
		t.Fatalf("the range read all %d items", seen)
	}
	tickerSawClose(t)
	noLiveFutures(t)
}

// tickerSawClose waits until the last ticker's producer saw its channel closed.
func tickerSawClose(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		report := call(t, "ticker_report").([]any)
		if report[1] == true && report[2] == true {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the producer did not see the close: %v", report)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// boundStream is function's stream, made with CallContext under ctx.
func boundStream(t *testing.T, ctx context.Context, function string, args ...any) *ferryman.Stream {
	t.Helper()
	s, err := ferryman.CallContext[*ferryman.Stream](ctx, lib, function, args...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A reader of a stream bound to a context, parked in Next (the producer is
// slow), is woken by a Close from another goroutine: its Next answers the end.
func TestCloseWakesAParkedReader(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := boundStream(t, ctx, "ticker", 1000, 100, 1)
	if item, ok, err := s.Next(); !ok || err != nil || item != int64(0) {
		t.Fatalf("first item: %v %v %v", item, ok, err)
	}
	ended := make(chan error, 1)
	go func() {
		for {
			_, ok, err := s.Next()
			if err != nil || !ok {
				ended <- err
				return
			}
		}
	}()
	time.Sleep(20 * time.Millisecond) // the reader is (most likely) parked now
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-ended; err != nil {
		t.Fatalf("the parked reader's Next: %v", err)
	}
	tickerSawClose(t)
	noLiveFutures(t)
}

// A stream made under a context is closed when the context is done while a
// next waits; that Next answers a *CancelledError naming the function.
func TestAStreamBoundToAContextIsClosedWithIt(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	s := boundStream(t, ctx, "ticker", 1000, 30, 1)
	var err error
	items := 0
	for {
		var ok bool
		if _, ok, err = s.Next(); err != nil || !ok {
			break
		}
		items++
	}
	var ce *ferryman.CancelledError
	if !errors.As(err, &ce) || ce.Function != "ticker" || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("after %d items: %#v", items, err)
	}
	if _, ok, err := s.Next(); ok || err != nil {
		t.Fatalf("Next after the cancel: %v %v", ok, err)
	}
	tickerSawClose(t)
	noLiveFutures(t)
}

// A Close racing a reader at any point of its Next ends the reader without
// an error (go test -race: and without a data race).
func TestCloseRacingNext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for i := range 100 {
		var s *ferryman.Stream
		if i%2 == 0 {
			s = stream(t, "stream_count", 1_000_000)
		} else {
			s = boundStream(t, ctx, "stream_count", 1_000_000)
		}
		read := make(chan error, 1)
		go func() {
			for {
				_, ok, err := s.Next()
				if err != nil || !ok {
					read <- err
					return
				}
			}
		}()
		time.Sleep(time.Duration(i%5) * 100 * time.Microsecond)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if err := <-read; err != nil {
			t.Fatalf("round %d: the reader's Next: %v", i, err)
		}
	}
	noLiveFutures(t)
}
