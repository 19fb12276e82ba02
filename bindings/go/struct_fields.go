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
}

var structFieldCache sync.Map // reflect.Type -> *structInfo

func structFields(t reflect.Type) []structField { return structInfoOf(t).fields }

// structFieldIndex maps a struct type's wire names to field indexes.
func structFieldIndex(t reflect.Type) map[string]int { return structInfoOf(t).byName }

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
	structFieldCache.Store(t, info)
	return info
}
