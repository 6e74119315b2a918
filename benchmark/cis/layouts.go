package cis

import (
	"fmt"
	"strings"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/flags"
	"github.com/kspm-dev/kspm/inventory"
)

// A node scan says which layouts it recognised on the node (kubeadm, RKE2, k3s), the node's
// role in each, and what it saw that no layout accounts for. The node controls read them:
// a file the layout has no place for is not applicable, with the layout's reason; a file not
// found on a node whose control plane is not accounted for is not evaluated; and "not a
// control-plane node" needs a recognised layout whose files say the node is a worker.

// nodeLayout is one layout a node scan recognised.
type nodeLayout struct {
	name, role, why, datastore string
	evidence, components       []string
	absent                     map[string]string
}

// layoutNames are the layouts' names as their projects write them.
var layoutNames = map[string]string{
	inventory.NodeLayoutKubeadm: "kubeadm", inventory.NodeLayoutRKE2: "RKE2", inventory.NodeLayoutK3s: "k3s",
}

// layoutName returns how messages name layout l.
func layoutName(l string) string {
	if n := layoutNames[l]; n != "" {
		return n
	}
	return l
}

// parseLayouts reads spec.layouts and spec.unrecognised of a NodeFiles object.
func (n *nodeFiles) parseLayouts() {
	list, _ := n.spec["layouts"].([]any)
	for _, it := range list {
		m, ok := it.(map[string]any)
		if !ok {
			continue
		}
		l := nodeLayout{name: str(m, "name"), role: str(m, "nodeRole"), why: str(m, "why"), datastore: str(m, "datastore"),
			evidence: stringList(m["evidence"]), components: stringList(m["components"]), absent: map[string]string{}}
		if abs, ok := m["absent"].(map[string]any); ok {
			for k, v := range abs {
				if s, ok := v.(string); ok {
					l.absent[k] = s
				}
			}
		}
		n.layouts = append(n.layouts, l)
	}
	n.unrecognised = stringList(n.spec["unrecognised"])
}

// stringList returns the strings of a generic list.
func stringList(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, it := range list {
		if s, ok := it.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// describe says which layouts the scan recognised on the node and the node's role, for
// messages.
func (n nodeFiles) describe() string {
	if len(n.layouts) == 0 {
		return "node layout not recognised (kubeadm, RKE2, k3s)"
	}
	parts := make([]string, 0, len(n.layouts))
	for _, l := range n.layouts {
		role := l.role
		if role == "" {
			role = "role not known"
		}
		parts = append(parts, layoutName(l.name)+" "+role)
	}
	return "node layout: " + strings.Join(parts, ", ")
}

// hasLayout reports whether the scan recognised layout name with the node in role ("" for
// any role).
func (n nodeFiles) hasLayout(name, role string) bool {
	for _, l := range n.layouts {
		if l.name == name && (role == "" || l.role == role) {
			return true
		}
	}
	return false
}

// absentByDesign returns why the node's layouts have no file of any of roles, when every
// layout recognised says so.
func (n nodeFiles) absentByDesign(roles []string) string {
	if len(n.layouts) == 0 {
		return ""
	}
	var why []string
	for _, l := range n.layouts {
		reason := ""
		for _, r := range roles {
			if l.absent[r] == "" {
				return ""
			}
			if reason == "" {
				reason = l.absent[r]
			}
		}
		why = append(why, reason)
	}
	return strings.Join(why, "; ")
}

// workerEvidence returns why the node is a worker only: a recognised layout says so and
// none says it is, or may be, a control-plane node.
func (n nodeFiles) workerEvidence() string {
	var ev []string
	for _, l := range n.layouts {
		switch l.role {
		case inventory.NodeRoleWorker:
			e := layoutName(l.name) + " worker"
			if len(l.evidence) > 0 {
				e += ": " + l.evidence[len(l.evidence)-1]
			}
			ev = append(ev, e)
		default:
			return ""
		}
	}
	return strings.Join(ev, "; ")
}

// roleUnknown says why the node's role is not known.
func (n nodeFiles) roleUnknown() string {
	if len(n.layouts) == 0 {
		return "the scan recognised no layout it knows on this node (kubeadm, RKE2, k3s), so whether it runs " +
			"control-plane components is not known"
	}
	var why []string
	for _, l := range n.layouts {
		if l.role == "" {
			why = append(why, layoutName(l.name)+": "+l.why)
		}
	}
	return "whether this node runs control-plane components is not known (" + strings.Join(why, "; ") + ")"
}

// noFile is the verdict when no file of roles was found on node n; what names them.
func (n nodeFiles) noFile(roles []string, controlPlane bool, what string) verdict {
	if reason := n.absentByDesign(roles); reason != "" {
		return verdict{check.StatusNotApplicable, "", reason}
	}
	var searched []string
	for _, r := range roles {
		searched = append(searched, n.searched(r)...)
	}
	where := ""
	if len(searched) > 0 {
		where = " at " + strings.Join(searched, ", ")
	}
	notFound := fmt.Sprintf("no %s found%s", what, where)
	switch {
	case len(n.unrecognised) > 0:
		return unknownf("", "%s, but the node shows what no recognised layout accounts for: %s", notFound,
			strings.Join(n.unrecognised, "; "))
	case controlPlane && !n.controlPlane:
		if w := n.workerEvidence(); w != "" {
			return verdict{check.StatusNotApplicable, "", "not a control-plane node (" + w + ")"}
		}
		return unknownf("", "%s: %s", notFound, n.roleUnknown())
	case len(n.layouts) == 0:
		return unknownf("", "%s, and %s", notFound, "the scan recognised no layout it knows on this node (kubeadm, "+
			"RKE2, k3s): the file may be where the scan did not look")
	}
	return verdict{check.StatusNotApplicable, "", notFound}
}

// components returns the spec.components entries of the node scan.
func (n nodeFiles) components() []map[string]any {
	list, _ := n.spec["components"].([]any)
	var out []map[string]any
	for _, it := range list {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// nodeScans returns the inventory's node scans, their layouts read. An object whose data
// cannot be read is left out: the node file controls report it.
func nodeScans(inv *inventory.Inventory) []nodeFiles {
	var out []nodeFiles
	for _, o := range inv.ByKind(inventory.KindNodeFiles) {
		m, err := o.Map()
		if err != nil {
			continue
		}
		n := nodeFiles{obj: o}
		n.spec, _ = m["spec"].(map[string]any)
		n.parseLayouts()
		out = append(out, n)
	}
	return out
}

// scannedComponent is a component a node scan found inside another program (k3s).
type scannedComponent struct {
	obj   *inventory.Object
	index int
	flags *flags.Set
	// note says where the flags come from, for messages.
	note  string
	error string
}

// scannedComponents returns the components named name that the node scans in inv found
// inside another program, each with its flags: those its configuration gives, and the others
// not known when the program chooses them.
func scannedComponents(inv *inventory.Inventory, name string) []scannedComponent {
	var out []scannedComponent
	for _, n := range nodeScans(inv) {
		for i, comp := range n.components() {
			if str(comp, "name") != name {
				continue
			}
			out = append(out, scannedComponent{obj: n.obj, index: i,
				flags: argsFlags(comp["args"], name, str(comp, "unset"), stringList(comp["notSet"])...),
				note: fmt.Sprintf(" (%s runs %s inside its own process on node %s: flags from %s)", layoutName(str(comp, "layout")),
					name, n.obj.Name(), strings.Join(stringList(comp["from"]), ", ")),
				error: str(comp, "error")})
		}
	}
	return out
}
