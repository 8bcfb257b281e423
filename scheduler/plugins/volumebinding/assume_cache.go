package volumebinding

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
)

// assumeCache overlays the informer caches with the PVs and claims the
// plugin assumed at Reserve but whose API writes have not been observed
// yet (upstream PVAssumeCache/PVCAssumeCache). An assumed object is used
// while the informer still holds the version it was derived from; once the
// informer's resourceVersion changes (the write, or anything else, landed)
// or the object is gone, the informer's object wins again.
type assumeCache struct {
	h    framework.Handle
	pvs  map[string]assumedPV  // by name
	pvcs map[string]assumedPVC // by namespace/name
}

type assumedPV struct {
	baseRV string
	pv     *model.PersistentVolume
}

type assumedPVC struct {
	baseRV string
	pvc    *model.PersistentVolumeClaim
}

func newAssumeCache(h framework.Handle) *assumeCache {
	return &assumeCache{h: h, pvs: map[string]assumedPV{}, pvcs: map[string]assumedPVC{}}
}

func pvcKey(namespace, name string) string { return namespace + "/" + name }

// apiPV and apiPVC read the informer cache.
func (c *assumeCache) apiPV(name string) (*model.PersistentVolume, bool) {
	o, ok := c.h.Objects().Get("PersistentVolume", "", name)
	pv, isPV := o.(*model.PersistentVolume)
	return pv, ok && isPV && pv != nil
}

func (c *assumeCache) apiPVC(namespace, name string) (*model.PersistentVolumeClaim, bool) {
	o, ok := c.h.Objects().Get("PersistentVolumeClaim", namespace, name)
	pvc, isPVC := o.(*model.PersistentVolumeClaim)
	return pvc, ok && isPVC && pvc != nil
}

// getPV returns the assumed PV, else the informer's.
func (c *assumeCache) getPV(name string) (*model.PersistentVolume, bool) {
	pv, ok := c.apiPV(name)
	if !ok {
		delete(c.pvs, name)
		return nil, false
	}
	if a, ok := c.pvs[name]; ok {
		if a.baseRV == pv.ResourceVersion {
			return a.pv, true
		}
		delete(c.pvs, name)
	}
	return pv, true
}

// getPVC returns the assumed claim, else the informer's.
func (c *assumeCache) getPVC(namespace, name string) (*model.PersistentVolumeClaim, bool) {
	key := pvcKey(namespace, name)
	pvc, ok := c.apiPVC(namespace, name)
	if !ok {
		delete(c.pvcs, key)
		return nil, false
	}
	if a, ok := c.pvcs[key]; ok {
		if a.baseRV == pvc.ResourceVersion {
			return a.pvc, true
		}
		delete(c.pvcs, key)
	}
	return pvc, true
}

// listPVs returns the PVs of a class (assumed versions where current),
// sorted by name.
func (c *assumeCache) listPVs(class string) []*model.PersistentVolume {
	var out []*model.PersistentVolume
	for _, o := range c.h.Objects().List("PersistentVolume") {
		pv, ok := o.(*model.PersistentVolume)
		if !ok || pv == nil {
			continue
		}
		if a, ok := c.pvs[pv.Name]; ok {
			if a.baseRV == pv.ResourceVersion {
				pv = a.pv
			} else {
				delete(c.pvs, pv.Name)
			}
		}
		if model.GetPersistentVolumeClass(pv) == class {
			out = append(out, pv)
		}
	}
	slices.SortFunc(out, func(a, b *model.PersistentVolume) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// assumePV records pv as the current version of its PV.
func (c *assumeCache) assumePV(pv *model.PersistentVolume) error {
	base, ok := c.apiPV(pv.Name)
	if !ok {
		return fmt.Errorf("assuming PersistentVolume %q: not found", pv.Name)
	}
	c.pvs[pv.Name] = assumedPV{baseRV: base.ResourceVersion, pv: pv}
	return nil
}

// assumePVC records pvc as the current version of its claim.
func (c *assumeCache) assumePVC(pvc *model.PersistentVolumeClaim) error {
	base, ok := c.apiPVC(pvc.Namespace, pvc.Name)
	if !ok {
		return fmt.Errorf("assuming PersistentVolumeClaim %q: not found", pvcKey(pvc.Namespace, pvc.Name))
	}
	c.pvcs[pvcKey(pvc.Namespace, pvc.Name)] = assumedPVC{baseRV: base.ResourceVersion, pvc: pvc}
	return nil
}

func (c *assumeCache) restorePV(name string) { delete(c.pvs, name) }

func (c *assumeCache) restorePVC(namespace, name string) { delete(c.pvcs, pvcKey(namespace, name)) }

// sweep drops assumptions the informer has overtaken, so the overlay stays
// as small as the bindings in flight. Each entry is judged on its own, so
// the map order does not matter.
func (c *assumeCache) sweep() {
	for name, a := range c.pvs {
		if pv, ok := c.apiPV(name); !ok || pv.ResourceVersion != a.baseRV {
			delete(c.pvs, name)
		}
	}
	for key, a := range c.pvcs {
		if pvc, ok := c.apiPVC(a.pvc.Namespace, a.pvc.Name); !ok || pvc.ResourceVersion != a.baseRV {
			delete(c.pvcs, key)
		}
	}
}
