package ferryman

/*
#include "cabi.h"
*/
import "C"

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"
)

// The statuses of a future (spec/abi.md, "Statuses").
const (
	statusPending   = 6 // FERRY_PENDING: out holds a future handle
	statusCancelled = 7 // FERRY_CANCELLED: a cancelled future's completion
)

// extFuture is a pending future's handle (spec/wire.md, "Futures and streams").
const extFuture = 6

// An async export called with a context that can be cancelled is awaited
// here (spec/abi.md, "Futures"; ADR 0017). The first such call connects
// ferrymanGoComplete as the library's completion function; from then on a
// future that is not ready at its first poll answers FERRY_PENDING with its
// handle, and the calling goroutine parks on a channel until the completion
// sends it the outcome: the wait holds no OS thread, and the context can
// cancel it (ferryman_future_cancel drops the Rust future).
//
// Other calls of async exports block: through ferryman_call while this host
// connected no completion, then through ferryman_call_blocking. Either way
// the future runs to its end inside the call, on the calling thread. That needs no
// hand-off between threads, so a future that is pending briefly (it yields
// once, say) answers in a fraction of a microsecond rather than the tens of
// microseconds two thread wake-ups cost.

// outcome is what the completion function was given: the status and the
// library's box, which the waiter frees once it has read it.
type outcome struct {
	status int32
	box    C.FerryBox
}

// waiters are the calls waiting for a completion, by token.
var (
	waiters   sync.Map // uint64 -> chan outcome
	lastToken atomic.Uint64
)

// awaitsFutures connects the completion function the first time an async
// function is called under a context that can be cancelled; false when the
// library lacks the future symbols or refused, and its futures then run to
// their end inside ferryman_call.
func (l *Library) awaitsFutures() bool {
	l.futuresOnce.Do(func() {
		s := l.sym
		if s.completionConnect == nil || s.futureStart == nil || s.futureCancel == nil {
			return
		}
		id, err := l.host()
		if err != nil {
			return
		}
		l.futures.Store(C.fm_completion_connect(s.completionConnect, C.uint32_t(id)) == 0)
	})
	return l.futures.Load()
}

// asyncEntry is the symbol to call an async export with: ferryman_call
// (awaited here) when ctx can be cancelled and the library awaits futures;
// else ferryman_call_blocking once a completion is connected, and before
// that ferryman_call, which blocks then and costs less. (A library without
// ferryman_call_blocking answers FERRY_PENDING once a completion is
// connected; that is awaited all the same.)
func (l *Library) asyncEntry(ctx context.Context) unsafe.Pointer {
	if ctx != nil && ctx.Done() != nil && l.awaitsFutures() {
		return l.sym.call
	}
	if l.futures.Load() && l.sym.callBlocking != nil {
		return l.sym.callBlocking
	}
	return l.sym.call
}

// futureHandle reads extension 6, the whole of a FERRY_PENDING reply.
func futureHandle(b []byte) (uint64, bool) {
	if len(b) != 10 || b[0] != 0xd7 || b[1] != extFuture {
		return 0, false
	}
	h := binary.BigEndian.Uint64(b[2:])
	return h, h != 0
}

// await waits for the future a call answered FERRY_PENDING with (r, whose
// bytes it reads and frees) and fills r with its outcome, as the call would
// have answered it had it been ready. When ctx is done first, the future is
// cancelled and the error is a *CancelledError wrapping ctx.Err(); a future
// that ended meanwhile keeps its outcome.
func (l *Library) await(ctx context.Context, function string, r *reply) error {
	handle, ok := futureHandle(r.bytes)
	r.done()
	if !ok {
		return &ProtocolError{Function: function, Message: fmt.Sprintf("`%s()` answered FERRY_PENDING without a future handle (extension 6)", function)}
	}
	if !l.awaitsFutures() { // (another host in the process connected one)
		return &BridgeError{Kind: "internal", Function: function,
			Message: fmt.Sprintf("`%s()` answered FERRY_PENDING, but this host cannot await futures of %s", function, l.handshake.Library)}
	}
	ch := make(chan outcome, 1)
	token := lastToken.Add(1)
	waiters.Store(token, ch)
	if st := l.startFuture(handle, token); st != 0 {
		waiters.Delete(token)
		return &BridgeError{Kind: "internal", Function: function,
			Message: fmt.Sprintf("ferryman_future_start refused the future of `%s()` (status %d)", function, st)}
	}
	o := wait(ctx, ch, func() {
		// The completion comes either way: FERRY_CANCELLED, or the outcome
		// of a future that ended while it was being cancelled.
		C.fm_release(l.sym.futureCancel, C.uint64_t(handle))
	})
	o.fill(l.sym, r)
	if o.status == statusCancelled && ctx != nil && ctx.Err() != nil {
		r.done()
		return cancelled(ctx, function)
	}
	return nil
}

// callFuture calls async export f through asyncEntry(ctx) and awaits a
// future left pending; on an error e is given back.
func (l *Library) callFuture(ctx context.Context, f *Function, e *encoder, r *reply) error {
	l.sym.callID(l.asyncEntry(ctx), f.ID, e.bytes(), e.out, e.keep, r)
	if r.status == statusPending {
		// The future owns what it took from the arguments; the call's own
		// references and lent memory end here, as for any call that returned.
		if err := l.await(ctx, f.Name, r); err != nil {
			e.done()
			return err
		}
	}
	return nil
}

// startFuture is ferryman_future_start(handle, this host, token): the
// outcome of future handle, or every pending next of stream handle, goes to
// the completion with token. Called after awaitsFutures answered true.
func (l *Library) startFuture(handle, token uint64) int32 {
	return int32(C.fm_future_start(l.sym.futureStart, C.uint64_t(handle), C.uint32_t(l.hostID), C.uint64_t(token)))
}

// wait receives the outcome sent to ch; when ctx (nil: never) is done
// first, it calls cancel, which makes the library send one soon, and waits
// for that.
func wait(ctx context.Context, ch chan outcome, cancel func()) outcome {
	var done <-chan struct{} // nil, which never receives, for a nil ctx
	if ctx != nil {
		done = ctx.Done()
	}
	select {
	case o := <-ch:
		return o
	case <-done:
		cancel()
		return <-ch
	}
}

// fill makes r the outcome's reply, read in the library's box, which r.done frees.
func (o outcome) fill(sym *symbols, r *reply) {
	box := new(C.FerryBox)
	*box = o.box
	*r = reply{status: o.status, out: box, spilled: box.ptr != nil, sym: sym}
	if box.ptr != nil {
		r.bytes = unsafe.Slice((*byte)(unsafe.Pointer(box.ptr)), int(box.len))
	}
}

// cancelled is the error of a call given up on because ctx is done.
func cancelled(ctx context.Context, function string) error {
	return &CancelledError{Function: function, Err: ctx.Err(), Cause: context.Cause(ctx)}
}

// completed hands a completion to its waiter (ferrymanGoComplete). A token
// no call waits for cannot come from the library; its box is freed here.
func completed(l *Library, token uint64, status int32, out *C.FerryBox) {
	o := outcome{status: status}
	if out != nil {
		o.box = *out
	}
	if ch, ok := waiters.LoadAndDelete(token); ok {
		ch.(chan outcome) <- o
		return
	}
	if l != nil && out != nil {
		C.fm_box_free(l.sym.boxFree, out)
	}
}

// LiveFuture is a pending future or stream some host holds (ferryman_live_futures).
type LiveFuture struct {
	Handle   uint64 `msgpack:"handle"`
	Kind     string `msgpack:"kind"` // "future" or "stream"
	Function string `msgpack:"function"`
}

// LiveFutures lists the pending futures and the streams hosts still hold: a
// leak check.
func (l *Library) LiveFutures() ([]LiveFuture, error) {
	var out []LiveFuture
	return out, l.live("ferryman_live_futures", l.sym.liveFutures, &out)
}
