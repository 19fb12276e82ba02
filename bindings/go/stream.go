package ferryman

/*
#include <stdlib.h>
#include "cabi.h"

static int32_t fm_stream_next(void *fn, uint64_t handle, uint32_t max_items, FerryBox *out) {
    return ((int32_t(*)(uint64_t, uint32_t, FerryBox *))fn)(handle, max_items, out);
}
*/
import "C"

import (
	"context"
	"fmt"
	"iter"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"
)

// extStream is a stream handle (spec/wire.md, "Futures and streams").
const extStream = 7

// streamBatch is how many items one ferryman_stream_next asks for: the
// producer runs at most this far ahead of the Go reader.
const streamBatch = 64

// Stream is what a function describe marks "stream": true returns
// (extension 7, spec/abi.md "Streams"): the host owns the handle and pulls
// items in batches. Range over All, or call Next; Close releases the stream
// (its producer sees the end), and a finalizer closes a forgotten one.
//
// A stream made by a call with a context that can be cancelled
// (Library.CallContext, CallContext[T], Object.CallContext) is bound to it:
// a next with no item ready parks its goroutine until the batch comes
// through the completion function, and when the context is done the stream
// is closed and Next answers a *CancelledError. Any other stream's next
// waits for its batch inside the call.
//
// Next and All are for one goroutine at a time; Close may be called from
// any goroutine, also while another waits in Next, which then ends (a
// stream not bound to a context ends once the batch it waits for came).
type Stream struct {
	lib      *Library
	handle   uint64
	pending  []any
	ended    bool
	closed   atomic.Bool
	ctx      context.Context // the context it is bound to, or nil
	function string          // the function that made it, when bound
	token    uint64          // the completion target's token, once set; 0 for none
	batches  chan outcome    // where the completion sends a pending next's batch
}

// streamSymbols are the two optional stream symbols, looked up once per library.
type streamSymbols struct {
	once    sync.Once
	next    unsafe.Pointer
	release unsafe.Pointer
}

var streamSyms sync.Map // *Library -> *streamSymbols

func (l *Library) streamSymbols() *streamSymbols {
	v, _ := streamSyms.LoadOrStore(l, &streamSymbols{})
	s := v.(*streamSymbols)
	s.once.Do(func() {
		lookup := func(name string) unsafe.Pointer {
			cname := C.CString(name)
			defer C.free(unsafe.Pointer(cname))
			return C.fm_symbol(l.sym.handle, cname)
		}
		s.next = lookup("ferryman_stream_next")
		s.release = lookup("ferryman_stream_release")
	})
	return s
}

func newStream(lib *Library, handle uint64) *Stream {
	s := &Stream{lib: lib, handle: handle}
	runtime.SetFinalizer(s, func(s *Stream) { s.Close() })
	return s
}

// Next returns the stream's next item; ok is false once it has ended (or was
// closed), and the stream is then released. An error item (a Rust Err, a
// panic) is returned as err at its place; the stream goes on after an Err
// item. Any other failure to pull (the stream is not live, the library has
// no ferryman_stream_next, bad bytes, the bound context is done) is
// returned once, and ends the stream.
func (s *Stream) Next() (item any, ok bool, err error) {
	if s.closed.Load() {
		return nil, false, nil
	}
	for len(s.pending) == 0 {
		if s.ended {
			s.Close() // an ended stream is released at once, not by the finalizer
			return nil, false, nil
		}
		if s.closed.Load() {
			return nil, false, nil
		}
		if err := s.pull(); err != nil {
			if s.ended {
				s.Close()
			}
			return nil, true, err
		}
	}
	item, s.pending[0] = s.pending[0], nil
	s.pending = s.pending[1:]
	return item, true, nil
}

// bind binds the stream to ctx, before its first next (Library.callContext).
func (s *Stream) bind(ctx context.Context, function string) {
	s.ctx, s.function = ctx, function
}

// All ranges over the items, an error item as a non-nil error with a nil
// item; breaking out of the loop closes the stream.
func (s *Stream) All() iter.Seq2[any, error] {
	return func(yield func(any, error) bool) {
		for {
			item, ok, err := s.Next()
			if !ok {
				return
			}
			if !yield(item, err) {
				s.Close()
				return
			}
		}
	}
}

// pull asks the library for the next batch. A failure that is not an error
// item ends the stream: the next pull would fail alike, and a range over All
// that goes on after an error would never end.
func (s *Stream) pull() error {
	const function = "ferryman_stream_next"
	syms := s.lib.streamSymbols()
	if syms.next == nil {
		s.ended = true
		return &BridgeError{Kind: "no_function", Function: function, Message: s.lib.handshake.Library + " has no " + function}
	}
	ctx := s.ctx
	if ctx != nil && ctx.Err() != nil {
		s.ended = true
		return cancelled(ctx, s.function)
	}
	if ctx != nil && s.batches == nil && s.lib.awaitsFutures() {
		s.target()
	}
	if s.token != 0 {
		waiters.Store(s.token, s.batches) // before the next: its batch may come at once
	}
	out := new(C.FerryBox)
	status := C.fm_stream_next(syms.next, C.uint64_t(s.handle), streamBatch, out)
	var r reply
	s.lib.sym.take(status, out, nil, &r)
	if s.token != 0 {
		if r.status != statusPending {
			waiters.Delete(s.token) // answered at once: no completion comes
		} else {
			r.done()
			wait(ctx, s.batches, func() { s.Close() }).fill(s.lib.sym, &r)
		}
	}
	runtime.KeepAlive(s)
	// Closed by another goroutine while the next waited (FERRY_CANCELLED), or
	// just before it was made (status 4): the end, not a failure.
	if r.status == statusCancelled || (r.status != 0 && s.closed.Load()) {
		r.done()
		s.ended = true
		if ctx != nil && ctx.Err() != nil {
			return cancelled(ctx, s.function)
		}
		return nil
	}
	if r.status != 0 {
		// Statuses 1 (an Err item) and 2 (a panic, after which the library
		// answers nil) are items (spec/abi.md, "Streams").
		if r.status != 1 && r.status != 2 {
			s.ended = true
		}
		err := s.lib.failure(function, &r)
		r.done()
		return err
	}
	v, err := s.lib.decode(function, r.bytes)
	r.done()
	if err != nil {
		s.ended = true
		return err
	}
	switch items := v.(type) {
	case nil:
		s.ended = true
	case []any:
		s.pending = items
	default:
		s.ended = true
		return &BridgeError{Kind: "malformed", Function: function, Message: fmt.Sprintf("a batch of stream items is an array or nil, not %T", v)}
	}
	return nil
}

// target sets the completion as the stream's target, before its first
// next; a stream the library refuses it for (not live) keeps waiting inside
// the call, whose answer then says why.
func (s *Stream) target() {
	s.batches = make(chan outcome, 1)
	token := lastToken.Add(1)
	if s.lib.startFuture(s.handle, token) == 0 {
		s.token = token
	}
}

// Close releases the stream (ferryman_stream_release); calling it again does
// nothing.
func (s *Stream) Close() error {
	if !s.closed.CompareAndSwap(false, true) {
		return nil
	}
	runtime.SetFinalizer(s, nil)
	// (pending is Next's alone: Close may run on another goroutine.)
	syms := s.lib.streamSymbols()
	if syms.release == nil || C.fm_release(syms.release, C.uint64_t(s.handle)) != 0 {
		return &BridgeError{Kind: "no_function", Message: fmt.Sprintf("stream %d was not live", s.handle)}
	}
	return nil
}
