package scheduler

import (
	"errors"
	"fmt"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim"
)

// Explanation is the stable JSON form of `kubesim explain`: why a pod
// lands where it lands, node by node and plugin by plugin.
type Explanation struct {
	Pod          string            `json:"pod"`
	Profile      string            `json:"profile"`
	Result       string            `json:"result"` // Scheduled or Unschedulable
	SelectedNode string            `json:"selectedNode,omitempty"`
	Message      string            `json:"message,omitempty"`
	Notes        []string          `json:"notes,omitempty"`
	PreFilter    *StatusRecord     `json:"preFilter,omitempty"`
	Nodes        []NodeExplanation `json:"nodes"`
	Preemption   *PreemptionRecord `json:"preemption,omitempty"`

	index map[string]int
}

// NodeExplanation is one node's filter verdict and scores.
type NodeExplanation struct {
	Name       string                 `json:"name"`
	Filter     StatusRecord           `json:"filter"`
	Scores     map[string]ScoreRecord `json:"scores,omitempty"`
	TotalScore int64                  `json:"totalScore"`
}

// StatusRecord is a plugin status.
type StatusRecord struct {
	Status  string   `json:"status"`
	Plugin  string   `json:"plugin,omitempty"`
	Reasons []string `json:"reasons,omitempty"`
}

// ScoreRecord is one plugin's score for a node.
type ScoreRecord struct {
	Raw        int64 `json:"raw"`
	Normalized int64 `json:"normalized"`
	Weighted   int64 `json:"weighted"`
	Skipped    bool  `json:"skipped,omitempty"`
}

// PreemptionRecord says what preemption would do.
type PreemptionRecord struct {
	Attempted     bool     `json:"attempted"`
	Status        string   `json:"status"`
	Message       string   `json:"message,omitempty"`
	NominatedNode string   `json:"nominatedNode,omitempty"`
	Victims       []string `json:"victims,omitempty"`
}

func (e *Explanation) node(name string) *NodeExplanation {
	if e.index == nil {
		e.index = map[string]int{}
	}
	if i, ok := e.index[name]; ok {
		return &e.Nodes[i]
	}
	e.index[name] = len(e.Nodes)
	e.Nodes = append(e.Nodes, NodeExplanation{Name: name})
	return &e.Nodes[len(e.Nodes)-1]
}

func (e *Explanation) addFilter(name string, s *framework.Status) {
	n := e.node(name)
	n.Filter = StatusRecord{Status: s.Code().String(), Plugin: s.Plugin(), Reasons: s.Reasons()}
}

func (e *Explanation) addScores(nodes []*framework.NodeInfo, recs []PluginScores, totals []int64) {
	for i, ni := range nodes {
		n := e.node(ni.Name())
		n.Scores = map[string]ScoreRecord{}
		for _, r := range recs {
			if r.Skipped {
				n.Scores[r.Plugin] = ScoreRecord{Skipped: true}
				continue
			}
			n.Scores[r.Plugin] = ScoreRecord{Raw: r.Raw[i], Normalized: r.Normalized[i], Weighted: r.Normalized[i] * r.Weight}
		}
		n.TotalScore = totals[i]
	}
}

// Explain runs one scheduling cycle for the pod namespace/name against
// objs — objects as the API server admitted them: nodes, pods (those with
// a nodeName count as running there) and anything plugins read (Services,
// PVCs, PVs, StorageClasses, PDBs, Namespaces). Every node is evaluated
// and every feasible node scored, in the order the scheduler's search
// starts from. Nothing is bound or evicted.
func Explain(objs []model.Object, namespace, name string, opts Options, seed uint64) (*Explanation, error) {
	k := sim.NewKernel(seed)
	s, err := New(k, nil, opts)
	if err != nil {
		return nil, err
	}
	var target *model.Pod
	for _, o := range objs {
		switch x := o.(type) {
		case *model.Node:
			s.snapshot.AddNode(x)
		case *model.Pod:
			if x.Namespace == namespace && x.Name == name {
				target = x
				continue
			}
			if countedPod(x) {
				s.snapshot.AddPod(x)
			} else if x.Spec.NodeName == "" && x.Status.NominatedNodeName != "" {
				s.nominator.set(framework.NewPodInfo(x), x.Status.NominatedNodeName)
			}
		default:
			for _, w := range watchedKinds {
				if o.GetTypeMeta().Kind == w.kind {
					s.objects.set(w.kind, o)
				}
			}
		}
	}
	if target == nil {
		return nil, fmt.Errorf("pod %s/%s not found among the objects", namespace, name)
	}
	if target.Spec.NodeName != "" {
		return nil, fmt.Errorf("pod %s/%s is already bound to node %s; explain places pending pods", namespace, name, target.Spec.NodeName)
	}
	fwk := s.profiles[target.Spec.SchedulerName]
	if fwk == nil {
		return nil, fmt.Errorf("pod %s/%s asks for scheduler %q, which no profile serves (profiles: %v)", namespace, name, target.Spec.SchedulerName, sortedKeys(s.profiles))
	}
	ex := &Explanation{Pod: target.Key(), Profile: fwk.ProfileName()}
	if st := fwk.RunPreEnqueuePlugins(target); !st.IsSuccess() {
		ex.Result = "Unschedulable"
		ex.Message = st.Message()
		ex.PreFilter = &StatusRecord{Status: st.Code().String(), Plugin: st.Plugin(), Reasons: st.Reasons()}
		ex.Notes = append(ex.Notes, "the pod is held before the queue (PreEnqueue); no cycle runs until that changes")
		return ex, nil
	}
	s.cyc.record = ex
	state := framework.NewCycleState()
	var profilePct *int32
	for i := range s.cfg.Profiles {
		if s.cfg.Profiles[i].SchedulerName == fwk.ProfileName() {
			profilePct = s.cfg.Profiles[i].PercentageOfNodesToScore
		}
	}
	res, err := s.cyc.schedulePod(fwk, state, target, profilePct)
	// Nodes a PreFilter result or rejection kept out of filtering.
	for _, ni := range s.snapshot.List() {
		if _, ok := ex.index[ni.Name()]; !ok {
			n := ex.node(ni.Name())
			n.Filter = StatusRecord{Status: framework.UnschedulableAndUnresolvable.String(), Reasons: []string{"not evaluated: excluded before filtering"}}
			if ex.PreFilter != nil {
				n.Filter = *ex.PreFilter
			}
		}
	}
	var fe *FitError
	switch {
	case err == nil:
		ex.Result = "Scheduled"
		ex.SelectedNode = res.SuggestedHost
		if res.FeasibleNodes == 1 {
			ex.Notes = append(ex.Notes, "only one node is feasible: kube-scheduler picks it without scoring; the scores are shown for information")
		}
		if n := s.snapshot.NumNodes(); n >= minFeasibleNodesToFind {
			pct := s.cyc.percentageToScore
			if profilePct != nil {
				pct = *profilePct
			}
			ex.Notes = append(ex.Notes, fmt.Sprintf("in a live cycle the scheduler stops after %d feasible nodes out of %d, starting where the previous cycle stopped; explain evaluates them all", numFeasibleNodesToFind(pct, int32(n)), n))
		}
	case errors.As(err, &fe):
		ex.Result = "Unschedulable"
		pr := &PreemptionRecord{}
		if fwk.HasPostFilterPlugins() {
			pr.Attempted = true
			post, st := fwk.RunPostFilterPlugins(state, target, fe.Diagnosis.NodeToStatus)
			pr.Status = st.Code().String()
			pr.Message = st.Message()
			if st.Message() != "" && !st.IsSuccess() {
				fe.Diagnosis.PostFilterMsg = st.Message()
			}
			if post != nil && post.NominatedNodeName != "" {
				pr.NominatedNode = post.NominatedNodeName
				for _, v := range preemptionVictims(state) {
					pr.Victims = append(pr.Victims, v.Key())
				}
			}
		}
		ex.Preemption = pr
		ex.Message = fe.Error()
	default:
		return nil, err
	}
	return ex, nil
}
