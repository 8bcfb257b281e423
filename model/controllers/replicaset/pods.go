package replicaset

import (
	"errors"
	"strings"

	"github.com/kubesim/kubesim/model"
)

// PodFromTemplate builds the pod a controller creates
// (controller.GetPodFromTemplate): the template's labels, annotations,
// finalizers and spec, generateName "<controller>-" and the controller
// reference. A template without labels is an error.
func PodFromTemplate(t *model.PodTemplateSpec, namespace, controllerName string, ref model.OwnerReference) (*model.Pod, error) {
	if len(t.Labels) == 0 {
		return nil, errors.New("unable to create pods, no labels")
	}
	p := &model.Pod{
		ObjectMeta: model.ObjectMeta{
			Namespace:       namespace,
			GenerateName:    podsPrefix(controllerName),
			Labels:          model.DeepCopy(t.Labels),
			Annotations:     model.DeepCopy(t.Annotations),
			Finalizers:      model.DeepCopy(t.Finalizers),
			OwnerReferences: []model.OwnerReference{ref},
		},
		Spec: model.DeepCopy(t.Spec),
	}
	model.SetTypeMeta(p)
	return p, nil
}

// podsPrefix is getPodsPrefix: "<name>-" unless that is not a valid
// generateName prefix, then the bare name.
func podsPrefix(name string) string {
	prefix := name + "-"
	if len(prefix) > 253 || strings.Trim(prefix, "-") == "" {
		return name
	}
	return prefix
}
