package noderesources

import (
	"fmt"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/framework/fwtest"
)

// Test fixtures mirroring upstream's st.MakeNode/st.MakePod wrappers and
// the helpers of noderesources/test_util.go and fit_test.go.

var (
	extendedResourceA     = model.ResourceName("example.com/aaa")
	extendedResourceB     = model.ResourceName("example.com/bbb")
	kubernetesIOResourceA = model.ResourceName("kubernetes.io/something")
	kubernetesIOResourceB = model.ResourceName("subdomain.kubernetes.io/something")
	hugePageResourceA     = model.ResourceName("hugepages-2Mi")

	extendedRes         = "abc.com/xyz"
	defaultResources    = DefaultResources()
	extendedResourceSet = []ResourceSpec{{Name: "cpu", Weight: 1}, {Name: "memory", Weight: 1}, {Name: extendedRes, Weight: 1}}
)

// parse turns {"cpu": "4000", "memory": "10000"} into a ResourceList.
func parse(m map[string]string) model.ResourceList {
	l := model.ResourceList{}
	for k, v := range m {
		l[model.ResourceName(k)] = model.MustParseQuantity(v)
	}
	return l
}

// stNode is st.MakeNode().Name(name).Capacity(capacity): 32 pods plus the
// given capacity, allocatable equal to capacity.
func stNode(name string, capacity map[string]string) *model.Node {
	l := parse(capacity)
	if !l.Has(model.ResourcePods) {
		l[model.ResourcePods] = model.NewQuantity(32)
	}
	return nodeWith(name, l)
}

// makeNode is test_util.go makeNode: cpu in millicores, memory in bytes,
// extended resources; no pods capacity.
func makeNode(name string, milliCPU, memory int64, extended map[string]int64) *model.Node {
	l := model.ResourceList{model.ResourceCPU: model.NewMilliQuantity(milliCPU), model.ResourceMemory: model.NewQuantity(memory)}
	for k, v := range extended {
		l[model.ResourceName(k)] = model.NewQuantity(v)
	}
	return nodeWith(name, l)
}

func nodeWith(name string, l model.ResourceList) *model.Node {
	n := &model.Node{ObjectMeta: model.ObjectMeta{Name: name, Labels: map[string]string{model.LabelHostname: name}},
		Status: model.NodeStatus{Capacity: l, Allocatable: model.DeepCopy(l)}}
	model.SetTypeMeta(n)
	return n
}

var podSeq int

// stPod is st.MakePod().Node(node).Req(c1).Req(c2)...: one container per
// request map, no container at all without maps.
func stPod(node string, containers ...map[string]string) *model.Pod {
	podSeq++
	p := &model.Pod{ObjectMeta: model.ObjectMeta{Name: fmt.Sprintf("p%d", podSeq), Namespace: "default", UID: fmt.Sprintf("uid-%d", podSeq)}}
	p.Spec.NodeName = node
	for i, c := range containers {
		ctr := model.Container{Name: fmt.Sprintf("c%d", i)}
		if c != nil {
			ctr.Resources.Requests = parse(c)
		}
		p.Spec.Containers = append(p.Spec.Containers, ctr)
	}
	model.SetTypeMeta(p)
	return p
}

// withSidecar is PodWrapper.SidecarReq: a restartable init container.
func withSidecar(p *model.Pod, req map[string]string) *model.Pod {
	always := model.ContainerRestartPolicyAlways
	p.Spec.InitContainers = append(p.Spec.InitContainers, model.Container{Name: "sidecar", RestartPolicy: &always, Resources: model.ResourceRequirements{Requests: parse(req)}})
	return p
}

// usage is a framework.Resource literal of fit_test.go.
type usage struct {
	cpu, mem, eph int64
	scalars       map[model.ResourceName]int64
}

func (u usage) list() model.ResourceList {
	l := model.ResourceList{
		model.ResourceCPU:              model.NewMilliQuantity(u.cpu),
		model.ResourceMemory:           model.NewQuantity(u.mem),
		model.ResourcePods:             model.NewQuantity(0),
		model.ResourceEphemeralStorage: model.NewQuantity(u.eph),
	}
	for k, v := range u.scalars {
		l[k] = model.NewQuantity(v)
	}
	return l
}

// newResourcePod is fit_test.go newResourcePod.
func newResourcePod(us ...usage) *model.Pod {
	p := stPod("")
	for i, u := range us {
		p.Spec.Containers = append(p.Spec.Containers, model.Container{Name: fmt.Sprintf("c%d", i), Resources: model.ResourceRequirements{Requests: u.list()}})
	}
	return p
}

// newResourceInitPod is fit_test.go newResourceInitPod.
func newResourceInitPod(p *model.Pod, us ...usage) *model.Pod {
	for i, u := range us {
		p.Spec.InitContainers = append(p.Spec.InitContainers, model.Container{Name: fmt.Sprintf("i%d", i), Resources: model.ResourceRequirements{Requests: u.list()}})
	}
	return p
}

// makeAllocatableResources is fit_test.go's node resource list.
func makeAllocatableResources(milliCPU, memory, pods, extendedA, storage, hugePageA int64) model.ResourceList {
	return model.ResourceList{
		model.ResourceCPU:              model.NewMilliQuantity(milliCPU),
		model.ResourceMemory:           model.NewQuantity(memory),
		model.ResourcePods:             model.NewQuantity(pods),
		extendedResourceA:              model.NewQuantity(extendedA),
		model.ResourceEphemeralStorage: model.NewQuantity(storage),
		hugePageResourceA:              model.NewQuantity(hugePageA),
	}
}

// nodeInfo is framework.NewNodeInfo(pods...) with SetNode(node).
func nodeInfo(alloc model.ResourceList, pods ...*model.Pod) *framework.NodeInfo {
	ni := framework.NewNodeInfo(pods...)
	ni.SetNode(nodeWith("node", alloc))
	return ni
}

// scoreNodes runs PreScore (when asked) and Score for every node, in order.
func scoreNodes(p framework.ScorePlugin, pod *model.Pod, nodes []*model.Node, existing []*model.Pod, runPreScore bool) ([]int64, []*framework.Status) {
	h := fwtest.NewHandle(nodes, existing)
	state := framework.NewCycleState()
	if runPreScore {
		var infos []*framework.NodeInfo
		for _, n := range nodes {
			ni, _ := h.Snap.Get(n.Name)
			infos = append(infos, ni)
		}
		if s := p.(framework.PreScorePlugin).PreScore(state, pod, infos); !s.IsSuccess() {
			panic(fmt.Sprintf("PreScore: %v", s))
		}
	}
	var scores []int64
	var statuses []*framework.Status
	for _, n := range nodes {
		ni, _ := h.Snap.Get(n.Name)
		sc, st := p.Score(state, pod, ni)
		scores = append(scores, sc)
		statuses = append(statuses, st)
	}
	return scores, statuses
}
