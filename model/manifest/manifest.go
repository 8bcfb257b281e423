package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/kubesim/kubesim/model"
)

// Object is one decoded object and where it came from.
type Object struct {
	Object model.Object
	File   string
	Line   int
}

// Options control decoding.
type Options struct {
	// Strict turns unknown fields and unmodeled kinds into errors.
	Strict bool
}

// DecodeBytes decodes every document of one YAML stream. name is used in
// diagnostics.
func DecodeBytes(name string, data []byte, opts Options) ([]Object, Diagnostics) {
	var objs []Object
	var diags Diagnostics
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for doc := 0; ; doc++ {
		var root yaml.Node
		err := dec.Decode(&root)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			diags = append(diags, syntaxDiagnostic(name, err))
			break
		}
		n := resolve(&root)
		if n == nil || isNull(n) || (n.Kind == yaml.MappingNode && len(n.Content) == 0) {
			continue // empty document, e.g. a trailing ---
		}
		o, ds := DecodeNode(name, n, "", opts)
		objs = append(objs, o...)
		diags = append(diags, ds...)
	}
	return objs, diags
}

// DecodeNode decodes one document node: an object or a List of objects.
// path prefixes the field paths of diagnostics (for inline manifests inside
// a scenario).
func DecodeNode(file string, n *yaml.Node, path string, opts Options) ([]Object, Diagnostics) {
	d := NewDecoder(file, opts.Strict)
	objs := decodeObject(d, resolve(n), path, opts)
	return objs, d.Diags
}

func scalarField(n *yaml.Node, name string) (*yaml.Node, string) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == name {
			v := resolve(n.Content[i+1])
			if v.Kind == yaml.ScalarNode {
				return v, v.Value
			}
			return v, ""
		}
	}
	return nil, ""
}

func decodeObject(d *Decoder, n *yaml.Node, path string, opts Options) []Object {
	if n.Kind != yaml.MappingNode {
		d.Errorf(n, path, "expected a Kubernetes object (a mapping with apiVersion and kind), got %s", describe(n))
		return nil
	}
	apiVersionNode, apiVersion := scalarField(n, "apiVersion")
	kindNode, kind := scalarField(n, "kind")
	if kind == "" {
		d.Errorf(n, joinPath(path, "kind"), "missing kind")
		return nil
	}
	if apiVersion == "" {
		d.Errorf(n, joinPath(path, "apiVersion"), "missing apiVersion")
		return nil
	}
	if kind == "List" || (strings.HasSuffix(kind, "List") && !model.IsModeledKind(kind)) {
		itemsNode, _ := scalarField(n, "items")
		if itemsNode == nil {
			return nil
		}
		if itemsNode.Kind != yaml.SequenceNode {
			d.Errorf(itemsNode, joinPath(path, "items"), "expected a list of objects, got %s", describe(itemsNode))
			return nil
		}
		var out []Object
		for i, it := range itemsNode.Content {
			out = append(out, decodeObject(d, resolve(it), fmt.Sprintf("%s[%d]", joinPath(path, "items"), i), opts)...)
		}
		return out
	}
	info, err := model.LookupKind(apiVersion, kind)
	if err != nil {
		name := ""
		if md, _ := scalarField(n, "metadata"); md != nil && md.Kind == yaml.MappingNode {
			_, name = scalarField(md, "name")
		}
		what := kind
		if name != "" {
			what += " " + name
		}
		if !model.IsModeledKind(kind) {
			// An unmodeled kind: real manifest sets carry many (Ingress,
			// ServiceAccount, custom resources). Report and skip.
			msg := fmt.Sprintf("%s: kind %s (%s) is not modeled by kubesim; the object is ignored", what, kind, apiVersion)
			if opts.Strict {
				d.Errorf(kindNode, joinPath(path, "kind"), "%s", msg)
			} else {
				d.Warnf(kindNode, joinPath(path, "kind"), "%s", msg)
			}
			return nil
		}
		d.Errorf(apiVersionNode, joinPath(path, "apiVersion"), "%s: %v", what, err)
		return nil
	}
	obj := info.New()
	before := len(d.Diags)
	d.Decode(n, obj, path)
	if len(d.Diags) > before && Diagnostics(d.Diags[before:]).HasErrors() {
		return nil
	}
	model.SetTypeMeta(obj)
	for _, fe := range model.Validate(obj) {
		d.ErrorAt(joinPath(path, fe.Path), "%s", fe.Message)
	}
	if len(d.Diags) > before && Diagnostics(d.Diags[before:]).HasErrors() {
		return nil
	}
	return []Object{{Object: obj, File: d.File, Line: n.Line}}
}

// syntaxDiagnostic turns a YAML syntax error ("yaml: line 4: ...") into a
// diagnostic with the line. The line is read from the raw error, since
// cleanYAMLError drops it.
func syntaxDiagnostic(file string, err error) Diagnostic {
	line := 0
	if rest, ok := strings.CutPrefix(strings.TrimPrefix(err.Error(), "yaml: "), "line "); ok {
		if i := strings.IndexByte(rest, ':'); i > 0 {
			fmt.Sscanf(rest[:i], "%d", &line)
		}
	}
	msg := cleanYAMLError(err)
	if yamlParserProblems[msg] {
		// go-yaml reports a parser error (unlike a scanner error) at the
		// 0-based line of the construct or token it stopped at, and omits
		// the line when that is 0.
		line++
	}
	return Diagnostic{File: file, Line: line, Severity: Error, Message: "invalid YAML: " + msg}
}

// yamlParserProblems are the messages of go-yaml's parser errors
// (parserc.go); every other syntax error comes from its scanner.
var yamlParserProblems = map[string]bool{
	"did not find expected <stream-start>":   true,
	"did not find expected <document start>": true,
	"found undefined tag handle":             true,
	"did not find expected node content":     true,
	"did not find expected '-' indicator":    true,
	"did not find expected key":              true,
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found duplicate %TAG directive":         true,
}

// ExpandFS turns files, directories and glob patterns, relative to fsys,
// into a list of YAML files: each pattern's matches sorted, directories
// read recursively (*.yaml, *.yml, *.json). A pattern matching nothing is an
// error.
func ExpandFS(fsys fs.FS, patterns []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, p := range patterns {
		matches := []string{p}
		if strings.ContainsAny(p, "*?[") {
			m, err := fs.Glob(fsys, p)
			if err != nil {
				return nil, fmt.Errorf("%s: bad pattern: %w", p, err)
			}
			if len(m) == 0 {
				return nil, fmt.Errorf("%s: no file matches the pattern", p)
			}
			matches = m
		}
		for _, m := range matches {
			st, err := fs.Stat(fsys, m)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", m, unwrapPathError(err))
			}
			if !st.IsDir() {
				add(m)
				continue
			}
			var files []string
			err = fs.WalkDir(fsys, m, func(path string, de fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if !de.IsDir() && isManifestFile(path) {
					files = append(files, path)
				}
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("%s: %w", m, err)
			}
			sort.Strings(files)
			for _, f := range files {
				add(f)
			}
		}
	}
	return out, nil
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func isManifestFile(p string) bool {
	switch strings.ToLower(path.Ext(p)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// DecodeFS reads every manifest matched by patterns in fsys. display maps
// an fsys path to the name diagnostics show (nil: the path itself).
func DecodeFS(fsys fs.FS, patterns []string, display func(string) string, opts Options) ([]Object, Diagnostics) {
	if display == nil {
		display = func(p string) string { return p }
	}
	files, err := ExpandFS(fsys, patterns)
	if err != nil {
		return nil, Diagnostics{{File: display(strings.Join(patterns, ",")), Severity: Error, Message: err.Error()}}
	}
	var objs []Object
	var diags Diagnostics
	for _, f := range files {
		name := display(f)
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			diags = append(diags, Diagnostic{File: name, Severity: Error, Message: unwrapPathError(err).Error()})
			continue
		}
		o, ds := DecodeBytes(name, data, opts)
		objs = append(objs, o...)
		diags = append(diags, ds...)
	}
	return objs, diags
}

// OSPaths maps operating-system paths (relative to the working directory,
// or absolute) onto one fs.FS rooted at "/", so disk files and embedded
// files go through the same code. Display gives back the path as the user
// would write it.
type OSPaths struct{}

// FS returns the root file system.
func (OSPaths) FS() fs.FS { return os.DirFS("/") }

// ToFS converts an OS path or pattern to an fs path under FS().
func (OSPaths) ToFS(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	return strings.TrimPrefix(filepath.ToSlash(abs), "/"), nil
}

// Display converts an fs path back to a path relative to the working
// directory when that is shorter.
func (OSPaths) Display(fsPath string) string {
	abs := "/" + fsPath
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, abs); err == nil && !strings.HasPrefix(rel, "../../") {
			return rel
		}
	}
	return abs
}

// DecodePaths reads every manifest under OS paths (files, directories,
// globs).
func DecodePaths(paths []string, opts Options) ([]Object, Diagnostics) {
	var osp OSPaths
	fsPaths := make([]string, len(paths))
	for i, p := range paths {
		fp, err := osp.ToFS(p)
		if err != nil {
			return nil, Diagnostics{{File: p, Severity: Error, Message: err.Error()}}
		}
		fsPaths[i] = fp
	}
	return DecodeFS(osp.FS(), fsPaths, osp.Display, opts)
}

// ExpandPaths is ExpandFS for OS paths; the result is in display form.
func ExpandPaths(paths []string) ([]string, error) {
	var osp OSPaths
	fsPaths := make([]string, len(paths))
	for i, p := range paths {
		fp, err := osp.ToFS(p)
		if err != nil {
			return nil, err
		}
		fsPaths[i] = fp
	}
	files, err := ExpandFS(osp.FS(), fsPaths)
	if err != nil {
		return nil, err
	}
	for i, f := range files {
		files[i] = osp.Display(f)
	}
	return files, nil
}
