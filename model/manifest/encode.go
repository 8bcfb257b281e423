package manifest

import (
	"bytes"
	"fmt"
	"io"
	"sort"

	yaml "go.yaml.in/yaml/v3"

	"github.com/kubesim/kubesim/model"
)

// kindOrder sorts the kinds of a state dump the way one would apply them:
// cluster-scoped infrastructure first, then policy, then workloads.
var kindOrder = func() map[string]int {
	m := map[string]int{}
	for i, k := range model.Kinds() {
		m[k.Kind] = i
	}
	return m
}()

// SortObjects orders objects by kind (registry order), namespace and name,
// so that dumps are byte-stable.
func SortObjects(objs []model.Object) {
	sort.SliceStable(objs, func(i, j int) bool {
		ki, kj := kindOrder[objs[i].GetTypeMeta().Kind], kindOrder[objs[j].GetTypeMeta().Kind]
		if ki != kj {
			return ki < kj
		}
		mi, mj := objs[i].GetObjectMeta(), objs[j].GetObjectMeta()
		if mi.Namespace != mj.Namespace {
			return mi.Namespace < mj.Namespace
		}
		return mi.Name < mj.Name
	})
}

// Encode writes objects as a multi-document Kubernetes YAML stream, in the
// order given. Map keys are sorted, so output depends only on the objects.
func Encode(w io.Writer, objs []model.Object) error {
	var buf bytes.Buffer
	for i, o := range objs {
		model.SetTypeMeta(o)
		if i > 0 {
			buf.WriteString("---\n")
		}
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(o); err != nil {
			return fmt.Errorf("encoding %s %s: %w", o.GetTypeMeta().Kind, model.Key(o), err)
		}
		if err := enc.Close(); err != nil {
			return err
		}
	}
	_, err := w.Write(buf.Bytes())
	return err
}
