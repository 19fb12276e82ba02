package ferryman

import "unsafe"

// LiveClosure is a closure some host still holds (ferryman_live_closures).
type LiveClosure struct {
	Handle    uint64 `msgpack:"handle"`
	Signature string `msgpack:"signature"`
}

// LiveObject is an object handle some host still holds (ferryman_live_objects).
type LiveObject struct {
	Handle uint64 `msgpack:"handle"`
	Class  string `msgpack:"class"`
}

// LiveClosures lists the closures hosts still hold: a leak check.
func (l *Library) LiveClosures() ([]LiveClosure, error) {
	var out []LiveClosure
	return out, l.live("ferryman_live_closures", l.sym.liveClosures, &out)
}

// LiveObjects lists the object handles hosts still hold: a leak check.
func (l *Library) LiveObjects() ([]LiveObject, error) {
	var out []LiveObject
	return out, l.live("ferryman_live_objects", l.sym.liveObjects, &out)
}

func (l *Library) live(symbol string, ptr unsafe.Pointer, out any) error {
	if ptr == nil {
		return &BridgeError{Kind: "no_function", Function: symbol, Message: l.handshake.Library + " has no " + symbol}
	}
	r := l.sym.outOnly(ptr)
	defer r.done()
	if r.status != 0 {
		return l.failure(symbol, r)
	}
	v, err := l.decode(symbol, r.bytes)
	if err != nil {
		return err
	}
	return assign(out, v, symbol)
}
