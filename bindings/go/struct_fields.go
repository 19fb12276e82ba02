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

var structFieldCache sync.Map // reflect.Type -> []structField

func structFields(t reflect.Type) []structField {
	if cached, ok := structFieldCache.Load(t); ok {
		return cached.([]structField)
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
	structFieldCache.Store(t, fields)
	return fields
}
