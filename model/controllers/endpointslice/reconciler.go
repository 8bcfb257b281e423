package endpointslice

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/controllers/internal/ctrlutil"
)

// Labels and names of managed slices (k8s.io/api/discovery/v1, core/v1).
const (
	// LabelServiceName names the Service a slice belongs to.
	LabelServiceName = "kubernetes.io/service-name"
	// LabelManagedBy names the controller that manages a slice.
	LabelManagedBy = "endpointslice.kubernetes.io/managed-by"
	// LabelHeadless marks slices of Services without a cluster IP.
	LabelHeadless = "service.kubernetes.io/headless"
	// ControllerName is this controller's managed-by value.
	ControllerName = "endpointslice-controller.k8s.io"

	AddressTypeIPv4 = "IPv4"
	AddressTypeIPv6 = "IPv6"
)

// Plan is the writes one reconcile needs, in the order finalize issues
// them: creates, then updates, then deletes.
type Plan struct {
	Create []*model.EndpointSlice
	Update []*model.EndpointSlice
	Delete []*model.EndpointSlice
}

// Empty reports a plan with nothing to write.
func (p Plan) Empty() bool { return len(p.Create)+len(p.Update)+len(p.Delete) == 0 }

// NodeLookup returns a node by name.
type NodeLookup func(name string) (*model.Node, bool)

// Reconcile computes the writes that bring a Service's slices in line
// with its pods (reconciler.go Reconcile, reconcileByAddressType,
// reconcileByPortMapping, finalize): endpoints are grouped by their
// resolved ports; existing slices keep the endpoints still desired
// (updated in place when their conditions, node or zone changed), lose the
// others, and take new ones while they have room; leftovers fill the
// unchanged slice that ends closest to full, then new slices of at most
// maxPerSlice; a Service without endpoints keeps one empty placeholder
// slice; creates are turned into updates of slices that would be deleted.
// Pods on a node the lookup does not know are skipped and reported.
//
// existing must be the Service's managed slices; pods the pods its
// selector matches.
func Reconcile(svc *model.Service, pods []*model.Pod, nodes NodeLookup, existing []*model.EndpointSlice, maxPerSlice int) (Plan, []error) {
	var plan Plan
	var errs []error
	supported := addressTypes(svc)
	byType := map[string][]*model.EndpointSlice{}
	var unsupported []*model.EndpointSlice
	for _, s := range existing {
		if !supported[s.AddressType] {
			unsupported = append(unsupported, s)
			continue
		}
		byType[s.AddressType] = append(byType[s.AddressType], s)
	}
	for _, at := range []string{AddressTypeIPv4, AddressTypeIPv6} {
		if !supported[at] {
			continue
		}
		p, e := reconcileByAddressType(svc, pods, nodes, byType[at], at, maxPerSlice)
		plan.Create = append(plan.Create, p.Create...)
		plan.Update = append(plan.Update, p.Update...)
		plan.Delete = append(plan.Delete, p.Delete...)
		errs = append(errs, e...)
	}
	plan.Delete = append(plan.Delete, unsupported...)
	return plan, errs
}

// addressTypes is getAddressTypesForService for a single-stack cluster:
// kubesim's Service has no ipFamilies, so a Service is IPv6 when its
// cluster IP is, IPv4 otherwise.
func addressTypes(svc *model.Service) map[string]bool {
	if ip, err := netip.ParseAddr(svc.Spec.ClusterIP); err == nil && ip.Is6() && !ip.Is4In6() {
		return map[string]bool{AddressTypeIPv6: true}
	}
	return map[string]bool{AddressTypeIPv4: true}
}

// endpointMeta is the shared part of the slices of one port map.
type endpointMeta struct {
	ports       []model.EndpointPort
	addressType string
}

// endpointSet is upstream's EndpointSet keyed like its hash (addresses,
// hostname, target namespace and name), popped in key order so runs are
// deterministic.
type endpointSet map[string]*model.Endpoint

func endpointKey(e *model.Endpoint) string {
	addrs := append([]string(nil), e.Addresses...)
	sort.Strings(addrs)
	var b strings.Builder
	b.WriteString(strings.Join(addrs, ","))
	b.WriteByte('|')
	if e.Hostname != nil {
		b.WriteString(*e.Hostname)
	}
	b.WriteByte('|')
	if e.TargetRef != nil {
		b.WriteString(e.TargetRef.Namespace + "/" + e.TargetRef.Name)
	}
	return b.String()
}

func (s endpointSet) popFirst() *model.Endpoint {
	keys := model.SortedKeys(s)
	e := s[keys[0]]
	delete(s, keys[0])
	return e
}

// portMapKey identifies a set of ports regardless of order (NewPortMapKey).
func portMapKey(ports []model.EndpointPort) string {
	parts := make([]string, len(ports))
	for i, p := range ports {
		parts[i] = deref(p.Name) + "/" + string(model.Deref(p.Protocol, "")) + "/" + strconv.Itoa(int(model.Deref(p.Port, 0)))
	}
	sort.Strings(parts)
	return strings.Join(parts, ";")
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func reconcileByAddressType(svc *model.Service, pods []*model.Pod, nodes NodeLookup, existing []*model.EndpointSlice, at string, maxPerSlice int) (Plan, []error) {
	var plan Plan
	var errs []error
	existingByPorts := map[string][]*model.EndpointSlice{}
	for _, s := range existing {
		if ownedBy(s, svc) {
			k := portMapKey(s.Ports)
			existingByPorts[k] = append(existingByPorts[k], s)
		} else {
			plan.Delete = append(plan.Delete, s)
		}
	}
	desiredMeta := map[string]*endpointMeta{}
	desired := map[string]endpointSet{}
	for _, p := range pods {
		if !ShouldPodBeInEndpoints(p) {
			continue
		}
		ports := EndpointPorts(svc, p)
		k := portMapKey(ports)
		if desired[k] == nil {
			desired[k] = endpointSet{}
			desiredMeta[k] = &endpointMeta{ports: ports, addressType: at}
		}
		node, ok := nodes(p.Spec.NodeName)
		if !ok {
			// Requeue, but publish the other endpoints now.
			errs = append(errs, fmt.Errorf("skipping Pod %s for Service %s/%s: Node %s Not Found", p.Name, svc.Namespace, svc.Name, p.Spec.NodeName))
			continue
		}
		e := PodToEndpoint(p, node, at)
		SetTrafficDistributionHints(svc, &e)
		if len(e.Addresses) > 0 {
			desired[k][endpointKey(&e)] = &e
		}
	}
	for _, k := range model.SortedKeys(desired) {
		c, u, d := reconcileByPortMapping(svc, existingByPorts[k], desired[k], desiredMeta[k], maxPerSlice)
		plan.Create = append(plan.Create, c...)
		plan.Update = append(plan.Update, u...)
		plan.Delete = append(plan.Delete, d...)
	}
	for _, k := range model.SortedKeys(existingByPorts) {
		if _, ok := desired[k]; !ok {
			plan.Delete = append(plan.Delete, existingByPorts[k]...)
		}
	}
	// A Service without endpoints keeps one empty placeholder slice.
	if len(existing) == len(plan.Delete) && len(plan.Create) < 1 {
		placeholder := newSlice(svc, &endpointMeta{ports: []model.EndpointPort{}, addressType: at})
		if len(plan.Delete) == 1 && isPlaceholder(plan.Delete[0], placeholder) {
			plan.Delete = plan.Delete[:0]
		} else {
			plan.Create = append(plan.Create, placeholder)
		}
	}
	return finalize(svc, plan), errs
}

// isPlaceholder compares a slice with the placeholder ignoring names,
// generation and resourceVersion.
func isPlaceholder(s, placeholder *model.EndpointSlice) bool {
	if s.Namespace != placeholder.Namespace || s.AddressType != placeholder.AddressType || len(s.Endpoints) != 0 || len(s.Ports) != 0 {
		return false
	}
	if len(s.Labels) != len(placeholder.Labels) {
		return false
	}
	for k, v := range placeholder.Labels {
		if cur, ok := s.Labels[k]; !ok || cur != v {
			return false
		}
	}
	return true
}

// finalize turns creates into updates of slices about to be deleted that
// the Service owns and that have the same address type, and drops creates
// while the Service is being deleted.
func finalize(svc *model.Service, p Plan) Plan {
	for i := 0; i < len(p.Delete); {
		if len(p.Create) == 0 {
			break
		}
		del := p.Delete[i]
		last := p.Create[len(p.Create)-1]
		if del.AddressType == last.AddressType && ownedBy(del, svc) {
			last.Name = del.Name
			last.GenerateName = del.GenerateName
			last.UID = del.UID
			last.ResourceVersion = ""
			p.Create = p.Create[:len(p.Create)-1]
			p.Update = append(p.Update, last)
			p.Delete = append(p.Delete[:i:i], p.Delete[i+1:]...)
		} else {
			i++
		}
	}
	if svc.DeletionTimestamp != nil {
		p.Create = nil
	}
	return p
}

func reconcileByPortMapping(svc *model.Service, existing []*model.EndpointSlice, desired endpointSet, meta *endpointMeta, maxPerSlice int) (create, update, del []*model.EndpointSlice) {
	byName := map[string]*model.EndpointSlice{}
	unchanged := map[string]bool{}
	toUpdate := map[string]bool{}
	toDelete := map[string]bool{}

	// 1. Keep the desired endpoints of existing slices, updated when they
	//    changed; drop the others.
	for _, s := range existing {
		byName[s.Name] = s
		var kept []model.Endpoint
		changed := false
		for i := range s.Endpoints {
			k := endpointKey(&s.Endpoints[i])
			want, ok := desired[k]
			if !ok {
				continue
			}
			kept = append(kept, *want)
			if !endpointsEqualBeyondHash(want, &s.Endpoints[i]) {
				changed = true
			}
			delete(desired, k)
		}
		labels, labelsChanged := sliceLabels(s, svc)
		switch {
		case changed || len(s.Endpoints) != len(kept):
			if len(kept) == 0 {
				toDelete[s.Name] = true
				break
			}
			cp := model.DeepCopy(s)
			cp.Endpoints = kept
			cp.Labels = labels
			byName[s.Name] = cp
			toUpdate[s.Name] = true
		case labelsChanged:
			cp := model.DeepCopy(s)
			cp.Labels = labels
			byName[s.Name] = cp
			toUpdate[s.Name] = true
		default:
			unchanged[s.Name] = true
		}
	}

	// 2. Fill the slices being updated anyway, fullest first.
	if len(desired) > 0 && len(toUpdate) > 0 {
		var slices []*model.EndpointSlice
		for _, n := range model.SortedKeys(toUpdate) {
			slices = append(slices, byName[n])
		}
		sort.SliceStable(slices, func(i, j int) bool { return len(slices[i].Endpoints) > len(slices[j].Endpoints) })
		for _, s := range slices {
			for len(desired) > 0 && len(s.Endpoints) < maxPerSlice {
				s.Endpoints = append(s.Endpoints, *desired.popFirst())
			}
		}
	}

	// 3. Put the rest into the unchanged slice that ends closest to full,
	//    or into new slices.
	for len(desired) > 0 {
		var fill *model.EndpointSlice
		if len(desired) < maxPerSlice && len(unchanged) > 0 {
			var candidates []*model.EndpointSlice
			for _, n := range model.SortedKeys(unchanged) {
				candidates = append(candidates, byName[n])
			}
			fill = sliceToFill(candidates, len(desired), maxPerSlice)
		}
		if fill == nil {
			fill = newSlice(svc, meta)
		} else {
			fill = model.DeepCopy(fill)
			byName[fill.Name] = fill
		}
		for len(desired) > 0 && len(fill.Endpoints) < maxPerSlice {
			fill.Endpoints = append(fill.Endpoints, *desired.popFirst())
		}
		if fill.Name != "" {
			toUpdate[fill.Name] = true
			delete(unchanged, fill.Name)
		} else {
			create = append(create, fill)
		}
	}
	for _, n := range model.SortedKeys(toUpdate) {
		update = append(update, byName[n])
	}
	for _, n := range model.SortedKeys(toDelete) {
		del = append(del, byName[n])
	}
	return create, update, del
}

// sliceToFill returns the slice that will be closest to full once n
// endpoints are added, or nil if none has room (getSliceToFill).
func sliceToFill(slices []*model.EndpointSlice, n, maxPerSlice int) *model.EndpointSlice {
	closest := maxPerSlice
	var best *model.EndpointSlice
	for _, s := range slices {
		diff := maxPerSlice - (n + len(s.Endpoints))
		if diff >= 0 && diff < closest {
			closest, best = diff, s
			if diff == 0 {
				return best
			}
		}
	}
	return best
}

// newSlice is newEndpointSlice: generateName "<service>-", the Service as
// controller owner, the Service's labels plus the reserved ones.
func newSlice(svc *model.Service, meta *endpointMeta) *model.EndpointSlice {
	s := &model.EndpointSlice{
		ObjectMeta: model.ObjectMeta{
			GenerateName:    slicePrefix(svc.Name),
			Namespace:       svc.Namespace,
			OwnerReferences: []model.OwnerReference{ctrlutil.NewControllerRef(svc, "v1", "Service")},
		},
		AddressType: meta.addressType,
		Ports:       model.DeepCopy(meta.ports),
		Endpoints:   []model.Endpoint{},
	}
	model.SetTypeMeta(s)
	s.Labels, _ = sliceLabels(s, svc)
	return s
}

func slicePrefix(name string) string {
	if len(name)+1 > 253 {
		return name
	}
	return name + "-"
}

func isReservedLabel(k string) bool {
	return k == LabelServiceName || k == LabelManagedBy || k == LabelHeadless
}

// sliceLabels is setEndpointSliceLabels: the Service's labels (reserved
// keys excepted), the headless marker when the Service has no cluster IP,
// the service-name and managed-by labels; and whether the slice's own
// non-reserved labels differ from the Service's.
func sliceLabels(s *model.EndpointSlice, svc *model.Service) (map[string]string, bool) {
	ep, sv := map[string]string{}, map[string]string{}
	for k, v := range s.Labels {
		if !isReservedLabel(k) {
			ep[k] = v
		}
	}
	for k, v := range svc.Labels {
		if !isReservedLabel(k) {
			sv[k] = v
		}
	}
	updated := len(ep) != len(sv)
	for k, v := range ep {
		if cur, ok := sv[k]; !ok || cur != v {
			updated = true
		}
	}
	if svc.Spec.ClusterIP == "" || svc.Spec.ClusterIP == model.ClusterIPNone {
		sv[LabelHeadless] = ""
	}
	sv[LabelServiceName] = svc.Name
	sv[LabelManagedBy] = ControllerName
	return sv, updated
}

// ownedBy reports whether the Service (this incarnation, by UID) owns the
// slice.
func ownedBy(s *model.EndpointSlice, svc *model.Service) bool {
	for _, r := range s.OwnerReferences {
		if r.Kind == "Service" && r.APIVersion == "v1" && r.UID == svc.UID {
			return true
		}
	}
	return false
}

// ShouldPodBeInEndpoints reports whether a pod has an endpoint: not
// finished and with an IP; terminating pods stay (with their terminating
// condition).
func ShouldPodBeInEndpoints(p *model.Pod) bool {
	return !p.IsTerminal() && p.Status.PodIP != ""
}

// PodToEndpoint is podToEndpoint: the pod's address of the address type,
// serving = ready, terminating = being deleted, ready = serving and not
// terminating, the pod as target, its node and the node's zone.
func PodToEndpoint(p *model.Pod, node *model.Node, at string) model.Endpoint {
	serving := p.IsReady()
	terminating := p.DeletionTimestamp != nil
	ready := serving && !terminating
	e := model.Endpoint{
		Addresses:  podAddresses(p, at),
		Conditions: model.EndpointConditions{Ready: &ready, Serving: &serving, Terminating: &terminating},
		TargetRef:  &model.ObjectReference{Kind: "Pod", Namespace: p.Namespace, Name: p.Name, UID: p.UID},
	}
	if p.Spec.NodeName != "" {
		e.NodeName = model.Ptr(p.Spec.NodeName)
	}
	if node != nil {
		if z := node.Labels[model.LabelTopologyZone]; z != "" {
			e.Zone = &z
		}
	}
	return e
}

// Values of spec.trafficDistribution.
const (
	TrafficDistributionPreferClose    = "PreferClose"
	TrafficDistributionPreferSameZone = "PreferSameZone"
	TrafficDistributionPreferSameNode = "PreferSameNode"
)

// SetTrafficDistributionHints gives an endpoint the hints its Service's
// trafficDistribution asks for (staging/src/k8s.io/endpointslice/
// trafficdist): PreferClose and PreferSameZone hint each endpoint for its
// own zone, PreferSameNode also for its own node; without it, or for an
// endpoint without a zone, there are none.
func SetTrafficDistributionHints(svc *model.Service, e *model.Endpoint) {
	e.Hints = nil
	td := svc.Spec.TrafficDistribution
	if td == nil || e.Zone == nil {
		return
	}
	switch *td {
	case TrafficDistributionPreferClose, TrafficDistributionPreferSameZone:
		e.Hints = &model.EndpointHints{ForZones: []model.ForZone{{Name: *e.Zone}}}
	case TrafficDistributionPreferSameNode:
		e.Hints = &model.EndpointHints{ForZones: []model.ForZone{{Name: *e.Zone}}}
		if e.NodeName != nil {
			e.Hints.ForNodes = []model.ForNode{{Name: *e.NodeName}}
		}
	}
}

func podAddresses(p *model.Pod, at string) []string {
	ip, err := netip.ParseAddr(p.Status.PodIP)
	if err != nil {
		return nil
	}
	v6 := ip.Is6() && !ip.Is4In6()
	if (at == AddressTypeIPv6) == v6 {
		return []string{p.Status.PodIP}
	}
	return nil
}

// EndpointPorts resolves the Service's ports against a pod
// (getEndpointPorts): a numeric targetPort is taken as is, a named one is
// looked up among the containers' ports (then sidecars') with the same
// protocol; ports that do not resolve are left out. A headless Service
// without ports has none.
func EndpointPorts(svc *model.Service, p *model.Pod) []model.EndpointPort {
	out := []model.EndpointPort{}
	for i := range svc.Spec.Ports {
		sp := &svc.Spec.Ports[i]
		port, ok := FindPort(p, sp)
		if !ok {
			continue
		}
		name, proto := sp.Name, sp.Protocol
		out = append(out, model.EndpointPort{Name: &name, Protocol: &proto, Port: &port})
	}
	return out
}

// FindPort is podutil.FindPort.
func FindPort(p *model.Pod, sp *model.ServicePort) (int32, bool) {
	if sp.TargetPort.Type == model.IntOrStringInt {
		return sp.TargetPort.IntVal, true
	}
	name := sp.TargetPort.StrVal
	proto := sp.Protocol
	if proto == "" {
		proto = model.ProtocolTCP
	}
	match := func(cs []model.Container, sidecarsOnly bool) (int32, bool) {
		for i := range cs {
			if sidecarsOnly && !cs[i].IsSidecar() {
				continue
			}
			for _, cp := range cs[i].Ports {
				cpProto := cp.Protocol
				if cpProto == "" {
					cpProto = model.ProtocolTCP
				}
				if cp.Name == name && cpProto == proto {
					return cp.ContainerPort, true
				}
			}
		}
		return 0, false
	}
	if port, ok := match(p.Spec.Containers, false); ok {
		return port, true
	}
	return match(p.Spec.InitContainers, true)
}

// endpointsEqualBeyondHash compares what the key does not: conditions,
// node, zone, hints and target.
func endpointsEqualBeyondHash(a, b *model.Endpoint) bool {
	return ptrEq(a.NodeName, b.NodeName) && ptrEq(a.Zone, b.Zone) &&
		ptrEq(a.Conditions.Ready, b.Conditions.Ready) && ptrEq(a.Conditions.Serving, b.Conditions.Serving) &&
		ptrEq(a.Conditions.Terminating, b.Conditions.Terminating) &&
		hintsEqual(a.Hints, b.Hints) && ptrEq(a.TargetRef, b.TargetRef)
}

func ptrEq[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func hintsEqual(a, b *model.EndpointHints) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if len(a.ForZones) != len(b.ForZones) || len(a.ForNodes) != len(b.ForNodes) {
		return false
	}
	for i := range a.ForZones {
		if a.ForZones[i] != b.ForZones[i] {
			return false
		}
	}
	for i := range a.ForNodes {
		if a.ForNodes[i] != b.ForNodes[i] {
			return false
		}
	}
	return true
}
