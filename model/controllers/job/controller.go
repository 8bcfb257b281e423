package job

import (
	"fmt"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/controllers/internal/ctrlutil"
	"github.com/kubesim/kubesim/sim"
)

// Source is the component name the Job controller reports as.
const Source = "job-controller"

// Controller is the Job controller (pkg/controller/job/job_controller.go).
type Controller struct {
	k      *sim.Kernel
	cfg    Config
	client model.Client
	jobs   *model.Informer
	pods   *model.Informer
	queue  *model.WorkQueue
	work   *ctrlutil.Workers
	exp    *ctrlutil.Expectations
	ttl    *TTLAfterFinishedController

	// owned maps a Job UID to the keys of the pods it controls (an index
	// over the pod informer, like upstream's controllerRef lookups).
	owned ctrlutil.KeySets
	// trackers emulate the batch.kubernetes.io/job-tracking finalizer, per
	// Job key (see doc.go).
	trackers map[string]*tracker
	// backoff is upstream's podBackoffStore, per Job key.
	backoff map[string]backoffRecord
}

// tracker is what the job-tracking finalizer gives upstream: which
// finished pods are already counted in the Job status, and the pods that
// vanished before being counted (upstream they stay visible, terminating,
// until their finalizer is removed).
type tracker struct {
	uid           string
	counted       map[string]bool
	gone          map[string]*model.Pod
	failedIndexes orderedIntervals // stand-in for status.failedIndexes
}

// New returns a Job controller; Start begins its watches.
func New(k *sim.Kernel, connect model.Connect, cfg Config) *Controller {
	c := &Controller{
		k:        k,
		cfg:      cfg,
		client:   connect(Source, cfg.QPS, cfg.Burst),
		owned:    ctrlutil.KeySets{},
		trackers: map[string]*tracker{},
		backoff:  map[string]backoffRecord{},
	}
	c.exp = ctrlutil.NewExpectations(k.Now, ctrlutil.ExpectationsTimeout)
	c.jobs = model.NewInformer(k, c.client, "Job", 0)
	c.pods = model.NewInformer(k, c.client, "Pod", 0)
	c.work = &ctrlutil.Workers{Defer: k, Max: max(cfg.ConcurrentJobSyncs, 1), Sync: c.syncJob}
	c.queue = model.NewWorkQueue(k, model.NewItemExponentialFailureRateLimiter(cfg.APIBackoff, cfg.MaxAPIBackoff), c.work.Pump)
	c.work.Queue = c.queue
	c.jobs.AddEventHandler(model.ResourceEventHandler{
		OnAdd:    func(o model.Object) { c.enqueue(o, 0) },
		OnUpdate: c.updateJob,
		OnDelete: func(o model.Object) { c.enqueue(o, 0) },
	})
	c.pods.AddEventHandler(model.ResourceEventHandler{
		OnAdd:    c.addPod,
		OnUpdate: c.updatePod,
		OnDelete: c.deletePod,
	})
	if cfg.TTLAfterFinished {
		c.ttl = NewTTLAfterFinished(k, connect, cfg)
	}
	return c
}

// Start begins the list-then-watch of Jobs and pods (and the
// ttl-after-finished controller when configured).
func (c *Controller) Start() {
	c.jobs.Start()
	c.pods.Start()
	if c.ttl != nil {
		c.ttl.Start()
	}
}

func (c *Controller) now() time.Time { return c.k.Now().Wall(c.cfg.Start) }

func (c *Controller) record(kind, object string, fields ...sim.Field) {
	c.k.Journal().Record(sim.Event{T: c.k.Now(), Kind: kind, Source: Source, Object: object, Fields: fields})
}

func (c *Controller) enqueue(o model.Object, delay time.Duration) {
	c.queue.AddAfter(model.Key(o), delay)
}

func (c *Controller) updateJob(oldObj, newObj model.Object) {
	old, cur := oldObj.(*model.Job), newObj.(*model.Job)
	if cur.Generation == old.Generation {
		c.enqueue(cur, c.cfg.SyncBatchPeriod)
	} else {
		c.enqueue(cur, 0)
	}
	// A changed activeDeadlineSeconds needs a sync when it expires.
	if cur.Status.StartTime != nil && cur.Spec.ActiveDeadlineSeconds != nil {
		if old.Spec.ActiveDeadlineSeconds == nil || *old.Spec.ActiveDeadlineSeconds != *cur.Spec.ActiveDeadlineSeconds {
			total := time.Duration(*cur.Spec.ActiveDeadlineSeconds) * time.Second
			c.queue.AddAfter(model.Key(cur), total-c.now().Sub(*cur.Status.StartTime))
		}
	}
}

// jobFor resolves a pod's controllerRef to a cached Job with that UID.
func (c *Controller) jobFor(p *model.Pod) (*model.Job, string) {
	o, ok := ctrlutil.ResolveControllerRef(c.jobs, p, "Job")
	if !ok {
		return nil, ""
	}
	return o.(*model.Job), model.Key(o)
}

func (c *Controller) index(p *model.Pod, add bool) { c.owned.SetControlled(p, "Job", add) }

func (c *Controller) addPod(o model.Object) {
	p := o.(*model.Pod)
	c.index(p, true)
	if p.DeletionTimestamp != nil {
		c.podDeleted(p, false)
		return
	}
	if job, key := c.jobFor(p); job != nil {
		c.exp.CreationObserved(key)
		c.enqueue(job, c.cfg.SyncBatchPeriod)
	}
}

func (c *Controller) updatePod(oldObj, newObj model.Object) {
	old, cur := oldObj.(*model.Pod), newObj.(*model.Pod)
	if old.ResourceVersion == cur.ResourceVersion {
		return
	}
	c.index(old, false)
	c.index(cur, true)
	if cur.DeletionTimestamp != nil {
		c.podDeleted(cur, false)
		return
	}
	if or, cr := old.ControllerRef(), cur.ControllerRef(); or != nil && (cr == nil || or.UID != cr.UID) {
		if job, _ := c.jobFor(old); job != nil {
			c.enqueue(job, c.cfg.SyncBatchPeriod)
		}
	}
	if job, _ := c.jobFor(cur); job != nil {
		c.enqueue(job, c.cfg.SyncBatchPeriod)
	}
}

func (c *Controller) deletePod(o model.Object) {
	p := o.(*model.Pod)
	c.index(p, false)
	c.podDeleted(p, true)
}

// podDeleted handles a pod that is terminating (final false) or gone. A
// pod that vanishes before the controller counted it is kept in the
// tracker, as the tracking finalizer keeps it visible upstream.
func (c *Controller) podDeleted(p *model.Pod, final bool) {
	job, key := c.jobFor(p)
	if job == nil || IsFinished(job) {
		return
	}
	if final {
		if tr := c.trackers[key]; tr != nil && tr.uid == job.UID {
			if tr.counted[p.UID] {
				delete(tr.counted, p.UID)
			} else if _, ok := tr.gone[p.UID]; !ok {
				g := model.DeepCopy(p)
				if g.DeletionTimestamp == nil {
					now := c.now()
					g.DeletionTimestamp = &now
					g.DeletionGracePeriodSeconds = model.Ptr[int64](0)
				}
				tr.gone[p.UID] = g
			}
		}
	}
	c.exp.DeletionObserved(key)
	c.enqueue(job, c.cfg.SyncBatchPeriod)
}

func (c *Controller) trackerFor(job *model.Job) *tracker {
	key := job.Key()
	tr := c.trackers[key]
	if tr == nil || tr.uid != job.UID {
		tr = &tracker{uid: job.UID, counted: map[string]bool{}, gone: map[string]*model.Pod{}}
		c.trackers[key] = tr
	}
	return tr
}

// podsForJob returns the cached pods the Job controls plus the tracker's
// vanished, uncounted pods, in a stable order. Deviation: orphans matching
// the selector are not adopted (upstream ClaimPods patches an ownerRef in).
func (c *Controller) podsForJob(job *model.Job, tr *tracker) []*model.Pod {
	pods := ctrlutil.Cached[*model.Pod](c.owned, job.UID, c.pods)
	for _, uid := range model.SortedKeys(tr.gone) {
		pods = append(pods, tr.gone[uid])
	}
	return pods
}

// podFromTemplate stamps out a pod for the Job (controller_utils
// GetPodFromTemplate): template labels, annotations and finalizers, the
// Job's labels and a controller owner reference.
func podFromTemplate(job *model.Job, generateName string) *model.Pod {
	t := &job.Spec.Template
	p := &model.Pod{ObjectMeta: model.ObjectMeta{
		GenerateName:    generateName,
		Namespace:       job.Namespace,
		Labels:          map[string]string{},
		Annotations:     map[string]string{},
		Finalizers:      append([]string(nil), t.Finalizers...),
		OwnerReferences: []model.OwnerReference{ctrlutil.NewControllerRef(job, "batch/v1", "Job")},
	}, Spec: model.DeepCopy(t.Spec)}
	for k, v := range t.Labels {
		p.Labels[k] = v
	}
	for k, v := range t.Annotations {
		p.Annotations[k] = v
	}
	// The Job registry strategy puts these on the template; kubesim's API
	// server does not, so the controller adds them.
	for k, v := range map[string]string{LabelControllerUID: job.UID, labelLegacyControllerUID: job.UID,
		LabelJobName: job.Name, labelLegacyJobName: job.Name} {
		if _, ok := p.Labels[k]; !ok {
			p.Labels[k] = v
		}
	}
	return p
}

func podRef(p *model.Pod) string { return fmt.Sprintf("%s/%s", p.Namespace, p.Name) }
