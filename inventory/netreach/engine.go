package netreach

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/internal/netpolicy"
	"github.com/kspm-dev/kspm/inventory"
)

// Engine answers reachability questions from an inventory's NetworkPolicies. Build it once
// per inventory with New; it is then safe for concurrent use.
//
// It reads the inventory as questions need it, namespace by namespace: the NetworkPolicies
// of a namespace, its pod templates and the Pods listed for its workloads are read and kept
// the first time a question is about that namespace, and the label keys every NetworkPolicy's
// selectors read (which tell apart the listed Pods that may be selected unlike their
// template's) the first time they matter. So a question about one workload costs what its
// namespace holds, not what the cluster does; For carries what stays right over to an
// inventory derived from this one.
type Engine struct {
	inv    *inventory.Inventory
	others *netpolicy.Others
	unseen string // why NetworkPolicies were not all seen, or ""

	mu       sync.Mutex
	nss      map[string]*namespaceData // by namespace, read on first use
	policies []*Policy                 // every NetworkPolicy, in inventory order; set with allRead
	allRead  bool
	parsed   map[*inventory.Object]*Policy    // each NetworkPolicy read once
	keys     *keySet                          // set on first use, or by For
	nsLabels map[*inventory.Object]labels.Set // the labels of each Namespace object (each definition), read on first use
	existing *[]namedView                     // every namespace of a whole cluster, read on first use (see existingNamespaces)
	admitted map[string]admitted              // what admitsAll answered, by the selectors asked about
}

// namespaceData is what the engine knows of one namespace.
type namespaceData struct {
	policies  []*Policy                   // the valid NetworkPolicies of the namespace
	templates map[*inventory.Object]Pod   // the pods of each pod template, by owner
	listed    map[*inventory.Object][]Pod // the Pods listed for each workload
	distinct  map[*inventory.Object][]Pod // those that selectors may tell from the template's pods
	pods      []Pod                       // every template's pods and every listed Pod
}

// keySet is the pod label keys some NetworkPolicy selector of the inventory reads.
type keySet struct{ keys map[string]bool }

// New returns the engine for inv: it reads every NetworkPolicy (those the API server would
// reject are kept, with their error, and left out of every answer), the labels of every
// Namespace, and the pods of every pod template, with the Pods listed for each workload, as
// questions need them.
func New(inv *inventory.Inventory) *Engine {
	e := &Engine{inv: inv, others: netpolicy.Read(inv), nss: make(map[string]*namespaceData),
		parsed: make(map[*inventory.Object]*Policy), nsLabels: make(map[*inventory.Object]labels.Set),
		admitted: make(map[string]admitted)}
	if inv.Gap(inventory.KindNetworkPolicy) {
		e.unseen = "NetworkPolicies were not all seen: " + inv.Unseen(inventory.KindNetworkPolicy)
	}
	return e
}

// For returns the engine for inv, an inventory derived from e's (see inventory.Inventory.With):
// a new engine, which takes over from e what inv shares with e's inventory (the label keys the
// NetworkPolicies read, when it holds the very same NetworkPolicies).
func (e *Engine) For(inv *inventory.Inventory) *Engine {
	n := New(inv)
	if inventory.SameKind(e.inv, inv, inventory.KindNetworkPolicy) {
		e.mu.Lock()
		n.keys = e.keys
		e.mu.Unlock()
	}
	return n
}

// policy returns the policy read from o, reading it once. e.mu must be held.
func (e *Engine) policy(o *inventory.Object) *Policy {
	p, ok := e.parsed[o]
	if !ok {
		p = readPolicy(o)
		e.parsed[o] = p
	}
	return p
}

// readKeys returns the pod label keys some selector of a valid NetworkPolicy reads. e.mu
// must be held.
func (e *Engine) readKeys() map[string]bool {
	if e.keys == nil {
		ks := &keySet{keys: make(map[string]bool)}
		for _, o := range e.inv.ByKind(inventory.KindNetworkPolicy) {
			for _, k := range e.policy(o).keys() {
				ks.keys[k] = true
			}
		}
		e.keys = ks
	}
	return e.keys.keys
}

// ns returns what the engine knows of namespace ns, reading it the first time.
func (e *Engine) ns(ns string) *namespaceData {
	e.mu.Lock()
	defer e.mu.Unlock()
	if d, ok := e.nss[ns]; ok {
		return d
	}
	d := &namespaceData{templates: make(map[*inventory.Object]Pod), listed: make(map[*inventory.Object][]Pod),
		distinct: make(map[*inventory.Object][]Pod)}
	for _, o := range e.inv.InNamespace(inventory.KindNetworkPolicy, ns) {
		if p := e.policy(o); p.Err == nil {
			d.policies = append(d.policies, p)
		}
	}
	for _, t := range e.inv.PodTemplatesIn(ns) {
		p := PodOf(t)
		d.templates[t.Owner] = p
		d.pods = append(d.pods, p)
	}
	var owners []*inventory.Object
	for _, o := range e.inv.InNamespace(inventory.KindPod, ns) {
		owner := e.workloadOf(d, o)
		if owner == nil {
			continue
		}
		p, ok := o.Object().(*corev1.Pod)
		if !ok {
			continue
		}
		pod := PodOf(inventory.PodTemplate{Owner: o, Metadata: &p.ObjectMeta, Spec: &p.Spec})
		pod.workload = owner
		if _, seen := d.listed[owner]; !seen {
			owners = append(owners, owner)
		}
		d.listed[owner] = append(d.listed[owner], pod)
		d.pods = append(d.pods, pod)
	}
	if len(owners) > 0 {
		keys := e.readKeys()
		for _, owner := range owners {
			if dl := distinctListed(d, keys, owner); len(dl) > 0 {
				d.distinct[owner] = dl
			}
		}
	}
	e.nss[ns] = d
	return d
}

// workloadOf returns the workload of namespace data d whose template stands for Pod o
// (through a ReplicaSet or a Job when the inventory holds it), or nil.
func (e *Engine) workloadOf(d *namespaceData, o *inventory.Object) *inventory.Object {
	for range 2 {
		o = e.controllerOf(o)
		if o == nil {
			return nil
		}
		if _, ok := d.templates[o]; ok {
			return o
		}
	}
	return nil
}

// controllerOf returns the object o's controller reference names, when the inventory holds
// it in o's namespace (the garbage collector takes no owner from another): of a controller the
// manifests define in several places, the definition nearest o. Every lookup of a referenced
// object goes through here.
func (e *Engine) controllerOf(o *inventory.Object) *inventory.Object {
	ref := metav1.GetControllerOfNoCopy(o.Meta())
	if ref == nil {
		return nil
	}
	if c := e.inv.ByUID(ref.UID); c != nil {
		if c.Namespace() != o.Namespace() {
			return nil
		}
		return c
	}
	gv, err := schema.ParseGroupVersion(ref.APIVersion)
	if err != nil {
		return nil
	}
	return e.inv.From(o).Get(schema.GroupKind{Group: gv.Group, Kind: ref.Kind}, o.Namespace(), ref.Name)
}

// sees reports whether o is in the world view looks at: an object defined once always is; of
// an object the manifests define in several places (variants), only the definition nearest
// the view's object is, the others being alternatives deployed elsewhere.
func (e *Engine) sees(view inventory.View, o *inventory.Object) bool {
	return !e.inv.HasVariants() || view.Get(o.GroupKind(), o.Namespace(), o.Name()) == o
}

// Policies returns every NetworkPolicy of the inventory, in its order, those with an error
// included.
func (e *Engine) Policies() []*Policy {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.allRead {
		for _, o := range e.inv.ByKind(inventory.KindNetworkPolicy) {
			e.policies = append(e.policies, e.policy(o))
		}
		e.allRead = true
	}
	return e.policies
}

// PoliciesIn returns the valid NetworkPolicies of namespace ns.
func (e *Engine) PoliciesIn(ns string) []*Policy { return e.ns(ns).policies }

// PoliciesFrom returns the valid NetworkPolicies of namespace ns as the object o sees them:
// of a policy the manifests define in several places (variants), only the definition nearest
// o (see inventory.View), so that a prod Deployment is judged by the prod policy.
func (e *Engine) PoliciesFrom(o *inventory.Object, ns string) []*Policy {
	list := e.ns(ns).policies
	if o == nil || !e.inv.HasVariants() {
		return list
	}
	view := e.inv.From(o)
	out := make([]*Policy, 0, len(list))
	for _, pol := range list {
		if view.Get(inventory.KindNetworkPolicy, pol.namespace, pol.Object.Name()) == pol.Object {
			out = append(out, pol)
		}
	}
	return out
}

// policiesFor returns the valid NetworkPolicies of p's namespace as p's definition sees them.
func (e *Engine) policiesFor(p *Pod) []*Policy { return e.PoliciesFrom(p.Object, p.Namespace) }

// Pod returns the pods of the template owner holds (a Pod or a workload), or false.
func (e *Engine) Pod(owner *inventory.Object) (Pod, bool) {
	p, ok := e.ns(owner.Namespace()).templates[owner]
	return p, ok
}

// Listed returns the Pods the inventory lists for a workload (through its ReplicaSets or
// Jobs): listed from a cluster, they show the labels set at run time.
func (e *Engine) Listed(owner *inventory.Object) []Pod { return e.ns(owner.Namespace()).listed[owner] }

// Unseen returns why the answers may be incomplete for namespace ns: NetworkPolicies not
// all seen, or policies of other kinds (CNI plugins, the Network Policy API) that may apply
// to its pods, which the engine does not model; "" when neither is the case.
func (e *Engine) Unseen(ns string) string {
	if len(e.others.InNamespace(e.inv.From(nil), ns)) == 0 && len(e.others.Anywhere(e.inv.From(nil))) == 0 && e.others.Unseen() == "" {
		return e.unseen
	}
	var out []string
	if e.unseen != "" {
		out = append(out, e.unseen)
	}
	var named []string
	for _, p := range e.others.InNamespace(e.inv.From(nil), ns) {
		named = append(named, netpolicy.Name(p))
	}
	for _, p := range e.others.Anywhere(e.inv.From(nil)) {
		named = append(named, netpolicy.Name(p))
	}
	if len(named) > 3 {
		named = append(named[:3], fmt.Sprintf("and %d more", len(named)-3))
	}
	if len(named) > 0 {
		out = append(out, "policies kspm does not evaluate may apply to the pods of namespace "+
			fmt.Sprintf("%q", ns)+": "+strings.Join(named, "; "))
	} else if u := e.others.Unseen(); u != "" {
		out = append(out, "network policies of CNI plugins, which may apply to its pods, were not all seen: "+u)
	}
	return strings.Join(out, "; ")
}

// reasons collects why verdicts are Unknown, each once.
type reasons struct{ list []string }

func (r *reasons) add(format string, args ...any) {
	if r == nil {
		return
	}
	s := fmt.Sprintf(format, args...)
	if !slices.Contains(r.list, s) {
		r.list = append(r.list, s)
	}
}

// nsView returns the labels of the namespace of peer, as a namespaceSelector of a policy that
// selects subject reads them. They are the labels of the Namespace definition nearest peer's
// object: a pod runs in the namespace deployed with it (see inventory.View). When the
// manifests define that Namespace in several places and subject's object sees a definition
// with other labels, the two objects come from different variants and which definition is
// live is not known: the keys on which the two differ are unknown. Without a Namespace
// object, only the label the control plane sets on every namespace is known.
func (e *Engine) nsView(subject, peer *Pod) labelView {
	ns := peer.Namespace
	if !e.inv.HasVariants() {
		if o := e.inv.Get(inventory.KindNamespace, "", ns); o != nil {
			return labelView{labels: e.namespaceLabels(o)}
		}
		return e.noNamespace(ns)
	}
	own := e.inv.From(peer.Object).Get(inventory.KindNamespace, "", ns)
	if own == nil {
		return e.noNamespace(ns)
	}
	l := e.namespaceLabels(own)
	other := e.inv.From(subject.Object).Get(inventory.KindNamespace, "", ns)
	if other == nil || other == own {
		return labelView{labels: l}
	}
	ol := e.namespaceLabels(other)
	if labels.Equals(l, ol) {
		return labelView{labels: l}
	}
	return labelView{labels: l,
		unknown: func(k string) bool {
			v, ok := l[k]
			w, ok2 := ol[k]
			return ok != ok2 || v != w
		},
		why: fmt.Sprintf("Namespace %s is defined with other labels where %s is (%s) than where %s is (%s), and which "+
			"definition is live is unknown", ns, peer, describeSource(own), subject, describeSource(other))}
}

// namespaceLabels returns the labels of the Namespace object o, with the label the control
// plane sets on every namespace, reading them once.
func (e *Engine) namespaceLabels(o *inventory.Object) labels.Set {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.namespaceLabelsLocked(o)
}

// namespaceLabelsLocked is namespaceLabels with e.mu held.
func (e *Engine) namespaceLabelsLocked(o *inventory.Object) labels.Set {
	l, ok := e.nsLabels[o]
	if !ok {
		l = labels.Set{}
		for k, v := range o.Meta().GetLabels() {
			l[k] = v
		}
		l[namespaceLabel] = o.Name() // the control plane sets it on every namespace
		e.nsLabels[o] = l
	}
	return l
}

// noNamespace is the view of the labels of namespace ns when the inventory holds no Namespace
// of that name: only the label the control plane sets on every namespace is known.
func (e *Engine) noNamespace(ns string) labelView {
	return labelView{labels: labels.Set{namespaceLabel: ns},
		unknown: func(k string) bool { return k != namespaceLabel },
		why:     "the inventory holds no Namespace " + ns + ", so its labels but " + namespaceLabel + " are unknown"}
}

// describeSource names where o was read from, for messages.
func describeSource(o *inventory.Object) string {
	if s := o.Source().String(); s != "" {
		return s
	}
	return "an input without a name"
}

// selects tells whether policy p selects the pods of s.
func (e *Engine) selects(p *Policy, s *Pod, why *reasons) Verdict {
	if p.namespace != s.Namespace {
		return No
	}
	v := p.selector.match(s.view())
	if v == Unknown {
		why.add("%s selects pods by %s, which %s", p, strings.Join(p.selector.unknownKeys(s.view()), ", "), s.view().why)
	}
	if v == Yes && s.HostNetwork {
		why.add("%s would select %s, which uses the host network: whether NetworkPolicies apply to host-network pods is "+
			"undefined (most network plugins ignore them)", p, s)
		return Unknown
	}
	return v
}

// portsMatch reports whether a rule's ports admit port on destination dst: named ports
// are resolved against dst's container ports, by name and protocol.
func portsMatch(ports []portRule, dst *Pod, port Port) bool {
	if len(ports) == 0 {
		return true
	}
	for _, pr := range ports {
		if pr.protocol != port.Protocol {
			continue
		}
		switch {
		case pr.all:
			return true
		case pr.name != "":
			if dst.hasPort(pr.name, port.Number, port.Protocol) {
				return true
			}
		case pr.from <= port.Number && port.Number <= pr.to:
			return true
		}
	}
	return false
}

// peerMatches tells whether a rule's peer pe of policy p, which selects the pods of subject,
// matches the pods of q, for a connection over IPv6 (v6) or IPv4.
func (e *Engine) peerMatches(p *Policy, r rule, d Direction, pe peer, subject, q *Pod, v6 bool, why *reasons) Verdict {
	if b := pe.ipBlock; b != nil {
		if b.v6() != v6 {
			return No
		}
		if b.everything() {
			return Yes
		}
		addr := "a pod's IP address"
		if q.HostNetwork {
			addr = "a node's IP address"
		}
		why.add("%s %s rule #%d admits ipBlock %s: whether it holds %s is unknown (%s of %s is assigned at run time)",
			p, strings.ToLower(string(d)), r.index, b.text, addr, addr, q)
		return Unknown
	}
	var nsV Verdict
	if pe.namespaces == nil {
		nsV = verdictOf(q.Namespace == p.namespace)
	} else {
		view := e.nsView(subject, q)
		nsV = pe.namespaces.match(view)
		if nsV == Unknown {
			why.add("%s %s rule #%d selects namespaces by %s: %s", p, strings.ToLower(string(d)), r.index,
				strings.Join(pe.namespaces.unknownKeys(view), ", "), view.why)
		}
	}
	v := nsV
	if pe.pods != nil && v != No {
		pv := pe.pods.match(q.view())
		if pv == Unknown {
			why.add("%s %s rule #%d selects pods by %s, which %s", p, strings.ToLower(string(d)), r.index,
				strings.Join(pe.pods.unknownKeys(q.view()), ", "), q.view().why)
		}
		v = and(v, pv)
	}
	if v == Yes && q.HostNetwork {
		why.add("%s %s rule #%d selects %s, which uses the host network: whether selectors match host-network pods is "+
			"undefined (most network plugins see their traffic as their node's)", p, strings.ToLower(string(d)), r.index, q)
		return Unknown
	}
	return v
}

// ruleAllows tells whether rule r of policy p, which selects the pods of subject, allows a
// connection to port on dst from or to peer q.
func (e *Engine) ruleAllows(p *Policy, r rule, d Direction, subject, q, dst *Pod, port Port, v6 bool, why *reasons) Verdict {
	if !portsMatch(r.ports, dst, port) {
		return No
	}
	if len(r.peers) == 0 {
		return Yes
	}
	v := No
	for _, pe := range r.peers {
		if v = or(v, e.peerMatches(p, r, d, pe, subject, q, v6, why)); v == Yes {
			break
		}
	}
	return v
}

// PolicyDecision is what one NetworkPolicy that selects (or may select) a pod does to a
// connection in one direction.
type PolicyDecision struct {
	// Policy is the NetworkPolicy.
	Policy inventory.Ref `json:"policy"`
	// Selects says whether its podSelector selects the pod.
	Selects Verdict `json:"selects"`
	// Allows says whether one of its rules for the direction allows the connection.
	Allows Verdict `json:"allows"`
	// Rules are the indexes of the rules that allow it (or may).
	Rules []int `json:"rules,omitempty"`
}

// DirectionAnswer is the answer for one direction of a connection: egress from the source's
// pods, or ingress to the destination's.
type DirectionAnswer struct {
	// Direction is Egress or Ingress.
	Direction Direction `json:"direction"`
	// Pod is the object whose pods the direction is about: the source for Egress, the
	// destination for Ingress.
	Pod inventory.Ref `json:"pod"`
	// Isolated says whether a NetworkPolicy selects the pods for the direction; pods that
	// none selects accept (or make) every connection.
	Isolated Verdict `json:"isolated"`
	// Allowed says whether the direction lets the connection through.
	Allowed Verdict `json:"allowed"`
	// Policies are the NetworkPolicies that select (or may select) the pods for the
	// direction: when Allowed is Yes those whose rules allow it decide, when No they all do
	// (each isolates the pods and none allows the connection).
	Policies []PolicyDecision `json:"policies"`
}

// Answer is the answer to "may the pods of From connect to those of To on Port?".
type Answer struct {
	// From is the object whose pods open the connection: a Pod or a workload.
	From inventory.Ref `json:"from"`
	// To is the object whose pods receive it: a Pod or a workload.
	To inventory.Ref `json:"to"`
	// Port is the destination port and protocol.
	Port Port `json:"port"`
	// Allowed is Yes when both directions let the connection through, No when one does not,
	// and Unknown when that depends on what the inventory cannot tell (Unknown says what).
	Allowed Verdict `json:"allowed"`
	// Egress is the answer for egress from From's pods.
	Egress DirectionAnswer `json:"egress"`
	// Ingress is the answer for ingress to To's pods.
	Ingress DirectionAnswer `json:"ingress"`
	// Unknown says why a verdict is Unknown: each unknown the answer depends on.
	Unknown []string `json:"unknown,omitempty"`
}

// direction evaluates one direction of a connection from src to dst on port over IPv6 (v6)
// or IPv4.
func (e *Engine) direction(d Direction, src, dst *Pod, port Port, v6 bool, why *reasons) DirectionAnswer {
	subject, peer := src, dst
	if d == Ingress {
		subject, peer = dst, src
	}
	out := DirectionAnswer{Direction: d, Pod: subject.Object.Ref(), Isolated: No, Allowed: Yes, Policies: []PolicyDecision{}}
	var anySelected, selectedAllows, allAllow, noneAllows = false, false, true, true
	for _, p := range e.policiesFor(subject) {
		if !p.Isolates(d) {
			continue
		}
		sel := e.selects(p, subject, why)
		if sel == No {
			continue
		}
		dec := PolicyDecision{Policy: p.Object.Ref(), Selects: sel, Allows: No}
		for _, r := range p.rules(d) {
			v := e.ruleAllows(p, r, d, subject, peer, dst, port, v6, why)
			if v != No {
				dec.Rules = append(dec.Rules, r.index)
			}
			dec.Allows = or(dec.Allows, v)
		}
		out.Policies = append(out.Policies, dec)
		anySelected = anySelected || sel == Yes
		selectedAllows = selectedAllows || sel == Yes && dec.Allows == Yes
		allAllow = allAllow && dec.Allows == Yes
		noneAllows = noneAllows && dec.Allows == No
	}
	if len(out.Policies) == 0 {
		return out
	}
	// Each world the unknowns allow selects some of the policies that may select the pods:
	// the connection passes when none is selected or a selected one allows it.
	out.Isolated = Unknown
	if anySelected {
		out.Isolated = Yes
	}
	switch {
	case selectedAllows || allAllow:
		out.Allowed = Yes
	case anySelected && noneAllows:
		out.Allowed = No
	default:
		out.Allowed = Unknown
	}
	if out.Allowed == No && d == Ingress && peer.HostNetwork {
		why.add("%s uses the host network: a pod accepts every connection from its own node, and most network plugins "+
			"see a host-network pod's traffic as its node's", peer)
		out.Allowed = Unknown
	}
	return out
}

// familyMatters reports whether the policies of the namespaces have ipBlocks, whose answer
// depends on the connection's IP family.
func (e *Engine) familyMatters(namespaces ...string) bool {
	for _, ns := range namespaces {
		if slices.ContainsFunc(e.ns(ns).policies, func(p *Policy) bool { return p.ipBlocks }) {
			return true
		}
	}
	return false
}

// Reach answers whether the pods of from may open a connection to those of to on port: the
// connection passes when egress from from's pods and ingress to to's pods both allow it.
// Besides the templates' pods, the Pods the inventory lists for either workload are asked
// about; when their answers differ, the answer is Unknown.
func (e *Engine) Reach(from, to Pod, port Port) Answer {
	why := &reasons{}
	a := Answer{From: from.Object.Ref(), To: to.Object.Ref(), Port: port}
	family := e.familyMatters(from.Namespace, to.Namespace)
	first := true
	for _, src := range e.variants(from) {
		for _, dst := range e.variants(to) {
			eg, in, all := e.reachOnce(&src, &dst, port, family, why)
			if first {
				a.Egress, a.Ingress, a.Allowed = eg, in, all
				first = false
				continue
			}
			a.Egress.Isolated = merge(a.Egress.Isolated, eg.Isolated)
			a.Egress.Allowed = merge(a.Egress.Allowed, eg.Allowed)
			a.Ingress.Isolated = merge(a.Ingress.Isolated, in.Isolated)
			a.Ingress.Allowed = merge(a.Ingress.Allowed, in.Allowed)
			if all != a.Allowed {
				why.add("the answer differs between %s and %s (listed pods carry labels or container ports their templates do not show)",
					pairName(from, to), pairName(src, dst))
			}
			a.Allowed = merge(a.Allowed, all)
		}
	}
	for _, ns := range []string{from.Namespace, to.Namespace} {
		if u := e.Unseen(ns); u != "" {
			why.add("%s", u)
			a.Allowed = Unknown
		}
	}
	if e.unseen != "" {
		// A NetworkPolicy not seen may select the pods (isolating them) and may allow the
		// connection: of a direction, only a pod isolated and allowed by the policies seen
		// stays so whatever the others say (policies add up allows).
		for _, d := range []*DirectionAnswer{&a.Egress, &a.Ingress} {
			if d.Isolated != Yes || d.Allowed != Yes {
				d.Allowed = Unknown
			}
			if d.Isolated == No {
				d.Isolated = Unknown
			}
		}
	}
	if a.hasUnknown() {
		a.Unknown = why.list
	}
	return a
}

// hasUnknown reports whether a verdict of the answer is Unknown: only then do the reasons
// collected on the way (some of which a known verdict may have overridden) matter.
func (a *Answer) hasUnknown() bool {
	if a.Allowed == Unknown {
		return true
	}
	for _, d := range []*DirectionAnswer{&a.Egress, &a.Ingress} {
		if d.Isolated == Unknown || d.Allowed == Unknown {
			return true
		}
		for _, p := range d.Policies {
			if p.Selects == Unknown || p.Allows == Unknown {
				return true
			}
		}
	}
	return false
}

func pairName(from, to Pod) string { return from.String() + " → " + to.String() }

// reachOnce answers for one source and one destination, over both IP families when family
// is set.
func (e *Engine) reachOnce(src, dst *Pod, port Port, family bool, why *reasons) (eg, in DirectionAnswer, all Verdict) {
	eg = e.direction(Egress, src, dst, port, false, why)
	in = e.direction(Ingress, src, dst, port, false, why)
	all = and(eg.Allowed, in.Allowed)
	if !family {
		return eg, in, all
	}
	eg6 := e.direction(Egress, src, dst, port, true, why)
	in6 := e.direction(Ingress, src, dst, port, true, why)
	all6 := and(eg6.Allowed, in6.Allowed)
	if all != all6 {
		why.add("the answer depends on the connection's IP family: %s over IPv4, %s over IPv6 (ipBlocks hold one family each)",
			describe(all), describe(all6))
	}
	mergeDirection(&eg, eg6)
	mergeDirection(&in, in6)
	return eg, in, merge(all, all6)
}

func describe(v Verdict) string {
	switch v {
	case Yes:
		return "allowed"
	case No:
		return "denied"
	}
	return "unknown"
}

// mergeDirection merges b, the same direction over the other IP family, into a.
func mergeDirection(a *DirectionAnswer, b DirectionAnswer) {
	a.Isolated = merge(a.Isolated, b.Isolated)
	a.Allowed = merge(a.Allowed, b.Allowed)
	for i := range a.Policies {
		a.Policies[i].Allows = merge(a.Policies[i].Allows, b.Policies[i].Allows)
		for _, r := range b.Policies[i].Rules {
			if !slices.Contains(a.Policies[i].Rules, r) {
				a.Policies[i].Rules = append(a.Policies[i].Rules, r)
			}
		}
		sort.Ints(a.Policies[i].Rules)
	}
}

// variants returns the pods to ask about for p: its template's, then those the inventory
// lists for it whose labels differ from the template's in a key some selector reads, or whose
// named container ports differ.
func (e *Engine) variants(p Pod) []Pod {
	return append([]Pod{p}, e.ns(p.Namespace).distinct[p.Object]...)
}

// distinctListed returns the Pods listed for owner in d that differ from its template's pods
// (and from each other) in what policies see (see signature).
func distinctListed(d *namespaceData, keys map[string]bool, owner *inventory.Object) []Pod {
	t := d.templates[owner]
	seen := map[string]bool{signature(keys, &t): true}
	var out []Pod
	for _, q := range d.listed[owner] {
		if sig := signature(keys, &q); !seen[sig] {
			seen[sig] = true
			out = append(out, q)
		}
	}
	return out
}

// signature sums up what policies can see of p: its host network, its labels of keys, those
// some selector reads ("?" for those set at run time), and its named container ports, which
// named ports in rules resolve to (a Pod of an older revision, kept by a StatefulSet's
// partition or an OnDelete update, may map a name to another number than its template).
func signature(keys map[string]bool, p *Pod) string {
	var named []string
	for _, cp := range p.Ports {
		if cp.Name != "" {
			named = append(named, fmt.Sprintf("%s/%s=%d", cp.Name, protocolOf(cp.Protocol), cp.ContainerPort))
		}
	}
	sort.Strings(named)
	var parts []string
	for k := range keys {
		switch v, ok := p.Labels[k]; {
		case slices.Contains(p.RuntimeKeys, k):
			parts = append(parts, k+"?")
		case ok:
			parts = append(parts, k+"="+v)
		}
	}
	sort.Strings(parts)
	return fmt.Sprintf("%t|%s|%s", p.HostNetwork, strings.Join(parts, ","), strings.Join(named, ","))
}

// Isolation is whether a pod is isolated in one direction, and by which policies.
type Isolation struct {
	// Isolated is Yes when a NetworkPolicy selects the pods for the direction.
	Isolated Verdict
	// Policies are the NetworkPolicies that select (or may select) them.
	Policies []*Policy
	// Selects says, for each of Policies, whether it selects the pods: Yes, or Unknown when
	// that hangs on what the inventory cannot tell (or differs among the listed Pods).
	Selects []Verdict
	// Unknown says why Isolated is Unknown.
	Unknown []string
}

// Isolation tells whether NetworkPolicies isolate the pods of p in direction d: whether one
// of their namespace selects them and lists d in its policyTypes. The Pods the inventory
// lists for a workload count too. Policies of other kinds are not considered (see Unseen).
func (e *Engine) Isolation(p Pod, d Direction) Isolation {
	why := &reasons{}
	var out Isolation
	selects := make(map[*Policy]Verdict) // merged over the variants asked about so far
	for i, q := range e.variants(p) {
		v := No
		now := make(map[*Policy]Verdict)
		for _, pol := range e.policiesFor(&q) {
			if !pol.Isolates(d) {
				continue
			}
			sel := e.selects(pol, &q, why)
			now[pol] = sel
			if sel != No && !slices.Contains(out.Policies, pol) {
				out.Policies = append(out.Policies, pol)
			}
			v = or(v, sel)
		}
		for _, pol := range out.Policies {
			if old, seen := selects[pol]; seen || i > 0 {
				selects[pol] = merge(old, now[pol]) // a policy not asked about did not select
				continue
			}
			selects[pol] = now[pol]
		}
		if i == 0 {
			out.Isolated = v
			continue
		}
		if v != out.Isolated {
			why.add("%s is %s, unlike its template", q.String(), map[Verdict]string{Yes: "isolated", No: "not isolated", Unknown: "perhaps isolated"}[v])
		}
		out.Isolated = merge(out.Isolated, v)
	}
	for _, pol := range out.Policies {
		out.Selects = append(out.Selects, selects[pol])
	}
	out.Unknown = why.list
	return out
}

// PodFor returns the pods of o, a Pod or a workload: its template's when it stands in the
// inventory's pod templates; for a Pod a workload controls, the Pod itself, with the labels
// it runs with. A workload controlled by another (a Deployment's ReplicaSet) is an error
// naming the controller, whose template stands for its pods, as is an object without pods.
func (e *Engine) PodFor(o *inventory.Object) (Pod, error) {
	d := e.ns(o.Namespace())
	if p, ok := d.templates[o]; ok {
		return p, nil
	}
	if pod, ok := o.Object().(*corev1.Pod); ok {
		p := PodOf(inventory.PodTemplate{Owner: o, Metadata: &pod.ObjectMeta, Spec: &pod.Spec})
		p.workload = e.workloadOf(d, o)
		return p, nil
	}
	if c := e.controllerOf(o); c != nil {
		if _, ok := d.templates[c]; ok {
			return Pod{}, fmt.Errorf("%s is controlled by %s, whose template stands for its pods: ask about %s", o, c, c)
		}
	}
	return Pod{}, fmt.Errorf("%s holds no pod template", o)
}
