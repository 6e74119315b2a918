package authz

import (
	"errors"
	"fmt"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
)

// Request is what a request asks to do, as the authorizer sees it (like k8s.io/apiserver's
// authorizer.Attributes). A resource request has ResourceRequest set and names Verb,
// APIGroup ("" for the core group), Resource and, optionally, Subresource, Name and
// Namespace ("" for cluster-scoped objects and for requests across all namespaces; the API
// server puts a request for one Namespace object in that namespace, see Within). A
// non-resource request names Verb (get, post, put, delete, ...) and Path.
//
// AnyName, which the authorizer does not have, asks about some object rather than any: a
// request with AnyName and no Name is allowed by rules restricted by resourceNames too (so
// "can impersonate some user" counts a rule that allows impersonating only "admin").
type Request struct {
	// Verb is the request's verb: get, list, create, bind, impersonate, ... (for a
	// non-resource request, the HTTP method in lower case).
	Verb string `json:"verb"`
	// APIGroup is the resource's API group, "" for the core group.
	APIGroup string `json:"apiGroup,omitempty"`
	// Resource is the resource's plural name, e.g. "pods".
	Resource string `json:"resource,omitempty"`
	// Subresource is the subresource, e.g. "exec"; empty for the resource itself.
	Subresource string `json:"subresource,omitempty"`
	// Name is the object's name; empty for a request about no one object (list, create).
	Name string `json:"name,omitempty"`
	// Namespace is the namespace the request is made in (see the type's doc).
	Namespace string `json:"namespace,omitempty"`
	// Path is a non-resource request's URL path, e.g. "/metrics".
	Path string `json:"path,omitempty"`
	// ResourceRequest is true for a request about a resource, false for a non-resource URL.
	ResourceRequest bool `json:"resourceRequest"`
	// AnyName asks about some object rather than any (see the type's doc).
	AnyName bool `json:"anyName,omitempty"`
}

// MustParseRequest returns a resource request for verb on resource spelled as kubectl spells it
// (see ParseResource), e.g. MustParseRequest("create", "pods/exec") or
// MustParseRequest("list", "deployments.apps"). It panics when resource cannot be parsed; use
// ParseRequest for user input.
func MustParseRequest(verb, resource string) Request {
	r, err := ParseRequest(verb, resource)
	if err != nil {
		panic(err)
	}
	return r
}

// ParseRequest returns a resource request for verb on resource spelled as kubectl spells it
// (see ParseResource).
func ParseRequest(verb, resource string) (Request, error) {
	if verb == "" {
		return Request{}, errors.New("empty verb")
	}
	g, res, sub, err := ParseResource(resource)
	if err != nil {
		return Request{}, err
	}
	return Request{Verb: verb, APIGroup: g, Resource: res, Subresource: sub, ResourceRequest: true}, nil
}

// NonResourceRequest returns a request for verb on a non-resource URL path such as
// "/healthz" or "/logs/kube-apiserver.log".
func NonResourceRequest(verb, path string) Request {
	return Request{Verb: verb, Path: path}
}

// In returns r for objects in namespace.
func (r Request) In(namespace string) Request {
	r.Namespace = namespace
	return r
}

// Named returns r for the object called name.
func (r Request) Named(name string) Request {
	r.Name = name
	return r
}

// ForSomeName returns r asking about some object of the resource rather than any (see
// AnyName).
func (r Request) ForSomeName() Request {
	r.AnyName = true
	return r
}

// GroupResource returns the resource as kubectl spells it: "pods", "deployments.apps",
// "pods/exec", "deployments.apps/scale".
func (r Request) GroupResource() string {
	s := r.Resource
	if r.APIGroup != "" {
		s += "." + r.APIGroup
	}
	if r.Subresource != "" {
		s += "/" + r.Subresource
	}
	return s
}

// String describes the request, e.g. `create pods/exec in namespace "shop"` or
// `get /healthz`.
func (r Request) String() string {
	if !r.ResourceRequest {
		return r.Verb + " " + r.Path
	}
	s := r.Verb + " " + r.GroupResource()
	if r.Name != "" {
		s += fmt.Sprintf(" named %q", r.Name)
	} else if r.AnyName {
		s += " (some names)"
	}
	if r.Namespace != "" {
		s += fmt.Sprintf(" in namespace %q", r.Namespace)
	}
	return s
}

// ErrUnknownResource is wrapped by ParseResource's error for a bare resource name it cannot
// place in an API group.
var ErrUnknownResource = errors.New("unknown resource")

// ParseResource parses a resource as kubectl spells it and returns its API group, resource
// and subresource:
//
//	"pods"                      → "", "pods", ""
//	"deployments.apps"          → "apps", "deployments", ""
//	"deployments.v1.apps"       → "apps", "deployments", ""
//	"pods/exec"                 → "", "pods", "exec"
//	"deployments.apps/scale"    → "apps", "deployments", "scale"
//	"deploy", "Deployment"      → "apps", "deployments", "" (built-in short and kind names)
//	"widgets.example.com"       → "example.com", "widgets", ""
//	"*"                         → "*", "*", "" (every resource of every group)
//	"*.apps"                    → "apps", "*", ""
//
// A bare name is looked up among the built-in resources, which places it in its group (as
// kubectl's discovery would); a bare name that is not built in is an error wrapping
// ErrUnknownResource: spell it RESOURCE.GROUP.
func ParseResource(s string) (group, resource, subresource string, err error) {
	s = strings.TrimSpace(s)
	base, sub, _ := strings.Cut(s, "/")
	if base == "" {
		return "", "", "", fmt.Errorf("%w: empty resource in %q", ErrUnknownResource, s)
	}
	if base == "*" {
		return "*", "*", sub, nil
	}
	name, grp, dotted := strings.Cut(base, ".")
	if dotted {
		// "deployments.v1.apps": drop the version.
		if v, rest, ok := strings.Cut(grp, "."); ok && isVersion(v) {
			grp = rest
		}
		if r, ok := lookupBuiltin(name, grp); ok {
			return r.group, r.resource, sub, nil
		}
		return grp, strings.ToLower(name), sub, nil
	}
	if r, ok := lookupBuiltin(name, ""); ok {
		return r.group, r.resource, sub, nil
	}
	return "", "", "", fmt.Errorf("%w %q: not a built-in resource; spell it RESOURCE.GROUP (e.g. widgets.example.com)", ErrUnknownResource, name)
}

// isVersion reports whether s looks like an API version: "v1", "v1beta1", "v2alpha3".
func isVersion(s string) bool {
	if len(s) < 2 || s[0] != 'v' || s[1] < '0' || s[1] > '9' {
		return false
	}
	for _, c := range s[1:] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

type builtinResource struct {
	group, resource string
	// cluster reports a cluster-scoped resource.
	cluster bool
	// aliases are the singular, kind and short names kubectl also accepts.
	aliases []string
}

// builtinResources lists the resources of the built-in API groups that ParseResource places
// and that IsClusterScoped knows.
var builtinResources = []builtinResource{
	{"", "pods", false, []string{"pod", "po"}},
	{"", "services", false, []string{"service", "svc"}},
	{"", "endpoints", false, []string{"ep"}},
	{"", "nodes", true, []string{"node", "no"}},
	{"", "namespaces", true, []string{"namespace", "ns"}},
	{"", "secrets", false, []string{"secret"}},
	{"", "configmaps", false, []string{"configmap", "cm"}},
	{"", "serviceaccounts", false, []string{"serviceaccount", "sa"}},
	{"", "persistentvolumes", true, []string{"persistentvolume", "pv"}},
	{"", "persistentvolumeclaims", false, []string{"persistentvolumeclaim", "pvc"}},
	{"", "replicationcontrollers", false, []string{"replicationcontroller", "rc"}},
	{"", "events", false, []string{"event", "ev"}},
	{"", "limitranges", false, []string{"limitrange", "limits"}},
	{"", "resourcequotas", false, []string{"resourcequota", "quota"}},
	{"", "podtemplates", false, []string{"podtemplate"}},
	{"", "bindings", false, []string{"binding"}},
	{"", "componentstatuses", true, []string{"componentstatus", "cs"}},
	{"", "users", true, []string{"user"}},
	{"", "groups", true, []string{"group"}},
	{"apps", "deployments", false, []string{"deployment", "deploy"}},
	{"apps", "replicasets", false, []string{"replicaset", "rs"}},
	{"apps", "statefulsets", false, []string{"statefulset", "sts"}},
	{"apps", "daemonsets", false, []string{"daemonset", "ds"}},
	{"apps", "controllerrevisions", false, []string{"controllerrevision"}},
	{"batch", "jobs", false, []string{"job"}},
	{"batch", "cronjobs", false, []string{"cronjob", "cj"}},
	{"autoscaling", "horizontalpodautoscalers", false, []string{"horizontalpodautoscaler", "hpa"}},
	{"policy", "poddisruptionbudgets", false, []string{"poddisruptionbudget", "pdb"}},
	{"rbac.authorization.k8s.io", "roles", false, []string{"role"}},
	{"rbac.authorization.k8s.io", "rolebindings", false, []string{"rolebinding"}},
	{"rbac.authorization.k8s.io", "clusterroles", true, []string{"clusterrole"}},
	{"rbac.authorization.k8s.io", "clusterrolebindings", true, []string{"clusterrolebinding"}},
	{"networking.k8s.io", "networkpolicies", false, []string{"networkpolicy", "netpol"}},
	{"networking.k8s.io", "ingresses", false, []string{"ingress", "ing"}},
	{"networking.k8s.io", "ingressclasses", true, []string{"ingressclass"}},
	{"discovery.k8s.io", "endpointslices", false, []string{"endpointslice"}},
	{"coordination.k8s.io", "leases", false, []string{"lease"}},
	{"storage.k8s.io", "storageclasses", true, []string{"storageclass", "sc"}},
	{"storage.k8s.io", "volumeattachments", true, []string{"volumeattachment"}},
	{"storage.k8s.io", "csidrivers", true, []string{"csidriver"}},
	{"storage.k8s.io", "csinodes", true, []string{"csinode"}},
	{"certificates.k8s.io", "certificatesigningrequests", true, []string{"certificatesigningrequest", "csr"}},
	{"certificates.k8s.io", "signers", true, []string{"signer"}},
	{"admissionregistration.k8s.io", "validatingwebhookconfigurations", true, []string{"validatingwebhookconfiguration"}},
	{"admissionregistration.k8s.io", "mutatingwebhookconfigurations", true, []string{"mutatingwebhookconfiguration"}},
	{"admissionregistration.k8s.io", "validatingadmissionpolicies", true, []string{"validatingadmissionpolicy"}},
	{"admissionregistration.k8s.io", "validatingadmissionpolicybindings", true, []string{"validatingadmissionpolicybinding"}},
	{"admissionregistration.k8s.io", "mutatingadmissionpolicies", true, []string{"mutatingadmissionpolicy"}},
	{"admissionregistration.k8s.io", "mutatingadmissionpolicybindings", true, []string{"mutatingadmissionpolicybinding"}},
	{"apiextensions.k8s.io", "customresourcedefinitions", true, []string{"customresourcedefinition", "crd", "crds"}},
	{"apiregistration.k8s.io", "apiservices", true, []string{"apiservice"}},
	{"authentication.k8s.io", "tokenreviews", true, []string{"tokenreview"}},
	{"authentication.k8s.io", "uids", true, nil},
	{"authentication.k8s.io", "userextras", true, nil},
	{"authorization.k8s.io", "subjectaccessreviews", true, []string{"subjectaccessreview"}},
	{"authorization.k8s.io", "selfsubjectaccessreviews", true, []string{"selfsubjectaccessreview"}},
	{"authorization.k8s.io", "localsubjectaccessreviews", false, []string{"localsubjectaccessreview"}},
	{"scheduling.k8s.io", "priorityclasses", true, []string{"priorityclass", "pc"}},
	{"node.k8s.io", "runtimeclasses", true, []string{"runtimeclass"}},
}

var builtinByName = func() map[string][]int {
	m := make(map[string][]int)
	for i, r := range builtinResources {
		m[r.resource] = append(m[r.resource], i)
		for _, a := range r.aliases {
			m[a] = append(m[a], i)
		}
	}
	return m
}()

// lookupBuiltin finds a built-in resource by resource, singular, kind or short name (case
// insensitive), in group when group is not empty.
func lookupBuiltin(name, group string) (builtinResource, bool) {
	for _, i := range builtinByName[strings.ToLower(name)] {
		if r := builtinResources[i]; group == "" || r.group == group {
			return r, true
		}
	}
	return builtinResource{}, false
}

// IsClusterScoped reports whether group and resource name a built-in cluster-scoped resource:
// one whose objects live in no namespace, such as nodes, namespaces or clusterroles. Namespaced,
// unknown and wildcard resources report false. A RoleBinding still grants a few requests on
// cluster-scoped resources, those the API server authorizes in a namespace: see
// Request.Within.
func IsClusterScoped(group, resource string) bool {
	for _, i := range builtinByName[resource] {
		if r := builtinResources[i]; r.group == group && r.resource == resource {
			return r.cluster
		}
	}
	return false
}

// placement says in which namespace the API server authorizes a resource request.
type placement int

const (
	// placedInNamespace: in the namespace of the object (a namespaced, unknown or wildcard
	// resource), or of the RoleBinding being written (bind on ClusterRoles).
	placedInNamespace placement = iota
	// placedCluster: never in a namespace (a cluster-scoped resource).
	placedCluster
	// placedInOwnName: in the namespace the request names (a Namespace object's own
	// requests: GET /api/v1/namespaces/NAME is authorized in namespace NAME).
	placedInOwnName
)

// placement returns where the API server authorizes r. The facts, from the API server's
// request attributes: a path /api/v1/namespaces/NAME[/status|/finalize] sets the namespace to
// NAME, so get, update, patch, delete and watch of one Namespace are authorized in it, while
// list, create and deletecollection of namespaces carry no namespace; bind on a ClusterRole is
// asked in the namespace of the RoleBinding referencing it; every other request on a
// cluster-scoped resource (escalate on ClusterRoles included, asked with the ClusterRole's
// request attributes) carries no namespace.
func (r Request) placement() placement {
	switch {
	case r.APIGroup == "" && r.Resource == "namespaces":
		switch r.Verb {
		case "list", "create", "deletecollection":
			return placedCluster
		}
		return placedInOwnName
	case r.APIGroup == rbacv1.GroupName && r.Resource == "clusterroles" && r.Verb == "bind" && r.Subresource == "":
		return placedInNamespace
	case IsClusterScoped(r.APIGroup, r.Resource):
		return placedCluster
	}
	return placedInNamespace
}

// Within returns r as the API server would authorize it in namespace, and false when the API
// server never authorizes r there, so that a RoleBinding in namespace cannot grant it:
//
//   - a request for a namespaced (or unknown) resource is made in any namespace;
//   - a request for a cluster-scoped resource carries no namespace (false), except
//   - bind on ClusterRoles, which the API server asks in the namespace of the RoleBinding that
//     references the ClusterRole, and
//   - get, update, patch, delete or watch of one Namespace object (or its status or finalize
//     subresource), which is authorized in the namespace it names: Within returns r when it
//     names namespace, the request for the Namespace called namespace when r asks about some
//     Namespace (AnyName), and false when r names another or none (a request naming no
//     Namespace, such as GET /api/v1/namespaces, carries no namespace).
//
// Within("") returns r across all namespaces. A non-resource request is in no namespace.
func (r Request) Within(namespace string) (Request, bool) {
	if !r.ResourceRequest {
		return Request{}, false
	}
	if namespace == "" {
		return r.In(""), true
	}
	switch r.placement() {
	case placedCluster:
		return Request{}, false
	case placedInOwnName:
		switch {
		case r.Name == "" && r.AnyName:
			r.Name, r.AnyName = namespace, false
		case r.Name != namespace:
			return Request{}, false
		}
	}
	return r.In(namespace), true
}
