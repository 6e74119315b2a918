package rbacdefaults

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// LabelBootstrapping is the label kube-apiserver puts on the objects of its bootstrap
// policy (value "rbac-defaults"). Anyone may set it on any object: it selects the objects
// to compare with the server, and says nothing about an object in an inventory.
const LabelBootstrapping = "kubernetes.io/bootstrapping"

// Normalize returns a copy of an RBAC object holding only what the policy compares: kind,
// name, namespace, labels other than LabelBootstrapping, rules and aggregation rule, role
// reference and subjects. It returns nil for other objects.
func Normalize(obj runtime.Object) runtime.Object {
	meta := func(m metav1.ObjectMeta) metav1.ObjectMeta {
		out := metav1.ObjectMeta{Name: m.Name, Namespace: m.Namespace}
		for k, v := range m.Labels {
			if k == LabelBootstrapping {
				continue
			}
			if out.Labels == nil {
				out.Labels = make(map[string]string)
			}
			out.Labels[k] = v
		}
		return out
	}
	tm := func(kind string) metav1.TypeMeta {
		return metav1.TypeMeta{APIVersion: rbacv1.SchemeGroupVersion.String(), Kind: kind}
	}
	switch o := obj.(type) {
	case *rbacv1.ClusterRole:
		return &rbacv1.ClusterRole{TypeMeta: tm("ClusterRole"), ObjectMeta: meta(o.ObjectMeta),
			Rules: slices.Clone(o.Rules), AggregationRule: o.AggregationRule.DeepCopy()}
	case *rbacv1.Role:
		return &rbacv1.Role{TypeMeta: tm("Role"), ObjectMeta: meta(o.ObjectMeta), Rules: slices.Clone(o.Rules)}
	case *rbacv1.ClusterRoleBinding:
		return &rbacv1.ClusterRoleBinding{TypeMeta: tm("ClusterRoleBinding"), ObjectMeta: meta(o.ObjectMeta),
			RoleRef: o.RoleRef, Subjects: slices.Clone(o.Subjects)}
	case *rbacv1.RoleBinding:
		return &rbacv1.RoleBinding{TypeMeta: tm("RoleBinding"), ObjectMeta: meta(o.ObjectMeta),
			RoleRef: o.RoleRef, Subjects: slices.Clone(o.Subjects)}
	}
	return nil
}

var kindOrder = []string{"ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"}

// Encode writes objs normalized (see Normalize), one per YAML document, ClusterRoles first,
// then ClusterRoleBindings, Roles and RoleBindings, each by namespace and name, after header
// written as comment lines. The output is what Decode reads, and the same objects always
// encode the same way.
func Encode(header string, objs []runtime.Object) ([]byte, error) {
	type entry struct {
		kind, namespace, name string
		obj                   runtime.Object
	}
	var es []entry
	for _, o := range objs {
		n := Normalize(o)
		if n == nil {
			return nil, fmt.Errorf("%T is not an RBAC role or binding", o)
		}
		m, err := metaOf(n)
		if err != nil {
			return nil, err
		}
		es = append(es, entry{n.GetObjectKind().GroupVersionKind().Kind, m.Namespace, m.Name, n})
	}
	slices.SortFunc(es, func(a, b entry) int {
		return cmp.Or(cmp.Compare(slices.Index(kindOrder, a.kind), slices.Index(kindOrder, b.kind)),
			cmp.Compare(a.namespace, b.namespace), cmp.Compare(a.name, b.name))
	})
	var w bytes.Buffer
	for _, line := range strings.Split(strings.TrimRight(header, "\n"), "\n") {
		w.WriteString(strings.TrimRight("# "+line, " ") + "\n")
	}
	for _, e := range es {
		m, _ := metaOf(e.obj)
		fmt.Fprintf(&w, "---\napiVersion: %s\nkind: %s\nmetadata: {%s}\n", rbacv1.SchemeGroupVersion, e.kind, metaFlow(m))
		switch o := e.obj.(type) {
		case *rbacv1.ClusterRole:
			if o.AggregationRule != nil {
				w.WriteString("aggregationRule:\n  clusterRoleSelectors:\n")
				for _, s := range o.AggregationRule.ClusterRoleSelectors {
					fmt.Fprintf(&w, "  - %s\n", mustJSON(s))
				}
			}
			writeRules(&w, o.Rules)
		case *rbacv1.Role:
			writeRules(&w, o.Rules)
		case *rbacv1.ClusterRoleBinding:
			writeBinding(&w, o.RoleRef, o.Subjects)
		case *rbacv1.RoleBinding:
			writeBinding(&w, o.RoleRef, o.Subjects)
		}
	}
	return w.Bytes(), nil
}

func metaOf(o runtime.Object) (*metav1.ObjectMeta, error) {
	switch o := o.(type) {
	case *rbacv1.ClusterRole:
		return &o.ObjectMeta, nil
	case *rbacv1.Role:
		return &o.ObjectMeta, nil
	case *rbacv1.ClusterRoleBinding:
		return &o.ObjectMeta, nil
	case *rbacv1.RoleBinding:
		return &o.ObjectMeta, nil
	}
	return nil, fmt.Errorf("%T is not an RBAC role or binding", o)
}

// metaFlow returns `name: "n", namespace: "ns", labels: {"k": "v"}`.
func metaFlow(m *metav1.ObjectMeta) string {
	parts := []string{"name: " + mustJSON(m.Name)}
	if m.Namespace != "" {
		parts = append(parts, "namespace: "+mustJSON(m.Namespace))
	}
	if len(m.Labels) > 0 {
		var ls []string
		for _, k := range slices.Sorted(maps.Keys(m.Labels)) {
			ls = append(ls, mustJSON(k)+": "+mustJSON(m.Labels[k]))
		}
		parts = append(parts, "labels: {"+strings.Join(ls, ", ")+"}")
	}
	return strings.Join(parts, ", ")
}

// writeRules writes `rules:` and one flow mapping per rule (JSON strings are YAML flow
// scalars, so "*" and "" need no further quoting).
func writeRules(w *bytes.Buffer, rules []rbacv1.PolicyRule) {
	if len(rules) == 0 {
		w.WriteString("rules: []\n")
		return
	}
	w.WriteString("rules:\n")
	for _, r := range rules {
		var parts []string
		add := func(name string, vals []string) {
			if len(vals) > 0 {
				parts = append(parts, name+": "+mustJSON(vals))
			}
		}
		add("apiGroups", r.APIGroups)
		add("resources", r.Resources)
		add("resourceNames", r.ResourceNames)
		add("nonResourceURLs", r.NonResourceURLs)
		add("verbs", r.Verbs)
		fmt.Fprintf(w, "- {%s}\n", strings.Join(parts, ", "))
	}
}

func writeBinding(w *bytes.Buffer, ref rbacv1.RoleRef, subjects []rbacv1.Subject) {
	fmt.Fprintf(w, "roleRef: {apiGroup: %s, kind: %s, name: %s}\n", mustJSON(ref.APIGroup), mustJSON(ref.Kind), mustJSON(ref.Name))
	if len(subjects) == 0 {
		w.WriteString("subjects: []\n")
		return
	}
	w.WriteString("subjects:\n")
	for _, s := range subjects {
		parts := []string{"kind: " + mustJSON(s.Kind)}
		if s.APIGroup != "" {
			parts = append(parts, "apiGroup: "+mustJSON(s.APIGroup))
		}
		if s.Namespace != "" {
			parts = append(parts, "namespace: "+mustJSON(s.Namespace))
		}
		parts = append(parts, "name: "+mustJSON(s.Name))
		fmt.Fprintf(w, "- {%s}\n", strings.Join(parts, ", "))
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // strings, string slices and label selectors always marshal
	}
	return string(b)
}
