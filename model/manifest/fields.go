package manifest

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/kubesim/kubesim/model"
)

// FieldReference writes, for every modeled kind, the fields kubesim reads
// and the Kubernetes fields it accepts without simulating: the content of
// docs/model.md, generated from the types so the two never disagree.
func FieldReference() string {
	var b strings.Builder
	b.WriteString("# Modeled fields\n\n")
	b.WriteString("Generated from the Go types by `go test ./model/manifest -run TestFieldReference -update`.\n")
	b.WriteString("For each kind: the field paths kubesim reads (modeled), then the Kubernetes fields it accepts\n")
	b.WriteString("and ignores (unmodeled). Any other field is reported as unknown.\n")
	for _, k := range model.Kinds() {
		fmt.Fprintf(&b, "\n## %s (%s)\n\n", k.Kind, k.APIVersion)
		var modeled, ignored []string
		walkFields(reflect.TypeOf(k.New()).Elem(), "", map[reflect.Type]bool{}, &modeled, &ignored, 0)
		sort.Strings(ignored)
		b.WriteString("Modeled: `" + strings.Join(modeled, "`, `") + "`\n")
		if len(ignored) > 0 {
			b.WriteString("\nAccepted, not simulated: `" + strings.Join(ignored, "`, `") + "`\n")
		}
	}
	return b.String()
}

var quantityType = reflect.TypeFor[model.Quantity]()

func walkFields(t reflect.Type, prefix string, seen map[reflect.Type]bool, modeled, ignored *[]string, depth int) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t == timeType || t == quantityType || seen[t] || depth > 4 {
		return
	}
	seen[t] = true
	defer delete(seen, t)
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if um, ok := f.Tag.Lookup("unmodeled"); ok {
			for _, n := range strings.Split(um, ",") {
				*ignored = append(*ignored, joinPath(prefix, n))
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if strings.Contains(opts, "inline") {
			walkFields(f.Type, prefix, seen, modeled, ignored, depth)
			continue
		}
		if prefix == "" && (name == "apiVersion" || name == "kind") {
			continue
		}
		p := joinPath(prefix, name)
		ft := f.Type
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && ft != timeType && ft != quantityType && ft != reflect.TypeFor[model.IntOrString]() && depth < 2 {
			walkFields(f.Type, p, seen, modeled, ignored, depth+1)
			continue
		}
		*modeled = append(*modeled, p)
	}
}
