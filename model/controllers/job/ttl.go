package job

import (
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/controllers/internal/ctrlutil"
	"github.com/kubesim/kubesim/sim"
)

// TTLSource is the component name of the ttl-after-finished controller.
const TTLSource = "ttl-after-finished-controller"

// TTLAfterFinishedController deletes finished Jobs once
// ttlSecondsAfterFinished have passed since they finished
// (pkg/controller/ttlafterfinished/ttlafterfinished_controller.go).
type TTLAfterFinishedController struct {
	k      *sim.Kernel
	cfg    Config
	client model.Client
	jobs   *model.Informer
	queue  *model.WorkQueue
	work   *ctrlutil.Workers
}

// NewTTLAfterFinished returns the controller with its own client.
func NewTTLAfterFinished(k *sim.Kernel, connect model.Connect, cfg Config) *TTLAfterFinishedController {
	c := &TTLAfterFinishedController{k: k, cfg: cfg, client: connect(TTLSource, cfg.QPS, cfg.Burst)}
	c.jobs = model.NewInformer(k, c.client, "Job", 0)
	c.work = &ctrlutil.Workers{Defer: k, Max: max(cfg.ConcurrentTTLSyncs, 1), Sync: c.sync}
	c.queue = model.NewWorkQueue(k, model.DefaultControllerRateLimiter(), c.work.Pump)
	c.work.Queue = c.queue
	enqueue := func(o model.Object) {
		if needsCleanup(o.(*model.Job)) {
			c.queue.Add(model.Key(o))
		}
	}
	c.jobs.AddEventHandler(model.ResourceEventHandler{
		OnAdd:    enqueue,
		OnUpdate: func(_, o model.Object) { enqueue(o) },
	})
	return c
}

// Start begins watching Jobs.
func (c *TTLAfterFinishedController) Start() { c.jobs.Start() }

// needsCleanup: a finished Job with a TTL that is not already being
// deleted (processTTL's first check).
func needsCleanup(j *model.Job) bool {
	return j.DeletionTimestamp == nil && j.Spec.TTLSecondsAfterFinished != nil && IsFinished(j)
}

// timeLeft returns how long until a finished Job expires: its finish time
// is the Complete or Failed condition's lastTransitionTime.
func timeLeft(j *model.Job, now time.Time) (time.Duration, bool) {
	var finishAt *time.Time
	for _, cond := range j.Status.Conditions {
		if (cond.Type == ConditionComplete || cond.Type == ConditionFailed) && cond.Status == model.ConditionTrue {
			finishAt = cond.LastTransitionTime
			break
		}
	}
	if finishAt == nil {
		return 0, false
	}
	expireAt := finishAt.Add(time.Duration(*j.Spec.TTLSecondsAfterFinished) * time.Second)
	return expireAt.Sub(now), true
}

func (c *TTLAfterFinishedController) sync(key string, done func(error)) {
	ns, name := ctrlutil.SplitKey(key)
	o, ok := c.jobs.Get(ns, name)
	if !ok || !needsCleanup(o.(*model.Job)) {
		done(nil)
		return
	}
	now := c.k.Now().Wall(c.cfg.Start)
	left, ok := timeLeft(o.(*model.Job), now)
	if !ok {
		done(nil)
		return
	}
	if left > 0 {
		c.queue.AddAfter(key, left)
		done(nil)
		return
	}
	// The TTL has expired in the cache; re-check the live object before
	// deleting, as upstream does with an uncached GET.
	c.client.Get("Job", ns, name, func(fresh model.Object, err error) {
		if err != nil {
			if model.IsNotFound(err) {
				err = nil
			}
			done(err)
			return
		}
		j := fresh.(*model.Job)
		if !needsCleanup(j) || j.UID != o.GetObjectMeta().UID {
			done(nil)
			return
		}
		if left, ok := timeLeft(j, c.k.Now().Wall(c.cfg.Start)); !ok || left > 0 {
			if ok {
				c.queue.AddAfter(key, left)
			}
			done(nil)
			return
		}
		// Foreground: the Job stays, marked, until the garbage collector has
		// deleted its pods.
		c.client.DeleteWith("Job", ns, name, model.DeleteOptions{PropagationPolicy: model.Ptr(model.DeletePropagationForeground)}, func(err error) {
			if err == nil {
				c.k.Journal().Record(sim.Event{T: c.k.Now(), Kind: "SuccessfulDelete", Source: TTLSource, Object: key,
					Fields: []sim.Field{sim.F("reason", "TTLAfterFinished")}})
			} else if model.IsNotFound(err) {
				err = nil
			}
			done(err)
		})
	})
}
