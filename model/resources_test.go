package model

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// rl builds a ResourceList from name/quantity pairs: rl("cpu", "1", "memory", "1Gi").
func rl(kv ...string) ResourceList {
	if len(kv)%2 != 0 {
		panic("rl needs name/quantity pairs")
	}
	l := make(ResourceList, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		l[ResourceName(kv[i])] = MustParseQuantity(kv[i+1])
	}
	return l
}

// ctr builds a container with requests and limits.
func ctr(name string, requests, limits ResourceList) Container {
	return Container{Name: name, Image: "img:1", Resources: ResourceRequirements{Requests: requests, Limits: limits}}
}

// sidecar builds a restartable init container (restartPolicy: Always).
func sidecar(name string, requests ResourceList) Container {
	c := ctr(name, requests, nil)
	c.RestartPolicy = Ptr(ContainerRestartPolicyAlways)
	return c
}

func cpuReq(q string) ResourceList { return rl("cpu", q) }

// The cases marked "upstream" are the cases of the same name in
// k8s.io/component-helpers/resource helpers_test.go (TestPodResourceRequests,
// TestPodRequestsAndLimits); the others are worked out from the formula in
// helpers.go and KEP-753 (sidecar containers).
func TestPodRequests(t *testing.T) {
	const Mi = 1024 * 1024
	tests := []struct {
		name      string
		spec      PodSpec
		milliCPU  int64
		memory    int64
		ephemeral int64
		scalars   map[ResourceName]int64
	}{
		{
			name:     "no containers",
			spec:     PodSpec{},
			milliCPU: 0,
		},
		{
			name: "plain containers are summed",
			spec: PodSpec{Containers: []Container{
				ctr("a", rl("cpu", "250m", "memory", "64Mi"), nil),
				ctr("b", rl("cpu", "1", "memory", "1Gi", "ephemeral-storage", "1Gi"), nil),
			}},
			milliCPU: 1250, memory: 1088 * Mi, ephemeral: 1024 * Mi,
		},
		{
			name: "upstream: two container no overhead - should just be sum of containers",
			spec: PodSpec{Containers: []Container{
				ctr("foobar", rl("cpu", "1", "memory", "5"), rl("cpu", "2", "memory", "10")),
				ctr("foobar2", rl("cpu", "4", "memory", "12"), rl("cpu", "8", "memory", "24")),
			}},
			milliCPU: 5000, memory: 17,
		},
		{
			name: "limits alone are not requests (defaulting is SetDefaults' job)",
			spec: PodSpec{Containers: []Container{
				ctr("a", nil, rl("cpu", "9")),
			}},
			milliCPU: 0,
		},
		{
			name: "upstream: nil options, larger init container",
			spec: PodSpec{
				InitContainers: []Container{ctr("i", cpuReq("4"), nil)},
				Containers:     []Container{ctr("c", cpuReq("1"), nil)},
			},
			milliCPU: 4000,
		},
		{
			name: "upstream: nil options, larger containers",
			spec: PodSpec{
				InitContainers: []Container{ctr("i", cpuReq("2"), nil)},
				Containers:     []Container{ctr("a", cpuReq("2"), nil), ctr("b", cpuReq("3"), nil)},
			},
			milliCPU: 5000,
		},
		{
			name: "init containers run one at a time: the largest counts, per resource",
			spec: PodSpec{
				InitContainers: []Container{
					ctr("i1", rl("cpu", "3", "memory", "100Mi"), nil),
					ctr("i2", rl("cpu", "1", "memory", "2Gi"), nil),
				},
				Containers: []Container{ctr("c", rl("cpu", "2", "memory", "1Gi"), nil)},
			},
			milliCPU: 3000, memory: 2048 * Mi,
		},
		{
			name: "upstream: two container with overhead, massive init - should just be the largest init (plus overhead)",
			spec: PodSpec{
				Overhead: rl("cpu", "3", "memory", "8"),
				InitContainers: []Container{
					ctr("small-init", rl("cpu", "1", "memory", "5"), rl("cpu", "1", "memory", "5")),
					ctr("big-init", rl("cpu", "40", "memory", "120"), rl("cpu", "80", "memory", "240")),
				},
				Containers: []Container{
					ctr("foobar", rl("cpu", "1", "memory", "5"), rl("cpu", "2", "memory", "10")),
					ctr("foobar2", rl("cpu", "4", "memory", "12"), rl("cpu", "8", "memory", "24")),
				},
			},
			milliCPU: 43000, memory: 128,
		},
		{
			name: "upstream: restartable init container",
			spec: PodSpec{
				InitContainers: []Container{sidecar("restartable-init-1", cpuReq("1"))},
				Containers:     []Container{ctr("container-1", cpuReq("1"), nil)},
			},
			milliCPU: 2000,
		},
		{
			name: "upstream: multiple restartable init containers",
			// max(5, restartable init containers (3+2+1) + regular (1)) = 7
			spec: PodSpec{
				InitContainers: []Container{
					ctr("init-1", cpuReq("5"), nil),
					sidecar("restartable-init-1", cpuReq("1")),
					sidecar("restartable-init-2", cpuReq("2")),
					sidecar("restartable-init-3", cpuReq("3")),
				},
				Containers: []Container{ctr("container-1", cpuReq("1"), nil)},
			},
			milliCPU: 7000,
		},
		{
			name: "upstream: multiple restartable and regular init containers",
			// init-2 needs 5 + the sidecars started before it (1+2) = 8;
			// restartable-init-3 starts after it and does not count.
			spec: PodSpec{
				InitContainers: []Container{
					ctr("init-1", cpuReq("5"), nil),
					sidecar("restartable-init-1", cpuReq("1")),
					sidecar("restartable-init-2", cpuReq("2")),
					ctr("init-2", cpuReq("5"), nil),
					sidecar("restartable-init-3", cpuReq("3")),
				},
				Containers: []Container{ctr("container-1", cpuReq("1"), nil)},
			},
			milliCPU: 8000,
		},
		{
			name: "upstream: restartable-init, init and regular",
			spec: PodSpec{
				InitContainers: []Container{
					sidecar("restartable-init-1", cpuReq("10")),
					ctr("init-1", cpuReq("200"), nil),
				},
				Containers: []Container{ctr("container-1", cpuReq("100"), nil)},
			},
			milliCPU: 210000,
		},
		{
			name: "a regular init container before any sidecar runs alone",
			spec: PodSpec{
				InitContainers: []Container{
					ctr("init-1", cpuReq("6"), nil),
					sidecar("proxy", cpuReq("4")),
				},
				Containers: []Container{ctr("app", cpuReq("1"), nil)},
			},
			milliCPU: 6000, // max(6, 4+1)
		},
		{
			name: "sidecars count for the whole pod life",
			spec: PodSpec{
				InitContainers: []Container{
					sidecar("proxy", rl("cpu", "500m", "memory", "128Mi")),
					ctr("migrate", rl("cpu", "1", "memory", "64Mi"), nil),
				},
				Containers: []Container{ctr("app", rl("cpu", "2", "memory", "1Gi"), nil)},
			},
			milliCPU: 2500, memory: 1152 * Mi, // max(0.5+1, 0.5+2) and max(128+64, 128+1024)
		},
		{
			name: "upstream: pod overhead included",
			spec: PodSpec{
				Overhead:       rl("cpu", "1", "memory", "1Gi"),
				InitContainers: []Container{ctr("i", cpuReq("2"), cpuReq("2"))},
				Containers:     []Container{ctr("a", cpuReq("2"), nil), ctr("b", cpuReq("3"), nil)},
			},
			milliCPU: 6000, memory: 1024 * Mi,
		},
		{
			name: "upstream: just-overhead",
			spec: PodSpec{
				Overhead:   rl("cpu", "5", "memory", "5"),
				Containers: []Container{ctr("a", nil, nil)},
			},
			milliCPU: 5000, memory: 5,
		},
		{
			name: "extended resources are summed and maxed like cpu",
			spec: PodSpec{
				InitContainers: []Container{ctr("i", rl("nvidia.com/gpu", "4"), nil)},
				Containers: []Container{
					ctr("a", rl("nvidia.com/gpu", "1", "example.com/foo", "3"), nil),
					ctr("b", rl("nvidia.com/gpu", "2"), nil),
				},
			},
			scalars: map[ResourceName]int64{"nvidia.com/gpu": 4, "example.com/foo": 3},
		},
		{
			name: "pod-level requests replace the container sum for cpu and memory only",
			spec: PodSpec{
				Resources: &ResourceRequirements{Requests: rl("cpu", "3")},
				Containers: []Container{
					ctr("a", rl("cpu", "1", "memory", "1Gi", "ephemeral-storage", "1Gi"), nil),
				},
				Overhead: rl("cpu", "100m"),
			},
			milliCPU: 3100, memory: 1024 * Mi, ephemeral: 1024 * Mi,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &Pod{Spec: tt.spec}
			got := PodRequests(p, false)
			assert.Equal(t, tt.milliCPU, got.MilliCPU, "cpu (millicores)")
			assert.Equal(t, tt.memory, got.Memory, "memory")
			assert.Equal(t, tt.ephemeral, got.EphemeralStorage, "ephemeral-storage")
			for name, want := range tt.scalars {
				assert.Equal(t, want, got.Scalar(name), "%s", name)
			}
			assert.Len(t, got.Scalars, len(tt.scalars), "extended resources: %v", got.Scalars)
		})
	}
}

// With nonZero (the scheduler's NonMissingContainerRequests of 100m and
// 200Mi), a container that does not mention cpu or memory counts the
// default for it, but a request written as "0" stays zero (upstream
// applyNonMissing only fills keys that are missing).
func TestPodRequestsNonZero(t *testing.T) {
	const defMem = 200 * 1024 * 1024
	tests := []struct {
		name     string
		spec     PodSpec
		milliCPU int64
		memory   int64
	}{
		{
			name:     "a container with no requests counts both defaults",
			spec:     PodSpec{Containers: []Container{ctr("a", nil, nil)}},
			milliCPU: 100, memory: defMem,
		},
		{
			name:     "two empty containers count the defaults twice",
			spec:     PodSpec{Containers: []Container{ctr("a", nil, nil), ctr("b", nil, nil)}},
			milliCPU: 200, memory: 2 * defMem,
		},
		{
			name:     "explicit zero requests are kept at zero",
			spec:     PodSpec{Containers: []Container{ctr("a", rl("cpu", "0", "memory", "0"), nil)}},
			milliCPU: 0, memory: 0,
		},
		{
			name:     "only the missing resource is defaulted",
			spec:     PodSpec{Containers: []Container{ctr("a", rl("cpu", "0"), nil), ctr("b", rl("memory", "1Gi"), nil)}},
			milliCPU: 0 + 100, memory: defMem + 1024*1024*1024,
		},
		{
			name: "init containers and sidecars get the defaults too",
			spec: PodSpec{
				InitContainers: []Container{sidecar("proxy", nil), ctr("init", rl("cpu", "1"), nil)},
				Containers:     []Container{ctr("app", rl("cpu", "250m", "memory", "64Mi"), nil)},
			},
			// cpu: max(100+250, 100+1000) = 1100; memory: max(200Mi+64Mi, 200Mi+200Mi)
			milliCPU: 1100, memory: 2 * defMem,
		},
		{
			name:     "extended resources only: cpu and memory are defaulted",
			spec:     PodSpec{Containers: []Container{ctr("a", rl("nvidia.com/gpu", "1"), nil)}},
			milliCPU: 100, memory: defMem,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PodRequests(&Pod{Spec: tt.spec}, true)
			assert.Equal(t, tt.milliCPU, got.MilliCPU, "cpu (millicores)")
			assert.Equal(t, tt.memory, got.Memory, "memory")
		})
	}
}

func TestResourcesArithmetic(t *testing.T) {
	a := ResourcesFromList(rl("cpu", "1500m", "memory", "1Gi", "pods", "110", "storage", "5Gi", "b.io/x", "2", "a.io/y", "1"))
	assert.Equal(t, int64(1500), a.MilliCPU)
	assert.Equal(t, int64(1<<30), a.Memory)
	assert.Equal(t, []ScalarResource{{"a.io/y", 1}, {"b.io/x", 2}}, a.Scalars, "pods and storage are skipped; scalars sorted")
	assert.Equal(t, int64(1500), a.Get(ResourceCPU))
	assert.Equal(t, int64(2), a.Get("b.io/x"))

	b := a.Clone()
	b.Scalars[0].Value = 99
	assert.Equal(t, int64(1), a.Scalar("a.io/y"), "Clone does not share scalars")

	c := Resources{MilliCPU: 2000, Scalars: []ScalarResource{{"c.io/z", 5}}}
	c.Max(&a)
	assert.Equal(t, int64(2000), c.MilliCPU)
	assert.Equal(t, int64(1<<30), c.Memory)
	assert.Equal(t, int64(5), c.Scalar("c.io/z"))
	assert.Equal(t, int64(2), c.Scalar("b.io/x"))

	c.Sub(&a)
	assert.Equal(t, int64(500), c.MilliCPU)
	assert.Equal(t, int64(0), c.Memory)
	c.Add(&a)
	assert.Equal(t, int64(2000), c.MilliCPU)
}

// Expected classes follow pkg/apis/core/v1/helper/qos ComputePodQOS: only
// cpu and memory count; a container is BestEffort with neither, Guaranteed
// with both limited and equal to the request, Burstable otherwise; the pod
// is Burstable when containers are, or when they mix BestEffort and
// Guaranteed. Zero quantities count as missing.
func TestQOSClass(t *testing.T) {
	guaranteed := ctr("g", rl("cpu", "1", "memory", "1Gi"), rl("cpu", "1", "memory", "1Gi"))
	tests := []struct {
		name string
		spec PodSpec
		want PodQOSClass
	}{
		{"no containers", PodSpec{}, PodQOSBestEffort},
		{"no resources at all", PodSpec{Containers: []Container{ctr("a", nil, nil)}}, PodQOSBestEffort},
		{"only extended resources", PodSpec{Containers: []Container{ctr("a", rl("nvidia.com/gpu", "1"), rl("nvidia.com/gpu", "1"))}}, PodQOSBestEffort},
		{"only ephemeral-storage", PodSpec{Containers: []Container{ctr("a", rl("ephemeral-storage", "1Gi"), nil)}}, PodQOSBestEffort},
		{"explicit zero requests and limits", PodSpec{Containers: []Container{ctr("a", rl("cpu", "0", "memory", "0"), rl("cpu", "0", "memory", "0"))}}, PodQOSBestEffort},
		{"requests equal limits for cpu and memory", PodSpec{Containers: []Container{guaranteed}}, PodQOSGuaranteed},
		{"equal values written differently", PodSpec{Containers: []Container{ctr("a", rl("cpu", "1000m", "memory", "1024Mi"), rl("cpu", "1", "memory", "1Gi"))}}, PodQOSGuaranteed},
		{"limits only (requests were not defaulted)", PodSpec{Containers: []Container{ctr("a", nil, rl("cpu", "1", "memory", "1Gi"))}}, PodQOSBurstable},
		{"requests below limits", PodSpec{Containers: []Container{ctr("a", rl("cpu", "500m", "memory", "1Gi"), rl("cpu", "1", "memory", "1Gi"))}}, PodQOSBurstable},
		{"cpu only, equal", PodSpec{Containers: []Container{ctr("a", rl("cpu", "1"), rl("cpu", "1"))}}, PodQOSBurstable},
		{"memory limit of zero is no limit", PodSpec{Containers: []Container{ctr("a", rl("cpu", "1", "memory", "0"), rl("cpu", "1", "memory", "0"))}}, PodQOSBurstable},
		{"request only", PodSpec{Containers: []Container{ctr("a", rl("memory", "64Mi"), nil)}}, PodQOSBurstable},
		{"guaranteed plus best effort container", PodSpec{Containers: []Container{guaranteed, ctr("b", nil, nil)}}, PodQOSBurstable},
		{"two guaranteed containers", PodSpec{Containers: []Container{guaranteed, ctr("b", rl("cpu", "2", "memory", "2Gi"), rl("cpu", "2", "memory", "2Gi"))}}, PodQOSGuaranteed},
		{"init containers count: best effort init", PodSpec{InitContainers: []Container{ctr("i", nil, nil)}, Containers: []Container{guaranteed}}, PodQOSBurstable},
		{"init containers count: guaranteed init", PodSpec{InitContainers: []Container{guaranteed}, Containers: []Container{guaranteed}}, PodQOSGuaranteed},
		{"init containers count: burstable init", PodSpec{InitContainers: []Container{ctr("i", rl("cpu", "1"), nil)}, Containers: []Container{ctr("a", nil, nil)}}, PodQOSBurstable},
		{"extended resources do not break Guaranteed", PodSpec{Containers: []Container{ctr("a", rl("cpu", "1", "memory", "1Gi", "nvidia.com/gpu", "1"), rl("cpu", "1", "memory", "1Gi", "nvidia.com/gpu", "1"))}}, PodQOSGuaranteed},
		{
			"pod-level resources decide: guaranteed",
			PodSpec{Resources: &ResourceRequirements{Requests: rl("cpu", "2", "memory", "2Gi"), Limits: rl("cpu", "2", "memory", "2Gi")}, Containers: []Container{ctr("a", rl("cpu", "1"), nil)}},
			PodQOSGuaranteed,
		},
		{
			"pod-level resources decide: burstable",
			PodSpec{Resources: &ResourceRequirements{Requests: rl("cpu", "1")}, Containers: []Container{guaranteed}},
			PodQOSBurstable,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, QOSClass(&Pod{Spec: tt.spec}))
		})
	}
}

// SetDefaults copies limits into missing requests, so a pod written with
// limits only becomes Guaranteed, as on a real cluster.
func TestQOSClassAfterDefaulting(t *testing.T) {
	p := &Pod{ObjectMeta: ObjectMeta{Name: "p"}, Spec: PodSpec{Containers: []Container{ctr("a", nil, rl("cpu", "1", "memory", "1Gi"))}}}
	SetDefaults(p)
	assert.Equal(t, PodQOSGuaranteed, QOSClass(p))
}
