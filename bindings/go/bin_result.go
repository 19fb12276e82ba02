package ferryman

import "encoding/binary"

// Large bin results written by the library straight into a new Go []byte,
// which the call returns: the result bytes are copied once (by the library,
// encoding them) instead of twice (into a library box it allocates, then out
// of it by the host, which frees it). The size is not known
// before the call, so a function that just returned a large bin is offered
// as much room next time; a result that does not fit lands in a library
// box and is read as before. (The Node host does the same: bin_result.rs.)

// binResultFrom is the payload length from which a bin result is written
// into Go memory: below it, a []byte made per call and the pointer cgo
// checks cost more than the copy.
const binResultFrom = 32 << 10

// binHeader is the room for bin 32's header (c6 and the length).
const binHeader = 5

// binPayload is where the payload of b starts and how long it is, when b is
// one bin value of at least binResultFrom bytes and nothing else.
func binPayload(b []byte) (start, n int, ok bool) {
	switch {
	case len(b) >= 3 && b[0] == 0xc5:
		start, n = 3, int(binary.BigEndian.Uint16(b[1:3]))
	case len(b) >= binHeader && b[0] == 0xc6:
		start, n = binHeader, int(binary.BigEndian.Uint32(b[1:5]))
	default:
		// bin 8 holds at most 255 bytes: never this long.
		return 0, 0, false
	}
	return start, n, n >= binResultFrom && start+n == len(b)
}

// binRoom is the room to offer function id's next result: enough for the
// large bin it returned last, or 0.
func (l *Library) binRoom(id uint32) int {
	if int(id) >= len(l.binExpect) {
		return 0
	}
	if n := l.binExpect[id].Load(); n > 0 {
		return int(n) + binHeader
	}
	return 0
}

// sawResult notes what function id's last result was: the payload length
// of a large bin, else 0.
func (l *Library) sawResult(id uint32, r *reply) {
	if int(id) >= len(l.binExpect) {
		return
	}
	var size int64
	if r.status == 0 {
		if _, n, ok := binPayload(r.bytes); ok {
			size = int64(n)
		}
	}
	if l.binExpect[id].Load() != size {
		l.binExpect[id].Store(size)
	}
}

// inPlaceBin is the result when the library wrote a large bin into the
// room offered (r.inPlace) and fills at least half of it (a short result
// would keep all of the room alive): a slice of that new memory, which the
// call returns as it is.
func inPlaceBin(r *reply, room int) ([]byte, bool) {
	if !r.inPlace || r.status != 0 {
		return nil, false
	}
	start, n, ok := binPayload(r.bytes)
	if !ok || n < room/2 {
		return nil, false
	}
	return r.bytes[start : start+n : start+n], true
}

// callOffering calls f offering room bytes of new Go memory for its result,
// and notes what it returned: the bin, when the library wrote a large one
// there (inPlaceBin).
func (l *Library) callOffering(f *Function, e *encoder, room int, r *reply) ([]byte, bool) {
	offered := make([]byte, room)
	l.sym.callIDInto(l.sym.call, f.ID, e.bytes(), e.out, e.keep, offered, r)
	l.sawResult(f.ID, r)
	return inPlaceBin(r, room)
}
