package ferryman

import (
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
)

// ABIVersion and WireVersion are the versions of the contract this host
// speaks (spec/abi.md, spec/wire.md).
const (
	ABIVersion  = 1
	WireVersion = 1
)

// Library is a loaded ferryman library. Its methods may be called from any
// goroutine. A library is never unloaded: Rust threads may call back into
// the host until the process ends (spec/callbacks.md, "When the host goes
// away").
type Library struct {
	path         string
	sym          *symbols
	handshake    Handshake
	description  Description
	byName       map[string]*Function
	lastCalled   atomic.Pointer[Function] // byName's answer for the last name called
	binExpect    []atomic.Int64           // by function id: the large bin it returned last (bin_result.go)
	classByName  map[string]*Class
	errTemplates errorTemplates // the error values it returned last, read (error_template.go)

	hostOnce sync.Once
	hostID   int32
	hostErr  error

	futuresOnce sync.Once
	futures     atomic.Bool // the completion function is connected (future.go)

	typesOnce sync.Once
	types     map[string]map[string]any // describe's types by name, for Bind's signatures
}

// libraries maps the context a FerryHost carries to its library.
var libraries = struct {
	sync.Mutex
	list []*Library
}{}

// loading serializes Load: two goroutines loading one path at once must
// find one Library, not make two (the list's lock is not held while a
// library is checked, which calls into it).
var loading sync.Mutex

func libraryByContext(ctx uintptr) *Library {
	libraries.Lock()
	defer libraries.Unlock()
	if ctx >= uintptr(len(libraries.list)) {
		return nil
	}
	return libraries.list[ctx]
}

// Load opens the shared object at path and checks that it is a ferryman
// library this host can speak to: ABI version first, then the handshake's
// wire version, then describe. Anything else is a *LoadError, never a crash.
func Load(path string) (*Library, error) {
	loading.Lock()
	defer loading.Unlock()
	sym, err := openSymbols(path)
	if err != nil {
		return nil, err
	}
	// The same shared object loaded again is the same library: one runtime,
	// so one Library and one host registration (a second host would turn
	// exception handles off, spec/callbacks.md).
	libraries.Lock()
	for _, known := range libraries.list {
		if known.sym.handle == sym.handle {
			libraries.Unlock()
			sym.close()
			return known, nil
		}
	}
	libraries.Unlock()
	lib := &Library{path: path, sym: sym}
	if err := lib.check(); err != nil {
		sym.close()
		return nil, err
	}
	libraries.Lock()
	libraries.list = append(libraries.list, lib)
	libraries.Unlock()
	return lib, nil
}

func (l *Library) check() error {
	if abi := l.sym.abi(); abi != ABIVersion {
		return &LoadError{Path: l.path, Message: fmt.Sprintf("it speaks ferryman ABI %d, this host speaks %d", abi, ABIVersion)}
	}
	raw, err := l.contractValue("ferryman_handshake", l.sym.outOnly(l.sym.handshake))
	if err != nil {
		return &LoadError{Path: l.path, Message: "bad handshake: " + err.Error()}
	}
	if err := assign(&l.handshake, raw, "handshake"); err != nil {
		return &LoadError{Path: l.path, Message: "bad handshake: " + err.Error()}
	}
	if l.handshake.Wire != WireVersion {
		return &LoadError{Path: l.path, Message: fmt.Sprintf("%s %s (ferryman %s) speaks wire version %d, this host speaks %d",
			l.handshake.Library, l.handshake.LibraryVersion, l.handshake.Ferryman, l.handshake.Wire, WireVersion)}
	}
	raw, err = l.contractValue("ferryman_describe", l.sym.outOnly(l.sym.describe))
	if err != nil {
		return &LoadError{Path: l.path, Message: "bad describe: " + err.Error()}
	}
	if err := assign(&l.description, raw, "describe"); err != nil {
		return &LoadError{Path: l.path, Message: "bad describe: " + err.Error()}
	}
	markDefaults(raw, &l.description)
	l.byName = map[string]*Function{}
	l.binExpect = make([]atomic.Int64, len(l.description.Functions))
	for i := range l.description.Functions {
		f := &l.description.Functions[i]
		if other, dup := l.byName[f.Name]; dup {
			return &LoadError{Path: l.path, Message: fmt.Sprintf("two functions are exported as `%s`: %s:%d and %s:%d",
				f.Name, other.File, other.Line, f.File, f.Line)}
		}
		l.byName[f.Name] = f
	}
	l.classByName = map[string]*Class{}
	for i := range l.description.Classes {
		l.classByName[l.description.Classes[i].Name] = &l.description.Classes[i]
	}
	return nil
}

// contractValue decodes the reply of a symbol that only writes out.
func (l *Library) contractValue(symbol string, r *reply) (any, error) {
	defer r.done()
	if r.status != 0 {
		return nil, fmt.Errorf("%s returned status %d", symbol, r.status)
	}
	return l.decode(symbol, r.bytes)
}

// Path is the path the library was loaded from.
func (l *Library) Path() string { return l.path }

// Handshake is what the library said about itself at load.
func (l *Library) Handshake() Handshake { return l.handshake }

// Describe is the library's description: functions, named types, classes.
func (l *Library) Describe() *Description { return &l.description }

// Functions are the names of the exported functions, sorted (class members
// are named Class.member).
func (l *Library) Functions() []string {
	names := make([]string, 0, len(l.byName))
	for name := range l.byName {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Function is the description of one function, or nil.
func (l *Library) Function(name string) *Function { return l.byName[name] }

// host registers this package as the library's host the first time a
// callable crosses (spec/callbacks.md, "Registering a host").
func (l *Library) host() (int32, error) {
	l.hostOnce.Do(func() {
		if l.sym.registerHost == nil {
			l.hostErr = &BridgeError{Kind: "internal", Message: l.handshake.Library + " takes no callbacks (no ferryman_register_host)"}
			return
		}
		libraries.Lock()
		ctx := uintptr(0)
		for i, x := range libraries.list {
			if x == l {
				ctx = uintptr(i)
			}
		}
		libraries.Unlock()
		l.hostID = l.sym.register(ctx)
		if l.hostID < 0 {
			l.hostErr = &BridgeError{Kind: "internal", Message: "ferryman_register_host refused this host"}
		}
	})
	return l.hostID, l.hostErr
}
