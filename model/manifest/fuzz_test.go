package manifest

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/model"
)

// fuzzSeeds returns the manifests under testdata and the library's
// online-shop example, by file name.
func fuzzSeeds(tb testing.TB) map[string][]byte {
	tb.Helper()
	seeds := map[string][]byte{}
	err := filepath.WalkDir("testdata", func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if de.IsDir() || !isManifestFile(p) {
			return nil
		}
		data, err := os.ReadFile(p)
		seeds[p] = data
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	data, err := os.ReadFile(onlineShop)
	if err != nil {
		tb.Fatal(err)
	}
	seeds[onlineShop] = data
	return seeds
}

// FuzzDecodeBytes feeds arbitrary bytes to DecodeBytes, strict or not:
// decoding never panics, every diagnostic names the file and has a message,
// positions are never negative, and every object returned is a modeled
// kind that passes validation.
//
//	go test ./model/manifest -run XXX -fuzz FuzzDecodeBytes -fuzztime 30s
func FuzzDecodeBytes(f *testing.F) {
	seeds := fuzzSeeds(f)
	names := make([]string, 0, len(seeds))
	for name := range seeds {
		names = append(names, name)
	}
	sort.Strings(names)
	// Each document is a seed of its own: the fuzzer minimizes every new
	// interesting input, and that takes most of a short run when the
	// inputs are whole multi-document files of several kilobytes.
	for _, name := range names {
		docs := strings.Split(string(seeds[name]), "\n---")
		if len(docs) == 1 || len(seeds[name]) < 2048 {
			f.Add(seeds[name], false)
		}
		if len(docs) > 1 {
			for i, doc := range docs {
				f.Add([]byte(doc), i%2 == 1)
			}
		}
	}
	for _, s := range []string{
		"", "---\n", "null", "[]", "{}", "a: [", "kind: List\napiVersion: v1\nitems: [1, null, {}]\n",
		"apiVersion: v1\nkind: Pod\nmetadata: &m {name: p, labels: *m}\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {<<: [{a: b}, *x]}\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  <<: {name: a}\n  <<: {name: b}\n",
		"apiVersion: v1\nkind: Node\nmetadata: {name: n}\nstatus: {capacity: {cpu: 1e999}}\n",
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {strategy: {rollingUpdate: {maxSurge: 99999999999}}}\n",
		"? [a, b]\n: c\n", "!!binary aGk=", "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {k: !!binary aGk=}\n",
		"apiVersion: v1\nkind: Pod\nmetadata: {name: p, creationTimestamp: 2026-01-01}\n",
		"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - &api\n    name: x\n    <<: *api\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: p}\ndata: &d\n  a: b\n  <<: *d\n",
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, strict bool) {
		// The fuzzer does not notice a hang by itself: decode under a
		// deadline.
		type result struct {
			objs []Object
			ds   Diagnostics
		}
		done := make(chan result, 1)
		go func() {
			objs, ds := DecodeBytes("fuzz.yaml", data, Options{Strict: strict})
			done <- result{objs, ds}
		}()
		var objs []Object
		var ds Diagnostics
		select {
		case r := <-done:
			objs, ds = r.objs, r.ds
		case <-time.After(5 * time.Second):
			t.Fatalf("DecodeBytes(%q, strict=%v) did not finish in 5s", data, strict)
		}
		for _, d := range ds {
			if d.File != "fuzz.yaml" {
				t.Fatalf("diagnostic without the file name: %#v", d)
			}
			if d.Message == "" || d.Line < 0 || d.Column < 0 {
				t.Fatalf("malformed diagnostic: %#v", d)
			}
			if d.Severity != Error && d.Severity != Warning {
				t.Fatalf("bad severity: %#v", d)
			}
			if !strings.HasPrefix(d.String(), "fuzz.yaml") {
				t.Fatalf("String() does not start with the file: %q", d.String())
			}
		}
		for _, o := range objs {
			if o.Object == nil || model.KindOf(o.Object) == nil {
				t.Fatalf("decoded a non-object: %#v", o)
			}
			if o.File != "fuzz.yaml" || o.Line < 1 {
				t.Fatalf("object without a position: %#v", o)
			}
			if errs := model.Validate(o.Object); len(errs) != 0 {
				t.Fatalf("decoded an invalid object: %v", errs)
			}
		}
	})
}
