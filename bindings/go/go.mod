module github.com/ferryman-rs/ferryman/bindings/go

go 1.23
