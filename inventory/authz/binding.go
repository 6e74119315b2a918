package authz

import (
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/kspm-dev/kspm/inventory"
)

// Binding kinds.
const (
	KindRoleBinding        = "RoleBinding"
	KindClusterRoleBinding = "ClusterRoleBinding"
)

// RoleStatus says what the engine knows about the role a binding references.
type RoleStatus string

// Role statuses.
const (
	// RoleFound: the role is in the inventory (or is a built-in stand-in); the binding grants
	// its rules.
	RoleFound RoleStatus = "found"
	// RoleMissing: the role is not in the inventory, which holds every role of its kind: the
	// binding grants nothing today, and a role created later with that name is granted to
	// its subjects at once.
	RoleMissing RoleStatus = "missing"
	// RoleUnknown: the role is not in the inventory, but may exist (its kind was not
	// completely seen, or it is a built-in role that manifests do not carry): what the
	// binding grants is unknown.
	RoleUnknown RoleStatus = "unknown"
	// RoleInvalid: the reference can never resolve (a kind other than Role and ClusterRole,
	// or a ClusterRoleBinding referencing a Role): the binding grants nothing.
	RoleInvalid RoleStatus = "invalid"
)

// Binding is a RoleBinding or ClusterRoleBinding with its role resolved.
type Binding struct {
	// Kind is "RoleBinding" or "ClusterRoleBinding".
	Kind string
	// Namespace is a RoleBinding's namespace; empty for a ClusterRoleBinding.
	Namespace string
	// Name is the binding's name.
	Name string
	// Object is the binding in the inventory.
	Object *inventory.Object
	// RoleRef is the binding's role reference as written.
	RoleRef rbacv1.RoleRef
	// Role is the referenced role when RoleStatus is RoleFound, else nil.
	Role *Role
	// RoleStatus says whether the role was found.
	RoleStatus RoleStatus
	// RoleReason explains a RoleStatus other than RoleFound.
	RoleReason string
	// Subjects are the binding's subjects in order, a ServiceAccount's namespace defaulted to
	// a RoleBinding's namespace.
	Subjects []Subject

	// dup marks subjects that repeat an earlier subject of the binding.
	dup []bool
	// ord is the binding's position in Engine.Bindings.
	ord int
}

// ClusterWide reports whether the binding grants in every namespace (a ClusterRoleBinding).
func (b *Binding) ClusterWide() bool { return b.Kind == KindClusterRoleBinding }

// Ref returns the binding's reference for grants.
func (b *Binding) Ref() BindingRef {
	return BindingRef{Kind: b.Kind, Namespace: b.Namespace, Name: b.Name, Object: b.Object}
}

// RoleRefString names the referenced role: "ClusterRole name" or "Role namespace/name".
func (b *Binding) RoleRefString() string {
	if b.RoleRef.Kind == KindRole {
		return RoleRef{Kind: KindRole, Namespace: b.Namespace, Name: b.RoleRef.Name}.String()
	}
	return RoleRef{Kind: b.RoleRef.Kind, Name: b.RoleRef.Name}.String()
}

// String returns "ClusterRoleBinding name" or "RoleBinding namespace/name".
func (b *Binding) String() string { return b.Ref().String() }

// BindingRef names a binding in a grant.
type BindingRef struct {
	// Kind is KindRoleBinding or KindClusterRoleBinding.
	Kind string `json:"kind"`
	// Namespace is a RoleBinding's namespace; empty for a ClusterRoleBinding.
	Namespace string `json:"namespace,omitempty"`
	// Name is the binding's name.
	Name string `json:"name"`
	// Object is the binding in the inventory.
	Object *inventory.Object `json:"-"`
}

// String returns "ClusterRoleBinding name" or "RoleBinding namespace/name".
func (r BindingRef) String() string {
	if r.Namespace == "" {
		return r.Kind + " " + r.Name
	}
	return r.Kind + " " + r.Namespace + "/" + r.Name
}

// Grant is one reason a subject may make a request: the binding that names the subject, the
// role it binds, and the rule that allows the request.
type Grant struct {
	// Subject is the subject as the binding names it (a user granted through a group shows
	// up as the group).
	Subject Subject `json:"subject"`
	// SubjectIndex is the subject's position in the binding's subjects.
	SubjectIndex int `json:"subjectIndex"`
	// Binding is the RoleBinding or ClusterRoleBinding.
	Binding BindingRef `json:"binding"`
	// Role is the bound Role or ClusterRole.
	Role RoleRef `json:"role"`
	// Rule is the rule that allows the request.
	Rule Rule `json:"rule"`
}

// ClusterWide reports whether the grant applies in every namespace (it comes from a
// ClusterRoleBinding).
func (g Grant) ClusterWide() bool { return g.Binding.Kind == KindClusterRoleBinding }

// Scope returns "cluster-wide" or `in namespace "NS"`.
func (g Grant) Scope() string {
	if g.ClusterWide() {
		return "cluster-wide"
	}
	return fmt.Sprintf("in namespace %q", g.Binding.Namespace)
}

// String returns the chain subject → binding → role → rule.
func (g Grant) String() string {
	return g.Subject.String() + " → " + g.Binding.String() + " → " + g.Role.String() + " → " + g.Rule.String()
}
