package ferryman

import (
	"sync"
	"sync/atomic"
)

// Interned strings: the names an error value repeats from call to call
// (its kind, type, function, parameter, frames' files and functions), so
// that reading them allocates nothing after the first time. Messages are
// not interned (they vary). Readers look up a map that is never written;
// a new name replaces the map with a larger copy, up to internMax names.
// In front of the map, a small direct-mapped cache of recent names answers
// most look-ups with one compare (an error value holds about eight names,
// and a map look-up each cost a fifth of reading it).

const (
	internMax    = 4096
	internMaxLen = 256
)

var (
	internTable  atomic.Pointer[map[string]*string] // values never change
	internMu     sync.Mutex
	internRecent [256]atomic.Pointer[string] // pointers into internTable's values
)

func init() {
	m := map[string]*string{}
	internTable.Store(&m)
}

// internSlot is b's place in internRecent: its length and three of its bytes.
func internSlot(b []byte) *atomic.Pointer[string] {
	h := uint(len(b)) * 31
	if len(b) > 0 {
		h += uint(b[0])*7 + uint(b[len(b)-1]) + uint(b[len(b)/2])<<3
	}
	return &internRecent[h%uint(len(internRecent))]
}

// internLookup is b's interned string, if it has one (b need not be UTF-8).
func internLookup(b []byte) (string, bool) {
	slot := internSlot(b)
	if s := slot.Load(); s != nil && *s == string(b) {
		return *s, true
	}
	if p, ok := (*internTable.Load())[string(b)]; ok {
		slot.Store(p)
		return *p, true
	}
	return "", false
}

// intern is b as a string, the same string each time for the same bytes.
func intern(b []byte) string {
	if s, ok := internLookup(b); ok {
		return s
	}
	s := string(b)
	if len(b) > internMaxLen {
		return s
	}
	internMu.Lock()
	defer internMu.Unlock()
	old := *internTable.Load()
	if known, ok := old[s]; ok {
		return *known
	}
	if len(old) >= internMax {
		return s
	}
	m := make(map[string]*string, len(old)+1)
	for k, v := range old {
		m[k] = v
	}
	m[s] = &s
	internTable.Store(&m)
	return s
}
