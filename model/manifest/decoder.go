package manifest

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	yaml "go.yaml.in/yaml/v3"
)

// Decoder walks a YAML node tree into a Go value field by field, recording
// a Diagnostic for every problem instead of stopping at the first.
//
// Field names come from `yaml` struct tags; `yaml:",inline"` embeds a
// struct's fields. A zero-size field tagged `unmodeled:"a,b"` lists fields
// accepted without effect. Types implementing yaml.Unmarshaler decode
// themselves (their error is reported at their node). time.Time reads
// RFC 3339; time.Duration reads Go durations plus a "d" (day) unit.
type Decoder struct {
	File   string
	Strict bool // unknown fields are errors rather than warnings
	Diags  Diagnostics
	// Nodes maps each decoded field path to its node, so later validation
	// can point at the line of a field it rejects.
	Nodes map[string]*yaml.Node

	// Alias expansion accounting, against documents whose aliases nest
	// into exponentially many nodes ("billion laughs").
	aliasDepth int  // > 0 while decoding through an alias or merge key
	plain      int  // nodes decoded as written
	aliased    int  // nodes decoded through aliases
	aborted    bool // the alias budget ran out: decode nothing more
	// active holds the anchored nodes being decoded, so that an alias or
	// merge key inside a node that refers back to it is an error, not an
	// endless recursion.
	active map[*yaml.Node]bool
}

// maxAliasExpansion bounds the nodes decoded through aliases: at least
// this many are always allowed, and more only up to aliasExpansionRatio
// times the nodes written out.
const (
	maxAliasExpansion   = 100000
	aliasExpansionRatio = 10
)

// NewDecoder returns a decoder for one file.
func NewDecoder(file string, strict bool) *Decoder {
	return &Decoder{File: file, Strict: strict, Nodes: make(map[string]*yaml.Node)}
}

// Decode walks node into out, which must be a non-nil pointer.
func (d *Decoder) Decode(node *yaml.Node, out any, path string) {
	v := reflect.ValueOf(out)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		panic("manifest: Decode needs a non-nil pointer")
	}
	d.decode(node, v.Elem(), path)
}

// Errorf records an error at node.
func (d *Decoder) Errorf(node *yaml.Node, path, format string, args ...any) {
	d.add(node, path, Error, fmt.Sprintf(format, args...))
}

// Warnf records a warning at node.
func (d *Decoder) Warnf(node *yaml.Node, path, format string, args ...any) {
	d.add(node, path, Warning, fmt.Sprintf(format, args...))
}

// ErrorAt records an error at the node recorded for path (or the nearest
// recorded parent), for validation that runs after decoding.
func (d *Decoder) ErrorAt(path, format string, args ...any) {
	d.add(d.NodeFor(path), path, Error, fmt.Sprintf(format, args...))
}

// NodeFor returns the node recorded for path or its nearest parent.
func (d *Decoder) NodeFor(path string) *yaml.Node {
	for p := path; ; {
		if n, ok := d.Nodes[p]; ok {
			return n
		}
		i := strings.LastIndexAny(p, ".[")
		if i <= 0 {
			return d.Nodes[""]
		}
		p = p[:i]
	}
}

func (d *Decoder) add(node *yaml.Node, path string, sev Severity, msg string) {
	diag := Diagnostic{File: d.File, Path: path, Severity: sev, Message: msg}
	if node != nil {
		diag.Line, diag.Column = node.Line, node.Column
	}
	d.Diags = append(d.Diags, diag)
}

var (
	unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()
	timeType        = reflect.TypeFor[time.Time]()
	durationType    = reflect.TypeFor[time.Duration]()
	nodeType        = reflect.TypeFor[yaml.Node]()
)

func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		return resolve(n.Content[0])
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// describe names what a node holds, for "expected X, got Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!str":
			return fmt.Sprintf("the string %q", n.Value)
		case "!!int":
			return "the integer " + n.Value
		case "!!float":
			return "the number " + n.Value
		case "!!bool":
			return "the boolean " + n.Value
		case "!!null":
			return "null"
		case "!!timestamp":
			return "the timestamp " + n.Value
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "an unexpected node"
}

func (d *Decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	if d.aborted || n == nil {
		return
	}
	at := n // where an alias is written
	if n.Kind == yaml.AliasNode {
		d.aliasDepth++
		defer func() { d.aliasDepth-- }()
	}
	n = resolve(n)
	if n == nil {
		return
	}
	if !d.count(n, path) {
		return
	}
	if n.Anchor != "" {
		if !d.enter(n, at, path) {
			return
		}
		defer delete(d.active, n)
	}
	d.Nodes[path] = n
	t := v.Type()

	if t == nodeType {
		v.Set(reflect.ValueOf(*n))
		return
	}
	if isNull(n) {
		v.Set(reflect.Zero(t))
		return
	}
	if t.Kind() == reflect.Pointer {
		// Allocate in place rather than decoding the same node again,
		// which would count it twice and see its anchor as a cycle.
		for t.Kind() == reflect.Pointer {
			p := reflect.New(t.Elem())
			v.Set(p)
			v, t = p.Elem(), t.Elem()
		}
		if t == nodeType {
			v.Set(reflect.ValueOf(*n))
			return
		}
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		if err := v.Addr().Interface().(yaml.Unmarshaler).UnmarshalYAML(n); err != nil {
			d.Errorf(n, path, "%s", cleanYAMLError(err))
		}
		return
	}
	switch t {
	case timeType:
		d.decodeTime(n, v, path)
		return
	case durationType:
		d.decodeDuration(n, v, path)
		return
	}

	switch t.Kind() {
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Map:
		d.decodeMap(n, v, path)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.Errorf(n, path, "expected a list, got %s", describe(n))
			return
		}
		s := reflect.MakeSlice(t, len(n.Content), len(n.Content))
		for i, c := range n.Content {
			d.decode(c, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
		v.Set(s)
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.Errorf(n, path, "expected a string, got %s", describe(n))
			return
		}
		switch n.Tag {
		case "!!str", "!!timestamp", "!binary", "!!binary":
			v.SetString(n.Value)
		default:
			d.Errorf(n, path, "expected a string, got %s (quote it: %q)", describe(n), n.Value)
		}
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
			d.Errorf(n, path, "expected true or false, got %s", describe(n))
			return
		}
		v.SetBool(n.Value == "true" || n.Value == "True" || n.Value == "TRUE")
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
			d.Errorf(n, path, "expected an integer, got %s", describe(n))
			return
		}
		i, err := strconv.ParseInt(n.Value, 0, t.Bits())
		if err != nil {
			d.Errorf(n, path, "integer %s out of range for %d bits", n.Value, t.Bits())
			return
		}
		v.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
			d.Errorf(n, path, "expected a non-negative integer, got %s", describe(n))
			return
		}
		u, err := strconv.ParseUint(n.Value, 0, t.Bits())
		if err != nil {
			d.Errorf(n, path, "expected a non-negative integer that fits %d bits, got %s", t.Bits(), n.Value)
			return
		}
		v.SetUint(u)
	case reflect.Float32, reflect.Float64:
		if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") {
			d.Errorf(n, path, "expected a number, got %s", describe(n))
			return
		}
		var f float64
		if err := n.Decode(&f); err != nil || math.IsNaN(f) {
			d.Errorf(n, path, "expected a number, got %s", describe(n))
			return
		}
		v.SetFloat(f)
	case reflect.Interface:
		var x any
		if err := n.Decode(&x); err != nil {
			d.Errorf(n, path, "%s", cleanYAMLError(err))
			return
		}
		if x != nil {
			v.Set(reflect.ValueOf(x))
		}
	default:
		d.Errorf(n, path, "cannot decode into %s", t)
	}
}

func (d *Decoder) decodeTime(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.ScalarNode {
		d.Errorf(n, path, "expected an RFC 3339 time such as 2026-01-05T09:00:00Z, got %s", describe(n))
		return
	}
	t, err := time.Parse(time.RFC3339Nano, n.Value)
	if err != nil {
		d.Errorf(n, path, "expected an RFC 3339 time such as 2026-01-05T09:00:00Z, got %q", n.Value)
		return
	}
	v.Set(reflect.ValueOf(t.UTC()))
}

func (d *Decoder) decodeDuration(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!int" || n.Tag == "!!float" {
		d.Errorf(n, path, "expected a duration with a unit such as 30s, 5m or 2h, got %s", describe(n))
		return
	}
	dur, err := ParseDuration(n.Value)
	if err != nil {
		d.Errorf(n, path, "%v", err)
		return
	}
	v.SetInt(int64(dur))
}

// ParseDuration reads a Go duration ("1h30m", "250ms") and also accepts a
// leading day unit ("2d", "1d12h"), since scenarios span days. A duration
// that does not fit in a time.Duration (about 292 years) is an error.
func ParseDuration(s string) (time.Duration, error) {
	orig := s
	bad := func() (time.Duration, error) {
		return 0, fmt.Errorf("expected a duration such as 30s, 5m, 2h or 1d, got %q", orig)
	}
	const day = 24 * time.Hour
	var days time.Duration
	if i := strings.IndexByte(s, 'd'); i > 0 {
		n, err := strconv.ParseUint(s[:i], 10, 64)
		if err == nil {
			if n > uint64(math.MaxInt64/int64(day)) {
				return 0, fmt.Errorf("duration %q is too long (at most %dd)", orig, math.MaxInt64/int64(day))
			}
			days = time.Duration(n) * day
			s = s[i+1:]
			if s == "" {
				return days, nil
			}
			if s[0] == '+' || s[0] == '-' {
				return bad() // "1d-1h": a sign belongs only in front
			}
		}
	}
	dur, err := time.ParseDuration(s)
	if err != nil {
		return bad()
	}
	if days > 0 && dur > math.MaxInt64-days {
		return 0, fmt.Errorf("duration %q is too long", orig)
	}
	return days + dur, nil
}

// structInfo caches a struct type's YAML fields.
type structInfo struct {
	fields    map[string][]int // yaml name -> field index path (through inline structs)
	unmodeled map[string]bool
}

var structCache sync.Map // reflect.Type -> *structInfo

func infoFor(t reflect.Type) *structInfo {
	if si, ok := structCache.Load(t); ok {
		return si.(*structInfo)
	}
	si := &structInfo{fields: map[string][]int{}, unmodeled: map[string]bool{}}
	collectFields(t, nil, si)
	structCache.Store(t, si)
	return si
}

func collectFields(t reflect.Type, prefix []int, si *structInfo) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if um, ok := f.Tag.Lookup("unmodeled"); ok {
			for _, name := range strings.Split(um, ",") {
				si.unmodeled[strings.TrimSpace(name)] = true
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		idx := append(append([]int(nil), prefix...), i)
		if strings.Contains(opts, "inline") {
			collectFields(f.Type, idx, si)
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name[:1]) + f.Name[1:]
		}
		si.fields[name] = idx
	}
}

func (d *Decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.Errorf(n, path, "expected a mapping (field: value), got %s", describe(n))
		return
	}
	// Merge keys first, so that the mapping's own keys win over merged
	// ones wherever they are written (YAML merge key semantics).
	d.applyMerges(n, path, func(src *yaml.Node) { d.decodeStruct(src, v, path) })
	si := infoFor(v.Type())
	seen := make(map[string]bool, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Tag == "!!merge" {
			continue
		}
		name := k.Value
		fp := joinPath(path, name)
		if seen[name] {
			d.Warnf(k, fp, "duplicate field %q; the last value wins", name)
		}
		seen[name] = true
		idx, ok := si.fields[name]
		if !ok {
			if si.unmodeled[name] {
				continue
			}
			msg := fmt.Sprintf("unknown field %q", name)
			if s := suggest(name, si); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			if d.Strict {
				d.Errorf(k, fp, "%s", msg)
			} else {
				d.Warnf(k, fp, "%s; ignored", msg)
			}
			continue
		}
		// A value replaces whatever a merge key or an earlier duplicate
		// put in the field, as it would in the generic YAML tree kubectl
		// reads.
		f := v.FieldByIndex(idx)
		f.Set(reflect.Zero(f.Type()))
		d.decode(val, f, fp)
	}
}

// applyMerges calls apply for the sources of every merge key ("<<") of the
// mapping n, last source first, so that the first source wins where
// sources overlap (YAML merge key semantics).
func (d *Decoder) applyMerges(n *yaml.Node, path string, apply func(src *yaml.Node)) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Tag != "!!merge" {
			continue
		}
		val := n.Content[i+1]
		srcs := []*yaml.Node{val}
		if r := resolve(val); r != nil && r.Kind == yaml.SequenceNode {
			srcs = r.Content
		}
		for j := len(srcs) - 1; j >= 0 && !d.aborted; j-- {
			aliased := val.Kind == yaml.AliasNode || srcs[j].Kind == yaml.AliasNode
			src := resolve(srcs[j])
			if src == nil {
				continue
			}
			if src.Anchor != "" {
				at := srcs[j]
				if at.Kind != yaml.AliasNode {
					at = val
				}
				if !d.enter(src, at, joinPath(path, "<<")) {
					continue
				}
			}
			if aliased {
				d.aliasDepth++
			}
			apply(src)
			if aliased {
				d.aliasDepth--
			}
			if src.Anchor != "" {
				delete(d.active, src)
			}
		}
	}
}

// enter marks the anchored node n as being decoded; it fails, with an
// error at the alias at, when n is already being decoded: an alias inside
// it refers back to it.
func (d *Decoder) enter(n, at *yaml.Node, path string) bool {
	if d.active[n] {
		d.Errorf(at, path, "anchor &%s is used inside its own value; the alias would repeat forever", n.Anchor)
		return false
	}
	if d.active == nil {
		d.active = make(map[*yaml.Node]bool)
	}
	d.active[n] = true
	return true
}

// count accounts for one decoded node and reports whether decoding may go
// on: it stops, with one error, once aliases have expanded into more
// nodes than the document can reasonably mean.
func (d *Decoder) count(n *yaml.Node, path string) bool {
	if d.aliasDepth == 0 {
		d.plain++
		return true
	}
	d.aliased++
	if d.aliased > maxAliasExpansion && d.aliased > aliasExpansionRatio*d.plain {
		d.aborted = true
		d.Errorf(n, path, "aliases expand into more than %d nodes; the document is rejected", d.aliased-1)
		return false
	}
	return true
}

func (d *Decoder) decodeMap(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.Errorf(n, path, "expected a mapping, got %s", describe(n))
		return
	}
	t := v.Type()
	m := reflect.MakeMapWithSize(t, len(n.Content)/2)
	// Merged entries first; the mapping's own keys override them.
	d.applyMerges(n, path, func(src *yaml.Node) {
		tmp := reflect.New(t).Elem()
		d.decodeMap(src, tmp, path)
		it := tmp.MapRange()
		for it.Next() {
			m.SetMapIndex(it.Key(), it.Value())
		}
	})
	seen := reflect.MakeMap(reflect.MapOf(t.Key(), reflect.TypeFor[bool]()))
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := resolve(n.Content[i]), n.Content[i+1]
		if n.Content[i].Tag == "!!merge" {
			continue
		}
		key := reflect.New(t.Key()).Elem()
		kp := joinMapPath(path, k.Value)
		if t.Key().Kind() == reflect.String {
			if k.Kind != yaml.ScalarNode {
				d.Errorf(k, kp, "expected a string key, got %s", describe(k))
				continue
			}
			key.SetString(k.Value)
		} else {
			d.decode(k, key, kp)
		}
		if seen.MapIndex(key).IsValid() {
			d.Warnf(k, kp, "duplicate key %q; the last value wins", k.Value)
		}
		seen.SetMapIndex(key, reflect.ValueOf(true))
		elem := reflect.New(t.Elem()).Elem()
		d.decode(val, elem, kp)
		m.SetMapIndex(key, elem)
	}
	v.Set(m)
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func joinMapPath(path, key string) string {
	if strings.ContainsAny(key, "./[]\" ") || key == "" {
		return path + "[" + strconv.Quote(key) + "]"
	}
	return joinPath(path, key)
}

// suggest returns a known field within edit distance 2 of name, for typos.
func suggest(name string, si *structInfo) string {
	best, bestD := "", 3
	for f := range si.fields {
		if dd := editDistance(strings.ToLower(name), strings.ToLower(f)); dd < bestD || (dd == bestD && f < best) {
			best, bestD = f, dd
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func cleanYAMLError(err error) string {
	s := err.Error()
	s = strings.TrimPrefix(s, "yaml: ")
	s = strings.TrimPrefix(s, "unmarshal errors:\n  ")
	// The diagnostic carries the position already.
	if rest, ok := strings.CutPrefix(s, "line "); ok {
		if i := strings.Index(rest, ": "); i > 0 && strings.Trim(rest[:i], "0123456789") == "" {
			s = rest[i+2:]
		}
	}
	return s
}
