// Package fixturebind is the fixture library's typed bindings, written by
// cmd/ferryman-go (fixture_ferryman.go): its tests call them against the
// real library, beside Library.Call, and fail when the file is not what
// ferryman-go writes today.
package fixturebind

//go:generate go run ../../cmd/ferryman-go -o fixture_ferryman.go -source libferryman_fixture.so ../../../../target/debug/libferryman_fixture.so
