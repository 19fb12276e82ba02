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

const (
	internMax    = 4096
	internMaxLen = 256
)

var (
	internTable atomic.Pointer[map[string]string]
	internMu    sync.Mutex
)

func init() {
	m := map[string]string{}
	internTable.Store(&m)
}

// intern is b as a string, the same string each time for the same bytes.
func intern(b []byte) string {
	if s, ok := (*internTable.Load())[string(b)]; ok {
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
		return known
	}
	if len(old) >= internMax {
		return s
	}
	m := make(map[string]string, len(old)+1)
	for k, v := range old {
		m[k] = v
	}
	m[s] = s
	internTable.Store(&m)
	return s
}
