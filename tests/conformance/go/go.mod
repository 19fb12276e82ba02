module github.com/ferryman-rs/ferryman/tests/conformance/go

go 1.22

require github.com/ferryman-rs/ferryman/bindings/go v0.0.0

require (
	github.com/vmihailenco/msgpack/v5 v5.4.1 // indirect
	github.com/vmihailenco/tagparser/v2 v2.0.0 // indirect
)

replace github.com/ferryman-rs/ferryman/bindings/go => ../../../bindings/go
