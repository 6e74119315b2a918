package authz

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kspm-dev/kspm/inventory"
)

// Role kinds, as role references spell them.
const (
	KindRole        = "Role"
	KindClusterRole = "ClusterRole"
)

// ClusterAdmin is the name of the built-in ClusterRole that allows everything.
const ClusterAdmin = "cluster-admin"

// Rule is one rule of a role's effective rules.
type Rule struct {
	// Index is the rule's position in the role's effective rules: for an aggregated
	// ClusterRole read from manifests, in the rules the aggregation controller would write.
	Index int `json:"index"`
	// AggregatedFrom names the ClusterRole the rule was aggregated from, when the engine
	// resolved the role's aggregationRule.
	AggregatedFrom string `json:"aggregatedFrom,omitempty"`
	rbacv1.PolicyRule
}

// String describes the rule, e.g.
// `rule #0 (verbs: get, list; apiGroups: ""; resources: secrets)`.
func (r Rule) String() string {
	var parts []string
	add := func(name string, vals []string) {
		if len(vals) == 0 {
			return
		}
		q := make([]string, len(vals))
		for i, v := range vals {
			if v == "" {
				v = `""`
			}
			q[i] = v
		}
		parts = append(parts, name+": "+strings.Join(q, ", "))
	}
	add("verbs", r.Verbs)
	add("apiGroups", r.APIGroups)
	add("resources", r.Resources)
	add("resourceNames", r.ResourceNames)
	add("nonResourceURLs", r.NonResourceURLs)
	s := fmt.Sprintf("rule #%d (%s)", r.Index, strings.Join(parts, "; "))
	if r.AggregatedFrom != "" {
		s += " aggregated from ClusterRole " + r.AggregatedFrom
	}
	return s
}

// Role is a Role or ClusterRole with its effective rules.
type Role struct {
	// Kind is "Role" or "ClusterRole".
	Kind string
	// Namespace is a Role's namespace; empty for a ClusterRole.
	Namespace string
	// Name is the role's name.
	Name string
	// Object is the role in the inventory; nil for a built-in stand-in (see Builtin).
	Object *inventory.Object
	// Rules are the effective rules.
	Rules []Rule
	// Aggregated reports that Rules were resolved from the ClusterRole's aggregationRule.
	Aggregated bool
	// Incomplete, for an aggregated ClusterRole resolved from manifests, says why Rules may
	// lack rules the role has in the cluster: its selectors match a built-in ClusterRole the
	// input does not hold (such as system:aggregate-to-admin), or its stored rules include
	// some that no ClusterRole of the input supplies. Empty when Rules are all there is.
	Incomplete string
	// Builtin reports a stand-in for a built-in role that the input lacks but every cluster
	// has with fixed rules (cluster-admin).
	Builtin bool
}

// Ref returns the role's reference for grants.
func (r *Role) Ref() RoleRef {
	return RoleRef{Kind: r.Kind, Namespace: r.Namespace, Name: r.Name, Object: r.Object}
}

// RoleRef names a role in a grant.
type RoleRef struct {
	// Kind is KindRole or KindClusterRole.
	Kind string `json:"kind"`
	// Namespace is a Role's namespace (the binding's); empty for a ClusterRole.
	Namespace string `json:"namespace,omitempty"`
	// Name is the role's name.
	Name string `json:"name"`
	// Object is the role in the inventory (nil for a built-in stand-in).
	Object *inventory.Object `json:"-"`
}

// String returns "ClusterRole name" or "Role namespace/name".
func (r RoleRef) String() string {
	if r.Namespace == "" {
		return r.Kind + " " + r.Name
	}
	return r.Kind + " " + r.Namespace + "/" + r.Name
}

func toRules(prs []rbacv1.PolicyRule) []Rule {
	out := make([]Rule, len(prs))
	for i, pr := range prs {
		out[i] = Rule{Index: i, PolicyRule: pr}
	}
	return out
}

// clusterAdminStandIn is the built-in cluster-admin ClusterRole's rules: everything, on
// every resource and every non-resource URL.
func clusterAdminStandIn() *Role {
	return &Role{Kind: KindClusterRole, Name: ClusterAdmin, Builtin: true, Rules: toRules([]rbacv1.PolicyRule{
		{Verbs: []string{rbacv1.VerbAll}, APIGroups: []string{rbacv1.APIGroupAll}, Resources: []string{rbacv1.ResourceAll}},
		{Verbs: []string{rbacv1.VerbAll}, NonResourceURLs: []string{rbacv1.NonResourceAll}},
	})}
}

// isBuiltinRoleName reports whether a role of this kind, namespace and name is one the API
// server or kubeadm creates in every cluster (so that its absence from manifests says
// nothing about the cluster).
func isBuiltinRoleName(kind, namespace, name string) bool {
	switch kind {
	case KindClusterRole:
		switch name {
		case ClusterAdmin, "admin", "edit", "view":
			return true
		}
		return strings.HasPrefix(name, "system:") || strings.HasPrefix(name, "kubeadm:")
	case KindRole:
		if namespace != "kube-system" && namespace != "kube-public" {
			return false
		}
		return strings.HasPrefix(name, "system:") || strings.HasPrefix(name, "kubeadm:") ||
			name == "extension-apiserver-authentication-reader" || name == "kube-proxy"
	}
	return false
}

// aggregator resolves aggregationRules over a set of ClusterRoles, as the aggregation
// controller would settle them: each aggregated role's rules are the rules of the other
// ClusterRoles its selectors match, in selector order, matched roles by name, duplicates
// dropped. A matched role that aggregates in turn contributes its own resolved rules. Of a
// ClusterRole defined in several places (variants), an aggregated role considers only the
// definition nearest it (see nearest).
type aggregator struct {
	defined    map[string]bool             // names of the ClusterRoles
	sorted     []*rbacv1.ClusterRole       // by name, definitions of one name in input order
	state      map[*rbacv1.ClusterRole]int // 0 new, 1 resolving, 2 done
	resolved   map[*rbacv1.ClusterRole][]Rule
	incomplete map[*rbacv1.ClusterRole]string // see Role.Incomplete
	problems   []error

	// nearest, when the input has variants, returns the definition of the ClusterRole name
	// nearest from; where names a definition's source for messages.
	nearest func(from *rbacv1.ClusterRole, name string) *rbacv1.ClusterRole
	where   func(cr *rbacv1.ClusterRole) string
}

// builtinLabelledRole is a ClusterRole every cluster has (the API server's bootstrap policy
// creates it) and that aggregation selectors commonly match.
type builtinLabelledRole struct {
	name   string
	labels labels.Set
}

// builtinLabelledRoles are the bootstrap ClusterRoles that carry aggregation labels, and a
// stand-in for every other bootstrap role, which carries only the bootstrapping label.
var builtinLabelledRoles = func() []builtinLabelledRole {
	const (
		boot    = "kubernetes.io/bootstrapping"
		toAdmin = "rbac.authorization.k8s.io/aggregate-to-admin"
		toEdit  = "rbac.authorization.k8s.io/aggregate-to-edit"
		toView  = "rbac.authorization.k8s.io/aggregate-to-view"
	)
	set := func(kv ...string) labels.Set {
		s := labels.Set{boot: "rbac-defaults"}
		for i := 0; i+1 < len(kv); i += 2 {
			s[kv[i]] = kv[i+1]
		}
		return s
	}
	return []builtinLabelledRole{
		{"edit", set(toAdmin, "true")},
		{"view", set(toEdit, "true")},
		{"system:aggregate-to-admin", set(toAdmin, "true")},
		{"system:aggregate-to-edit", set(toEdit, "true")},
		{"system:aggregate-to-view", set(toView, "true")},
		{"", set()}, // any other bootstrap role, cluster-admin included
	}
}()

func newAggregator(crs []*rbacv1.ClusterRole) *aggregator {
	a := &aggregator{
		defined:    make(map[string]bool, len(crs)),
		state:      make(map[*rbacv1.ClusterRole]int),
		resolved:   make(map[*rbacv1.ClusterRole][]Rule),
		incomplete: make(map[*rbacv1.ClusterRole]string),
	}
	for _, cr := range crs {
		a.defined[cr.Name] = true
		a.sorted = append(a.sorted, cr)
	}
	slices.SortStableFunc(a.sorted, func(x, y *rbacv1.ClusterRole) int { return strings.Compare(x.Name, y.Name) })
	return a
}

// describe names cr in problems: "ClusterRole name", followed by its source when the input
// has variants.
func (a *aggregator) describe(cr *rbacv1.ClusterRole) string {
	s := "ClusterRole " + cr.Name
	if a.where != nil {
		if w := a.where(cr); w != "" {
			s += " (" + w + ")"
		}
	}
	return s
}

// rules returns the effective rules of the ClusterRole cr, and whether they were aggregated.
func (a *aggregator) rules(cr *rbacv1.ClusterRole) ([]Rule, bool) {
	if cr.AggregationRule == nil {
		return toRules(cr.Rules), false
	}
	switch a.state[cr] {
	case 2:
		return a.resolved[cr], true
	case 1:
		// A cycle: the controller would read this role's stored rules at this point.
		a.problems = append(a.problems, fmt.Errorf("%s: aggregationRule selects itself through other aggregated roles; using its stored rules there", a.describe(cr)))
		return toRules(cr.Rules), false
	}
	a.state[cr] = 1
	var selectors []labels.Selector
	for i := range cr.AggregationRule.ClusterRoleSelectors {
		sel, err := metav1.LabelSelectorAsSelector(&cr.AggregationRule.ClusterRoleSelectors[i])
		if err != nil {
			// The controller fails and leaves the stored rules in place.
			a.problems = append(a.problems, fmt.Errorf("%s: aggregationRule selector #%d: %w; using its stored rules", a.describe(cr), i, err))
			a.state[cr] = 2
			a.resolved[cr] = toRules(cr.Rules)
			return a.resolved[cr], false
		}
		selectors = append(selectors, sel)
	}
	var (
		out     []Rule
		inOut   = make(map[string]bool) // ruleKey of every rule of out
		missing []string                // why out may lack rules
	)
	note := func(why string) {
		if !slices.Contains(missing, why) {
			missing = append(missing, why)
		}
	}
	var builtins []string // built-in ClusterRoles selected that the input does not define
	for _, sel := range selectors {
		for _, b := range builtinLabelledRoles {
			if a.defined[b.name] || !sel.Matches(b.labels) {
				continue
			}
			n := b.name
			if n == "" {
				n = "the other bootstrap roles"
			}
			if !slices.Contains(builtins, n) {
				builtins = append(builtins, n)
			}
		}
		for _, other := range a.sorted {
			if other.Name == cr.Name || !sel.Matches(labels.Set(other.Labels)) ||
				a.nearest != nil && a.nearest(cr, other.Name) != other {
				continue
			}
			childRules, aggregated := a.rules(other)
			if why := a.incomplete[other]; why != "" {
				note("it aggregates ClusterRole " + other.Name + ", whose rules are incomplete (" + why + ")")
			}
			for _, r := range childRules {
				k := ruleKey(&r.PolicyRule)
				if inOut[k] {
					continue
				}
				inOut[k] = true
				from := other.Name
				if aggregated && r.AggregatedFrom != "" {
					from = r.AggregatedFrom
				}
				out = append(out, Rule{Index: len(out), AggregatedFrom: from, PolicyRule: r.PolicyRule})
			}
		}
	}
	if len(builtins) > 0 {
		note("its aggregationRule selects built-in ClusterRoles the input does not define: " + strings.Join(builtins, ", "))
	}
	// Stored rules the input's roles do not produce were written by the controller from
	// ClusterRoles the input lacks (a partial dump), or by hand, and the controller will drop
	// them: either way the input does not show every rule the role aggregates.
	for i := range cr.Rules {
		if !inOut[ruleKey(&cr.Rules[i])] {
			note(fmt.Sprintf("its stored %s comes from no ClusterRole of the input", Rule{Index: i, PolicyRule: cr.Rules[i]}))
		}
	}
	if len(missing) > 0 {
		a.incomplete[cr] = strings.Join(missing, "; ")
	}
	a.state[cr] = 2
	a.resolved[cr] = out
	return out, true
}

// ruleKey returns a key equal for two rules exactly when they have the same lists, nil and
// empty lists alike, so that rules are told apart by a map look-up rather than by comparing
// each with every other.
func ruleKey(r *rbacv1.PolicyRule) string {
	var b strings.Builder
	for _, list := range [][]string{r.Verbs, r.APIGroups, r.Resources, r.ResourceNames, r.NonResourceURLs} {
		for _, v := range list {
			b.WriteString(strconv.Quote(v))
		}
		b.WriteByte('|')
	}
	return b.String()
}
