package ferryman

import (
	"errors"
	"fmt"
)

// wireReader is a cursor over MessagePack bytes (the decoder's input).
type wireReader struct {
	b []byte
	i int
}

var errShort = errors.New("the bytes end inside a value")

func (r *wireReader) left() int { return len(r.b) - r.i }

func (r *wireReader) byte() (byte, error) {
	if r.i >= len(r.b) {
		return 0, errShort
	}
	c := r.b[r.i]
	r.i++
	return c, nil
}

// uint reads a big-endian unsigned integer of size 1, 2, 4 or 8 bytes.
func (r *wireReader) uint(size int) (uint64, error) {
	p, err := r.take(size)
	if err != nil {
		return 0, err
	}
	var n uint64
	for _, c := range p {
		n = n<<8 | uint64(c)
	}
	return n, nil
}

// take is the next n bytes, in place.
func (r *wireReader) take(n int) ([]byte, error) {
	if n < 0 || n > r.left() {
		return nil, errShort
	}
	p := r.b[r.i : r.i+n]
	r.i += n
	return p, nil
}

// str copies the next n bytes out as a string; they must be UTF-8 (spec/wire.md: str is text).
func (r *wireReader) str(n int) (string, error) {
	p, err := r.take(n)
	if err != nil {
		return "", err
	}
	s := string(p)
	if !validString(s) {
		return "", fmt.Errorf("a str that is not UTF-8")
	}
	return s, nil
}
