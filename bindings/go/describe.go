package ferryman

// Handshake is the map ferryman_handshake writes (spec/wire.md, "Handshake").
type Handshake struct {
	ABI            uint32 `msgpack:"abi"`
	Wire           uint32 `msgpack:"wire"`
	Ferryman       string `msgpack:"ferryman"`
	Library        string `msgpack:"library"`
	LibraryVersion string `msgpack:"library_version"`
	Functions      int    `msgpack:"functions"`
	LentBytes      bool   `msgpack:"lent_bytes"`
	LentSlices     bool   `msgpack:"lent_slices"`
	Objects        bool   `msgpack:"objects"`
}

// Description is the map ferryman_describe writes (spec/wire.md, "Describe").
// Type descriptors stay as decoded: a string ("i64") or a one-key map
// ({"list": "f64"}).
type Description struct {
	ABI            uint32     `msgpack:"abi"`
	Wire           uint32     `msgpack:"wire"`
	Ferryman       string     `msgpack:"ferryman"`
	Library        string     `msgpack:"library"`
	LibraryVersion string     `msgpack:"library_version"`
	Functions      []Function `msgpack:"functions"`
	Types          []any      `msgpack:"types"`
	Classes        []Class    `msgpack:"classes"`
	LentBytes      bool       `msgpack:"lent_bytes"`
	Objects        bool       `msgpack:"objects"`
}

// Function is one exported function (or class member).
type Function struct {
	ID      uint32     `msgpack:"id"`
	Name    string     `msgpack:"name"`
	Doc     string     `msgpack:"doc"`
	Params  []Param    `msgpack:"params"`
	Returns TypeRef    `msgpack:"returns"`
	Error   *ErrorType `msgpack:"error"`
	File    string     `msgpack:"file"`
	Line    int        `msgpack:"line"`
	Class   string     `msgpack:"class"`
	Kind    string     `msgpack:"kind"`
	Async   bool       `msgpack:"async"`  // an async fn: a call may wait for its future (future.go)
	Stream  bool       `msgpack:"stream"` // returns a *Stream
}

// Param is one parameter. HasDefault tells a parameter a call may leave out
// (describe's "default" key is present) from a required one; Default is the
// value it then gets (nil is a default too).
type Param struct {
	Name       string `msgpack:"name"`
	Type       any    `msgpack:"type"`
	Rust       string `msgpack:"rust"`
	Default    any    `msgpack:"default"`
	HasDefault bool   `msgpack:"-"`

	awaited bool // Type is {"async_callback": …} (set at load)
}

// isAsyncCallback reports whether a parameter's descriptor is
// {"async_callback": …}: a ferryman::AsyncCallback, which this host does not
// call (spec/callbacks.md, "Async callbacks").
func isAsyncCallback(descriptor any) bool {
	m, ok := descriptor.(map[string]any)
	if !ok {
		return false
	}
	_, ok = m["async_callback"]
	return ok
}

// TypeRef is a result type: its descriptor and the Rust type as written.
type TypeRef struct {
	Type any    `msgpack:"type"`
	Rust string `msgpack:"rust"`
}

// ErrorType is the error type of a function returning Result<T, E>.
type ErrorType struct {
	Name     string   `msgpack:"name"`
	Rust     string   `msgpack:"rust"`
	Base     string   `msgpack:"base"`
	Variants []string `msgpack:"variants"`
}

// Class is an exported class (spec/wire.md, "Classes in describe").
type Class struct {
	ID          uint32   `msgpack:"id"`
	Name        string   `msgpack:"name"`
	Doc         string   `msgpack:"doc"`
	Rust        string   `msgpack:"rust"`
	File        string   `msgpack:"file"`
	Line        int      `msgpack:"line"`
	Constructor *uint32  `msgpack:"constructor"`
	Methods     []uint32 `msgpack:"methods"`
	Statics     []uint32 `msgpack:"statics"`
	Protocols   []string `msgpack:"protocols"`
}

// required is the number of parameters a call must give.
func (f *Function) required() int {
	n := len(f.Params)
	for n > 0 && f.Params[n-1].HasDefault {
		n--
	}
	return n
}

func (f *Function) paramNames() []string {
	names := make([]string, len(f.Params))
	for i, p := range f.Params {
		names[i] = p.Name
	}
	return names
}

// markDefaults sets HasDefault from the raw describe map, where a present
// "default": nil differs from no key at all, and notes the parameters that
// take an async callback (looked up once, not per call).
func markDefaults(raw any, d *Description) {
	top, _ := raw.(map[string]any)
	fns, _ := top["functions"].([]any)
	for i, f := range fns {
		fm, _ := f.(map[string]any)
		params, _ := fm["params"].([]any)
		for j, p := range params {
			pm, _ := p.(map[string]any)
			if i >= len(d.Functions) || j >= len(d.Functions[i].Params) {
				continue
			}
			param := &d.Functions[i].Params[j]
			if _, ok := pm["default"]; ok {
				param.HasDefault = true
			}
			param.awaited = isAsyncCallback(param.Type)
		}
	}
}
