package ferryman

import (
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
)

// structField is how a Go struct field crosses: its wire name (the msgpack
// tag's, else the field's), and whether a zero value is left out.
type structField struct {
	name      string
	key       string // name as the encoder writes it: its str header, then its bytes
	index     int
	omitEmpty bool
	tagged    bool // the name is the tag's
}

// structInfo is a struct type's fields, in order and by wire name. No two
// share a wire name: of fields that would, as in encoding/json, the one
// tagged with the name crosses, and none does when that is not exactly one
// (so encoding never writes a key twice, and both decoding paths fill the
// same field).
type structInfo struct {
	typ     reflect.Type
	fields  []structField
	byName  map[string]int // wire name -> field index
	variant *variantForm   // an EnumVariant's form (variant.go), else nil
}

// fieldIndex is the index of the field named key, which is the keyAt-th key
// of its map; false when the struct has no such field. The field at the
// key's position is tried first (a Rust struct and its Go mirror usually
// list their fields in the same order).
func (info *structInfo) fieldIndex(key []byte, keyAt int) (int, bool) {
	if keyAt < len(info.fields) && info.fields[keyAt].name == string(key) {
		return info.fields[keyAt].index, true
	}
	index, known := info.byName[string(key)]
	return index, known
}

// foldField is the first field whose name matches key case-insensitively,
// for a key that names no field exactly (encoding/json's rule).
func (info *structInfo) foldField(key string) (structField, bool) {
	if _, exact := info.byName[key]; !exact {
		for _, f := range info.fields {
			if strings.EqualFold(f.name, key) {
				return f, true
			}
		}
	}
	return structField{}, false
}

var structFieldCache sync.Map // reflect.Type -> *structInfo

// structRecent answers most look-ups in front of structFieldCache, whose
// hashing of the type cost as much as writing a small struct's fields: a
// direct-mapped cache of recent types by address (a type's address is
// unique, and every look-up compares the type itself).
var structRecent [64]atomic.Pointer[structInfo]

func structInfoOf(t reflect.Type) *structInfo {
	slot := &structRecent[reflect.ValueOf(t).Pointer()/8%uintptr(len(structRecent))]
	if info := slot.Load(); info != nil && info.typ == t {
		return info
	}
	if cached, ok := structFieldCache.Load(t); ok {
		info := cached.(*structInfo)
		slot.Store(info)
		return info
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
		tagged := name != ""
		if !tagged {
			name = f.Name
		}
		fields = append(fields, structField{name: name, index: i, omitEmpty: strings.Contains(opts, "omitempty"), tagged: tagged})
	}
	fields = dominantFields(fields)
	for i := range fields {
		var w wireWriter
		_ = w.EncodeString(fields[i].name)
		fields[i].key = string(w.b)
	}
	info := &structInfo{typ: t, fields: fields, byName: make(map[string]int, len(fields)), variant: variantFormOf(t, fields)}
	for _, f := range fields {
		info.byName[f.name] = f.index
	}
	structFieldCache.Store(t, info)
	slot.Store(info)
	return info
}

// dominantFields keeps, of the fields that share a wire name, the one whose
// tag gives it, or none when not exactly one does (encoding/json's rule).
func dominantFields(fields []structField) []structField {
	count := make(map[string]int, len(fields))
	tagged := make(map[string]int, len(fields))
	for _, f := range fields {
		count[f.name]++
		if f.tagged {
			tagged[f.name]++
		}
	}
	if len(count) == len(fields) {
		return fields
	}
	kept := fields[:0:0]
	for _, f := range fields {
		if count[f.name] == 1 || (f.tagged && tagged[f.name] == 1) {
			kept = append(kept, f)
		}
	}
	return kept
}
