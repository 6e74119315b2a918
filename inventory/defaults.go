package inventory

import (
	"regexp"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// ApplyDefaults sets on a typed built-in object the fields that the API server fills in when
// the object is created, where leaving them unset would change what a security check
// concludes about a manifest. Objects listed from an API server already carry these
// defaults; LoadManifests applies them to every object it reads, so that a manifest and the
// object it becomes get the same verdict. It is exported for callers that decode objects
// themselves. It changes obj in place; unstructured objects and kinds that are not built in
// are left as they are (their namespace too: whether such a kind is namespaced is unknown).
//
// What it sets on objects, and why:
//
//   - metadata.namespace: "default" for a namespaced kind written without one (where kubectl
//     creates it); cleared for a cluster-scoped kind (the API server ignores it), so that
//     lookups by namespace and name find the object.
//   - Namespace: the label kubernetes.io/metadata.name=<name>, which namespaceSelectors of
//     NetworkPolicies and webhooks commonly match on.
//   - Service: type ClusterIP, ports with protocol TCP and targetPort = port.
//   - Secret: type Opaque.
//   - NetworkPolicy: policyTypes, when unset, is [Ingress], plus Egress when the policy has
//     egress rules: a policy written without policyTypes and without egress rules does not
//     restrict egress. Ports have protocol TCP.
//   - RoleBinding and ClusterRoleBinding: roleRef.apiGroup rbac.authorization.k8s.io;
//     subjects' apiGroup rbac.authorization.k8s.io for User and Group.
//   - Validating and mutating webhooks: failurePolicy Fail, matchPolicy Equivalent, empty
//     namespace and object selectors (which match everything), timeoutSeconds 10, rules
//     scope "*". ValidatingAdmissionPolicy: failurePolicy Fail.
//
// What it sets in every pod spec (of Pods, and the templates of ReplicationControllers,
// Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs and CronJobs), and why:
//
//   - A volume with no source is an emptyDir: volume-type checks, such as Pod Security's
//     restricted volume types, would otherwise see an unknown type.
//   - serviceAccountName is taken from the deprecated serviceAccount field when unset: the
//     API treats the two as one.
//   - securityContext is an empty PodSecurityContext when absent, as on the API server.
//   - Container ports have protocol TCP; with hostNetwork, a port's hostPort is its
//     containerPort. The API server sets this on Pods only, but every pod created from a
//     template gets it: templates are defaulted as their pods will be.
//   - imagePullPolicy is Always for an image tagged latest or with neither tag nor digest,
//     else IfNotPresent (also for an image that is not a valid reference).
//   - Container resource requests default to their limits (on Pods, hence on the pods of
//     every template): a "requests are set" check would otherwise fail them.
//   - Secret, configMap, downwardAPI and projected volumes have defaultMode 0644, and
//     projected service account tokens expire after 3600 seconds.
//
// Fields the API server does not default are left unset, and checks must read their
// absence as the runtime does: a container without securityContext (privilege escalation
// allowed, the image's user), automountServiceAccountToken unset (the token is mounted unless
// the service account says otherwise), hostNetwork, hostPID and hostIPC unset (false). An
// empty serviceAccountName is left empty: the ServiceAccount admission plugin (not
// defaulting) sets "default" on pods the API server creates, but not on static pods.
func ApplyDefaults(obj runtime.Object) {
	if obj == nil {
		return
	}
	defaultNamespace(obj)
	if _, spec, _, ok := podSpecOf(obj); ok {
		defaultPodSpec(spec)
	}
	switch o := obj.(type) {
	case *corev1.Namespace:
		if o.Name != "" {
			if o.Labels == nil {
				o.Labels = make(map[string]string, 1)
			}
			o.Labels[corev1.LabelMetadataName] = o.Name
		}
	case *corev1.Service:
		defaultService(o)
	case *corev1.Secret:
		if o.Type == "" {
			o.Type = corev1.SecretTypeOpaque
		}
	case *networkingv1.NetworkPolicy:
		defaultNetworkPolicy(o)
	case *rbacv1.RoleBinding:
		defaultRoleRef(&o.RoleRef)
		defaultSubjects(o.Subjects)
	case *rbacv1.ClusterRoleBinding:
		defaultRoleRef(&o.RoleRef)
		defaultSubjects(o.Subjects)
	case *admissionregistrationv1.ValidatingWebhookConfiguration:
		for i := range o.Webhooks {
			w := &o.Webhooks[i]
			defaultWebhook(&w.FailurePolicy, &w.MatchPolicy, &w.NamespaceSelector, &w.ObjectSelector, &w.TimeoutSeconds, w.Rules)
		}
	case *admissionregistrationv1.MutatingWebhookConfiguration:
		for i := range o.Webhooks {
			w := &o.Webhooks[i]
			defaultWebhook(&w.FailurePolicy, &w.MatchPolicy, &w.NamespaceSelector, &w.ObjectSelector, &w.TimeoutSeconds, w.Rules)
		}
	case *admissionregistrationv1.ValidatingAdmissionPolicy:
		if o.Spec.FailurePolicy == nil {
			o.Spec.FailurePolicy = defaultPtr(admissionregistrationv1.Fail)
		}
	}
}

func defaultPtr[T any](v T) *T { return &v }

// defaultNamespace puts a namespaced built-in object without a namespace in "default", and
// clears the namespace of a cluster-scoped one.
func defaultNamespace(obj runtime.Object) {
	m, ok := obj.(metav1.Object)
	if !ok {
		return
	}
	if _, isUnstructured := obj.(runtime.Unstructured); isUnstructured {
		return
	}
	k, ok := LookupKind(obj.GetObjectKind().GroupVersionKind().GroupKind())
	if !ok {
		if k, ok = kindOfType(obj); !ok {
			return
		}
	}
	switch {
	case k.Namespaced && m.GetNamespace() == "":
		m.SetNamespace(metav1.NamespaceDefault)
	case !k.Namespaced && m.GetNamespace() != "":
		m.SetNamespace("")
	}
}

func defaultPodSpec(spec *corev1.PodSpec) {
	for i := range spec.Volumes {
		defaultVolume(&spec.Volumes[i])
	}
	if spec.ServiceAccountName == "" {
		spec.ServiceAccountName = spec.DeprecatedServiceAccount
	}
	if spec.SecurityContext == nil {
		spec.SecurityContext = &corev1.PodSecurityContext{}
	}
	for _, cs := range [][]corev1.Container{spec.InitContainers, spec.Containers} {
		for i := range cs {
			c := &cs[i]
			defaultContainerPorts(c.Ports, spec.HostNetwork)
			defaultPullPolicy(&c.ImagePullPolicy, c.Image)
			defaultRequests(&c.Resources)
		}
	}
	for i := range spec.EphemeralContainers {
		c := &spec.EphemeralContainers[i]
		defaultContainerPorts(c.Ports, spec.HostNetwork)
		defaultPullPolicy(&c.ImagePullPolicy, c.Image)
	}
}

func defaultVolume(v *corev1.Volume) {
	s := &v.VolumeSource
	if *s == (corev1.VolumeSource{}) {
		s.EmptyDir = &corev1.EmptyDirVolumeSource{}
	}
	switch {
	case s.Secret != nil && s.Secret.DefaultMode == nil:
		s.Secret.DefaultMode = defaultPtr(corev1.SecretVolumeSourceDefaultMode)
	case s.ConfigMap != nil && s.ConfigMap.DefaultMode == nil:
		s.ConfigMap.DefaultMode = defaultPtr(corev1.ConfigMapVolumeSourceDefaultMode)
	case s.DownwardAPI != nil && s.DownwardAPI.DefaultMode == nil:
		s.DownwardAPI.DefaultMode = defaultPtr(corev1.DownwardAPIVolumeSourceDefaultMode)
	case s.Projected != nil:
		if s.Projected.DefaultMode == nil {
			s.Projected.DefaultMode = defaultPtr(corev1.ProjectedVolumeSourceDefaultMode)
		}
		for i := range s.Projected.Sources {
			if t := s.Projected.Sources[i].ServiceAccountToken; t != nil && t.ExpirationSeconds == nil {
				t.ExpirationSeconds = defaultPtr(int64(3600))
			}
		}
	}
}

func defaultContainerPorts(ports []corev1.ContainerPort, hostNetwork bool) {
	for i := range ports {
		p := &ports[i]
		if p.Protocol == "" {
			p.Protocol = corev1.ProtocolTCP
		}
		if hostNetwork && p.HostPort == 0 {
			p.HostPort = p.ContainerPort
		}
	}
}

// defaultPullPolicy sets the policy the API server picks from the image's tag: Always for
// "latest" (which a reference with neither tag nor digest means), else IfNotPresent. An
// image that is not a valid reference (empty, upper case in the repository path, a bad
// digest...) is accepted by the API server, which then cannot read its tag and picks
// IfNotPresent.
func defaultPullPolicy(policy *corev1.PullPolicy, image string) {
	if *policy != "" {
		return
	}
	if tag, ok := imageTag(image); ok && tag == "latest" {
		*policy = corev1.PullAlways
	} else {
		*policy = corev1.PullIfNotPresent
	}
}

// imageReference is the grammar of an image reference: [domain[:port]/]path[:tag][@digest].
var imageReference = func() *regexp.Regexp {
	const (
		label     = `(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])`
		domain    = `(?:` + label + `(?:\.` + label + `)*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?`
		component = `[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`
		name      = `(?:` + domain + `/)?` + component + `(?:/` + component + `)*`
		tag       = `[\w][\w.-]{0,127}`
		digest    = `[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}`
	)
	return regexp.MustCompile(`^(` + name + `)(?::(` + tag + `))?(?:@(` + digest + `))?$`)
}()

// imageTag returns the tag of an image reference as the API server reads it ("latest" when
// it has neither tag nor digest); ok is false when image is not a valid reference.
func imageTag(image string) (tag string, ok bool) {
	if isHex64(image) {
		return "", false // an image ID, not a name
	}
	// Normalize as Docker does: a first path element that is not a registry host is part
	// of the repository on docker.io, and an official image is under library/.
	domain, rest := "docker.io", image
	if i := strings.IndexByte(image, '/'); i >= 0 {
		if first := image[:i]; strings.ContainsAny(first, ".:") || first == "localhost" || strings.ToLower(first) != first {
			domain, rest = first, image[i+1:]
		}
	}
	if domain == "index.docker.io" {
		domain = "docker.io"
	}
	if domain == "docker.io" && !strings.Contains(rest, "/") {
		rest = "library/" + rest
	}
	repo := rest
	if i := strings.IndexByte(repo, ':'); i >= 0 {
		repo = repo[:i]
	}
	if strings.ToLower(repo) != repo {
		return "", false
	}
	m := imageReference.FindStringSubmatch(domain + "/" + rest)
	if m == nil || len(m[1]) > 255 {
		return "", false
	}
	tag, digest := m[2], m[3]
	if digest != "" {
		alg, hex, _ := strings.Cut(digest, ":")
		size := 0
		switch alg {
		case "sha256":
			size = 64
		case "sha384":
			size = 96
		case "sha512":
			size = 128
		}
		if len(hex) != size || strings.ToLower(hex) != hex {
			return "", false
		}
	}
	if tag == "" && digest == "" {
		tag = "latest"
	}
	return tag, true
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// defaultRequests sets each resource's request to its limit when only the limit is set.
func defaultRequests(r *corev1.ResourceRequirements) {
	if len(r.Limits) == 0 {
		return
	}
	if r.Requests == nil {
		r.Requests = make(corev1.ResourceList, len(r.Limits))
	}
	for name, q := range r.Limits {
		if _, ok := r.Requests[name]; !ok {
			r.Requests[name] = q.DeepCopy()
		}
	}
}

func defaultService(s *corev1.Service) {
	if s.Spec.Type == "" {
		s.Spec.Type = corev1.ServiceTypeClusterIP
	}
	for i := range s.Spec.Ports {
		p := &s.Spec.Ports[i]
		if p.Protocol == "" {
			p.Protocol = corev1.ProtocolTCP
		}
		if p.TargetPort == intstr.FromInt32(0) || p.TargetPort == intstr.FromString("") {
			p.TargetPort = intstr.FromInt32(p.Port)
		}
	}
}

func defaultNetworkPolicy(np *networkingv1.NetworkPolicy) {
	if len(np.Spec.PolicyTypes) == 0 {
		np.Spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}
		if len(np.Spec.Egress) > 0 {
			np.Spec.PolicyTypes = append(np.Spec.PolicyTypes, networkingv1.PolicyTypeEgress)
		}
	}
	defaultPorts := func(ports []networkingv1.NetworkPolicyPort) {
		for i := range ports {
			if ports[i].Protocol == nil {
				ports[i].Protocol = defaultPtr(corev1.ProtocolTCP)
			}
		}
	}
	for i := range np.Spec.Ingress {
		defaultPorts(np.Spec.Ingress[i].Ports)
	}
	for i := range np.Spec.Egress {
		defaultPorts(np.Spec.Egress[i].Ports)
	}
}

func defaultRoleRef(r *rbacv1.RoleRef) {
	if r.APIGroup == "" {
		r.APIGroup = rbacv1.GroupName
	}
}

func defaultSubjects(subjects []rbacv1.Subject) {
	for i := range subjects {
		s := &subjects[i]
		if s.APIGroup == "" && (s.Kind == rbacv1.UserKind || s.Kind == rbacv1.GroupKind) {
			s.APIGroup = rbacv1.GroupName
		}
	}
}

func defaultWebhook(failure **admissionregistrationv1.FailurePolicyType, match **admissionregistrationv1.MatchPolicyType,
	nsSel, objSel **metav1.LabelSelector, timeout **int32, rules []admissionregistrationv1.RuleWithOperations) {
	if *failure == nil {
		*failure = defaultPtr(admissionregistrationv1.Fail)
	}
	if *match == nil {
		*match = defaultPtr(admissionregistrationv1.Equivalent)
	}
	if *nsSel == nil {
		*nsSel = &metav1.LabelSelector{}
	}
	if *objSel == nil {
		*objSel = &metav1.LabelSelector{}
	}
	if *timeout == nil {
		*timeout = defaultPtr(int32(10))
	}
	for i := range rules {
		if rules[i].Scope == nil {
			rules[i].Scope = defaultPtr(admissionregistrationv1.AllScopes)
		}
	}
}
