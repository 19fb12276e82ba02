package ferryman

import (
	"reflect"
	"strings"
	"sync"
)

// structField is how a Go struct field crosses: its wire name (the msgpack
// tag's, else the field's), and whether a zero value is left out.
type structField struct {
	name      string
	index     int
	omitEmpty bool
}

// structInfo is a struct type's fields, in order and by wire name.
type structInfo struct {
	fields []structField
	byName map[string]int // wire name -> field index
	// inOrder: no two fields share a wire name, so the field at a key's
	// position, when its name is the key, is the one byName gives (a Rust
	// struct and its Go mirror usually list their fields in the same order).
	inOrder bool
}

// fieldIndex is the index of the field named key, which is the keyAt-th key
// of its map; false when the struct has no such field.
func (info *structInfo) fieldIndex(key []byte, keyAt int) (int, bool) {
	if info.inOrder && keyAt < len(info.fields) && info.fields[keyAt].name == string(key) {
		return info.fields[keyAt].index, true
	}
	index, known := info.byName[string(key)]
	return index, known
}

var structFieldCache sync.Map // reflect.Type -> *structInfo

func structFields(t reflect.Type) []structField { return structInfoOf(t).fields }

func structInfoOf(t reflect.Type) *structInfo {
	if cached, ok := structFieldCache.Load(t); ok {
		return cached.(*structInfo)
	}
	var fields []structField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("msgpack"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields = append(fields, structField{name: name, index: i, omitEmpty: strings.Contains(opts, "omitempty")})
	}
	info := &structInfo{fields: fields, byName: make(map[string]int, len(fields))}
	for _, f := range fields {
		info.byName[f.name] = f.index
	}
	info.inOrder = len(info.byName) == len(fields)
	structFieldCache.Store(t, info)
	return info
}
