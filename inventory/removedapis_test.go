package inventory

import (
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes/scheme"
)

// TestRemovedAPIsTable checks the removed API versions against the facts they come from.
func TestRemovedAPIsTable(t *testing.T) {
	// kubernetesMinor is the release k8s.io/api describes.
	gomod, err := os.ReadFile(filepath.Join("..", "go.mod"))
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^\s*k8s\.io/api v0\.(\d+)\.`).FindSubmatch(gomod)
	require.NotNil(t, m, "k8s.io/api in go.mod")
	assert.Equal(t, string(m[1]), "37", "kubernetesMinor follows k8s.io/api")
	assert.Equal(t, 37, kubernetesMinor)

	removed := removedAPIs()
	for gvk, c := range removedConverters {
		r, ok := removed[gvk]
		if assert.True(t, ok, "%s is converted, so it must be a removed version", gvk) {
			assert.Equal(t, c.to, r.replacement, gvk.String())
		}
		k, ok := LookupKind(c.to.GroupKind())
		if assert.True(t, ok, "%s converts to a built-in kind", gvk) {
			assert.Equal(t, k.GroupVersionKind, c.to, "%s converts to the version the inventory holds", gvk)
		}
	}
	for gvk, r := range removed {
		_, typed := LookupKind(gvk.GroupKind())
		_, replacementTyped := LookupKind(r.replacement.GroupKind())
		if typed || replacementTyped {
			assert.NotNil(t, r.convert, "%s: a removed version of a kind the inventory types needs a conversion", gvk)
		}
		assert.Regexp(t, `^1\.\d+$`, r.removed, gvk.String())
	}
	for _, e := range removedElsewhere {
		if typ, ok := scheme.Scheme.AllKnownTypes()[e.gvk]; ok {
			_, hasLifecycle := reflect.New(typ).Interface().(apiLifecycle)
			assert.False(t, hasLifecycle, "%s: k8s.io/api has its lifecycle now; drop it from removedElsewhere", e.gvk)
		}
	}
	// Upstream's replacement, where it names one, is what the converter reads as.
	for gvk, typ := range scheme.Scheme.AllKnownTypes() {
		c, ok := removedConverters[gvk]
		if !ok {
			continue
		}
		if rp, ok := reflect.New(typ).Interface().(apiReplacement); ok {
			assert.Equal(t, rp.APILifecycleReplacement(), c.to, gvk.String())
		}
	}
	// Versions still served are not removed.
	for _, gvk := range []schema.GroupVersionKind{
		appsv1.SchemeGroupVersion.WithKind("Deployment"),
		{Group: "policy", Version: "v1", Kind: "PodDisruptionBudget"},
		{Group: "admissionregistration.k8s.io", Version: "v1beta1", Kind: "MutatingAdmissionPolicy"},
	} {
		_, ok := removed[gvk]
		assert.False(t, ok, gvk.String())
	}
}

// TestLoadManifestsRemovedAPIVersions loads objects of removed API versions: each loads as
// its current equivalent, defaulted as its own version was where that differs, with a
// warning naming the version and the release that removed it.
func TestLoadManifestsRemovedAPIVersions(t *testing.T) {
	const (
		podTemplate = "  template:\n    metadata:\n      labels: {app: x}\n    spec:\n      containers: [{name: c, image: i}]\n"
		jobTemplate = "  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: c, image: i}]\n"
	)
	tests := []struct {
		name        string
		doc         string
		wantGVK     schema.GroupVersionKind
		wantWarning string
		check       func(t *testing.T, obj runtime.Object)
	}{
		{
			name:        "extensions/v1beta1 DaemonSet: selector and labels from the template, OnDelete",
			doc:         "apiVersion: extensions/v1beta1\nkind: DaemonSet\nmetadata: {name: o}\nspec:\n  templateGeneration: 2\n" + podTemplate,
			wantGVK:     appsv1.SchemeGroupVersion.WithKind("DaemonSet"),
			wantWarning: `extensions/v1beta1 DaemonSet is not served since Kubernetes 1.16; read as apps/v1 DaemonSet, without "spec.templateGeneration", which apps/v1 DaemonSet does not have`,
			check: func(t *testing.T, obj runtime.Object) {
				ds := obj.(*appsv1.DaemonSet)
				require.NotNil(t, ds.Spec.Selector)
				assert.Equal(t, map[string]string{"app": "x"}, ds.Spec.Selector.MatchLabels)
				assert.Equal(t, map[string]string{"app": "x"}, ds.Labels)
				assert.Equal(t, appsv1.OnDeleteDaemonSetStrategyType, ds.Spec.UpdateStrategy.Type)
				assert.Equal(t, "default", ds.Namespace)
			},
		},
		{
			name:        "extensions/v1beta1 Deployment: its own rolling update and history defaults",
			doc:         "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: o, labels: {own: label}}\nspec:\n" + podTemplate,
			wantGVK:     appsv1.SchemeGroupVersion.WithKind("Deployment"),
			wantWarning: `extensions/v1beta1 Deployment is not served since Kubernetes 1.16; read as apps/v1 Deployment`,
			check: func(t *testing.T, obj runtime.Object) {
				d := obj.(*appsv1.Deployment)
				require.NotNil(t, d.Spec.Selector)
				assert.Equal(t, map[string]string{"app": "x"}, d.Spec.Selector.MatchLabels)
				assert.Equal(t, map[string]string{"own": "label"}, d.Labels, "labels written are kept")
				require.NotNil(t, d.Spec.Strategy.RollingUpdate)
				assert.Equal(t, intstr.FromInt32(1), *d.Spec.Strategy.RollingUpdate.MaxUnavailable)
				assert.Equal(t, intstr.FromInt32(1), *d.Spec.Strategy.RollingUpdate.MaxSurge)
				assert.Equal(t, int32(math.MaxInt32), *d.Spec.RevisionHistoryLimit)
				assert.Equal(t, int32(math.MaxInt32), *d.Spec.ProgressDeadlineSeconds)
			},
		},
		{
			name:        "extensions/v1beta1 ReplicaSet",
			doc:         "apiVersion: extensions/v1beta1\nkind: ReplicaSet\nmetadata: {name: o}\nspec:\n" + podTemplate,
			wantGVK:     appsv1.SchemeGroupVersion.WithKind("ReplicaSet"),
			wantWarning: `extensions/v1beta1 ReplicaSet is not served since Kubernetes 1.16; read as apps/v1 ReplicaSet`,
			check: func(t *testing.T, obj runtime.Object) {
				assert.Equal(t, map[string]string{"app": "x"}, obj.(*appsv1.ReplicaSet).Spec.Selector.MatchLabels)
			},
		},
		{
			name:        "apps/v1beta1 Deployment: selector from the template, 2 revisions kept",
			doc:         "apiVersion: apps/v1beta1\nkind: Deployment\nmetadata: {name: o}\nspec:\n  rollbackTo: {revision: 1}\n" + podTemplate,
			wantGVK:     appsv1.SchemeGroupVersion.WithKind("Deployment"),
			wantWarning: `apps/v1beta1 Deployment is not served since Kubernetes 1.16; read as apps/v1 Deployment, without "spec.rollbackTo", which apps/v1 Deployment does not have`,
			check: func(t *testing.T, obj runtime.Object) {
				d := obj.(*appsv1.Deployment)
				assert.Equal(t, map[string]string{"app": "x"}, d.Spec.Selector.MatchLabels)
				assert.Equal(t, int32(2), *d.Spec.RevisionHistoryLimit)
			},
		},
		{
			name:        "apps/v1beta1 StatefulSet: OnDelete",
			doc:         "apiVersion: apps/v1beta1\nkind: StatefulSet\nmetadata: {name: o}\nspec:\n  serviceName: s\n" + podTemplate,
			wantGVK:     appsv1.SchemeGroupVersion.WithKind("StatefulSet"),
			wantWarning: `apps/v1beta1 StatefulSet is not served since Kubernetes 1.16; read as apps/v1 StatefulSet`,
			check: func(t *testing.T, obj runtime.Object) {
				s := obj.(*appsv1.StatefulSet)
				assert.Equal(t, map[string]string{"app": "x"}, s.Spec.Selector.MatchLabels)
				assert.Equal(t, appsv1.OnDeleteStatefulSetStrategyType, s.Spec.UpdateStrategy.Type)
			},
		},
		{
			name:        "apps/v1beta2 Deployment: no selector defaulting (v1beta2 requires one)",
			doc:         "apiVersion: apps/v1beta2\nkind: Deployment\nmetadata: {name: o}\nspec:\n" + podTemplate,
			wantGVK:     appsv1.SchemeGroupVersion.WithKind("Deployment"),
			wantWarning: `apps/v1beta2 Deployment is not served since Kubernetes 1.16; read as apps/v1 Deployment`,
			check: func(t *testing.T, obj runtime.Object) {
				assert.Nil(t, obj.(*appsv1.Deployment).Spec.Selector)
			},
		},
		{
			name: "extensions/v1beta1 Ingress: backends renamed, pathType defaulted",
			doc: "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: o}\nspec:\n  backend: {serviceName: def, servicePort: 80}\n" +
				"  rules:\n  - host: a.example\n    http:\n      paths:\n      - path: /\n        backend: {serviceName: web, servicePort: http}\n" +
				"      - path: /r\n        pathType: Prefix\n        backend: {resource: {kind: Bucket, name: b}}\n",
			wantGVK:     networkingv1.SchemeGroupVersion.WithKind("Ingress"),
			wantWarning: `extensions/v1beta1 Ingress is not served since Kubernetes 1.22; read as networking.k8s.io/v1 Ingress`,
			check: func(t *testing.T, obj runtime.Object) {
				in := obj.(*networkingv1.Ingress)
				require.NotNil(t, in.Spec.DefaultBackend)
				require.NotNil(t, in.Spec.DefaultBackend.Service)
				assert.Equal(t, networkingv1.IngressServiceBackend{Name: "def", Port: networkingv1.ServiceBackendPort{Number: 80}}, *in.Spec.DefaultBackend.Service)
				paths := in.Spec.Rules[0].HTTP.Paths
				require.Len(t, paths, 2)
				require.NotNil(t, paths[0].Backend.Service)
				assert.Equal(t, networkingv1.IngressServiceBackend{Name: "web", Port: networkingv1.ServiceBackendPort{Name: "http"}}, *paths[0].Backend.Service)
				assert.Equal(t, networkingv1.PathTypeImplementationSpecific, *paths[0].PathType)
				assert.Nil(t, paths[1].Backend.Service)
				assert.Equal(t, "Bucket", paths[1].Backend.Resource.Kind)
				assert.Equal(t, networkingv1.PathTypePrefix, *paths[1].PathType)
			},
		},
		{
			name:        "networking.k8s.io/v1beta1 Ingress",
			doc:         "apiVersion: networking.k8s.io/v1beta1\nkind: Ingress\nmetadata: {name: o}\nspec:\n  backend: {serviceName: def, servicePort: 8080}\n",
			wantGVK:     networkingv1.SchemeGroupVersion.WithKind("Ingress"),
			wantWarning: `networking.k8s.io/v1beta1 Ingress is not served since Kubernetes 1.22; read as networking.k8s.io/v1 Ingress`,
			check: func(t *testing.T, obj runtime.Object) {
				assert.Equal(t, int32(8080), obj.(*networkingv1.Ingress).Spec.DefaultBackend.Service.Port.Number)
			},
		},
		{
			name:        "extensions/v1beta1 NetworkPolicy",
			doc:         "apiVersion: extensions/v1beta1\nkind: NetworkPolicy\nmetadata: {name: o}\nspec:\n  podSelector: {}\n  egress: [{}]\n",
			wantGVK:     networkingv1.SchemeGroupVersion.WithKind("NetworkPolicy"),
			wantWarning: `extensions/v1beta1 NetworkPolicy is not served since Kubernetes 1.16; read as networking.k8s.io/v1 NetworkPolicy`,
			check: func(t *testing.T, obj runtime.Object) {
				assert.Equal(t, []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}, obj.(*networkingv1.NetworkPolicy).Spec.PolicyTypes)
			},
		},
		{
			name:        "batch/v2alpha1 CronJob",
			doc:         "apiVersion: batch/v2alpha1\nkind: CronJob\nmetadata: {name: o}\nspec:\n  schedule: '* * * * *'\n" + jobTemplate,
			wantGVK:     batchv1.SchemeGroupVersion.WithKind("CronJob"),
			wantWarning: `batch/v2alpha1 CronJob is not served since Kubernetes 1.21; read as batch/v1 CronJob`,
			check: func(t *testing.T, obj runtime.Object) {
				cj := obj.(*batchv1.CronJob)
				assert.Equal(t, "i", cj.Spec.JobTemplate.Spec.Template.Spec.Containers[0].Image)
			},
		},
		{
			name:        "batch/v1beta1 CronJob",
			doc:         "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: o}\nspec:\n  schedule: '* * * * *'\n" + jobTemplate,
			wantGVK:     batchv1.SchemeGroupVersion.WithKind("CronJob"),
			wantWarning: `batch/v1beta1 CronJob is not served since Kubernetes 1.25; read as batch/v1 CronJob`,
		},
		{
			name: "rbac v1alpha1 ClusterRoleBinding: subjects name an apiGroup; User * is every authenticated user",
			doc: "apiVersion: rbac.authorization.k8s.io/v1alpha1\nkind: ClusterRoleBinding\nmetadata: {name: o}\nroleRef: {kind: ClusterRole, name: admin}\n" +
				"subjects:\n- {kind: User, name: '*'}\n- {kind: ServiceAccount, name: sa, namespace: ns}\n- {kind: Group, name: devs, apiVersion: rbac.authorization.k8s.io/v1alpha1}\n",
			wantGVK:     rbacv1.SchemeGroupVersion.WithKind("ClusterRoleBinding"),
			wantWarning: `rbac.authorization.k8s.io/v1alpha1 ClusterRoleBinding is not served since Kubernetes 1.22; read as rbac.authorization.k8s.io/v1 ClusterRoleBinding`,
			check: func(t *testing.T, obj runtime.Object) {
				b := obj.(*rbacv1.ClusterRoleBinding)
				assert.Equal(t, rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "admin"}, b.RoleRef)
				assert.Equal(t, []rbacv1.Subject{
					{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: "system:authenticated"},
					{Kind: rbacv1.ServiceAccountKind, Name: "sa", Namespace: "ns"},
					{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: "devs"},
				}, b.Subjects)
			},
		},
		{
			name:        "rbac v1beta1 Role",
			doc:         "apiVersion: rbac.authorization.k8s.io/v1beta1\nkind: Role\nmetadata: {name: o, namespace: ns}\nrules:\n- {apiGroups: [''], resources: [secrets], verbs: [get]}\n",
			wantGVK:     rbacv1.SchemeGroupVersion.WithKind("Role"),
			wantWarning: `rbac.authorization.k8s.io/v1beta1 Role is not served since Kubernetes 1.22; read as rbac.authorization.k8s.io/v1 Role`,
			check: func(t *testing.T, obj runtime.Object) {
				assert.Equal(t, []string{"secrets"}, obj.(*rbacv1.Role).Rules[0].Resources)
			},
		},
		{
			name: "admissionregistration v1beta1 webhook: fails open, 30 seconds",
			doc: "apiVersion: admissionregistration.k8s.io/v1beta1\nkind: ValidatingWebhookConfiguration\nmetadata: {name: o}\nwebhooks:\n" +
				"- name: w.example.com\n  clientConfig: {service: {name: s, namespace: ns}}\n  rules: [{operations: [CREATE], apiGroups: [''], apiVersions: [v1], resources: [pods]}]\n",
			wantGVK:     admissionregistrationv1.SchemeGroupVersion.WithKind("ValidatingWebhookConfiguration"),
			wantWarning: `admissionregistration.k8s.io/v1beta1 ValidatingWebhookConfiguration is not served since Kubernetes 1.22; read as admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration`,
			check: func(t *testing.T, obj runtime.Object) {
				w := obj.(*admissionregistrationv1.ValidatingWebhookConfiguration).Webhooks[0]
				assert.Equal(t, admissionregistrationv1.Ignore, *w.FailurePolicy)
				assert.Equal(t, admissionregistrationv1.Exact, *w.MatchPolicy)
				assert.Equal(t, int32(30), *w.TimeoutSeconds)
				assert.Equal(t, admissionregistrationv1.SideEffectClassUnknown, *w.SideEffects)
				assert.Equal(t, []string{"v1beta1"}, w.AdmissionReviewVersions)
			},
		},
		{
			name:        "admissionregistration v1beta1 ValidatingAdmissionPolicy",
			doc:         "apiVersion: admissionregistration.k8s.io/v1beta1\nkind: ValidatingAdmissionPolicy\nmetadata: {name: o}\nspec:\n  validations: [{expression: 'true'}]\n",
			wantGVK:     admissionregistrationv1.SchemeGroupVersion.WithKind("ValidatingAdmissionPolicy"),
			wantWarning: `admissionregistration.k8s.io/v1beta1 ValidatingAdmissionPolicy is not served since Kubernetes 1.34; read as admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy`,
			check: func(t *testing.T, obj runtime.Object) {
				assert.Equal(t, admissionregistrationv1.Fail, *obj.(*admissionregistrationv1.ValidatingAdmissionPolicy).Spec.FailurePolicy)
			},
		},
		{
			name:        "policy/v1beta1 PodSecurityPolicy: nothing replaces it, kept as written",
			doc:         "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: o}\nspec:\n  privileged: true\n",
			wantGVK:     schema.GroupVersionKind{Group: "policy", Version: "v1beta1", Kind: "PodSecurityPolicy"},
			wantWarning: `policy/v1beta1 PodSecurityPolicy is not served since Kubernetes 1.25, and nothing replaces it; kept as written`,
			check: func(t *testing.T, obj runtime.Object) {
				_, ok := obj.(*unstructured.Unstructured)
				assert.True(t, ok)
			},
		},
		{
			name:        "policy/v1beta1 PodDisruptionBudget: a kind kspm does not type, kept as written",
			doc:         "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: o}\nspec: {minAvailable: 1}\n",
			wantGVK:     schema.GroupVersionKind{Group: "policy", Version: "v1beta1", Kind: "PodDisruptionBudget"},
			wantWarning: `policy/v1beta1 PodDisruptionBudget is not served since Kubernetes 1.25 (policy/v1 PodDisruptionBudget replaces it); kept as written`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			inv := mfLoad(t, []string{mfWrite(t, dir, "o.yaml", tt.doc)})
			require.Empty(t, inv.Errors())
			assert.Equal(t, []string{"o.yaml:1: " + kindOf(tt.doc) + " o: " + tt.wantWarning}, trimNamespace(mfWarnings(inv, dir)))
			for _, w := range inv.Warnings() {
				assert.ErrorIs(t, w, ErrRemovedAPIVersion)
			}
			require.Equal(t, 1, inv.Len())
			o := inv.Objects()[0]
			assert.Equal(t, tt.wantGVK, o.GroupVersionKind())
			assert.Equal(t, tt.wantGVK, o.Object().GetObjectKind().GroupVersionKind())
			assert.Equal(t, "o.yaml", filepath.Base(o.Source().File))
			if tt.check != nil {
				tt.check(t, o.Object())
			}
		})
	}
}

// TestLoadManifestsRemovedAPIVersionUnknownField checks that fields are judged by the
// removed version: one it did not have is an unknown field.
func TestLoadManifestsRemovedAPIVersionUnknownField(t *testing.T) {
	dir := t.TempDir()
	inv := mfLoad(t, []string{mfWrite(t, dir, "o.yaml", "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: o}\nspec:\n  defaultBackend: {service: {name: s}}\n")})
	assert.Empty(t, inv.Errors())
	assert.Equal(t, []string{
		`o.yaml:1: Ingress o: extensions/v1beta1 Ingress is not served since Kubernetes 1.22; read as networking.k8s.io/v1 Ingress`,
		`o.yaml:5: Ingress o: unknown field "spec.defaultBackend": dropped, as the API server drops it`,
	}, mfWarnings(inv, dir))
	require.Len(t, inv.ByKind(KindIngress), 1)
	assert.Nil(t, inv.ByKind(KindIngress)[0].Object().(*networkingv1.Ingress).Spec.DefaultBackend)
}

// TestLoadManifestsCorpusRemovedDaemonSets checks the two extensions/v1beta1 DaemonSets of
// the real-world corpus, which were once loaded as custom resources that no check reads: both
// are DaemonSets now, with their privileged containers.
func TestLoadManifestsCorpusRemovedDaemonSets(t *testing.T) {
	root := mfCorpus(t, "real")
	inv := mfLoad(t, []string{
		filepath.Join(root, "k8s-examples", "_archived", "volumes", "flexvolume", "deploy", "ds.yaml"),
		filepath.Join(root, "k8s-examples", "_archived", "newrelic-infrastructure", "newrelic-infra-daemonset.yaml"),
	})
	assert.Empty(t, inv.Errors())
	require.Len(t, inv.DaemonSets(), 2)
	for _, ds := range inv.DaemonSets() {
		require.NotNil(t, ds.Spec.Selector, ds.Name)
		assert.Equal(t, ds.Spec.Template.Labels, ds.Spec.Selector.MatchLabels, ds.Name)
		assert.True(t, *ds.Spec.Template.Spec.Containers[0].SecurityContext.Privileged, ds.Name)
	}
	assert.Len(t, inv.Warnings(), 2)
	assert.Len(t, inv.PodTemplates(), 2)
}

func kindOf(doc string) string {
	return regexp.MustCompile(`(?m)^kind: (\S+)`).FindStringSubmatch(doc)[1]
}

// trimNamespace drops the namespace from "Kind ns/name" in warnings, for a table that does
// not care where objects are.
func trimNamespace(ws []string) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = regexp.MustCompile(`^(\S+: \S+ )(?:default|ns)/`).ReplaceAllString(w, "$1")
	}
	return out
}
