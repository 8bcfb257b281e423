package replicaset

import (
	"errors"
	"strings"

	"github.com/kubesim/kubesim/model"
)

// NewControllerRef is metav1.NewControllerRef: an owner reference marked
// controller and blocking owner deletion.
func NewControllerRef(owner model.Object, apiVersion, kind string) model.OwnerReference {
	m := owner.GetObjectMeta()
	return model.OwnerReference{APIVersion: apiVersion, Kind: kind, Name: m.Name, UID: m.UID,
		Controller: model.Ptr(true), BlockOwnerDeletion: model.Ptr(true)}
}

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

// SlowStartBatches returns the batch sizes slowStartBatch uses for count
// calls starting at initial: 1, 2, 4, ... and the remainder.
func SlowStartBatches(count, initial int) []int {
	var out []int
	remaining := count
	for batch := min(remaining, initial); batch > 0; batch = min(2*batch, remaining) {
		out = append(out, batch)
		remaining -= batch
	}
	return out
}

// slowStart runs count asynchronous calls in batches of 1, 2, 4, ...:
// each batch is issued at once and the next starts when all its callbacks
// have returned; after a batch with an error no further batch starts
// (slowStartBatch). finish gets the successes and the batch's first error.
func slowStart(count, initial int, call func(done func(error)), finish func(successes int, err error)) {
	batches := SlowStartBatches(count, initial)
	successes := 0
	var next func(i int)
	next = func(i int) {
		if i == len(batches) {
			finish(successes, nil)
			return
		}
		var first error
		failed := 0
		b := newBarrier(batches[i], func() {
			successes += batches[i] - failed
			if first != nil {
				finish(successes, first)
				return
			}
			next(i + 1)
		})
		for j := 0; j < batches[i]; j++ {
			call(func(err error) {
				if err != nil {
					failed++
					if first == nil {
						first = err
					}
				}
				b.done()
			})
		}
	}
	next(0)
}
