package ferryman

import "unicode/utf8"

// Checking that strings are UTF-8, on both sides of a call. Most strings that
// cross are short and ASCII (messages, names, keys), and utf8.Valid steps
// through a short string a byte at a time past its first word, with a word
// test at each step (~230 instructions for an 18-byte message); one OR over
// the bytes settles an ASCII string of up to shortText bytes in ~60.

// shortText is the longest string checked byte by byte before utf8.Valid:
// past it, utf8.Valid's own loop takes 32 bytes a step.
const shortText = 32

// validString is utf8.ValidString(s).
func validString(s string) bool {
	if len(s) <= shortText {
		var or byte
		for i := 0; i < len(s); i++ {
			or |= s[i]
		}
		if or < utf8.RuneSelf {
			return true
		}
	}
	return utf8.ValidString(s)
}

// validBytes is utf8.Valid(p).
func validBytes(p []byte) bool {
	if len(p) <= shortText {
		var or byte
		for _, c := range p {
			or |= c
		}
		if or < utf8.RuneSelf {
			return true
		}
	}
	return utf8.Valid(p)
}
