// Command ferryman-go writes typed Go bindings for a ferryman library:
//
//	go run github.com/ferryman-rs/ferryman/bindings/go/cmd/ferryman-go -pkg geometry -o geometry_ferryman.go target/release/libgeometry.so
//
// or, in a //go:generate line, the same arguments. It loads the library,
// reads its describe map, and writes one gofmt-formatted file: a type with
// a method per exported free function (Load, New), a Go struct per Rust
// struct, a Go type per class, and the code that writes arguments and reads
// results without reflection (see the package doc of internal/gogen).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	ferryman "github.com/ferryman-rs/ferryman/bindings/go"
	"github.com/ferryman-rs/ferryman/bindings/go/internal/gogen"
)

func main() {
	pkg := flag.String("pkg", "", "the Go package of the file (default: the name of -o's directory)")
	out := flag.String("o", "", "the file to write (default: standard output)")
	typeName := flag.String("type", "Library", "the name of the bindings' type")
	source := flag.String("source", "", "how the header names the library (default: its file name)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: ferryman-go [-pkg name] [-o file.go] [-type Name] path/to/library.so\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *pkg, *out, *typeName, *source); err != nil {
		fmt.Fprintf(os.Stderr, "ferryman-go: %v\n", err)
		os.Exit(1)
	}
}

func run(path, pkg, out, typeName, source string) error {
	if pkg == "" {
		if out == "" {
			return fmt.Errorf("-pkg is needed when writing to standard output")
		}
		abs, err := filepath.Abs(out)
		if err != nil {
			return err
		}
		pkg = filepath.Base(filepath.Dir(abs))
	}
	if source == "" {
		source = filepath.Base(path)
	}
	lib, err := ferryman.Load(path)
	if err != nil {
		return err
	}
	src, err := gogen.Generate(lib.Describe(), gogen.Options{Package: pkg, Type: typeName, Source: source})
	if err != nil {
		return err
	}
	if out == "" {
		_, err = os.Stdout.Write(src)
		return err
	}
	return os.WriteFile(out, src, 0o644)
}
