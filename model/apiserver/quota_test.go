package apiserver

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

func TestLimitRangeDefaultsAndBounds(t *testing.T) {
	s := New(sim.NewKernel(1), start)
	q := model.MustParseQuantity
	_, err := s.Create(&model.LimitRange{ObjectMeta: model.ObjectMeta{Name: "lr"}, Spec: model.LimitRangeSpec{Limits: []model.LimitRangeItem{{
		Type:           "Container",
		Default:        model.ResourceList{"cpu": q("500m"), "memory": q("512Mi")},
		DefaultRequest: model.ResourceList{"cpu": q("100m"), "memory": q("128Mi")},
		Max:            model.ResourceList{"cpu": q("2")},
	}}}})
	require.NoError(t, err)
	o, err := s.Create(testPod("p"))
	require.NoError(t, err)
	c := o.(*model.Pod).Spec.Containers[0]
	require.Equal(t, int64(100), c.Resources.Requests.Cpu())
	require.Equal(t, int64(512<<20), c.Resources.Limits.Memory())
	big := testPod("big")
	big.Spec.Containers[0].Resources.Limits = model.ResourceList{"cpu": q("4")}
	_, err = s.Create(big)
	require.Equal(t, model.ReasonForbidden, model.ReasonOf(err))
	require.Contains(t, err.Error(), "maximum cpu usage per Container is 2, but limit is 4")
}

func TestResourceQuotaAdmission(t *testing.T) {
	s := New(sim.NewKernel(1), start)
	q := model.MustParseQuantity
	_, err := s.Create(&model.ResourceQuota{ObjectMeta: model.ObjectMeta{Name: "q"}, Spec: model.ResourceQuotaSpec{
		Hard: model.ResourceList{"pods": q("2"), "requests.cpu": q("1")}}})
	require.NoError(t, err)
	mk := func(name, cpu string) *model.Pod {
		p := testPod(name)
		p.Spec.Containers[0].Resources.Requests = model.ResourceList{"cpu": q(cpu)}
		return p
	}
	_, err = s.Create(mk("a", "600m"))
	require.NoError(t, err)
	_, err = s.Create(mk("b", "600m"))
	require.Equal(t, model.ReasonForbidden, model.ReasonOf(err))
	require.Contains(t, err.Error(), "exceeded quota: q, requested: requests.cpu=600, used: requests.cpu=600, limited: requests.cpu=1")
	_, err = s.Create(mk("b", "400m"))
	require.NoError(t, err)
	_, err = s.Create(mk("c", "0"))
	require.Contains(t, err.Error(), "pods=1, used: pods=2, limited: pods=2")
	// Another namespace is not charged.
	other := mk("d", "600m")
	other.Namespace = "other"
	_, err = s.Create(other)
	require.NoError(t, err)
}
