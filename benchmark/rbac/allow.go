package rbac

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/rbacdefaults"
	"github.com/kspm-dev/kspm/inventory/authz"
)

// Parameters every check of the benchmark reads (set them with kspm.WithParams):
//
//	"allow":            []string of extra AllowEntry lines ("BINDING -> ROLE -> SUBJECT")
//	"defaultAllowList": bool; false reports the grants of the default RBAC objects too
//	                    (default true: see DefaultAllowList)
const (
	ParamAllow            = "allow"
	ParamDefaultAllowList = "defaultAllowList"
)

// AllowEntry names a grant that is expected and not reported: a binding, the role it binds,
// and one of its subjects. Each part is a pattern: exact text, "*" for anything, or text
// ending in "*" for a prefix. An empty part matches anything.
//
// Bindings are written "ClusterRoleBinding NAME" or "RoleBinding NAMESPACE/NAME"; roles
// "ClusterRole NAME" or "Role NAME" (a Role lives in its binding's namespace); subjects
// "User NAME", "Group NAME" or "ServiceAccount NAMESPACE/NAME". As a line:
//
//	ClusterRoleBinding system:kube-dns -> ClusterRole system:kube-dns -> ServiceAccount kube-system/kube-dns
//
// Entries match by name. Names can be chosen by anyone allowed to create bindings, so keep
// entries exact, and keep the allow-list in mind when reading a pass. (The default grants are
// not matched by name: see DefaultAllowList.)
type AllowEntry struct {
	// Binding is "ClusterRoleBinding NAME" or "RoleBinding NAMESPACE/NAME" (a pattern).
	Binding string `json:"binding"`
	// Role is "ClusterRole NAME" or "Role NAME" (a pattern).
	Role string `json:"role"`
	// Subject is "User NAME", "Group NAME" or "ServiceAccount NAMESPACE/NAME" (a pattern).
	Subject string `json:"subject"`
}

// String returns the entry as a line "BINDING -> ROLE -> SUBJECT".
func (a AllowEntry) String() string {
	return a.Binding + " -> " + a.Role + " -> " + a.Subject
}

// ParseAllowEntry parses a line "BINDING -> ROLE -> SUBJECT".
func ParseAllowEntry(s string) (AllowEntry, error) {
	parts := strings.Split(s, "->")
	if len(parts) != 3 {
		return AllowEntry{}, fmt.Errorf("allow entry %q: want BINDING -> ROLE -> SUBJECT", s)
	}
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return AllowEntry{Binding: parts[0], Role: parts[1], Subject: parts[2]}, nil
}

// allowList is what a check does not report: the entries of the "allow" parameter, matched
// by name, and the default RBAC objects of the API server and kubeadm, recognised by content.
type allowList struct {
	entries []AllowEntry
	// defaults is nil when the "defaultAllowList" parameter is false.
	defaults *rbacdefaults.Policy
}

func matchPattern(pattern, s string) bool {
	switch {
	case pattern == "" || pattern == "*":
		return true
	case strings.HasSuffix(pattern, "*"):
		return strings.HasPrefix(s, strings.TrimSuffix(pattern, "*"))
	}
	return pattern == s
}

// bindingString, roleString and subjectString spell a grant's parts as AllowEntry does.
func bindingString(kind, namespace, name string) string {
	if kind == authz.KindRoleBinding {
		return kind + " " + namespace + "/" + name
	}
	return kind + " " + name
}

func roleString(kind, name string) string { return kind + " " + name }

// named reports whether an entry names the binding, role and subject.
func (l allowList) named(bs, rs string, s authz.Subject) bool {
	ss := s.String()
	for _, a := range l.entries {
		if matchPattern(a.Binding, bs) && matchPattern(a.Role, rs) && matchPattern(a.Subject, ss) {
			return true
		}
	}
	return false
}

// allows reports whether the list allows subject s of binding b and whatever b's role
// grants: an entry names them, or b is a default binding for s whose role grants no more
// than the default role (see rbacdefaults.Policy.Binds).
func (l allowList) allows(b *authz.Binding, s authz.Subject) bool {
	return l.named(bindingString(b.Kind, b.Namespace, b.Name), roleString(b.RoleRef.Kind, b.RoleRef.Name), s) ||
		l.defaults != nil && l.defaults.Binds(b, s)
}

// allowsRequest reports whether the list allows grant g of request req: an entry names its
// binding, role and subject, or the default policy itself grants req through that binding
// to that subject (an edited default role's extra permissions are not allowed).
func (l allowList) allowsRequest(g authz.Grant, req authz.Request) bool {
	return l.named(bindingString(g.Binding.Kind, g.Binding.Namespace, g.Binding.Name), roleString(g.Role.Kind, g.Role.Name), g.Subject) ||
		l.defaults != nil && l.defaults.Grants(g, req)
}

// allowsSubject reports whether some entry, or some default binding, names subject s
// (whatever its binding).
func (l allowList) allowsSubject(s authz.Subject) bool {
	ss := s.String()
	for _, a := range l.entries {
		if a.Subject != "" && a.Subject != "*" && matchPattern(a.Subject, ss) {
			return true
		}
	}
	return l.defaults != nil && l.defaults.NamesSubject(s)
}

// allowParams declares the parameters every check of the benchmark takes (see ParamAllow),
// with extra ones of its own, so that the runner refuses a misspelt or mistyped one before
// anything runs.
func allowParams(extra ...check.Param) []check.Param {
	return append([]check.Param{
		{Name: ParamAllow, Type: check.ParamStringList,
			Description: "Extra allowed grants, each a line \"BINDING -> ROLE -> SUBJECT\" (see AllowEntry)."},
		{Name: ParamDefaultAllowList, Type: check.ParamBool, Default: true,
			Description: "Whether the cluster's own default grants (recognised by content) are allowed."},
	}, extra...)
}

// errBadParam is wrapped by errors about check parameters.
var errBadParam = errors.New("invalid parameter")

// allowListFrom returns the allow-list a check runs with: the default RBAC objects (see
// DefaultAllowList) unless params["defaultAllowList"] is false, plus the entries of
// params["allow"]. A parameter that
// is neither of these nor among the check's own (extra) is an error: a misspelt one would
// leave the check running with its defaults.
func allowListFrom(params map[string]any, extra ...string) (allowList, error) {
	known := append([]string{ParamAllow, ParamDefaultAllowList}, extra...)
	var unknown []string
	for k := range params {
		if !slices.Contains(known, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return allowList{}, fmt.Errorf("%w: unknown parameter %q (known: %s)", errBadParam, unknown[0], strings.Join(known, ", "))
	}
	useDefaults := true
	if v, ok := params[ParamDefaultAllowList]; ok {
		b, ok := v.(bool)
		if !ok {
			return allowList{}, fmt.Errorf("%w %s: want a bool, got %T", errBadParam, ParamDefaultAllowList, v)
		}
		useDefaults = b
	}
	var out allowList
	if useDefaults {
		out.defaults = rbacdefaults.WithKubeadm()
	}
	lines, err := stringList(params, ParamAllow)
	if err != nil {
		return allowList{}, err
	}
	for _, line := range lines {
		a, err := ParseAllowEntry(line)
		if err != nil {
			return allowList{}, fmt.Errorf("%w %s: %w", errBadParam, ParamAllow, err)
		}
		out.entries = append(out.entries, a)
	}
	return out, nil
}

// stringList reads params[key] as a list of strings ([]string or []any of strings).
func stringList(params map[string]any, key string) ([]string, error) {
	v, ok := params[key]
	if !ok || v == nil {
		return nil, nil
	}
	switch v := v.(type) {
	case []string:
		return v, nil
	case []any:
		out := make([]string, len(v))
		for i, x := range v {
			s, ok := x.(string)
			if !ok {
				return nil, fmt.Errorf("%w %s[%d]: want a string, got %T", errBadParam, key, i, x)
			}
			out[i] = s
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w %s: want a list of strings, got %T", errBadParam, key, v)
}

// DefaultAllowList lists the grants every cluster has by design, which the checks do not
// report: one entry per subject of each binding the API server's bootstrap RBAC policy
// creates (cluster-admin for system:masters, the control-plane components, the controllers'
// service accounts, the discovery roles for everyone) and of each binding kubeadm creates
// (its cluster-admins group, node bootstrap and certificate auto-approval, the API server's
// kubelet client, kube-proxy, CoreDNS, the public cluster-info).
//
// The checks do not match these entries by name: they recognise the default bindings by
// content (binding kind, namespace, name, role reference and subject all as the default
// binding has them) and allow only what the default role grants, so a binding named like a
// default one for another subject or role, or a default role edited to grant more, is
// reported. Passed in the "allow" parameter, the entries match by name like any other.
// The slice is fresh.
func DefaultAllowList() []AllowEntry {
	var out []AllowEntry
	for _, b := range rbacdefaults.WithKubeadm().Bindings() {
		for _, s := range b.Subjects {
			out = append(out, AllowEntry{Binding: bindingString(b.Kind, b.Namespace, b.Name),
				Role: roleString(b.RoleRef.Kind, b.RoleRef.Name), Subject: s.String()})
		}
	}
	return out
}
