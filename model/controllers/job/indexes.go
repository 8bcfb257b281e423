package job

import (
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/kubesim/kubesim/model"
)

// Well-known Job labels and annotations (k8s.io/api/batch/v1 types.go).
const (
	// LabelControllerUID is the label the Job strategy puts on a Job's pod
	// template and selector.
	LabelControllerUID = "batch.kubernetes.io/controller-uid"
	// LabelJobName carries the Job's name on its pods.
	LabelJobName = "batch.kubernetes.io/job-name"
	// legacy spellings the Job strategy also sets.
	labelLegacyControllerUID = "controller-uid"
	labelLegacyJobName       = "job-name"
	// AnnotationCompletionIndex is an Indexed Job pod's index; since
	// PodIndexLabel (GA 1.32) the same key is also a label.
	AnnotationCompletionIndex = "batch.kubernetes.io/job-completion-index"
	// AnnotationIndexFailureCount counts the failed pods of an index
	// before this one (backoffLimitPerIndex).
	AnnotationIndexFailureCount = "batch.kubernetes.io/job-index-failure-count"
	// AnnotationIndexIgnoredFailureCount counts failures a pod failure
	// policy ignored.
	AnnotationIndexIgnoredFailureCount = "batch.kubernetes.io/job-index-ignored-failure-count"
)

// unknownCompletionIndex marks a pod without a valid index.
const unknownCompletionIndex = -1

// maxGeneratedNameLength is names.MaxGeneratedNameLength: 63 minus the
// five random characters the API server appends.
const maxGeneratedNameLength = 58

// interval is an inclusive range of completion indexes.
type interval struct{ First, Last int }

// orderedIntervals is a sorted, non-overlapping, non-adjacent list of
// intervals: the compressed form of status.completedIndexes
// (pkg/controller/job/indexed_job_utils.go).
type orderedIntervals []interval

// withOrderedIndexes returns oi plus the given increasing indexes.
func (oi orderedIntervals) withOrderedIndexes(newIndexes []int) orderedIntervals {
	add := make(orderedIntervals, len(newIndexes))
	for i, x := range newIndexes {
		add[i] = interval{x, x}
	}
	return oi.merge(add)
}

// merge returns the union of two ordered lists, joining touching intervals.
func (oi orderedIntervals) merge(other orderedIntervals) orderedIntervals {
	var result orderedIntervals
	appendOrMerge := func(iv interval) {
		if n := len(result); n == 0 || iv.First > result[n-1].Last+1 {
			result = append(result, iv)
		} else if result[n-1].Last < iv.Last {
			result[n-1].Last = iv.Last
		}
	}
	i, j := 0, 0
	for i < len(oi) && j < len(other) {
		if oi[i].First < other[j].First {
			appendOrMerge(oi[i])
			i++
		} else {
			appendOrMerge(other[j])
			j++
		}
	}
	for ; i < len(oi); i++ {
		appendOrMerge(oi[i])
	}
	for ; j < len(other); j++ {
		appendOrMerge(other[j])
	}
	return result
}

// total is the number of indexes covered.
func (oi orderedIntervals) total() int {
	n := 0
	for _, iv := range oi {
		n += iv.Last - iv.First + 1
	}
	return n
}

// String renders "1,3-5,7,8": pairs of adjacent indexes are written with a
// comma, longer runs with a dash, as upstream does.
func (oi orderedIntervals) String() string {
	var b strings.Builder
	for _, iv := range oi {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(iv.First))
		if iv.Last > iv.First {
			if iv.Last == iv.First+1 {
				b.WriteByte(',')
			} else {
				b.WriteByte('-')
			}
			b.WriteString(strconv.Itoa(iv.Last))
		}
	}
	return b.String()
}

// has reports whether ix is covered (binary search).
func (oi orderedIntervals) has(ix int) bool {
	lo, hi := 0, len(oi)
	for hi > lo {
		mid := lo + (hi-lo)/2
		if oi[mid].Last >= ix {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return hi < len(oi) && oi[hi].First <= ix
}

// parseIndexes reads a completedIndexes string, dropping corrupt
// intervals and clipping to completions, as upstream parseIndexesFromString.
func parseIndexes(s string, completions int) orderedIntervals {
	if s == "" {
		return nil
	}
	var result orderedIntervals
	for _, part := range strings.Split(s, ",") {
		limits := strings.Split(part, "-")
		first, err := strconv.Atoi(limits[0])
		if err != nil {
			continue
		}
		if first >= completions {
			break
		}
		last := first
		if len(limits) > 1 {
			if last, err = strconv.Atoi(limits[1]); err != nil {
				continue
			}
			if last >= completions {
				last = completions - 1
			}
		}
		if n := len(result); n > 0 && result[n-1].Last == first-1 {
			result[n-1].Last = last
		} else {
			result = append(result, interval{first, last})
		}
	}
	return result
}

// completionIndex returns a pod's completion index, or -1.
func completionIndex(annotations map[string]string) int {
	v, ok := annotations[AnnotationCompletionIndex]
	if !ok {
		return unknownCompletionIndex
	}
	i, err := strconv.Atoi(v)
	if err != nil || i < 0 {
		return unknownCompletionIndex
	}
	return i
}

// parseCount reads a failure-count annotation: 0 when absent, not an
// integer, negative or beyond int32 (upstream parseInt32).
func parseCount(v string, ok bool) int32 {
	if !ok {
		return 0
	}
	i, err := strconv.Atoi(v)
	if err != nil || i < 0 || i > math.MaxInt32 {
		return 0
	}
	return int32(i)
}

func indexFailureCount(p *model.Pod) int32 {
	v, ok := p.Annotations[AnnotationIndexFailureCount]
	return parseCount(v, ok)
}

func indexIgnoredFailureCount(p *model.Pod) int32 {
	v, ok := p.Annotations[AnnotationIndexIgnoredFailureCount]
	return parseCount(v, ok)
}

func indexAbsoluteFailureCount(p *model.Pod) int32 {
	return indexFailureCount(p) + indexIgnoredFailureCount(p)
}

// newIndexFailureCounts are the annotations of the pod replacing
// podBeingReplaced (without a pod failure policy every failure counts).
func newIndexFailureCounts(podBeingReplaced *model.Pod) (count, ignored int32) {
	if podBeingReplaced == nil {
		return 0, 0
	}
	return indexFailureCount(podBeingReplaced) + 1, indexIgnoredFailureCount(podBeingReplaced)
}

// podGenerateNameWithIndex is "<job>-<index>-", the job name cut so the
// whole fits in maxGeneratedNameLength.
func podGenerateNameWithIndex(jobName string, index int) string {
	suffix := "-" + strconv.Itoa(index) + "-"
	prefix := jobName + suffix
	if len(prefix) > maxGeneratedNameLength {
		prefix = prefix[:maxGeneratedNameLength-len(suffix)] + suffix
	}
	return prefix
}

// calculateSucceededIndexes returns the indexes recorded in
// status.completedIndexes and those plus the indexes of succeeded,
// not yet counted pods.
func calculateSucceededIndexes(job *model.Job, pods []*model.Pod, uncounted func(*model.Pod) bool) (prev, all orderedIntervals) {
	completions := int(model.Deref(job.Spec.Completions, 0))
	prev = parseIndexes(job.Status.CompletedIndexes, completions)
	seen := map[int]bool{}
	for _, p := range pods {
		ix := completionIndex(p.Annotations)
		if p.Status.Phase == model.PodSucceeded && ix != unknownCompletionIndex && ix < completions && uncounted(p) {
			seen[ix] = true
		}
	}
	return prev, prev.withOrderedIndexes(model.SortedKeys(seen))
}

// isIndexFailed reports whether a failed pod exhausts its index's
// backoffLimitPerIndex (no pod failure policy: every failure counts).
func isIndexFailed(job *model.Job, p *model.Pod) bool {
	return isPodFailed(p) && indexFailureCount(p) >= model.Deref(job.Spec.BackoffLimitPerIndex, 0)
}

// calculateFailedIndexes returns prev plus the indexes of not yet counted
// pods that exhausted their index's backoff limit.
func calculateFailedIndexes(job *model.Job, prev orderedIntervals, pods []*model.Pod, uncounted func(*model.Pod) bool) orderedIntervals {
	completions := int(model.Deref(job.Spec.Completions, 0))
	seen := map[int]bool{}
	for _, p := range pods {
		ix := completionIndex(p.Annotations)
		if ix != unknownCompletionIndex && ix < completions && uncounted(p) && isIndexFailed(job, p) {
			seen[ix] = true
		}
	}
	return prev.withOrderedIndexes(model.SortedKeys(seen))
}

// firstPendingIndexes returns up to count indexes below completions not
// covered by active pods, succeeded or failed indexes.
func firstPendingIndexes(active []*model.Pod, succeeded, failed orderedIntervals, count, completions int) []int {
	if count == 0 {
		return nil
	}
	activeIx := map[int]bool{}
	for _, p := range active {
		if ix := completionIndex(p.Annotations); ix != unknownCompletionIndex {
			activeIx[ix] = true
		}
	}
	nonPending := succeeded.withOrderedIndexes(model.SortedKeys(activeIx)).merge(failed)
	result := make([]int, 0, count)
	candidate := 0
	for _, iv := range nonPending {
		for ; candidate < completions && len(result) < count && candidate < iv.First; candidate++ {
			result = append(result, candidate)
		}
		if candidate < iv.Last+1 {
			candidate = iv.Last + 1
		}
	}
	for ; candidate < completions && len(result) < count; candidate++ {
		result = append(result, candidate)
	}
	return result
}

// appendDuplicatedIndexPodsForRemoval sorts pods by index and splits
// them: pods without a valid index, with an index >= completions, and all
// but the best (per controller.ActivePods) of each repeated index go to rm.
func appendDuplicatedIndexPodsForRemoval(rm, left, pods []*model.Pod, completions int) ([]*model.Pod, []*model.Pod) {
	sort.SliceStable(pods, func(i, j int) bool {
		return completionIndex(pods[i].Annotations) < completionIndex(pods[j].Annotations)
	})
	lastIndex := unknownCompletionIndex
	firstRepeat := 0
	looped := 0
	for i, p := range pods {
		ix := completionIndex(p.Annotations)
		if ix >= completions {
			rm = append(rm, pods[i:]...)
			break
		}
		if ix != lastIndex {
			rm, left = appendSameIndex(rm, left, pods[firstRepeat:i], lastIndex)
			firstRepeat = i
			lastIndex = ix
		}
		looped++
	}
	return appendSameIndex(rm, left, pods[firstRepeat:looped], lastIndex)
}

func appendSameIndex(rm, left, pods []*model.Pod, ix int) ([]*model.Pod, []*model.Pod) {
	if ix == unknownCompletionIndex {
		return append(rm, pods...), left
	}
	if len(pods) == 1 {
		return rm, append(left, pods[0])
	}
	sortActivePods(pods)
	rm = append(rm, pods[:len(pods)-1]...)
	return rm, append(left, pods[len(pods)-1])
}

// activePodsForRemoval picks at least rmAtLeast active pods to delete,
// duplicated or invalid indexes first for Indexed Jobs, then in
// controller.ActivePods order (not ready < ready, unscheduled < scheduled,
// pending < running).
func activePodsForRemoval(job *model.Job, pods []*model.Pod, rmAtLeast int) []*model.Pod {
	var rm, left []*model.Pod
	if isIndexed(job) {
		cp := append([]*model.Pod(nil), pods...)
		rm, left = appendDuplicatedIndexPodsForRemoval(nil, nil, cp, int(model.Deref(job.Spec.Completions, 0)))
	} else {
		left = append([]*model.Pod(nil), pods...)
	}
	if len(rm) < rmAtLeast {
		sortActivePods(left)
		rm = append(rm, left[:rmAtLeast-len(rm)]...)
	}
	return rm
}

// getPodsWithDelayedDeletionPerIndex returns, per index neither succeeded,
// failed nor active, the failed pod whose removal upstream delays so its
// failure count can be carried to the replacement: the one with the
// highest absolute failure count, latest finish time on ties.
func getPodsWithDelayedDeletionPerIndex(job *model.Job, pods, active []*model.Pod, succeeded, failed orderedIntervals, uncounted func(*model.Pod) bool) map[int]*model.Pod {
	completions := int(model.Deref(job.Spec.Completions, 0))
	activeIx := map[int]bool{}
	for _, p := range active {
		if ix := completionIndex(p.Annotations); ix != unknownCompletionIndex {
			activeIx[ix] = true
		}
	}
	out := map[int]*model.Pod{}
	for _, p := range pods {
		if !uncounted(p) || !isPodFailed(p) {
			continue
		}
		ix := completionIndex(p.Annotations)
		if ix == unknownCompletionIndex || ix >= completions || succeeded.has(ix) || failed.has(ix) || activeIx[ix] {
			continue
		}
		if last, ok := out[ix]; ok {
			if indexAbsoluteFailureCount(last) <= indexAbsoluteFailureCount(p) && !finishedTime(p).Before(finishedTime(last)) {
				out[ix] = p
			}
		} else {
			out[ix] = p
		}
	}
	return out
}
