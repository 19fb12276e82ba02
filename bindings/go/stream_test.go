package ferryman

import (
	"errors"
	"testing"
)

// A next that fails for a reason other than an error item (here: status 4,
// the handle is not live) is returned once, and the stream ends: a range
// over All that goes on after an error must end.
func TestAStreamEndsWhenItCannotBePulled(t *testing.T) {
	s := newStream(fixture(t), 1<<40) // a handle the library never gave out
	defer s.Close()
	var errs []error
	for item, err := range s.All() {
		if item != nil || len(errs) == 10 {
			break
		}
		errs = append(errs, err)
	}
	var be *BridgeError
	if len(errs) != 1 || !errors.As(errs[0], &be) || be.Kind != "no_function" {
		t.Fatalf("ranging over a stream that is not live: %v", errs)
	}
	if _, ok, err := s.Next(); ok || err != nil {
		t.Fatalf("Next after the failure: %v, %v", ok, err)
	}
}
