package kubelet

import (
	"github.com/kubesim/kubesim/model"
)

// containerView is what getPhase needs of a container's status: the API
// status plus its started flag (ContainerStatus.started, which kubesim's
// model does not carry).
type containerView struct {
	Status  *model.ContainerStatus
	Started bool
}

// getPhase computes a pod's phase from its containers' statuses, as the
// kubelet's getPhase does (pkg/kubelet/kubelet_pods.go, 1.35). init and
// regular map container names to their views (missing: no status yet).
// podIsTerminal: the pod will run nothing more (its containers won't be
// restarted whatever the policy); podHasInitialized: its Initialized
// condition has been true.
func getPhase(spec *model.PodSpec, init, regular map[string]containerView, podIsTerminal, podHasInitialized bool) model.PodPhase {
	pendingRestartableInit, pendingRegularInit, failedInitialization := 0, 0, 0
	for i := range spec.InitContainers {
		c := &spec.InitContainers[i]
		v, ok := init[c.Name]
		if c.IsSidecar() {
			switch {
			case !ok || v.Status == nil:
				pendingRestartableInit++
			case v.Status.State.Running != nil:
				if !v.Started {
					pendingRestartableInit++
				}
			case v.Status.State.Terminated != nil:
				pendingRestartableInit++
			case v.Status.State.Waiting != nil:
				if v.Status.LastTerminationState.Terminated == nil {
					pendingRestartableInit++
				}
			default:
				pendingRestartableInit++
			}
			continue
		}
		if !ok || v.Status == nil {
			pendingRegularInit++
			continue
		}
		s := v.Status
		switch {
		case s.State.Running != nil:
			pendingRegularInit++
		case s.State.Terminated != nil:
			if s.State.Terminated.ExitCode != 0 {
				failedInitialization++
			}
		case s.State.Waiting != nil:
			if t := s.LastTerminationState.Terminated; t != nil {
				if t.ExitCode != 0 {
					failedInitialization++
				}
			} else {
				pendingRegularInit++
			}
		default:
			pendingRegularInit++
		}
	}

	unknown, running, waiting, stopped, succeeded := 0, 0, 0, 0, 0
	for i := range spec.Containers {
		v, ok := regular[spec.Containers[i].Name]
		if !ok || v.Status == nil {
			unknown++
			continue
		}
		s := v.Status
		switch {
		case s.State.Running != nil:
			running++
		case s.State.Terminated != nil:
			stopped++
			if s.State.Terminated.ExitCode == 0 {
				succeeded++
			}
		case s.State.Waiting != nil:
			if s.LastTerminationState.Terminated != nil {
				stopped++
			} else {
				waiting++
			}
		default:
			unknown++
		}
	}

	if failedInitialization > 0 && spec.RestartPolicy == model.RestartPolicyNever {
		return model.PodFailed
	}
	switch {
	case pendingRegularInit > 0 || (pendingRestartableInit > 0 && !podHasInitialized):
		return model.PodPending
	case waiting > 0:
		return model.PodPending
	case running > 0 && unknown == 0:
		return model.PodRunning
	case running == 0 && stopped > 0 && unknown == 0:
		if podIsTerminal {
			if stopped == succeeded {
				return model.PodSucceeded
			}
			return model.PodFailed
		}
		if spec.RestartPolicy == model.RestartPolicyAlways {
			return model.PodRunning
		}
		if stopped == succeeded {
			return model.PodSucceeded
		}
		if spec.RestartPolicy == model.RestartPolicyNever {
			return model.PodFailed
		}
		return model.PodRunning
	default:
		return model.PodPending
	}
}
