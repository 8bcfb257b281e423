package sim

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestNoAmbientNondeterminism fails when code that runs inside a simulation
// reads the wall clock, uses global or cryptographic randomness, or starts
// goroutines. Exempt: tests, the parallel runner of independent runs
// (scenarios/parallel.go, goroutines only), the real-host adapter (model/hardware/host,
// which runs on the wall clock by design) and the documented raft entropy
// shim (storage/raft/entropy.go), the one place crypto/rand is touched.
func TestNoAmbientNondeterminism(t *testing.T) {
	root := filepath.Join("..")
	dirs := []string{"sim", "model", "scheduler", "network", "storage", "scenarios"}
	forbiddenTime := map[string]bool{
		"Now": true, "Since": true, "Until": true, "After": true, "AfterFunc": true,
		"Tick": true, "NewTimer": true, "NewTicker": true, "Sleep": true,
	}
	allowedRandV2 := map[string]bool{
		"New": true, "NewPCG": true, "NewChaCha8": true, "NewZipf": true,
		"Rand": true, "PCG": true, "ChaCha8": true, "Source": true, "Zipf": true,
	}
	checked := 0
	for _, dir := range dirs {
		base := filepath.Join(root, dir)
		err := filepath.WalkDir(base, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if d == nil {
					return nil // directory not created yet
				}
				return err
			}
			rel, _ := filepath.Rel(root, path)
			rel = filepath.ToSlash(rel)
			if d.IsDir() {
				if rel == "model/hardware/host" || strings.HasPrefix(rel, "model/hardware/host/") || d.Name() == "testdata" {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			checked++
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				t.Errorf("%s: %v", rel, err)
				return nil
			}
			names := map[string]string{} // local name -> import path
			for _, imp := range f.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				local := p[strings.LastIndex(p, "/")+1:]
				if p == "math/rand/v2" {
					local = "rand"
				}
				if imp.Name != nil {
					local = imp.Name.Name
				}
				names[local] = p
				switch p {
				case "math/rand":
					t.Errorf("%s: imports math/rand (global, unseeded); use a named sim stream", rel)
				case "crypto/rand":
					if rel != "storage/raft/entropy.go" {
						t.Errorf("%s: imports crypto/rand; only the raft entropy shim may", rel)
					}
				}
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch x := n.(type) {
				case *ast.GoStmt:
					// Parallelism lives one level up: scenarios/parallel.go runs
					// independent runs side by side, never inside one.
					if rel != "scenarios/parallel.go" {
						t.Errorf("%s: goroutine inside simulation code; runs are single-threaded", fset.Position(x.Pos()))
					}
				case *ast.SelectStmt:
					t.Errorf("%s: select inside simulation code; runs are single-threaded", fset.Position(x.Pos()))
				case *ast.SelectorExpr:
					id, ok := x.X.(*ast.Ident)
					if !ok {
						return true
					}
					switch names[id.Name] {
					case "time":
						if forbiddenTime[x.Sel.Name] {
							t.Errorf("%s: time.%s reads or waits on the wall clock; use the kernel's virtual time", fset.Position(x.Pos()), x.Sel.Name)
						}
					case "math/rand/v2":
						if !allowedRandV2[x.Sel.Name] {
							t.Errorf("%s: rand.%s uses the global source; draw from a named sim stream", fset.Position(x.Pos()), x.Sel.Name)
						}
					}
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if checked == 0 {
		t.Fatal("no source files checked; is the test running from sim/?")
	}
}
