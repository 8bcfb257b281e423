package framework

import "github.com/kubesim/kubesim/model"

// nodeTree orders nodes as upstream's cache node tree does
// (pkg/scheduler/backend/cache/node_tree.go): zones in the order first
// seen, nodes within a zone in insertion order, and the list interleaves
// zones: node 0 of each zone, then node 1 of each zone, and so on. This is
// the order filtering walks, so it matters for which nodes get evaluated.
type nodeTree struct {
	zones    []string
	byZone   map[string][]string
	numNodes int
	images   map[string]*ImageStateSummary
}

// zoneKey is upstream's GetZoneKey: region and zone joined by ":\x00:".
func zoneKey(n *model.Node) string {
	region := n.Labels[model.LabelTopologyRegion]
	zone := n.Labels[model.LabelTopologyZone]
	if region == "" && zone == "" {
		return ""
	}
	return region + ":\x00:" + zone
}

func (t *nodeTree) add(n *model.Node) {
	if t.byZone == nil {
		t.byZone = map[string][]string{}
	}
	z := zoneKey(n)
	names, ok := t.byZone[z]
	if !ok {
		t.zones = append(t.zones, z)
	}
	for _, name := range names {
		if name == n.Name {
			return
		}
	}
	t.byZone[z] = append(names, n.Name)
	t.numNodes++
}

func (t *nodeTree) remove(n *model.Node) {
	z := zoneKey(n)
	names := t.byZone[z]
	for i, name := range names {
		if name == n.Name {
			t.byZone[z] = append(names[:i:i], names[i+1:]...)
			t.numNodes--
			if len(t.byZone[z]) == 0 {
				delete(t.byZone, z)
				for j, zz := range t.zones {
					if zz == z {
						t.zones = append(t.zones[:j:j], t.zones[j+1:]...)
						break
					}
				}
			}
			return
		}
	}
}

func (t *nodeTree) update(old, cur *model.Node) {
	if zoneKey(old) == zoneKey(cur) {
		return
	}
	t.remove(old)
	t.add(cur)
}

// list returns node names zone-interleaved.
func (t *nodeTree) list() []string {
	out := make([]string, 0, t.numNodes)
	for i := 0; len(out) < t.numNodes; i++ {
		for _, z := range t.zones {
			if names := t.byZone[z]; i < len(names) {
				out = append(out, names[i])
			}
		}
	}
	return out
}
