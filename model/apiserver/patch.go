package apiserver

import (
	"fmt"
	"reflect"

	yaml "go.yaml.in/yaml/v3"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/manifest"
)

// UpdateStatus is the status subresource: only the object's status is
// taken from o; spec and metadata stay as stored. resourceVersion is
// checked when given.
func (s *Server) UpdateStatus(o model.Object) (model.Object, error) {
	info := model.KindOf(o)
	if info == nil {
		return nil, fmt.Errorf("apiserver: unsupported type %T", o)
	}
	meta := o.GetObjectMeta()
	ns := meta.Namespace
	if info.Namespaced && ns == "" {
		ns = "default"
	}
	cur, err := s.Get(info.Kind, ns, meta.Name)
	if err != nil {
		return nil, err
	}
	cm := cur.GetObjectMeta()
	if meta.ResourceVersion != "" && meta.ResourceVersion != cm.ResourceVersion {
		return nil, &model.StatusError{Reason: model.ReasonConflict, Kind: info.Kind, Key: cm.Key(),
			Message: "the object has been modified; please apply your changes to the latest version and try again"}
	}
	status := reflect.ValueOf(o).Elem().FieldByName("Status")
	if !status.IsValid() {
		return nil, &model.StatusError{Reason: model.ReasonNotFound, Kind: info.Kind, Key: cm.Key(), Message: "the server could not find the requested resource (no status subresource)"}
	}
	next := model.DeepCopyObject(cur)
	reflect.ValueOf(next).Elem().FieldByName("Status").Set(reflect.ValueOf(model.DeepCopyObject(o)).Elem().FieldByName("Status"))
	next.GetObjectMeta().ResourceVersion = ""
	return s.Update(next)
}

// Patch applies a JSON merge patch (RFC 7386) to the stored object and
// updates it. kubesim does not implement strategic merge patch: lists are
// replaced whole, as merge patch defines.
func (s *Server) Patch(kind, namespace, name string, patch []byte) (model.Object, error) {
	cur, err := s.Get(kind, namespace, name)
	if err != nil {
		return nil, err
	}
	var p any
	if err := yaml.Unmarshal(patch, &p); err != nil {
		return nil, &model.StatusError{Reason: model.ReasonInvalid, Kind: kind, Key: model.Key(cur), Message: "invalid patch: " + err.Error()}
	}
	data, err := yaml.Marshal(cur)
	if err != nil {
		return nil, err
	}
	var doc any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	merged := mergePatch(doc, p)
	out, err := yaml.Marshal(merged)
	if err != nil {
		return nil, err
	}
	var node yaml.Node
	if err := yaml.Unmarshal(out, &node); err != nil {
		return nil, err
	}
	obj := model.KindOf(cur).New()
	d := manifest.NewDecoder("patch", true)
	d.Decode(&node, obj, "")
	if err := d.Diags.Err(); err != nil {
		return nil, &model.StatusError{Reason: model.ReasonInvalid, Kind: kind, Key: model.Key(cur), Message: err.Error()}
	}
	obj.GetObjectMeta().ResourceVersion = cur.GetObjectMeta().ResourceVersion
	return s.Update(obj)
}

// mergePatch is RFC 7386: maps merge recursively, null deletes a key,
// anything else replaces.
func mergePatch(target, patch any) any {
	pm, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	tm, ok := target.(map[string]any)
	if !ok {
		tm = map[string]any{}
	}
	for k, v := range pm {
		if v == nil {
			delete(tm, k)
			continue
		}
		tm[k] = mergePatch(tm[k], v)
	}
	return tm
}
