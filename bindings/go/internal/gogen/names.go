package gogen

import (
	"go/token"
	"strings"
	"unicode"
)

// initialisms are the words Go spells in capitals (Go Code Review Comments).
var initialisms = map[string]bool{
	"api": true, "http": true, "id": true, "ip": true, "json": true,
	"uri": true, "url": true, "utc": true, "uuid": true,
}

// exported is a snake_case Rust name as an exported Go name:
// bump_record → BumpRecord, user_id → UserID.
func exported(name string) string {
	var b strings.Builder
	for _, word := range strings.Split(name, "_") {
		if word == "" {
			continue
		}
		if initialisms[strings.ToLower(word)] {
			b.WriteString(strings.ToUpper(word))
			continue
		}
		r := []rune(word)
		r[0] = unicode.ToUpper(r[0])
		b.WriteString(string(r))
	}
	if b.Len() == 0 || !token.IsIdentifier(b.String()) {
		return ""
	}
	return b.String()
}

// local is a snake_case parameter name as a Go local: lowerCamel, with a
// trailing _ when that is a Go keyword or a name the generated body uses.
func local(name string) string {
	e := exported(name)
	if e == "" {
		return ""
	}
	r := []rune(e)
	// UserID → userID, ID → id
	i := 0
	for i < len(r) && unicode.IsUpper(r[i]) && (i == 0 || i+1 == len(r) || unicode.IsUpper(r[i+1])) {
		r[i] = unicode.ToLower(r[i])
		i++
	}
	s := string(r)
	if token.IsKeyword(s) || reserved[s] {
		s += "_"
	}
	return s
}

// reserved are the names a generated method's body declares.
var reserved = map[string]bool{
	"l": true, "o": true, "obj": true, "args": true, "res": true, "err": true, "out": true, "ctx": true,
	"ferryman": true, "context": true, "math": true,
}
