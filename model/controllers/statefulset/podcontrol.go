package statefulset

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// This file is stateful_pod_control.go: pods and claims created, updated
// and deleted through the controller's client, each call answering
// through a callback.

// recordPodEvent journals Successful<Verb> or Failed<Verb> with upstream's
// messages ("create Pod web-0 in StatefulSet web successful").
func (c *Controller) recordPodEvent(verb string, set *model.StatefulSet, p *model.Pod, err error) {
	title := strings.ToUpper(verb[:1]) + verb[1:]
	if err == nil {
		c.event("Successful"+title, set, sim.F("pod", p.Name),
			sim.F("message", fmt.Sprintf("%s Pod %s in StatefulSet %s successful", verb, p.Name, set.Name)))
		return
	}
	c.event("Failed"+title, set, sim.F("pod", p.Name),
		sim.F("message", fmt.Sprintf("%s Pod %s in StatefulSet %s failed error: %s", verb, p.Name, set.Name, err)))
}

// recordClaimEvent journals a claim's creation ("create Claim data-web-0
// Pod web-0 in StatefulSet web success").
func (c *Controller) recordClaimEvent(verb string, set *model.StatefulSet, p *model.Pod, claim *model.PersistentVolumeClaim, err error) {
	title := strings.ToUpper(verb[:1]) + verb[1:]
	if err == nil {
		c.event("Successful"+title, set, sim.F("pod", p.Name), sim.F("claim", claim.Name),
			sim.F("message", fmt.Sprintf("%s Claim %s Pod %s in StatefulSet %s success", verb, claim.Name, p.Name, set.Name)))
		return
	}
	c.event("Failed"+title, set, sim.F("pod", p.Name), sim.F("claim", claim.Name),
		sim.F("message", fmt.Sprintf("%s Claim %s for Pod %s in StatefulSet %s failed error: %s", verb, claim.Name, p.Name, set.Name, err)))
}

func (c *Controller) claimFromCache(ns, name string) (*model.PersistentVolumeClaim, bool) {
	o, ok := c.pvcInf.Get(ns, name)
	if !ok {
		return nil, false
	}
	return o.(*model.PersistentVolumeClaim), true
}

// createStatefulPod creates the pod's claims, then the pod, then sets the
// claims' owners for the retention policy (CreateStatefulPod).
func (c *Controller) createStatefulPod(set *model.StatefulSet, p *model.Pod, done func(error)) {
	c.createClaims(set, p, func(err error) {
		if err != nil {
			c.recordPodEvent("create", set, p, err)
			done(err)
			return
		}
		c.client.Create(p, func(_ model.Object, err error) {
			if model.IsAlreadyExists(err) {
				done(err)
				return
			}
			c.updateClaimsForRetention(set, p, func(uerr error) {
				if uerr != nil {
					c.recordPodEvent("update", set, p, uerr)
					done(uerr)
					return
				}
				c.recordPodEvent("create", set, p, err)
				done(err)
			})
		})
	})
}

// createClaims creates the pod's missing claims one after another
// (createPersistentVolumeClaims); a claim being deleted is an error.
func (c *Controller) createClaims(set *model.StatefulSet, p *model.Pod, done func(error)) {
	claims := claimsFor(set, p)
	var errs []error
	var next func(i int)
	next = func(i int) {
		if i == len(claims) {
			done(errors.Join(errs...))
			return
		}
		claim := claims[i]
		cur, found := c.claimFromCache(claim.Namespace, claim.Name)
		if found {
			if cur.DeletionTimestamp != nil {
				errs = append(errs, fmt.Errorf("pvc %s is being deleted", claim.Name))
			}
			next(i + 1)
			return
		}
		c.client.Create(claim, func(_ model.Object, err error) {
			if err != nil {
				errs = append(errs, fmt.Errorf("failed to create PVC %s: %s", claim.Name, err))
			}
			if err == nil || !model.IsAlreadyExists(err) {
				c.recordClaimEvent("create", set, p, claim, err)
			}
			next(i + 1)
		})
	}
	next(0)
}

// createMissingClaims is createMissingPersistentVolumeClaims, for pending
// pods.
func (c *Controller) createMissingClaims(set *model.StatefulSet, p *model.Pod, done func(error)) {
	c.createClaims(set, p, func(err error) {
		if err != nil {
			done(err)
			return
		}
		c.updateClaimsForRetention(set, p, func(err error) {
			if err != nil {
				c.recordPodEvent("update", set, p, err)
			}
			done(err)
		})
	})
}

// claimsMatchRetention is ClaimsMatchRetentionPolicy over the cached
// claims; missing claims are picked up later.
func (c *Controller) claimsMatchRetention(set *model.StatefulSet, p *model.Pod) bool {
	ord := getOrdinal(p)
	for _, t := range set.Spec.VolumeClaimTemplates {
		claim, ok := c.claimFromCache(set.Namespace, ClaimName(set, t.Name, ord))
		if ok && !IsClaimOwnerUpToDate(claim, set, p) {
			return false
		}
	}
	return true
}

// updateClaimsForRetention rewrites the owners of the pod's cached claims
// that do not follow the retention policy (UpdatePodClaimForRetentionPolicy).
func (c *Controller) updateClaimsForRetention(set *model.StatefulSet, p *model.Pod, done func(error)) {
	ord := getOrdinal(p)
	temps := set.Spec.VolumeClaimTemplates
	var next func(i int)
	next = func(i int) {
		if i == len(temps) {
			done(nil)
			return
		}
		name := ClaimName(set, temps[i].Name, ord)
		claim, ok := c.claimFromCache(set.Namespace, name)
		if !ok {
			next(i + 1)
			return
		}
		if hasUnexpectedController(claim, set, p) {
			c.event("ConflictingController", set, sim.F("claim", name), sim.F("message",
				fmt.Sprintf("PersistentVolumeClaim %s has a conflicting OwnerReference that acts as a manging controller, the retention policy is ignored for this claim", name)))
		}
		if IsClaimOwnerUpToDate(claim, set, p) {
			next(i + 1)
			return
		}
		cp := model.DeepCopy(claim)
		UpdateClaimOwnerRefs(cp, set, p)
		c.client.Update(cp, func(_ model.Object, err error) {
			if err != nil {
				done(fmt.Errorf("could not update claim %s for delete policy ownerRefs: %w", name, err))
				return
			}
			next(i + 1)
		})
	}
	next(0)
}

// podClaimIsStale: under whenScaled Delete, a claim of this pod name owned
// by an earlier pod of that name blocks the pod's creation until the
// garbage collector has removed it (PodClaimIsStale).
func (c *Controller) podClaimIsStale(set *model.StatefulSet, p *model.Pod) bool {
	if retentionPolicy(set).WhenScaled == RetainPolicy {
		return false
	}
	for _, claim := range claimsFor(set, p) {
		cur, ok := c.claimFromCache(claim.Namespace, claim.Name)
		if ok && hasStaleOwnerRef(&cur.ObjectMeta, p.Name, podAPIVersion, podKind, p.UID) {
			return true
		}
	}
	return false
}

// deleteStatefulPod deletes a pod and journals the outcome.
func (c *Controller) deleteStatefulPod(set *model.StatefulSet, p *model.Pod, done func(error)) {
	c.client.Delete("Pod", p.Namespace, p.Name, func(err error) {
		c.recordPodEvent("delete", set, p, err)
		done(err)
	})
}

// updateStatefulPod restores the pod's identity, storage and claim owners
// (UpdateStatefulPod), retrying conflicts from the cached pod.
func (c *Controller) updateStatefulPod(set *model.StatefulSet, p *model.Pod, done func(error)) {
	attempted := false
	finish := func(pod *model.Pod, err error) {
		if attempted {
			c.recordPodEvent("update", set, pod, err)
		}
		done(err)
	}
	var attempt func(pod *model.Pod, n int)
	attempt = func(pod *model.Pod, n int) {
		consistent := true
		if !identityMatches(set, pod) {
			updateIdentity(set, pod)
			consistent = false
		}
		storage := func(next func()) {
			if storageMatches(set, pod) {
				next()
				return
			}
			updateStorage(set, pod)
			consistent = false
			c.createClaims(set, pod, func(err error) {
				if err != nil {
					c.recordPodEvent("update", set, pod, err)
					done(err)
					return
				}
				next()
			})
		}
		storage(func() {
			retention := func(next func()) {
				if c.claimsMatchRetention(set, pod) {
					next()
					return
				}
				c.updateClaimsForRetention(set, pod, func(err error) {
					if err != nil {
						c.recordPodEvent("update", set, pod, err)
						done(err)
						return
					}
					consistent = false
					next()
				})
			}
			retention(func() {
				if consistent {
					finish(pod, nil)
					return
				}
				attempted = true
				c.client.Update(pod, func(_ model.Object, err error) {
					if err == nil || !model.IsConflict(err) || n+1 >= statusRetries {
						finish(pod, err)
						return
					}
					c.k.AfterFunc(retryDelay(n), func(sim.Time) {
						fresh, ok := c.pods.Get(set.Namespace, pod.Name)
						if !ok {
							finish(pod, err)
							return
						}
						attempt(model.DeepCopy(fresh), n+1)
					})
				})
			})
		})
	}
	attempt(p, 0)
}
