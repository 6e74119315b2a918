package rbacdefaults

import (
	_ "embed"
	"fmt"
	"slices"
	"sync"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/kspm-dev/kspm/internal/yamldoc"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/authz"
)

var (
	//go:embed apiserver.yaml
	apiserverYAML []byte
	//go:embed kubeadm.yaml
	kubeadmYAML []byte
)

// Policy is a set of default RBAC objects, resolved once (aggregated ClusterRoles included)
// by an authz.Engine. It is immutable and safe for concurrent use.
type Policy struct {
	objects  []runtime.Object
	engine   *authz.Engine
	bindings map[bindingKey]*authz.Binding
}

type bindingKey struct{ kind, namespace, name string }

// APIServer returns the bootstrap policy of kube-apiserver. It is built once per process.
func APIServer() *Policy { return apiServerPolicy() }

// WithKubeadm returns the bootstrap policy of kube-apiserver plus the objects kubeadm
// creates. It is built once per process.
func WithKubeadm() *Policy { return kubeadmPolicy() }

var (
	apiServerPolicy = sync.OnceValue(func() *Policy { return mustPolicy(apiserverYAML) })
	kubeadmPolicy   = sync.OnceValue(func() *Policy { return mustPolicy(apiserverYAML, kubeadmYAML) })
)

// mustPolicy builds a policy from embedded files; they are part of the binary, and a test
// loads them, so an error is a build defect.
func mustPolicy(files ...[]byte) *Policy {
	var objs []runtime.Object
	for _, f := range files {
		decoded, err := Decode(f)
		if err != nil {
			panic(fmt.Sprintf("rbacdefaults: embedded policy: %v", err))
		}
		objs = append(objs, decoded...)
	}
	p, err := newPolicy(objs)
	if err != nil {
		panic(fmt.Sprintf("rbacdefaults: embedded policy: %v", err))
	}
	return p
}

func newPolicy(objs []runtime.Object) (*Policy, error) {
	inv, err := inventory.New(objs...)
	if err != nil {
		return nil, err
	}
	e := authz.New(inv)
	p := &Policy{objects: objs, engine: e, bindings: make(map[bindingKey]*authz.Binding)}
	for _, b := range e.Bindings() {
		if b.RoleStatus != authz.RoleFound {
			return nil, fmt.Errorf("%s: %s", b, b.RoleReason)
		}
		p.bindings[bindingKey{b.Kind, b.Namespace, b.Name}] = b
	}
	if errs := e.Problems(); len(errs) > 0 {
		return nil, errs[0]
	}
	return p, nil
}

// Decode reads a YAML stream of ClusterRoles, ClusterRoleBindings, Roles and RoleBindings
// (rbac.authorization.k8s.io/v1), one object per document.
func Decode(data []byte) ([]runtime.Object, error) {
	var out []runtime.Object
	for _, d := range yamldoc.Split(data) {
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
		}
		if err := yaml.Unmarshal(d.Data, &head); err != nil {
			return nil, fmt.Errorf("line %d: %w", d.ContentLine, err)
		}
		if head.APIVersion != rbacv1.SchemeGroupVersion.String() {
			return nil, fmt.Errorf("line %d: apiVersion %q, want %s", d.ContentLine, head.APIVersion, rbacv1.SchemeGroupVersion)
		}
		var obj runtime.Object
		switch head.Kind {
		case "ClusterRole":
			obj = &rbacv1.ClusterRole{}
		case "ClusterRoleBinding":
			obj = &rbacv1.ClusterRoleBinding{}
		case "Role":
			obj = &rbacv1.Role{}
		case "RoleBinding":
			obj = &rbacv1.RoleBinding{}
		default:
			return nil, fmt.Errorf("line %d: kind %q is not an RBAC object", d.ContentLine, head.Kind)
		}
		if err := yaml.UnmarshalStrict(d.Data, obj); err != nil {
			return nil, fmt.Errorf("line %d: %s: %w", d.ContentLine, head.Kind, err)
		}
		out = append(out, obj)
	}
	return out, nil
}

// Objects returns a copy of the policy's objects, in file order.
func (p *Policy) Objects() []runtime.Object {
	out := make([]runtime.Object, len(p.objects))
	for i, o := range p.objects {
		out[i] = o.DeepCopyObject()
	}
	return out
}

// Bindings returns the policy's bindings as its engine resolved them: ClusterRoleBindings
// by name, then RoleBindings by namespace and name. The slice is shared: do not modify it.
func (p *Policy) Bindings() []*authz.Binding { return p.engine.Bindings() }

// Role returns the default role of kind ("Role" or "ClusterRole") named name (in namespace
// for a Role) with its effective rules, or nil when the policy has none.
func (p *Policy) Role(kind, namespace, name string) *authz.Role {
	return p.engine.Role(kind, namespace, name)
}

// binding returns the default binding of that kind, namespace and name whose roleRef is
// (roleKind, roleName) and which names s, or nil.
func (p *Policy) binding(kind, namespace, name, roleKind, roleName string, s authz.Subject) *authz.Binding {
	d := p.bindings[bindingKey{kind, namespace, name}]
	if d == nil || d.RoleRef.Kind != roleKind || d.RoleRef.Name != roleName || !slices.Contains(d.Subjects, s) {
		return nil
	}
	return d
}

// NamesSubject reports whether some default binding names s.
func (p *Policy) NamesSubject(s authz.Subject) bool {
	return len(p.engine.SubjectBindings(s)) > 0
}

// Binds reports whether binding b is a default binding for subject s: b has the kind,
// namespace, name and role reference of a default binding that names s, and, when b's role
// is known, every rule of that role allows nothing the default role's rules do not (so a
// default role edited to grant more makes its bindings no longer default). When b's role is
// not in the inventory, the binding is judged on its own content.
func (p *Policy) Binds(b *authz.Binding, s authz.Subject) bool {
	d := p.binding(b.Kind, b.Namespace, b.Name, b.RoleRef.Kind, b.RoleRef.Name, s)
	if d == nil {
		return false
	}
	if b.RoleStatus != authz.RoleFound {
		return true
	}
	for i := range b.Role.Rules {
		if !coveredBy(&b.Role.Rules[i].PolicyRule, d.Role.Rules) {
			return false
		}
	}
	return true
}

// Grants reports whether the default policy itself grants g.Subject the request req through
// g's binding: that binding has the kind, namespace, name and role of a default binding that
// names g.Subject, and the default role allows req. A grant through a default binding whose
// role was edited to allow req is not a default grant.
func (p *Policy) Grants(g authz.Grant, req authz.Request) bool {
	d := p.binding(g.Binding.Kind, g.Binding.Namespace, g.Binding.Name, g.Role.Kind, g.Role.Name, g.Subject)
	if d == nil {
		return false
	}
	for i := range d.Role.Rules {
		if authz.RuleAllows(&d.Role.Rules[i].PolicyRule, req) {
			return true
		}
	}
	return false
}

// DefaultRule reports whether r allows nothing that one rule of the default role of kind,
// namespace and name does not allow. It is false when the policy has no such role.
func (p *Policy) DefaultRule(kind, namespace, name string, r *rbacv1.PolicyRule) bool {
	d := p.Role(kind, namespace, name)
	return d != nil && coveredBy(r, d.Rules)
}
