package kubelet

import (
	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/hardware"
)

// realize draws one start's worth of a container's behaviour: the
// machine's workload and the probe timeline. Draws come from the node's
// behaviour stream, in a fixed field order.
func (kl *Kubelet) realize(ps *podState, c *ctrState) (hardware.Workload, appTimes) {
	b := &c.behavior
	r := kl.behaviorRand
	req := model.ResourcesFromList(c.spec.Resources.Requests)
	w := hardware.Workload{Forever: true, CPUDemand: req.MilliCPU}
	var app appTimes
	switch {
	case b.CPUWork != nil:
		w.Forever = false
		w.CPUWork = b.CPUWork.SampleDuration(r)
		w.CPUDemand = hardware.CPUUnbounded
	case b.RunFor != nil:
		w.Forever = false
		w.RunFor = b.RunFor.SampleDuration(r)
	}
	if b.CPU != nil {
		switch b.CPU.Mode {
		case model.CPURequest:
			w.CPUDemand = req.MilliCPU
		case model.CPUBusy:
			w.CPUDemand = hardware.CPUUnbounded
		case model.CPUDist:
			w.CPUDemand = max(int64(b.CPU.Dist.Sample(r)), 0)
		}
	}
	w.Memory = growth(b.Memory, req.Memory)
	w.Disk = growth(b.Disk, 0)
	if v := emptyDirOf(ps.pod, b.EmptyDir); v != nil && v.Medium == "Memory" {
		// tmpfs pages are charged to the writer's memory cgroup; the tmpfs
		// is sized to sizeLimit (SizeMemoryBackedVolumes), so writes stop
		// there.
		d := w.Disk
		if v.SizeLimit != nil && (d.Max == 0 || v.SizeLimit.Value() < d.Max) {
			d.Max = v.SizeLimit.Value()
		}
		w.Memory = hardware.Growth{Start: w.Memory.Start + d.Start, PerSecond: w.Memory.PerSecond + d.PerSecond}
		if mm := growth(b.Memory, req.Memory).Max; mm > 0 && d.Max > 0 {
			w.Memory.Max = mm + d.Max
		}
		w.Disk = hardware.Growth{}
	}
	if b.FailureRatio != nil && b.FailureRatio.Chance(r) {
		w.ExitCode = b.FailureExitCode()
	}
	if b.ShutdownTime != nil {
		w.HandlesSIGTERM = true
		w.ShutdownTime = b.ShutdownTime.SampleDuration(r)
	}
	if b.ReadyAfter != nil {
		app.readyAfter = b.ReadyAfter.SampleDuration(r)
	}
	if b.LivenessFailsAfter != nil {
		app.livenessFails = true
		app.livenessFailsAfter = b.LivenessFailsAfter.SampleDuration(r)
	}
	return w, app
}

func growth(g *model.Growth, start int64) hardware.Growth {
	out := hardware.Growth{Start: start}
	if g == nil {
		return out
	}
	if g.Start != nil {
		out.Start = g.Start.Value()
	}
	if g.RampPerSecond != nil {
		out.PerSecond = g.RampPerSecond.Value()
	}
	if g.Max != nil {
		out.Max = g.Max.Value()
	}
	return out
}

// emptyDirOf returns the pod's emptyDir volume of that name, nil if none.
func emptyDirOf(p *model.Pod, name string) *model.EmptyDirVolumeSource {
	if name == "" {
		return nil
	}
	for i := range p.Spec.Volumes {
		if p.Spec.Volumes[i].Name == name {
			return p.Spec.Volumes[i].EmptyDir
		}
	}
	return nil
}
