package imagelocality

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/framework/fwtest"
)

func images(imgs ...model.ContainerImage) []model.ContainerImage { return imgs }

func img(size int64, names ...string) model.ContainerImage {
	return model.ContainerImage{Names: names, SizeBytes: size * mb}
}

func imageNode(name string, imgs []model.ContainerImage) *model.Node {
	n := &model.Node{ObjectMeta: model.ObjectMeta{Name: name, Labels: map[string]string{model.LabelHostname: name}}}
	n.Status.Images = imgs
	model.SetTypeMeta(n)
	return n
}

func podWith(init []string, containers ...string) *model.Pod {
	p := &model.Pod{ObjectMeta: model.ObjectMeta{Name: "p", Namespace: "default"}}
	for _, i := range init {
		p.Spec.InitContainers = append(p.Spec.InitContainers, model.Container{Name: "i", Image: i})
	}
	for _, c := range containers {
		p.Spec.Containers = append(p.Spec.Containers, model.Container{Name: "c", Image: c})
	}
	model.SetTypeMeta(p)
	return p
}

// Cases from upstream image_locality_test.go TestImageLocalityPriority
// (thresholds scaled by the number of containers, init containers counted).
func TestImageLocalityPriority(t *testing.T) {
	node403002000 := images(img(40, "gcr.io/40:latest", "gcr.io/40:v1"), img(300, "gcr.io/300:latest", "gcr.io/300:v1"), img(2000, "gcr.io/2000:latest"))
	node25010 := images(img(250, "gcr.io/250:latest"), img(10, "gcr.io/10:latest", "gcr.io/10:v1"))
	node60040900 := images(img(600, "gcr.io/600:latest"), img(40, "gcr.io/40:latest"), img(900, "gcr.io/900:latest"))
	node300600900 := images(img(300, "gcr.io/300:latest"), img(600, "gcr.io/600:latest"), img(900, "gcr.io/900:latest"))
	node400030 := images(img(4000, "gcr.io/4000:latest"), img(30, "gcr.io/30:latest"))
	node203040 := images(img(20, "gcr.io/20:latest"), img(30, "gcr.io/30:latest"), img(40, "gcr.io/40:latest"))

	tests := []struct {
		name  string
		pod   *model.Pod
		nodes []*model.Node
		want  []int64
	}{
		// node2: 100 * (250M/2 - 23M) / (1000M*2 - 23M) = 5
		{"two images spread on two nodes, prefer the larger image one", podWith(nil, "gcr.io/40", "gcr.io/250"),
			[]*model.Node{imageNode("node1", node403002000), imageNode("node2", node25010)}, []int64{0, 5}},
		// node1: 100 * ((40M + 300M)/2 - 23M) / (1000M*2 - 23M) = 7
		{"two images on one node, prefer this node", podWith(nil, "gcr.io/40", "gcr.io/300"),
			[]*model.Node{imageNode("node1", node403002000), imageNode("node2", node25010)}, []int64{7, 0}},
		{"if exceed limit, use limit", podWith(nil, "gcr.io/10", "gcr.io/4000"),
			[]*model.Node{imageNode("node1", node400030), imageNode("node2", node25010)}, []int64{100, 0}},
		// node1: 100 * (4000M/3 - 23M) / (1000M*2 - 23M) = 66
		{"if exceed limit, use limit (with node which has no images present)", podWith(nil, "gcr.io/10", "gcr.io/4000"),
			[]*model.Node{imageNode("node1", node400030), imageNode("node2", node25010), imageNode("node3", nil)}, []int64{66, 0, 0}},
		{"pod with multiple large images, node2 is preferred", podWith(nil, "gcr.io/300", "gcr.io/600", "gcr.io/900"),
			[]*model.Node{imageNode("node1", node60040900), imageNode("node2", node300600900), imageNode("node3", nil)}, []int64{32, 36, 0}},
		{"pod with multiple small images", podWith(nil, "gcr.io/30", "gcr.io/40"),
			[]*model.Node{imageNode("node1", node203040), imageNode("node2", node400030)}, []int64{1, 0}},
		// node1: 100 * (300M/2 - 23M) / (1000M*2 - 23M) = 6
		{"include InitContainers: two images spread on two nodes, prefer the larger image one", podWith([]string{"gcr.io/300"}, "gcr.io/30"),
			[]*model.Node{imageNode("node1", node403002000), imageNode("node2", node203040)}, []int64{6, 0}},
	}
	for _, tc := range tests {
		for _, pre := range []bool{true, false} {
			t.Run(tc.name, func(t *testing.T) {
				h := fwtest.NewHandle(tc.nodes, nil)
				p, err := New(nil, h)
				require.NoError(t, err)
				pl := p.(*ImageLocality)
				state := framework.NewCycleState()
				if pre {
					require.Nil(t, pl.PreScore(state, tc.pod, nil))
				}
				var got []int64
				for _, n := range tc.nodes {
					ni, _ := h.Snap.Get(n.Name)
					s, st := pl.Score(state, tc.pod, ni)
					require.True(t, st.IsSuccess())
					got = append(got, s)
				}
				assert.Equal(t, tc.want, got)
			})
		}
	}
}

// TestNormalizedImageName: upstream TestNormalizedImageName (the
// normalization lives in framework.NormalizedImageName).
func TestNormalizedImageName(t *testing.T) {
	for in, want := range map[string]string{
		"root":             "root:latest",
		"gcr.io:5000/root": "gcr.io:5000/root:latest",
		"root:tag":         "root:tag",
		"root@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08": "root@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	} {
		assert.Equal(t, want, framework.NormalizedImageName(in), in)
	}
}

func TestScoreDoesNotAllocate(t *testing.T) {
	nodes := []*model.Node{imageNode("node1", images(img(300, "gcr.io/300:latest"))), imageNode("node2", nil)}
	h := fwtest.NewHandle(nodes, nil)
	p, _ := New(nil, h)
	pl := p.(*ImageLocality)
	pod := podWith(nil, "gcr.io/300", "gcr.io/40")
	state := framework.NewCycleState()
	require.Nil(t, pl.PreScore(state, pod, nil))
	ni, _ := h.Snap.Get("node1")
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = pl.Score(state, pod, ni) }))
}
