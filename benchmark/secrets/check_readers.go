// secrets:readers inspects, for every namespace that has a Namespace object, holds Secrets or
// has a RoleBinding that grants reading them, who may get, list or watch its Secrets, as the RBAC authorizer decides (inventory/authz):
// ClusterRoleBinding grants, and RoleBinding grants of the namespace, rules restricted by
// resourceNames included (they name the Secrets read). It passes when every such subject is
// the namespace's own, or the control plane's:
//   - own: a ServiceAccount of the namespace (as a ServiceAccount subject or by its user
//     name), or the group system:serviceaccounts:NAMESPACE, which are what its workloads run as;
//   - the control plane: a grant the API server's or kubeadm's default RBAC objects make,
//     recognised by content (internal/rbacdefaults), not by name;
//   - subjects the allowSubjects parameter names ("User NAME", "Group NAME",
//     "ServiceAccount NAMESPACE/NAME", a trailing * for a prefix).
//
// It fails naming each other subject, what it may do, and the binding and role that grant
// it. With no namespace in the input, cluster-wide grants to such subjects fail once, about no
// object. When the RBAC objects were not completely seen, or a binding's role is unknown, a
// namespace with no such subject found is not evaluated. Paths to a Secret's value other
// than reading it (creating pods that mount it, exec into pods, impersonation, nodes' own
// reads) are the rbac benchmark's.

package secrets

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/rbacdefaults"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/authz"
)

// ParamAllowSubjects is the parameter of secrets:readers that lists subjects allowed to read
// Secrets of any namespace.
const ParamAllowSubjects = "allowSubjects"

// Readers returns the check secrets:readers: only a namespace's own service accounts and the
// control plane can read its Secrets.
func Readers() check.Check {
	return check.New(check.Meta{
		ID:      "secrets:readers",
		Section: Section,
		Title:   "Only a namespace's own service accounts and the control plane can read its Secrets",
		Description: "Reading a namespace's Secrets is reading its credentials: database passwords, API keys, TLS " +
			"keys, registry credentials. For each namespace, asks the RBAC engine who may get, list or watch its " +
			"Secrets (cluster-wide and in the namespace, rules restricted by resourceNames included). Passes when " +
			"every such subject is a ServiceAccount of the namespace, the control plane (the API server's and " +
			"kubeadm's default grants, recognised by content) or named by allowSubjects; fails naming the others " +
			"and the binding and role that grant them.",
		Severity: check.High,
		Remediation: "Remove the binding, or bind a Role that lists only the Secrets needed (resourceNames) in the " +
			"namespace that needs them; give people access through a namespace's workloads, not its Secrets; add " +
			"subjects that must read Secrets everywhere (a backup tool, a secrets operator) to allowSubjects.",
		References: []string{refSecrets, refRBACSecrets},
		Kinds:      append([]schema.GroupKind{inventory.KindNamespace, inventory.KindSecret}, authz.Kinds()...),
		Depends:    readersDeps,
		Params: []check.Param{{Name: ParamAllowSubjects, Type: check.ParamStringList, Default: []string{},
			Description: `Subjects allowed to read Secrets anywhere: "User NAME", "Group NAME", "ServiceAccount NAMESPACE/NAME"; a trailing * matches a prefix.`}},
	}, runReaders)
}

// secretReads are the requests that read Secrets, for some name (a rule restricted by
// resourceNames reads those Secrets).
var secretReads = []authz.Request{
	authz.MustParseRequest("get", "secrets").ForSomeName(),
	authz.MustParseRequest("list", "secrets").ForSomeName(),
	authz.MustParseRequest("watch", "secrets").ForSomeName(),
}

// reader is what one binding subject may do to a namespace's Secrets through one binding.
type reader struct {
	g     authz.Grant // the first grant, for the subject, binding and role
	verbs []string
	// names are the Secrets the rules name; empty when some rule names none (every Secret).
	names []string
	all   bool
}

func (r *reader) add(verb string, g authz.Grant) {
	if !slices.Contains(r.verbs, verb) {
		r.verbs = append(r.verbs, verb)
	}
	if len(g.Rule.ResourceNames) == 0 {
		r.all = true
		return
	}
	for _, n := range g.Rule.ResourceNames {
		if !slices.Contains(r.names, n) {
			r.names = append(r.names, n)
		}
	}
}

// String says "User alice may get, list Secrets (ClusterRoleBinding x → ClusterRole y)".
func (r *reader) String() string {
	what := "Secrets"
	if !r.all {
		what = "Secrets " + strings.Join(r.names, ", ")
	}
	return fmt.Sprintf("%s may %s %s (%s → %s)", r.g.Subject, strings.Join(r.verbs, ", "), what, r.g.Binding, r.g.Role)
}

type readerKey struct {
	subject authz.Subject
	binding authz.BindingRef
}

func runReaders(ctx context.Context, pass *check.Pass) error {
	inv := pass.Inventory
	allow, _ := pass.Params[ParamAllowSubjects].([]string)
	e := authz.New(inv)
	defaults := rbacdefaults.WithKubeadm()
	// What each binding subject may read, outside the defaults and the allow-list: through
	// ClusterRoleBindings (key ""), and through RoleBindings, by namespace. Whether a subject
	// is a namespace's own is decided per namespace, below.
	byNS := make(map[string]*readerSet)
	for _, req := range secretReads {
		for _, g := range e.WhoCanAnywhere(req) {
			ns := ""
			if !g.ClusterWide() {
				ns = g.Binding.Namespace
			}
			if defaults.Grants(g, req.In(g.Binding.Namespace)) || allowedSubject(allow, g.Subject) {
				continue
			}
			set := byNS[ns]
			if set == nil {
				set = &readerSet{index: make(map[readerKey]*reader), own: make(map[string]int)}
				byNS[ns] = set
			}
			set.add(req.Verb, g)
		}
	}
	clusterWide := byNS[""]
	if clusterWide == nil {
		clusterWide = &readerSet{}
	}
	incomplete := e.Incomplete()
	namespaces := readerNamespaces(inv, byNS)
	if len(namespaces) == 0 && len(clusterWide.list) > 0 {
		// No namespace is known, but cluster-wide grants read the Secrets of every one.
		pass.Fail(nil, "", "every namespace: "+readersMessage("", incomplete, clusterWide))
	}
	for _, ns := range namespaces {
		if err := ctx.Err(); err != nil {
			return err
		}
		obj := lookup(inv, nil, inventory.KindNamespace, "", ns)
		prefix := ""
		if obj == nil {
			prefix = fmt.Sprintf("namespace %q: ", ns)
		}
		local := byNS[ns]
		switch n := clusterWide.outside(ns) + local.outside(ns); {
		case n > 0:
			pass.Fail(obj, "", prefix+readersMessage(ns, incomplete, clusterWide, local))
		case incomplete != "":
			pass.NotEvaluated(obj, prefix+"no subject outside its own service accounts and the control plane was found "+
				"that can read its Secrets, but "+incomplete)
		default:
			pass.Pass(obj, prefix+"only its own service accounts and the control plane can read its Secrets")
		}
	}
	return nil
}

// readerSet is what binding subjects may read through the bindings of one scope, one reader
// per subject and binding, in the engine's order.
type readerSet struct {
	list  []*reader
	index map[readerKey]*reader
	// own counts the readers that are a namespace's own (ownNamespace), by namespace.
	own map[string]int
}

func (s *readerSet) add(verb string, g authz.Grant) {
	k := readerKey{g.Subject, g.Binding}
	r := s.index[k]
	if r == nil {
		r = &reader{g: g}
		s.index[k] = r
		s.list = append(s.list, r)
		if ns := ownNamespace(g.Subject); ns != "" {
			s.own[ns]++
		}
	}
	r.add(verb, g)
}

// outside returns how many of the set's readers are not namespace ns's own.
func (s *readerSet) outside(ns string) int {
	if s == nil {
		return 0
	}
	return len(s.list) - s.own[ns]
}

// readersMessage names the readers of namespace ns's Secrets that are not its own (ns "": every
// reader), from the sets given (the cluster-wide one, the namespace's), ten at most; incomplete
// says why there may be more.
func readersMessage(ns, incomplete string, sets ...*readerSet) string {
	const most = 10
	total := 0
	var parts []string
	for _, set := range sets {
		if set == nil {
			continue
		}
		if ns == "" {
			total += len(set.list)
		} else {
			total += set.outside(ns)
		}
		for _, r := range set.list {
			if len(parts) == most {
				break
			}
			if ns == "" || ownNamespace(r.g.Subject) != ns {
				parts = append(parts, r.String())
			}
		}
	}
	s := fmt.Sprintf("%s let subjects outside its own service accounts and the control plane read its Secrets: %s",
		plural(total, "grant"), strings.Join(parts, "; "))
	if n := total - len(parts); n > 0 {
		s += fmt.Sprintf("; and %d more", n)
	}
	if incomplete != "" {
		s += "; there may be more: " + incomplete
	}
	return s
}

// readerNamespaces returns the namespaces to judge, sorted: those with a Namespace object,
// those holding Secrets, and those of RoleBindings that grant reading Secrets (grants, by
// namespace).
func readerNamespaces[G any](inv *inventory.Inventory, grants map[string]G) []string {
	seen := map[string]bool{"": true}
	var out []string
	for ns := range grants {
		if !seen[ns] {
			seen[ns] = true
			out = append(out, ns)
		}
	}
	for _, gk := range []schema.GroupKind{inventory.KindNamespace, inventory.KindSecret} {
		for _, o := range inv.ByKind(gk) {
			ns := o.Namespace()
			if gk == inventory.KindNamespace {
				ns = o.Name()
			}
			if !seen[ns] {
				seen[ns] = true
				out = append(out, ns)
			}
		}
	}
	slices.Sort(out)
	return out
}

// ownNamespace returns the namespace whose workloads s is what they run as (one of its
// service accounts, by subject or user name, or the group of all of them), or "".
func ownNamespace(s authz.Subject) string {
	switch s.Kind {
	case authz.KindServiceAccount:
		return s.Namespace
	case authz.KindUser:
		if ns, _, ok := authz.SplitServiceAccountUsername(s.Name); ok {
			return ns
		}
	case authz.KindGroup:
		if ns, ok := strings.CutPrefix(s.Name, authz.ServiceAccountGroupPrefix); ok {
			return ns
		}
	}
	return ""
}

// allowedSubject reports whether a pattern of the allowSubjects parameter names s.
func allowedSubject(patterns []string, s authz.Subject) bool {
	str := s.String()
	for _, p := range patterns {
		if prefix, ok := strings.CutSuffix(p, "*"); ok && strings.HasPrefix(str, prefix) || p == str {
			return true
		}
	}
	return false
}
