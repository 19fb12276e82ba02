module github.com/ferryman-rs/ferryman/tests/conformance/go

go 1.23

require github.com/ferryman-rs/ferryman/bindings/go v0.0.0

replace github.com/ferryman-rs/ferryman/bindings/go => ../../../bindings/go
