package scenarios

import (
	"fmt"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/apiserver"
	"github.com/kubesim/kubesim/model/manifest"
	"github.com/kubesim/kubesim/sim"
)

// Admit passes decoded manifests through the API server's admission
// (defaulting, validation, priority resolution) and returns the stored
// objects, for tools that reason about a cluster without running it
// (kubesim explain). Objects that fail admission are reported, not
// returned.
func Admit(objs []manifest.Object, start time.Time) ([]model.Object, []error) {
	k := sim.NewKernel(0)
	api := apiserver.New(k, start)
	var errs []error
	// PriorityClasses and Namespaces first, so pods can resolve them.
	first := func(o model.Object) bool {
		switch o.(type) {
		case *model.PriorityClass, *model.Namespace:
			return true
		}
		return false
	}
	for _, pass := range []bool{true, false} {
		for _, mo := range objs {
			if first(mo.Object) != pass {
				continue
			}
			if _, err := api.Create(mo.Object); err != nil {
				errs = append(errs, fmt.Errorf("%s:%d: %s %s: %w", mo.File, mo.Line, mo.Object.GetTypeMeta().Kind, model.Key(mo.Object), err))
			}
		}
	}
	return api.Objects(), errs
}
