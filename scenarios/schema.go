package scenarios

import (
	"encoding/json"
	"path"
	"reflect"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/kubesim/kubesim/model"
)

// SchemaID is the JSON Schema's $id.
const SchemaID = "https://kubesim.io/schemas/scenario.schema.json"

// Schema returns a JSON Schema (draft 2020-12) of the scenario format,
// generated from the Scenario type's yaml tags, as indented JSON. Editors
// use it for completion; `kubesim lint` remains the authority (it checks
// values, references and manifests the schema cannot).
func Schema() []byte {
	g := &schemaGen{defs: map[string]any{}}
	root := g.schema(reflect.TypeFor[Scenario]())
	doc := map[string]any{
		"$schema":     "https://json-schema.org/draft/2020-12/schema",
		"$id":         SchemaID,
		"title":       "kubesim Scenario (" + APIVersion + ")",
		"description": "Generated from the Go types by scenarios.Schema; see docs/scenarios.md.",
		"$defs":       g.defs,
	}
	for k, v := range root {
		doc[k] = v
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic(err) // maps of plain values always encode
	}
	return append(out, '\n')
}

type schemaGen struct {
	defs map[string]any
}

var (
	unmarshalerT = reflect.TypeFor[yaml.Unmarshaler]()
	distSchema   = map[string]any{
		"description": "a distribution: a number or duration (constant), or {constant: x}, {uniform: {min, max}}, {exponential: {mean}}, {normal: {mean, stddev}}, {lognormal: {mu, sigma}}, {empirical: {values, weights}}",
		"anyOf": []any{
			map[string]any{"type": "number"},
			map[string]any{"type": "string"},
			map[string]any{"type": "object", "minProperties": 1, "maxProperties": 1, "propertyNames": map[string]any{
				"enum": []any{"constant", "uniform", "exponential", "normal", "lognormal", "empirical"}}},
		},
	}
)

func defName(t reflect.Type) string {
	return path.Base(t.PkgPath()) + "." + t.Name()
}

func (g *schemaGen) ref(t reflect.Type, build func() map[string]any) map[string]any {
	name := defName(t)
	if _, ok := g.defs[name]; !ok {
		g.defs[name] = map[string]any{} // placeholder against recursion
		g.defs[name] = build()
	}
	return map[string]any{"$ref": "#/$defs/" + name}
}

func (g *schemaGen) schema(t reflect.Type) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case reflect.TypeFor[time.Duration]():
		return map[string]any{"type": "string", "pattern": `^[-+]?([0-9]*(\.[0-9]*)?(ns|us|µs|ms|s|m|h|d))+$|^0$`,
			"description": "a duration such as 250ms, 30s, 5m, 2h or 1d12h"}
	case reflect.TypeFor[time.Time]():
		return map[string]any{"type": "string", "format": "date-time"}
	case reflect.TypeFor[model.Quantity]():
		return g.ref(t, func() map[string]any {
			return map[string]any{"description": "a Kubernetes quantity such as 500m, 2 or 1.5Gi",
				"anyOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "number"}}}
		})
	case reflect.TypeFor[model.DistSpec]():
		return g.ref(t, func() map[string]any { return distSchema })
	case reflect.TypeFor[model.CPUSpec]():
		return g.ref(t, func() map[string]any {
			return map[string]any{"description": "request, busy, a quantity, or a distribution in millicores",
				"anyOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "number"}, map[string]any{"$ref": "#/$defs/model.DistSpec"}}}
		})
	case reflect.TypeFor[model.Ratio]():
		return map[string]any{"type": "string", "pattern": `^[0-9]+/[0-9]+$`, "description": "a ratio such as 1/20"}
	case reflect.TypeFor[model.IntOrString]():
		return map[string]any{"anyOf": []any{map[string]any{"type": "integer"}, map[string]any{"type": "string"}}}
	case reflect.TypeFor[yaml.Node]():
		return map[string]any{"description": "any YAML, decoded where it is used"}
	}
	if reflect.PointerTo(t).Implements(unmarshalerT) {
		return map[string]any{}
	}
	switch t.Kind() {
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return map[string]any{"type": "integer"}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer", "minimum": 0}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.Struct:
		return g.ref(t, func() map[string]any {
			props := map[string]any{}
			closed := g.fields(t, props)
			s := map[string]any{"type": "object", "properties": props}
			if closed {
				s["additionalProperties"] = false
			}
			return s
		})
	}
	return map[string]any{}
}

// fields adds t's yaml fields (through inline structs) to props and
// reports whether the struct accepts no others (no unmodeled fields).
func (g *schemaGen) fields(t reflect.Type, props map[string]any) bool {
	closed := true
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if _, ok := f.Tag.Lookup("unmodeled"); ok {
			closed = false
			continue
		}
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if strings.Contains(opts, "inline") {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				closed = g.fields(ft, props) && closed
				continue
			}
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		props[name] = g.schema(f.Type)
	}
	return closed
}
