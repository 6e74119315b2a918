package netreach

import (
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kspm-dev/kspm/inventory"
)

// Selection is what a label selector selects among the pods of a namespace: the workloads
// (and bare Pods) whose pods it surely selects, and those it may select, with the reasons.
type Selection struct {
	// Selected are the objects whose pods the selector selects (a workload once for its
	// template and every Pod listed for it).
	Selected []*inventory.Object
	// Maybe are the objects whose pods it may select: its requirements read labels set at
	// run time.
	Maybe []*inventory.Object
	// Unknown says why the objects of Maybe may be selected.
	Unknown []string
}

// PodsIn returns the pods of namespace ns: those of every pod template, then every Pod
// listed for a workload; of a workload the manifests define in several places (variants),
// those of every definition. PodsFrom gives the pods one object's world holds.
func (e *Engine) PodsIn(ns string) []Pod { return e.ns(ns).pods }

// PodsFrom returns the pods of namespace ns as the object o sees them: those of PodsIn, but of
// a workload or Pod the manifests define in several places only the definition nearest o (see
// inventory.View). The variants of a workload are alternatives, deployed in different places
// (per environment, HA or not), never all at once, so "some pod of namespace ns" beside o
// means some pod of the definitions o's world holds: each object once, nearest o. A nil o
// views from nowhere in particular (Inventory.From(nil)). The slice may be shared: do not
// modify it.
func (e *Engine) PodsFrom(o *inventory.Object, ns string) []Pod {
	all := e.ns(ns).pods
	if !e.inv.HasVariants() {
		return all
	}
	view := e.inv.From(o)
	var out []Pod
	for i := range all {
		if e.seesPod(view, &all[i]) {
			out = append(out, all[i])
		}
	}
	return out
}

// seesPod reports whether the pods of p are in the world view looks at: its object and, for
// a Pod listed for a workload, that workload too (see sees).
func (e *Engine) seesPod(view inventory.View, p *Pod) bool {
	return e.sees(view, p.Object) && (p.workload == nil || e.sees(view, p.workload))
}

// Select returns what sel selects among the pods of namespace ns (PodsIn: every definition of
// every workload); an invalid selector is an error. SelectFrom answers for one object's world.
func (e *Engine) Select(ns string, sel *metav1.LabelSelector) (Selection, error) {
	s, err := compileSelector(sel)
	if err != nil {
		return Selection{}, err
	}
	return e.selectWith(nil, ns, s), nil
}

// SelectFrom returns what sel, held by object o (a Service, say), selects among the pods of
// namespace ns that o's world holds (see PodsFrom); an invalid selector is an error.
func (e *Engine) SelectFrom(o *inventory.Object, ns string, sel *metav1.LabelSelector) (Selection, error) {
	s, err := compileSelector(sel)
	if err != nil {
		return Selection{}, err
	}
	view := e.inv.From(o)
	return e.selectWith(&view, ns, s), nil
}

// SelectedBy returns the pods of its namespace that policy p's podSelector selects (which
// is every pod when it is empty, and nothing for a policy with an error), among those the
// policy's world holds (see PodsFrom): of a workload defined in several places, only the
// definition nearest the policy.
func (e *Engine) SelectedBy(p *Policy) Selection {
	if p.Err != nil || p.selector == nil {
		return Selection{}
	}
	view := e.inv.From(p.Object)
	return e.selectWith(&view, p.namespace, p.selector)
}

// selectWith returns what s selects among the pods of namespace ns: those view sees, or
// every one when view is nil.
func (e *Engine) selectWith(view *inventory.View, ns string, s *selector) Selection {
	why := &reasons{}
	var out Selection
	// A workload's template and each Pod listed for it are one object: a set, not a scan of
	// the list, keeps a selector that selects most of a large namespace linear.
	selected := make(map[*inventory.Object]bool)
	maybe := make(map[*inventory.Object]bool)
	pods := e.ns(ns).pods
	for i := range pods {
		p := &pods[i]
		if view != nil && !e.seesPod(*view, p) {
			continue
		}
		w := p.Workload()
		switch s.match(p.view()) {
		case Yes:
			if !selected[w] {
				selected[w] = true
				out.Selected = append(out.Selected, w)
			}
		case Unknown:
			if !maybe[w] {
				maybe[w] = true
				out.Maybe = append(out.Maybe, w)
			}
			why.add("%s reads %s, which %s", s.text, strings.Join(s.unknownKeys(p.view()), ", "), p.view().why)
		}
	}
	out.Maybe = slices.DeleteFunc(out.Maybe, func(o *inventory.Object) bool { return selected[o] })
	if len(out.Maybe) > 0 {
		out.Unknown = why.list
	}
	return out
}
