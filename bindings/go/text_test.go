package ferryman

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// validString and validBytes answer as utf8.ValidString and utf8.Valid do,
// for ASCII and not, valid and not, at every length around the short path's
// bound.
func TestTextChecksAgreeWithUTF8(t *testing.T) {
	pieces := []string{"a", "é", "€", "𝄞", "\xff", "\xc3", "\xed\xa0\x80", "\x80"}
	for n := 0; n <= shortText+9; n++ {
		for _, piece := range pieces {
			for at := 0; at <= n; at += max(1, n/4) {
				s := strings.Repeat("x", at) + piece + strings.Repeat("y", n-at)
				if got, want := validString(s), utf8.ValidString(s); got != want {
					t.Fatalf("validString(%q) = %v, utf8 says %v", s, got, want)
				}
				if got, want := validBytes([]byte(s)), utf8.Valid([]byte(s)); got != want {
					t.Fatalf("validBytes(%q) = %v, utf8 says %v", s, got, want)
				}
			}
		}
		s := strings.Repeat("z", n)
		if !validString(s) || !validBytes([]byte(s)) {
			t.Fatalf("ASCII of %d bytes not valid", n)
		}
	}
}
