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
// listed for a workload.
func (e *Engine) PodsIn(ns string) []Pod { return e.ns(ns).pods }

// Select returns what sel selects among the pods of namespace ns; an invalid selector is an
// error.
func (e *Engine) Select(ns string, sel *metav1.LabelSelector) (Selection, error) {
	s, err := compileSelector(sel)
	if err != nil {
		return Selection{}, err
	}
	return e.selectWith(ns, s), nil
}

// SelectedBy returns the pods of its namespace that policy p's podSelector selects (which
// is every pod when it is empty, and nothing for a policy with an error).
func (e *Engine) SelectedBy(p *Policy) Selection {
	if p.Err != nil || p.selector == nil {
		return Selection{}
	}
	return e.selectWith(p.namespace, p.selector)
}

func (e *Engine) selectWith(ns string, s *selector) Selection {
	why := &reasons{}
	var out Selection
	pods := e.ns(ns).pods
	for i := range pods {
		p := &pods[i]
		w := p.Workload()
		switch s.match(p.view()) {
		case Yes:
			if !slices.Contains(out.Selected, w) {
				out.Selected = append(out.Selected, w)
			}
		case Unknown:
			if !slices.Contains(out.Maybe, w) {
				out.Maybe = append(out.Maybe, w)
			}
			why.add("%s reads %s, which %s", s.text, strings.Join(s.unknownKeys(p.view()), ", "), p.view().why)
		}
	}
	out.Maybe = slices.DeleteFunc(out.Maybe, func(o *inventory.Object) bool { return slices.Contains(out.Selected, o) })
	if len(out.Maybe) > 0 {
		out.Unknown = why.list
	}
	return out
}
