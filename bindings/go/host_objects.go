package ferryman

import (
	"sync"
)

// hostObject is one Go value the library may hold (spec/callbacks.md, "Host
// objects"): a callback func or an error handed to Rust as an exception
// handle. refs counts every reference: the host's own while a call runs,
// Rust's retains, and the one an error value hands over.
type hostObject struct {
	value any
	refs  int64
}

// hostObjects is the one table of host objects, shared by every library
// loaded in the process: handles are unique process-wide and never 0.
var hostObjects = struct {
	sync.Mutex
	next    uint64
	objects map[uint64]*hostObject
	// boxHolds: what a callback's result box keeps alive until the
	// library hands the box back through free_box (spec/callbacks.md).
	boxHolds map[uintptr]boxHold
}{objects: map[uint64]*hostObject{}, boxHolds: map[uintptr]boxHold{}}

// boxHold is what one result box keeps alive: the host handles it holds
// (Go callbacks), and the Go value it was encoded from when that holds
// closures or objects, whose finalizers would release their handles before
// Rust has read them.
type boxHold struct {
	handles []uint64
	value   any
}

// hostNew adds v with one reference (the caller's) and returns its handle.
func hostNew(v any) uint64 {
	hostObjects.Lock()
	defer hostObjects.Unlock()
	hostObjects.next++
	h := hostObjects.next
	hostObjects.objects[h] = &hostObject{value: v, refs: 1}
	return h
}

func hostRetain(h uint64) {
	hostObjects.Lock()
	defer hostObjects.Unlock()
	if o, ok := hostObjects.objects[h]; ok {
		o.refs++
	}
}

func hostRelease(h uint64) {
	hostObjects.Lock()
	defer hostObjects.Unlock()
	if o, ok := hostObjects.objects[h]; ok {
		o.refs--
		if o.refs <= 0 {
			delete(hostObjects.objects, h)
			if m, lent := o.value.(*lentMemory); lent {
				m.release()
			}
		}
	}
}

func hostReleaseAll(handles []uint64) {
	for _, h := range handles {
		hostRelease(h)
	}
}

func hostGet(h uint64) (any, bool) {
	hostObjects.Lock()
	defer hostObjects.Unlock()
	o, ok := hostObjects.objects[h]
	if !ok {
		return nil, false
	}
	return o.value, true
}

// hostTake reads a handle that came with a reference for the host (in a
// result, a callback's arguments or an error value) and drops that reference.
func hostTake(h uint64) (any, bool) {
	v, ok := hostGet(h)
	hostRelease(h)
	return v, ok
}

func holdForBox(ptr uintptr, hold boxHold) {
	if len(hold.handles) == 0 && hold.value == nil {
		return
	}
	hostObjects.Lock()
	defer hostObjects.Unlock()
	hostObjects.boxHolds[ptr] = hold
}

func boxFreed(ptr uintptr) {
	hostObjects.Lock()
	hold := hostObjects.boxHolds[ptr]
	delete(hostObjects.boxHolds, ptr)
	hostObjects.Unlock()
	hostReleaseAll(hold.handles)
}

// LiveHostObjects is the number of Go values (callbacks, errors) that some
// library still holds a reference to: a leak check for tests. It is 0 when
// every callback passed to Rust has been released.
func LiveHostObjects() int {
	hostObjects.Lock()
	defer hostObjects.Unlock()
	return len(hostObjects.objects)
}
