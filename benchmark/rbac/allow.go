package rbac

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/kspm-dev/kspm/inventory/rbac"
)

// Parameters every check of the benchmark reads (set them with kspm.WithParams):
//
//	"allow":            []string of extra AllowEntry lines ("BINDING -> ROLE -> SUBJECT")
//	"defaultAllowList": bool; false drops DefaultAllowList (default true)
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
// entries exact, and keep the allow-list in mind when reading a pass.
type AllowEntry struct {
	Binding string `json:"binding"`
	Role    string `json:"role"`
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

// allowList is a parsed allow-list.
type allowList []AllowEntry

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
	if kind == rbac.KindRoleBinding {
		return kind + " " + namespace + "/" + name
	}
	return kind + " " + name
}

func roleString(kind, name string) string { return kind + " " + name }

// allows reports whether the list allows subject s bound to role (kind, name) by binding b.
func (l allowList) allows(b *rbac.Binding, s rbac.Subject) bool {
	bs := bindingString(b.Kind, b.Namespace, b.Name)
	rs := roleString(b.RoleRef.Kind, b.RoleRef.Name)
	ss := s.String()
	for _, a := range l {
		if matchPattern(a.Binding, bs) && matchPattern(a.Role, rs) && matchPattern(a.Subject, ss) {
			return true
		}
	}
	return false
}

// allowsGrant reports whether the list allows a grant.
func (l allowList) allowsGrant(g rbac.Grant) bool {
	bs := bindingString(g.Binding.Kind, g.Binding.Namespace, g.Binding.Name)
	rs := roleString(g.Role.Kind, g.Role.Name)
	ss := g.Subject.String()
	for _, a := range l {
		if matchPattern(a.Binding, bs) && matchPattern(a.Role, rs) && matchPattern(a.Subject, ss) {
			return true
		}
	}
	return false
}

// allowsSubject reports whether some entry names subject s (whatever its binding).
func (l allowList) allowsSubject(s rbac.Subject) bool {
	ss := s.String()
	for _, a := range l {
		if a.Subject != "" && a.Subject != "*" && matchPattern(a.Subject, ss) {
			return true
		}
	}
	return false
}

// errBadParam is wrapped by errors about check parameters.
var errBadParam = errors.New("invalid parameter")

// allowListFrom returns the allow-list a check runs with: DefaultAllowList unless
// params["defaultAllowList"] is false, plus the entries of params["allow"]. A parameter that
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
		return nil, fmt.Errorf("%w: unknown parameter %q (known: %s)", errBadParam, unknown[0], strings.Join(known, ", "))
	}
	useDefaults := true
	if v, ok := params[ParamDefaultAllowList]; ok {
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("%w %s: want a bool, got %T", errBadParam, ParamDefaultAllowList, v)
		}
		useDefaults = b
	}
	var out allowList
	if useDefaults {
		out = append(out, DefaultAllowList()...)
	}
	lines, err := stringList(params, ParamAllow)
	if err != nil {
		return nil, err
	}
	for _, line := range lines {
		a, err := ParseAllowEntry(line)
		if err != nil {
			return nil, fmt.Errorf("%w %s: %w", errBadParam, ParamAllow, err)
		}
		out = append(out, a)
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

// controllerNames are the kube-controller-manager controllers the API server's bootstrap
// policy gives a ClusterRole "system:controller:NAME", bound by a ClusterRoleBinding of the
// same name to the service account kube-system/NAME.
var controllerNames = []string{
	"attachdetach-controller", "certificate-controller", "clusterrole-aggregation-controller",
	"cronjob-controller", "daemon-set-controller", "deployment-controller", "disruption-controller",
	"endpoint-controller", "endpointslice-controller", "endpointslicemirroring-controller",
	"ephemeral-volume-controller", "expand-controller", "generic-garbage-collector",
	"horizontal-pod-autoscaler", "job-controller", "legacy-service-account-token-cleaner",
	"namespace-controller", "node-controller", "persistent-volume-binder", "pod-garbage-collector",
	"pv-protection-controller", "pvc-protection-controller", "replicaset-controller",
	"replication-controller", "resource-claim-controller", "resourcequota-controller",
	"root-ca-cert-publisher", "route-controller", "selinux-warning-controller",
	"service-account-controller", "service-cidrs-controller", "service-controller",
	"statefulset-controller", "storage-version-garbage-collector",
	"storage-version-migrator-controller", "ttl-after-finished-controller", "ttl-controller",
	"validatingadmissionpolicy-status-controller", "volumeattributesclass-protection-controller",
}

// DefaultAllowList returns the grants every cluster has by design and that the checks do not
// report: the bindings the API server's bootstrap RBAC policy creates (cluster-admin for
// system:masters, the control-plane components, the controllers' service accounts, the
// discovery roles for everyone) and those kubeadm creates (its cluster-admins group, node
// bootstrap and certificate auto-approval, kube-proxy, CoreDNS, the public cluster-info).
// Each entry names binding, role and subject exactly. The slice is fresh.
func DefaultAllowList() []AllowEntry {
	crb := func(binding, role, subject string) AllowEntry {
		return AllowEntry{Binding: "ClusterRoleBinding " + binding, Role: "ClusterRole " + role, Subject: subject}
	}
	rb := func(ns, binding, role, subject string) AllowEntry {
		return AllowEntry{Binding: "RoleBinding " + ns + "/" + binding, Role: "Role " + role, Subject: subject}
	}
	same := func(name, subject string) AllowEntry { return crb(name, name, subject) }
	const bootstrapToken = "Group system:bootstrappers:kubeadm:default-node-token"
	out := []AllowEntry{
		// API server bootstrap policy: ClusterRoleBindings.
		same("cluster-admin", "Group system:masters"),
		same("system:basic-user", "Group system:authenticated"),
		same("system:discovery", "Group system:authenticated"),
		same("system:public-info-viewer", "Group system:authenticated"),
		same("system:public-info-viewer", "Group system:unauthenticated"),
		same("system:kube-controller-manager", "User system:kube-controller-manager"),
		same("system:kube-scheduler", "User system:kube-scheduler"),
		same("system:volume-scheduler", "User system:kube-scheduler"),
		same("system:kube-dns", "ServiceAccount kube-system/kube-dns"),
		same("system:node", "Group system:nodes"),
		same("system:node-proxier", "User system:kube-proxy"),
		same("system:monitoring", "Group system:monitoring"),
		same("system:service-account-issuer-discovery", "Group system:serviceaccounts"),
		// API server bootstrap policy: RoleBindings in kube-system and kube-public.
		rb("kube-public", "system:controller:bootstrap-signer", "system:controller:bootstrap-signer", "ServiceAccount kube-system/bootstrap-signer"),
		rb("kube-system", "system:controller:bootstrap-signer", "system:controller:bootstrap-signer", "ServiceAccount kube-system/bootstrap-signer"),
		rb("kube-system", "system:controller:cloud-provider", "system:controller:cloud-provider", "ServiceAccount kube-system/cloud-provider"),
		rb("kube-system", "system:controller:token-cleaner", "system:controller:token-cleaner", "ServiceAccount kube-system/token-cleaner"),
		rb("kube-system", "system::leader-locking-kube-controller-manager", "system::leader-locking-kube-controller-manager", "ServiceAccount kube-system/kube-controller-manager"),
		rb("kube-system", "system::leader-locking-kube-controller-manager", "system::leader-locking-kube-controller-manager", "User system:kube-controller-manager"),
		rb("kube-system", "system::leader-locking-kube-scheduler", "system::leader-locking-kube-scheduler", "ServiceAccount kube-system/kube-scheduler"),
		rb("kube-system", "system::leader-locking-kube-scheduler", "system::leader-locking-kube-scheduler", "User system:kube-scheduler"),
		rb("kube-system", "system::extension-apiserver-authentication-reader", "extension-apiserver-authentication-reader", "User system:kube-controller-manager"),
		rb("kube-system", "system::extension-apiserver-authentication-reader", "extension-apiserver-authentication-reader", "User system:kube-scheduler"),
		// kubeadm.
		crb("kubeadm:cluster-admins", "cluster-admin", "Group kubeadm:cluster-admins"),
		crb("kubeadm:kubelet-bootstrap", "system:node-bootstrapper", bootstrapToken),
		crb("kubeadm:node-autoapprove-bootstrap", "system:certificates.k8s.io:certificatesigningrequests:nodeclient", bootstrapToken),
		crb("kubeadm:node-autoapprove-certificate-rotation", "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient", "Group system:nodes"),
		crb("kubeadm:get-nodes", "kubeadm:get-nodes", bootstrapToken),
		crb("kubeadm:node-proxier", "system:node-proxier", "ServiceAccount kube-system/kube-proxy"),
		crb("system:coredns", "system:coredns", "ServiceAccount kube-system/coredns"),
		rb("kube-system", "kubeadm:nodes-kubeadm-config", "kubeadm:nodes-kubeadm-config", bootstrapToken),
		rb("kube-system", "kubeadm:nodes-kubeadm-config", "kubeadm:nodes-kubeadm-config", "Group system:nodes"),
		rb("kube-system", "kubeadm:kubelet-config", "kubeadm:kubelet-config", bootstrapToken),
		rb("kube-system", "kubeadm:kubelet-config", "kubeadm:kubelet-config", "Group system:nodes"),
		rb("kube-system", "kube-proxy", "kube-proxy", bootstrapToken),
		rb("kube-public", "kubeadm:bootstrap-signer-clusterinfo", "kubeadm:bootstrap-signer-clusterinfo", "User system:anonymous"),
	}
	for _, c := range controllerNames {
		out = append(out, same("system:controller:"+c, "ServiceAccount kube-system/"+c))
	}
	return out
}
