package model

import (
	"errors"
	"fmt"
)

// WatchEventType is Added, Modified or Deleted, as in a Kubernetes watch.
type WatchEventType string

// Watch event types.
const (
	Added    WatchEventType = "ADDED"
	Modified WatchEventType = "MODIFIED"
	Deleted  WatchEventType = "DELETED"
	// Synced follows the Added events that replay the current objects when
	// a watch starts: the watcher now has the full list.
	Synced WatchEventType = "SYNCED"
	// Error ends a watch (e.g. 410 Gone after compaction); the watcher
	// must list and watch again. No more events follow on this watch.
	Error WatchEventType = "ERROR"
)

// WatchEvent is one change delivered to a watcher. Object is the new state
// (the last state for Deleted); Old is the previous state for Modified.
// Both are shared with the store's cache: watchers must not mutate them
// (copy with DeepCopy first), exactly as with client-go informer caches.
type WatchEvent struct {
	Type   WatchEventType
	Object Object
	Old    Object
}

// WatchHandler receives watch events in commit order.
type WatchHandler func(ev WatchEvent)

// Client is how every component talks to the API server. Calls do not
// return results: each completes later in simulated time, when done runs
// as a kernel event after the client's rate limiter, the request latency
// and, for writes, the store's commit (done may be nil). A component thus
// sees exactly what a real client sees: throttling, latency, and errors
// when the store cannot commit. Components learn about changes through
// Watch and keep their own caches; they never read a store directly.
type Client interface {
	// Create admits, defaults, validates and stores a new object.
	Create(o Object, done func(Object, error))
	// Update replaces an object; a non-empty resourceVersion that is not the
	// current one is a Conflict.
	Update(o Object, done func(Object, error))
	// UpdateStatus replaces only an object's status (the status
	// subresource); a non-empty, stale resourceVersion is a Conflict.
	UpdateStatus(o Object, done func(Object, error))
	// Patch applies a JSON merge patch (RFC 7386, given as JSON or YAML)
	// to an object, as kubectl patch --type merge does.
	Patch(kind, namespace, name string, patch []byte, done func(Object, error))
	// Delete removes an object with the default options: a pod bound to a
	// node is deleted gracefully (its kubelet finishes the deletion), an
	// object with finalizers waits for them.
	Delete(kind, namespace, name string, done func(error))
	// DeleteWith deletes with explicit options (grace period, propagation).
	DeleteWith(kind, namespace, name string, opts DeleteOptions, done func(error))
	// Get reads the current object.
	Get(kind, namespace, name string, done func(Object, error))
	// List reads every object of a kind, sorted by namespace and name.
	List(kind string, done func([]Object, error))
	// Bind sets a pod's node (the pods/binding subresource).
	Bind(namespace, name, node string, done func(error))
	// Evict asks to delete a pod through the pods/eviction subresource,
	// which refuses (TooManyRequests) when a PodDisruptionBudget does not
	// allow the disruption.
	Evict(namespace, name string, done func(error))
	// Watch delivers every later change of kind to h. The current objects
	// are delivered first as Added events (a list-then-watch).
	Watch(kind string, h WatchHandler)
}

// DeleteOptions are metav1.DeleteOptions' fields that matter.
type DeleteOptions struct {
	// GracePeriodSeconds overrides the pod's terminationGracePeriodSeconds;
	// 0 deletes at once (a kubelet confirming termination, a force delete).
	GracePeriodSeconds *int64
	// PropagationPolicy is Background (default), Foreground or Orphan.
	PropagationPolicy *DeletionPropagation
}

// DeletionPropagation says what happens to an object's dependents.
type DeletionPropagation string

// Propagation policies.
const (
	DeletePropagationBackground DeletionPropagation = "Background"
	DeletePropagationForeground DeletionPropagation = "Foreground"
	DeletePropagationOrphan     DeletionPropagation = "Orphan"
	// FinalizerForegroundDeletion and FinalizerOrphan are the finalizers
	// the API server adds for those policies; the garbage collector
	// removes them.
	FinalizerForegroundDeletion = "foregroundDeletion"
	FinalizerOrphan             = "orphan"
)

// Connect opens an API client for a component with its client-side QPS
// and burst (apiserver.Server.NewClient has this shape); qps <= 0 means
// unthrottled.
type Connect func(component string, qps float64, burst int) Client

// StatusReason classifies API errors as metav1.StatusReason does.
type StatusReason string

// API error reasons.
const (
	ReasonNotFound      StatusReason = "NotFound"
	ReasonAlreadyExists StatusReason = "AlreadyExists"
	ReasonConflict      StatusReason = "Conflict"
	ReasonInvalid       StatusReason = "Invalid"
	ReasonForbidden     StatusReason = "Forbidden"
	// ReasonTooManyRequests is the eviction API's refusal under a PDB.
	ReasonTooManyRequests StatusReason = "TooManyRequests"
	// ReasonInternalError is a server-side failure.
	ReasonInternalError StatusReason = "InternalError"
	// ReasonTimeout: the server could not complete the request in time
	// (its store could not commit); the request may have been applied.
	ReasonTimeout StatusReason = "Timeout"
)

// StatusError is an API error with its reason.
type StatusError struct {
	Reason  StatusReason
	Kind    string
	Key     string
	Message string
}

func (e *StatusError) Error() string {
	if e.Kind == "" && e.Key == "" {
		return e.Message
	}
	return fmt.Sprintf("%s %q: %s", e.Kind, e.Key, e.Message)
}

// ReasonOf returns the reason of an API error, or "".
func ReasonOf(err error) StatusReason {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Reason
	}
	return ""
}

// IsNotFound reports whether err is a NotFound API error.
func IsNotFound(err error) bool { return ReasonOf(err) == ReasonNotFound }

// IsConflict reports whether err is a Conflict API error.
func IsConflict(err error) bool { return ReasonOf(err) == ReasonConflict }

// IsAlreadyExists reports whether err is an AlreadyExists API error.
func IsAlreadyExists(err error) bool { return ReasonOf(err) == ReasonAlreadyExists }

// IsTooManyRequests reports an eviction refused by a disruption budget.
func IsTooManyRequests(err error) bool { return ReasonOf(err) == ReasonTooManyRequests }
