package inventory

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sync"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	admissionregistrationv1alpha1 "k8s.io/api/admissionregistration/v1alpha1"
	admissionregistrationv1beta1 "k8s.io/api/admissionregistration/v1beta1"
	appsv1 "k8s.io/api/apps/v1"
	appsv1beta1 "k8s.io/api/apps/v1beta1"
	appsv1beta2 "k8s.io/api/apps/v1beta2"
	batchv1 "k8s.io/api/batch/v1"
	batchv1beta1 "k8s.io/api/batch/v1beta1"
	extensionsv1beta1 "k8s.io/api/extensions/v1beta1"
	networkingv1 "k8s.io/api/networking/v1"
	networkingv1beta1 "k8s.io/api/networking/v1beta1"
	rbacv1 "k8s.io/api/rbac/v1"
	rbacv1alpha1 "k8s.io/api/rbac/v1alpha1"
	rbacv1beta1 "k8s.io/api/rbac/v1beta1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes/scheme"
	sigsjson "sigs.k8s.io/json"
)

// ErrRemovedAPIVersion is wrapped by the warning recorded for a manifest of a built-in kind
// written in an API version that Kubernetes no longer serves (extensions/v1beta1 DaemonSet,
// policy/v1beta1 PodSecurityPolicy). The object is loaded: as its current equivalent where
// the inventory holds the kind as a typed object (see LoadManifests), else as written.
var ErrRemovedAPIVersion = errors.New("API version removed from Kubernetes")

// kubernetesMinor is the minor version of the Kubernetes release whose API the k8s.io/api
// module describes (v0.37.x: Kubernetes 1.37). An API version removed in that release or
// before is not served.
const kubernetesMinor = 37

// removedAPI is an API version of a built-in kind that Kubernetes no longer serves.
type removedAPI struct {
	// removed is the release that stopped serving it, e.g. "1.16".
	removed string
	// replacement is the kind and version to use instead; empty when there is none.
	replacement schema.GroupVersionKind
	// convert, when not nil, reads an object of the removed version as its replacement, a
	// kind the inventory holds as a typed object (see removedConverters).
	convert func(data []byte) (decoded, error)
}

// removedConverter reads a removed API version as the kind to.
type removedConverter struct {
	to      schema.GroupVersionKind
	convert func(data []byte) (decoded, error)
}

// decoded is an object decoded from its JSON.
type decoded struct {
	obj runtime.Object
	// strict are the decoder's remarks: unknown fields and fields written twice.
	strict []error
	// dropped are the fields of a removed version that its replacement does not have.
	dropped []string
}

// removedElsewhere are removed API versions that k8s.io/api no longer describes, or
// describes without the release that removed them. The others are read from the lifecycle
// data k8s.io/api generates for each type (APILifecycleRemoved, APILifecycleReplacement).
var removedElsewhere = []struct {
	gvk         schema.GroupVersionKind
	removed     string
	replacement schema.GroupVersionKind
}{
	{schema.GroupVersionKind{Group: "batch", Version: "v2alpha1", Kind: "CronJob"}, "1.21", batchv1.SchemeGroupVersion.WithKind("CronJob")},
	{schema.GroupVersionKind{Group: "extensions", Version: "v1beta1", Kind: "PodSecurityPolicy"}, "1.16", schema.GroupVersionKind{}},
	{schema.GroupVersionKind{Group: "policy", Version: "v1beta1", Kind: "PodSecurityPolicy"}, "1.25", schema.GroupVersionKind{}},
	{rbacv1alpha1.SchemeGroupVersion.WithKind("Role"), "1.22", rbacv1.SchemeGroupVersion.WithKind("Role")},
	{rbacv1alpha1.SchemeGroupVersion.WithKind("ClusterRole"), "1.22", rbacv1.SchemeGroupVersion.WithKind("ClusterRole")},
	{rbacv1alpha1.SchemeGroupVersion.WithKind("RoleBinding"), "1.22", rbacv1.SchemeGroupVersion.WithKind("RoleBinding")},
	{rbacv1alpha1.SchemeGroupVersion.WithKind("ClusterRoleBinding"), "1.22", rbacv1.SchemeGroupVersion.WithKind("ClusterRoleBinding")},
	{schema.GroupVersionKind{Group: "apiextensions.k8s.io", Version: "v1beta1", Kind: "CustomResourceDefinition"}, "1.22",
		schema.GroupVersionKind{Group: "apiextensions.k8s.io", Version: "v1", Kind: "CustomResourceDefinition"}},
	{schema.GroupVersionKind{Group: "apiregistration.k8s.io", Version: "v1beta1", Kind: "APIService"}, "1.22",
		schema.GroupVersionKind{Group: "apiregistration.k8s.io", Version: "v1", Kind: "APIService"}},
	{schema.GroupVersionKind{Group: "admissionregistration.k8s.io", Version: "v1alpha1", Kind: "InitializerConfiguration"}, "1.14", schema.GroupVersionKind{}},
}

// removedConverters read removed versions of the kinds the inventory holds as typed objects
// as their replacements. Each decodes the object as the removed version (so that an unknown
// field is one that version did not have), applies that version's defaults where the current
// version lacks them or sets other values (the current version's defaults then apply, as when
// the API server reads a stored object: see ApplyDefaults), renames the fields the current
// version names otherwise, and decodes the result as the current version. The defaults are
// those of the Kubernetes sources (pkg/apis/<group>/<version>/defaults.go) of the last
// releases that served each version.
var removedConverters = map[schema.GroupVersionKind]removedConverter{
	extensionsv1beta1.SchemeGroupVersion.WithKind("Deployment"):    convertRemoved[extensionsv1beta1.Deployment, appsv1.Deployment](defaultExtensionsDeployment, nil),
	extensionsv1beta1.SchemeGroupVersion.WithKind("DaemonSet"):     convertRemoved[extensionsv1beta1.DaemonSet, appsv1.DaemonSet](defaultExtensionsDaemonSet, nil),
	extensionsv1beta1.SchemeGroupVersion.WithKind("ReplicaSet"):    convertRemoved[extensionsv1beta1.ReplicaSet, appsv1.ReplicaSet](defaultExtensionsReplicaSet, nil),
	extensionsv1beta1.SchemeGroupVersion.WithKind("NetworkPolicy"): convertRemoved[extensionsv1beta1.NetworkPolicy, networkingv1.NetworkPolicy](nil, nil),
	extensionsv1beta1.SchemeGroupVersion.WithKind("Ingress"):       convertRemoved[extensionsv1beta1.Ingress, networkingv1.Ingress](defaultExtensionsIngress, renameIngressBackends),
	networkingv1beta1.SchemeGroupVersion.WithKind("Ingress"):       convertRemoved[networkingv1beta1.Ingress, networkingv1.Ingress](defaultNetworkingIngress, renameIngressBackends),

	appsv1beta1.SchemeGroupVersion.WithKind("Deployment"):  convertRemoved[appsv1beta1.Deployment, appsv1.Deployment](defaultAppsV1beta1Deployment, nil),
	appsv1beta1.SchemeGroupVersion.WithKind("StatefulSet"): convertRemoved[appsv1beta1.StatefulSet, appsv1.StatefulSet](defaultAppsV1beta1StatefulSet, nil),
	appsv1beta2.SchemeGroupVersion.WithKind("Deployment"):  convertRemoved[appsv1beta2.Deployment, appsv1.Deployment](nil, nil),
	appsv1beta2.SchemeGroupVersion.WithKind("DaemonSet"):   convertRemoved[appsv1beta2.DaemonSet, appsv1.DaemonSet](nil, nil),
	appsv1beta2.SchemeGroupVersion.WithKind("ReplicaSet"):  convertRemoved[appsv1beta2.ReplicaSet, appsv1.ReplicaSet](nil, nil),
	appsv1beta2.SchemeGroupVersion.WithKind("StatefulSet"): convertRemoved[appsv1beta2.StatefulSet, appsv1.StatefulSet](nil, nil),

	// batch/v2alpha1 has the fields of batch/v1beta1 (k8s.io/api no longer has its types).
	{Group: "batch", Version: "v2alpha1", Kind: "CronJob"}: convertRemoved[batchv1beta1.CronJob, batchv1.CronJob](nil, nil),
	batchv1beta1.SchemeGroupVersion.WithKind("CronJob"):    convertRemoved[batchv1beta1.CronJob, batchv1.CronJob](nil, nil),

	rbacv1alpha1.SchemeGroupVersion.WithKind("Role"):               convertRemoved[rbacv1alpha1.Role, rbacv1.Role](nil, nil),
	rbacv1alpha1.SchemeGroupVersion.WithKind("ClusterRole"):        convertRemoved[rbacv1alpha1.ClusterRole, rbacv1.ClusterRole](nil, nil),
	rbacv1alpha1.SchemeGroupVersion.WithKind("RoleBinding"):        convertRemoved[rbacv1alpha1.RoleBinding, rbacv1.RoleBinding](func(o *rbacv1alpha1.RoleBinding) { defaultV1alpha1Subjects(o.Subjects) }, convertV1alpha1Subjects),
	rbacv1alpha1.SchemeGroupVersion.WithKind("ClusterRoleBinding"): convertRemoved[rbacv1alpha1.ClusterRoleBinding, rbacv1.ClusterRoleBinding](func(o *rbacv1alpha1.ClusterRoleBinding) { defaultV1alpha1Subjects(o.Subjects) }, convertV1alpha1Subjects),
	rbacv1beta1.SchemeGroupVersion.WithKind("Role"):                convertRemoved[rbacv1beta1.Role, rbacv1.Role](nil, nil),
	rbacv1beta1.SchemeGroupVersion.WithKind("ClusterRole"):         convertRemoved[rbacv1beta1.ClusterRole, rbacv1.ClusterRole](nil, nil),
	rbacv1beta1.SchemeGroupVersion.WithKind("RoleBinding"):         convertRemoved[rbacv1beta1.RoleBinding, rbacv1.RoleBinding](nil, nil),
	rbacv1beta1.SchemeGroupVersion.WithKind("ClusterRoleBinding"):  convertRemoved[rbacv1beta1.ClusterRoleBinding, rbacv1.ClusterRoleBinding](nil, nil),

	admissionregistrationv1beta1.SchemeGroupVersion.WithKind("ValidatingWebhookConfiguration"):    convertRemoved[admissionregistrationv1beta1.ValidatingWebhookConfiguration, admissionregistrationv1.ValidatingWebhookConfiguration](defaultV1beta1ValidatingWebhooks, nil),
	admissionregistrationv1beta1.SchemeGroupVersion.WithKind("MutatingWebhookConfiguration"):      convertRemoved[admissionregistrationv1beta1.MutatingWebhookConfiguration, admissionregistrationv1.MutatingWebhookConfiguration](defaultV1beta1MutatingWebhooks, nil),
	admissionregistrationv1beta1.SchemeGroupVersion.WithKind("ValidatingAdmissionPolicy"):         convertRemoved[admissionregistrationv1beta1.ValidatingAdmissionPolicy, admissionregistrationv1.ValidatingAdmissionPolicy](nil, nil),
	admissionregistrationv1beta1.SchemeGroupVersion.WithKind("ValidatingAdmissionPolicyBinding"):  convertRemoved[admissionregistrationv1beta1.ValidatingAdmissionPolicyBinding, admissionregistrationv1.ValidatingAdmissionPolicyBinding](nil, nil),
	admissionregistrationv1alpha1.SchemeGroupVersion.WithKind("ValidatingAdmissionPolicy"):        convertRemoved[admissionregistrationv1alpha1.ValidatingAdmissionPolicy, admissionregistrationv1.ValidatingAdmissionPolicy](nil, nil),
	admissionregistrationv1alpha1.SchemeGroupVersion.WithKind("ValidatingAdmissionPolicyBinding"): convertRemoved[admissionregistrationv1alpha1.ValidatingAdmissionPolicyBinding, admissionregistrationv1.ValidatingAdmissionPolicyBinding](nil, nil),
}

// apiLifecycle is the lifecycle data k8s.io/api generates for the types of prerelease API
// versions.
type apiLifecycle interface {
	APILifecycleRemoved() (major, minor int)
}

type apiReplacement interface {
	APILifecycleReplacement() schema.GroupVersionKind
}

// removedAPIs returns the removed API versions of built-in kinds, by group, version and kind.
var removedAPIs = sync.OnceValue(func() map[schema.GroupVersionKind]removedAPI {
	out := make(map[schema.GroupVersionKind]removedAPI)
	for gvk, t := range scheme.Scheme.AllKnownTypes() {
		lc, ok := reflect.New(t).Interface().(apiLifecycle)
		if !ok {
			continue
		}
		major, minor := lc.APILifecycleRemoved()
		if major != 1 || minor > kubernetesMinor {
			continue
		}
		r := removedAPI{removed: fmt.Sprintf("%d.%d", major, minor)}
		if rp, ok := lc.(apiReplacement); ok {
			r.replacement = rp.APILifecycleReplacement()
			// networking.k8s.io/v1beta1 IngressClass names IngressClassList.
			if r.replacement.Kind == gvk.Kind+"List" {
				r.replacement.Kind = gvk.Kind
			}
		}
		out[gvk] = r
	}
	for _, e := range removedElsewhere {
		if _, ok := out[e.gvk]; !ok {
			out[e.gvk] = removedAPI{removed: e.removed, replacement: e.replacement}
		}
	}
	for gvk, c := range removedConverters {
		if r, ok := out[gvk]; ok {
			r.replacement, r.convert = c.to, c.convert
			out[gvk] = r
		}
	}
	return out
})

// lookupRemovedAPI reports whether gvk is an API version of a built-in kind that Kubernetes
// no longer serves.
func lookupRemovedAPI(gvk schema.GroupVersionKind) (removedAPI, bool) {
	r, ok := removedAPIs()[gvk]
	return r, ok
}

// warning returns the warning about an object of the removed version gvk; dropped are the
// fields its conversion left out.
func (r removedAPI) warning(gvk schema.GroupVersionKind, dropped []string) error {
	msg := fmt.Sprintf("%s %s is not served since Kubernetes %s", gvk.GroupVersion(), gvk.Kind, r.removed)
	repl := r.replacement.GroupVersion().String() + " " + r.replacement.Kind
	switch {
	case r.convert != nil:
		msg += "; read as " + repl
		if len(dropped) > 0 {
			msg += fmt.Sprintf(", without %s, which %s does not have", quoteList(dropped), repl)
		}
	case r.replacement.Kind != "":
		msg += fmt.Sprintf(" (%s replaces it); kept as written", repl)
	default:
		msg += ", and nothing replaces it; kept as written"
	}
	return &remark{msg, ErrRemovedAPIVersion}
}

// quoteList writes names quoted and separated by commas.
func quoteList(names []string) string {
	out := ""
	for i, n := range names {
		if i > 0 {
			out += ", "
		}
		out += fmt.Sprintf("%q", n)
	}
	return out
}

// convertRemoved returns the converter of a removed version O to its replacement N (see
// removedConverters): setDefaults applies the defaults of O that N lacks or sets otherwise,
// rename renames, on the JSON object, the fields N names otherwise.
func convertRemoved[O, N any, PO interface {
	*O
	runtime.Object
}, PN interface {
	*N
	runtime.Object
}](setDefaults func(PO), rename func(map[string]any)) removedConverter {
	to, ok := kindOfType(PN(new(N)))
	if !ok {
		panic(fmt.Sprintf("inventory: %T is not a built-in kind", PN(new(N))))
	}
	return removedConverter{to: to.GroupVersionKind, convert: func(data []byte) (decoded, error) {
		old := PO(new(O))
		strict, err := sigsjson.UnmarshalStrict(data, old)
		if err != nil {
			return decoded{obj: old}, err
		}
		if setDefaults != nil {
			setDefaults(old)
		}
		b, err := json.Marshal(old)
		if err != nil {
			return decoded{obj: old}, err
		}
		if rename != nil {
			var m map[string]any
			if err := sigsjson.UnmarshalCaseSensitivePreserveInts(b, &m); err != nil {
				return decoded{obj: old}, err
			}
			rename(m)
			if b, err = json.Marshal(m); err != nil {
				return decoded{obj: old}, err
			}
		}
		cur := PN(new(N))
		extra, err := sigsjson.UnmarshalStrict(b, cur)
		if err != nil {
			return decoded{obj: old}, err
		}
		d := decoded{obj: cur, strict: strict}
		for _, e := range extra {
			var fe sigsjson.FieldError
			if errors.As(e, &fe) {
				d.dropped = append(d.dropped, fe.FieldPath())
			}
		}
		return d, nil
	}}
}

func intOrStringPtr(i int32) *intstr.IntOrString {
	v := intstr.FromInt32(i)
	return &v
}

// selectorFromTemplate sets, as extensions/v1beta1 and apps/v1beta1 did, a missing selector
// to the pod template's labels, and the object's labels to them when it has none.
func selectorFromTemplate(sel **metav1.LabelSelector, labels *map[string]string, template map[string]string) {
	if template == nil {
		return
	}
	if *sel == nil {
		*sel = &metav1.LabelSelector{MatchLabels: template}
	}
	if len(*labels) == 0 {
		*labels = template
	}
}

// defaultExtensionsDeployment: the selector and labels from the template; a rolling update
// of at most 1 unavailable and 1 surge pod (apps/v1: 25%); no limit on kept revisions and no
// progress deadline (math.MaxInt32; apps/v1: 10 and 600 seconds).
func defaultExtensionsDeployment(d *extensionsv1beta1.Deployment) {
	selectorFromTemplate(&d.Spec.Selector, &d.Labels, d.Spec.Template.Labels)
	s := &d.Spec.Strategy
	if s.Type == "" {
		s.Type = extensionsv1beta1.RollingUpdateDeploymentStrategyType
	}
	if s.Type == extensionsv1beta1.RollingUpdateDeploymentStrategyType || s.RollingUpdate != nil {
		if s.RollingUpdate == nil {
			s.RollingUpdate = &extensionsv1beta1.RollingUpdateDeployment{}
		}
		if s.RollingUpdate.MaxUnavailable == nil {
			s.RollingUpdate.MaxUnavailable = intOrStringPtr(1)
		}
		if s.RollingUpdate.MaxSurge == nil {
			s.RollingUpdate.MaxSurge = intOrStringPtr(1)
		}
	}
	if d.Spec.ProgressDeadlineSeconds == nil {
		d.Spec.ProgressDeadlineSeconds = defaultPtr[int32](math.MaxInt32)
	}
	if d.Spec.RevisionHistoryLimit == nil {
		d.Spec.RevisionHistoryLimit = defaultPtr[int32](math.MaxInt32)
	}
}

// defaultExtensionsDaemonSet: the selector and labels from the template; updates OnDelete
// (apps/v1: RollingUpdate).
func defaultExtensionsDaemonSet(d *extensionsv1beta1.DaemonSet) {
	selectorFromTemplate(&d.Spec.Selector, &d.Labels, d.Spec.Template.Labels)
	if d.Spec.UpdateStrategy.Type == "" {
		d.Spec.UpdateStrategy.Type = extensionsv1beta1.OnDeleteDaemonSetStrategyType
	}
}

// defaultExtensionsReplicaSet: the selector and labels from the template.
func defaultExtensionsReplicaSet(r *extensionsv1beta1.ReplicaSet) {
	selectorFromTemplate(&r.Spec.Selector, &r.Labels, r.Spec.Template.Labels)
}

// defaultAppsV1beta1Deployment: the selector and labels from the template; 2 kept revisions
// (apps/v1: 10).
func defaultAppsV1beta1Deployment(d *appsv1beta1.Deployment) {
	selectorFromTemplate(&d.Spec.Selector, &d.Labels, d.Spec.Template.Labels)
	if d.Spec.RevisionHistoryLimit == nil {
		d.Spec.RevisionHistoryLimit = defaultPtr[int32](2)
	}
}

// defaultAppsV1beta1StatefulSet: the selector and labels from the template; updates OnDelete
// (apps/v1: RollingUpdate).
func defaultAppsV1beta1StatefulSet(s *appsv1beta1.StatefulSet) {
	selectorFromTemplate(&s.Spec.Selector, &s.Labels, s.Spec.Template.Labels)
	if s.Spec.UpdateStrategy.Type == "" {
		s.Spec.UpdateStrategy.Type = appsv1beta1.OnDeleteStatefulSetStrategyType
	}
}

// defaultExtensionsIngress and defaultNetworkingIngress: a path without pathType is
// ImplementationSpecific (networking.k8s.io/v1 requires pathType).
func defaultExtensionsIngress(in *extensionsv1beta1.Ingress) {
	for i := range in.Spec.Rules {
		if h := in.Spec.Rules[i].HTTP; h != nil {
			for j := range h.Paths {
				if h.Paths[j].PathType == nil {
					h.Paths[j].PathType = defaultPtr(extensionsv1beta1.PathTypeImplementationSpecific)
				}
			}
		}
	}
}

func defaultNetworkingIngress(in *networkingv1beta1.Ingress) {
	for i := range in.Spec.Rules {
		if h := in.Spec.Rules[i].HTTP; h != nil {
			for j := range h.Paths {
				if h.Paths[j].PathType == nil {
					h.Paths[j].PathType = defaultPtr(networkingv1beta1.PathTypeImplementationSpecific)
				}
			}
		}
	}
}

// renameIngressBackends turns a v1beta1 Ingress (JSON) into a networking.k8s.io/v1 one:
// spec.backend is spec.defaultBackend, and a backend's serviceName and servicePort are
// service.name and service.port.number (a number) or service.port.name (a name).
func renameIngressBackends(m map[string]any) {
	spec, _ := m["spec"].(map[string]any)
	if spec == nil {
		return
	}
	if b, ok := spec["backend"].(map[string]any); ok {
		delete(spec, "backend")
		spec["defaultBackend"] = renameIngressBackend(b)
	}
	rules, _ := spec["rules"].([]any)
	for _, r := range rules {
		rule, _ := r.(map[string]any)
		http, _ := rule["http"].(map[string]any)
		paths, _ := http["paths"].([]any)
		for _, p := range paths {
			if path, _ := p.(map[string]any); path != nil {
				if b, ok := path["backend"].(map[string]any); ok {
					path["backend"] = renameIngressBackend(b)
				}
			}
		}
	}
}

// renameIngressBackend converts one backend as the API server does: a service backend when
// it names a service or a port (a port of 0 is none).
func renameIngressBackend(b map[string]any) map[string]any {
	name, _ := b["serviceName"].(string)
	port := b["servicePort"]
	delete(b, "serviceName")
	delete(b, "servicePort")
	p := map[string]any{}
	switch v := port.(type) {
	case int64:
		if v != 0 {
			p["number"] = v
		}
	case string:
		if v != "" {
			p["name"] = v
		}
	}
	_, isName := port.(string)
	if name != "" || len(p) > 0 || isName {
		b["service"] = map[string]any{"name": name, "port": p}
	}
	return b
}

// defaultV1alpha1Subjects gives subjects without apiVersion the one rbac.authorization.k8s.io/
// v1alpha1 gave them.
func defaultV1alpha1Subjects(subjects []rbacv1alpha1.Subject) {
	for i := range subjects {
		s := &subjects[i]
		if s.APIVersion != "" {
			continue
		}
		switch s.Kind {
		case rbacv1alpha1.ServiceAccountKind:
			s.APIVersion = "v1"
		case rbacv1alpha1.UserKind, rbacv1alpha1.GroupKind:
			s.APIVersion = rbacv1alpha1.SchemeGroupVersion.String()
		}
	}
}

// convertV1alpha1Subjects turns the subjects of a v1alpha1 binding (JSON), which name an
// apiVersion, into subjects that name an apiGroup, as the API server converted them: the
// core group for a ServiceAccount, the RBAC group for a User or Group, else the group of the
// apiVersion. The User "*", which v1alpha1 read as every authenticated user, becomes the
// Group system:authenticated.
func convertV1alpha1Subjects(m map[string]any) {
	subjects, _ := m["subjects"].([]any)
	for _, e := range subjects {
		s, _ := e.(map[string]any)
		if s == nil {
			continue
		}
		kind, _ := s["kind"].(string)
		apiVersion, _ := s["apiVersion"].(string)
		delete(s, "apiVersion")
		group := ""
		switch kind {
		case rbacv1alpha1.ServiceAccountKind:
		case rbacv1alpha1.UserKind, rbacv1alpha1.GroupKind:
			group = rbacv1.GroupName
		default:
			if gv, err := schema.ParseGroupVersion(apiVersion); err == nil {
				group = gv.Group
			}
		}
		if group != "" {
			s["apiGroup"] = group
		}
		if kind == rbacv1alpha1.UserKind && group == rbacv1.GroupName && s["name"] == "*" {
			s["kind"] = rbacv1alpha1.GroupKind
			s["name"] = "system:authenticated"
		}
	}
}

// defaultV1beta1ValidatingWebhooks and defaultV1beta1MutatingWebhooks: a webhook that fails
// is ignored (v1: the request fails), rules match exactly the versions they list (v1: the
// equivalent ones too), side effects are Unknown, the timeout is 30 seconds (v1: 10), and the
// AdmissionReview version sent is v1beta1.
func defaultV1beta1ValidatingWebhooks(c *admissionregistrationv1beta1.ValidatingWebhookConfiguration) {
	for i := range c.Webhooks {
		w := &c.Webhooks[i]
		defaultV1beta1Webhook(&w.FailurePolicy, &w.MatchPolicy, &w.SideEffects, &w.TimeoutSeconds, &w.AdmissionReviewVersions)
	}
}

func defaultV1beta1MutatingWebhooks(c *admissionregistrationv1beta1.MutatingWebhookConfiguration) {
	for i := range c.Webhooks {
		w := &c.Webhooks[i]
		defaultV1beta1Webhook(&w.FailurePolicy, &w.MatchPolicy, &w.SideEffects, &w.TimeoutSeconds, &w.AdmissionReviewVersions)
	}
}

func defaultV1beta1Webhook(failure **admissionregistrationv1beta1.FailurePolicyType, match **admissionregistrationv1beta1.MatchPolicyType,
	sideEffects **admissionregistrationv1beta1.SideEffectClass, timeout **int32, versions *[]string) {
	if *failure == nil {
		*failure = defaultPtr(admissionregistrationv1beta1.Ignore)
	}
	if *match == nil {
		*match = defaultPtr(admissionregistrationv1beta1.Exact)
	}
	if *sideEffects == nil {
		*sideEffects = defaultPtr(admissionregistrationv1beta1.SideEffectClassUnknown)
	}
	if *timeout == nil {
		*timeout = defaultPtr[int32](30)
	}
	if len(*versions) == 0 {
		*versions = []string{admissionregistrationv1beta1.SchemeGroupVersion.Version}
	}
}
