package services

import (
	"testing"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// fillIP allocates dynamically until the range is 90% used.
func fillIP(b *testing.B, r *IPRange, rnd *sim.Rand) {
	b.Helper()
	for r.Used()*10 < r.Size()*9 {
		if _, err := r.AllocateNext(rnd); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIPRangeAllocateNext16At90 allocates (and releases) one dynamic
// address in a /16 that is 90% full.
func BenchmarkIPRangeAllocateNext16At90(b *testing.B) {
	r, err := NewIPRange("10.0.0.0/16")
	if err != nil {
		b.Fatal(err)
	}
	rnd := sim.NewRand(1, "bench")
	fillIP(b, r, rnd)
	b.ReportAllocs()
	for b.Loop() {
		ip, err := r.AllocateNext(rnd)
		if err != nil {
			b.Fatal(err)
		}
		r.Release(ip)
	}
}

// BenchmarkAdmitClusterIP16At90 creates (and deletes) one ClusterIP
// Service through Admit in a /16 that is 90% full: validation, allocation
// and the object's fields.
func BenchmarkAdmitClusterIP16At90(b *testing.B) {
	a, err := New(Config{ServiceCIDRs: []string{"10.0.0.0/16"}}, sim.NewRand(1, "bench"))
	if err != nil {
		b.Fatal(err)
	}
	fillIP(b, a.ClusterIPRanges()[0], sim.NewRand(2, "fill"))
	svc := service("ns", "bench", model.ServiceTypeClusterIP)
	b.ReportAllocs()
	for b.Loop() {
		svc.Spec.ClusterIP, svc.Spec.ClusterIPs = "", nil
		if err := a.Admit(nil, svc); err != nil {
			b.Fatal(err)
		}
		a.Release(svc)
	}
}

// BenchmarkPortRangeAllocateNextAt90 allocates (and releases) one node
// port in the default range, 90% full.
func BenchmarkPortRangeAllocateNextAt90(b *testing.B) {
	p, err := NewPortRange(DefaultNodePortRange)
	if err != nil {
		b.Fatal(err)
	}
	rnd := sim.NewRand(1, "bench")
	for p.Used()*10 < p.Size()*9 {
		if _, err := p.AllocateNext(rnd); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		port, err := p.AllocateNext(rnd)
		if err != nil {
			b.Fatal(err)
		}
		p.Release(port)
	}
}
