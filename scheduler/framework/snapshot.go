package framework

import (
	"github.com/kubesim/kubesim/model"
)

// Snapshot is the cluster state a scheduling cycle reads: every node's
// NodeInfo in upstream's node-tree order. The scheduler's cache keeps one
// up to date incrementally; NewSnapshot builds one from objects (tests,
// kubesim explain).
type Snapshot struct {
	nodeInfoMap  map[string]*NodeInfo
	nodeInfoList []*NodeInfo
	withAffinity []*NodeInfo
	withAnti     []*NodeInfo
	tree         nodeTree
	listValid    bool
}

var _ SharedLister = (*Snapshot)(nil)
var _ NodeInfoLister = (*Snapshot)(nil)

// NewEmptySnapshot returns a snapshot with no nodes.
func NewEmptySnapshot() *Snapshot {
	return &Snapshot{nodeInfoMap: map[string]*NodeInfo{}}
}

// NewSnapshot builds a snapshot from nodes and the pods bound to them
// (pods without a nodeName are ignored).
func NewSnapshot(pods []*model.Pod, nodes []*model.Node) *Snapshot {
	s := NewEmptySnapshot()
	for _, n := range nodes {
		s.AddNode(n)
	}
	for _, p := range pods {
		if p.Spec.NodeName != "" {
			s.AddPod(p)
		}
	}
	return s
}

// NodeInfos returns the snapshot itself as a lister.
func (s *Snapshot) NodeInfos() NodeInfoLister { return s }

// Get returns a node's info.
func (s *Snapshot) Get(name string) (*NodeInfo, bool) {
	ni, ok := s.nodeInfoMap[name]
	if !ok || ni.Node() == nil {
		return nil, false
	}
	return ni, true
}

// List returns the nodes in node-tree order.
func (s *Snapshot) List() []*NodeInfo {
	s.refresh()
	return s.nodeInfoList
}

// HavePodsWithAffinityList returns nodes with pods that have affinity.
func (s *Snapshot) HavePodsWithAffinityList() []*NodeInfo {
	s.refresh()
	return s.withAffinity
}

// HavePodsWithRequiredAntiAffinityList returns nodes with pods that have
// required anti-affinity.
func (s *Snapshot) HavePodsWithRequiredAntiAffinityList() []*NodeInfo {
	s.refresh()
	return s.withAnti
}

// NumNodes returns the number of nodes.
func (s *Snapshot) NumNodes() int { return s.tree.numNodes }

func (s *Snapshot) refresh() {
	if s.listValid {
		return
	}
	s.nodeInfoList = s.nodeInfoList[:0]
	s.withAffinity = s.withAffinity[:0]
	s.withAnti = s.withAnti[:0]
	for _, name := range s.tree.list() {
		ni := s.nodeInfoMap[name]
		s.nodeInfoList = append(s.nodeInfoList, ni)
		if len(ni.PodsWithAffinity) > 0 {
			s.withAffinity = append(s.withAffinity, ni)
		}
		if len(ni.PodsWithRequiredAntiAffinity) > 0 {
			s.withAnti = append(s.withAnti, ni)
		}
	}
	s.listValid = true
}

// AddNode adds or updates a node.
func (s *Snapshot) AddNode(n *model.Node) {
	ni, ok := s.nodeInfoMap[n.Name]
	if !ok {
		ni = NewNodeInfo()
		s.nodeInfoMap[n.Name] = ni
	}
	if old := ni.Node(); old != nil {
		s.tree.update(old, n)
		s.removeImages(old, ni)
	} else {
		s.tree.add(n)
	}
	ni.SetNode(n)
	s.addImages(n, ni)
	s.listValid = false
}

// RemoveNode removes a node; its info stays while pods remain on it.
func (s *Snapshot) RemoveNode(name string) {
	ni, ok := s.nodeInfoMap[name]
	if !ok || ni.Node() == nil {
		return
	}
	s.tree.remove(ni.Node())
	s.removeImages(ni.Node(), ni)
	ni.RemoveNode()
	if len(ni.Pods) == 0 {
		delete(s.nodeInfoMap, name)
	}
	s.listValid = false
}

// AddPod accounts a pod on its node (creating a node-less info if the
// node is not known yet).
func (s *Snapshot) AddPod(p *model.Pod) { s.AddPodInfo(NewPodInfo(p)) }

// AddPodInfo accounts a pod on its node.
func (s *Snapshot) AddPodInfo(pi *PodInfo) {
	name := pi.Pod.Spec.NodeName
	ni, ok := s.nodeInfoMap[name]
	if !ok {
		ni = NewNodeInfo()
		s.nodeInfoMap[name] = ni
	}
	hadAff, hadAnti := len(ni.PodsWithAffinity) > 0, len(ni.PodsWithRequiredAntiAffinity) > 0
	ni.AddPodInfo(pi)
	if hadAff != (len(ni.PodsWithAffinity) > 0) || hadAnti != (len(ni.PodsWithRequiredAntiAffinity) > 0) {
		s.listValid = false
	}
}

// RemovePod removes a pod from its node.
func (s *Snapshot) RemovePod(p *model.Pod) bool {
	ni, ok := s.nodeInfoMap[p.Spec.NodeName]
	if !ok {
		return false
	}
	hadAff, hadAnti := len(ni.PodsWithAffinity) > 0, len(ni.PodsWithRequiredAntiAffinity) > 0
	removed := ni.RemovePod(p)
	if hadAff != (len(ni.PodsWithAffinity) > 0) || hadAnti != (len(ni.PodsWithRequiredAntiAffinity) > 0) {
		s.listValid = false
	}
	if ni.Node() == nil && len(ni.Pods) == 0 {
		delete(s.nodeInfoMap, p.Spec.NodeName)
	}
	return removed
}

// imageCounts tracks how many nodes have each image; ImageStateSummary
// values are shared by all nodes with the image, so NumNodes is current
// everywhere (upstream cache.imageStates).
func (s *Snapshot) addImages(n *model.Node, ni *NodeInfo) {
	ni.ImageStates = make(map[string]*ImageStateSummary, len(n.Status.Images))
	for _, img := range n.Status.Images {
		for _, name := range img.Names {
			name = NormalizedImageName(name)
			if _, dup := ni.ImageStates[name]; dup {
				continue // a node counts once per image, however often listed
			}
			st := s.imageState(name, img.SizeBytes)
			st.NumNodes++
			ni.ImageStates[name] = st
		}
	}
}

func (s *Snapshot) removeImages(n *model.Node, ni *NodeInfo) {
	for name, st := range ni.ImageStates {
		st.NumNodes--
		if st.NumNodes == 0 {
			delete(s.images(), name)
		}
	}
	ni.ImageStates = map[string]*ImageStateSummary{}
}

func (s *Snapshot) images() map[string]*ImageStateSummary {
	if s.tree.images == nil {
		s.tree.images = map[string]*ImageStateSummary{}
	}
	return s.tree.images
}

func (s *Snapshot) imageState(name string, size int64) *ImageStateSummary {
	m := s.images()
	st, ok := m[name]
	if !ok {
		st = &ImageStateSummary{Size: size}
		m[name] = st
	}
	return st
}
