package inventory_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kspm-dev/kspm/inventory"
)

func dfPtr[T any](v T) *T { return &v }

func dfPodSpec() corev1.PodSpec {
	return corev1.PodSpec{
		Volumes: []corev1.Volume{
			{Name: "nosource"},
			{Name: "host", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/"}}},
			{Name: "secret", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "s"}}},
			{Name: "token", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{
				Sources: []corev1.VolumeProjection{{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "t"}}}}}},
		},
		DeprecatedServiceAccount: "legacy",
		InitContainers:           []corev1.Container{{Name: "init", Image: "busybox@sha256:abcd"}},
		Containers: []corev1.Container{{
			Name:  "app",
			Image: "registry:5000/app",
			Ports: []corev1.ContainerPort{{ContainerPort: 8080}, {ContainerPort: 53, Protocol: corev1.ProtocolUDP, HostPort: 5353}},
			Resources: corev1.ResourceRequirements{
				Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1"), corev1.ResourceMemory: resource.MustParse("1Gi")},
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m")},
			},
		}, {Name: "pinned", Image: "nginx:1.27", ImagePullPolicy: corev1.PullNever}, {Name: "latest", Image: "nginx:latest"}},
	}
}

// dfCheckPodSpec asserts the defaults dfPodSpec must have received.
func dfCheckPodSpec(t *testing.T, spec *corev1.PodSpec, hostNetwork bool) {
	t.Helper()
	assert.Equal(t, &corev1.EmptyDirVolumeSource{}, spec.Volumes[0].EmptyDir, "a volume with no source is an emptyDir")
	assert.Nil(t, spec.Volumes[1].EmptyDir, "a volume with a source keeps it")
	assert.Equal(t, int32(0o644), *spec.Volumes[2].Secret.DefaultMode)
	assert.Equal(t, int32(0o644), *spec.Volumes[3].Projected.DefaultMode)
	assert.Equal(t, int64(3600), *spec.Volumes[3].Projected.Sources[0].ServiceAccountToken.ExpirationSeconds)
	assert.Equal(t, "legacy", spec.ServiceAccountName)
	assert.NotNil(t, spec.SecurityContext)
	assert.Equal(t, corev1.PullIfNotPresent, spec.InitContainers[0].ImagePullPolicy, "digest without tag")
	app := spec.Containers[0]
	assert.Equal(t, corev1.PullAlways, app.ImagePullPolicy, "no tag means latest")
	assert.Equal(t, corev1.PullNever, spec.Containers[1].ImagePullPolicy, "set policies stay")
	assert.Equal(t, corev1.PullAlways, spec.Containers[2].ImagePullPolicy)
	assert.Equal(t, corev1.ProtocolTCP, app.Ports[0].Protocol)
	assert.Equal(t, corev1.ProtocolUDP, app.Ports[1].Protocol)
	if hostNetwork {
		assert.Equal(t, int32(8080), app.Ports[0].HostPort, "with hostNetwork, container ports are host ports")
	} else {
		assert.Zero(t, app.Ports[0].HostPort)
	}
	assert.Equal(t, int32(5353), app.Ports[1].HostPort)
	assert.Equal(t, "100m", app.Resources.Requests.Cpu().String(), "a set request stays")
	assert.Equal(t, "1Gi", app.Resources.Requests.Memory().String(), "a missing request takes its limit")
}

func TestApplyDefaultsPodSpecs(t *testing.T) {
	tests := []struct {
		name string
		obj  func(spec corev1.PodSpec) runtime.Object
		spec func(obj runtime.Object) *corev1.PodSpec
	}{
		{"Pod",
			func(s corev1.PodSpec) runtime.Object { return &corev1.Pod{Spec: s} },
			func(o runtime.Object) *corev1.PodSpec { return &o.(*corev1.Pod).Spec }},
		{"ReplicationController",
			func(s corev1.PodSpec) runtime.Object {
				return &corev1.ReplicationController{Spec: corev1.ReplicationControllerSpec{Template: &corev1.PodTemplateSpec{Spec: s}}}
			},
			func(o runtime.Object) *corev1.PodSpec { return &o.(*corev1.ReplicationController).Spec.Template.Spec }},
		{"Deployment",
			func(s corev1.PodSpec) runtime.Object {
				return &appsv1.Deployment{Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: s}}}
			},
			func(o runtime.Object) *corev1.PodSpec { return &o.(*appsv1.Deployment).Spec.Template.Spec }},
		{"ReplicaSet",
			func(s corev1.PodSpec) runtime.Object {
				return &appsv1.ReplicaSet{Spec: appsv1.ReplicaSetSpec{Template: corev1.PodTemplateSpec{Spec: s}}}
			},
			func(o runtime.Object) *corev1.PodSpec { return &o.(*appsv1.ReplicaSet).Spec.Template.Spec }},
		{"StatefulSet",
			func(s corev1.PodSpec) runtime.Object {
				return &appsv1.StatefulSet{Spec: appsv1.StatefulSetSpec{Template: corev1.PodTemplateSpec{Spec: s}}}
			},
			func(o runtime.Object) *corev1.PodSpec { return &o.(*appsv1.StatefulSet).Spec.Template.Spec }},
		{"DaemonSet",
			func(s corev1.PodSpec) runtime.Object {
				return &appsv1.DaemonSet{Spec: appsv1.DaemonSetSpec{Template: corev1.PodTemplateSpec{Spec: s}}}
			},
			func(o runtime.Object) *corev1.PodSpec { return &o.(*appsv1.DaemonSet).Spec.Template.Spec }},
		{"Job",
			func(s corev1.PodSpec) runtime.Object {
				return &batchv1.Job{Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{Spec: s}}}
			},
			func(o runtime.Object) *corev1.PodSpec { return &o.(*batchv1.Job).Spec.Template.Spec }},
		{"CronJob",
			func(s corev1.PodSpec) runtime.Object {
				return &batchv1.CronJob{Spec: batchv1.CronJobSpec{JobTemplate: batchv1.JobTemplateSpec{
					Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{Spec: s}}}}}
			},
			func(o runtime.Object) *corev1.PodSpec {
				return &o.(*batchv1.CronJob).Spec.JobTemplate.Spec.Template.Spec
			}},
	}
	for _, tt := range tests {
		for _, hostNetwork := range []bool{false, true} {
			name := tt.name
			if hostNetwork {
				name += " with hostNetwork"
			}
			t.Run(name, func(t *testing.T) {
				spec := dfPodSpec()
				spec.HostNetwork = hostNetwork
				obj := tt.obj(spec)
				inventory.ApplyDefaults(obj)
				dfCheckPodSpec(t, tt.spec(obj), hostNetwork)
				assert.Equal(t, "default", obj.(metav1.Object).GetNamespace(), "namespaced objects land in default")
			})
		}
	}
}

func TestApplyDefaultsObjects(t *testing.T) {
	tests := []struct {
		name  string
		obj   runtime.Object
		check func(t *testing.T, obj runtime.Object)
	}{
		{
			"namespace set is kept",
			&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "c", Namespace: "team"}},
			func(t *testing.T, o runtime.Object) { assert.Equal(t, "team", o.(*corev1.ConfigMap).Namespace) },
		},
		{
			"cluster-scoped object loses its namespace",
			&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "r", Namespace: "team"}},
			func(t *testing.T, o runtime.Object) { assert.Empty(t, o.(*rbacv1.ClusterRole).Namespace) },
		},
		{
			"Namespace gets its name label",
			&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team"}},
			func(t *testing.T, o runtime.Object) {
				ns := o.(*corev1.Namespace)
				assert.Equal(t, map[string]string{"kubernetes.io/metadata.name": "team"}, ns.Labels)
				assert.Empty(t, ns.Namespace)
			},
		},
		{
			"unstructured objects are left alone",
			&unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Pod", "metadata": map[string]any{"name": "p"}}},
			func(t *testing.T, o runtime.Object) { assert.Empty(t, o.(*unstructured.Unstructured).GetNamespace()) },
		},
		{
			"Service",
			&corev1.Service{Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 80}, {Port: 53, Protocol: corev1.ProtocolUDP, TargetPort: intstr.FromString("dns")}}}},
			func(t *testing.T, o runtime.Object) {
				s := o.(*corev1.Service)
				assert.Equal(t, corev1.ServiceTypeClusterIP, s.Spec.Type)
				assert.Equal(t, corev1.ProtocolTCP, s.Spec.Ports[0].Protocol)
				assert.Equal(t, intstr.FromInt32(80), s.Spec.Ports[0].TargetPort)
				assert.Equal(t, corev1.ProtocolUDP, s.Spec.Ports[1].Protocol)
				assert.Equal(t, intstr.FromString("dns"), s.Spec.Ports[1].TargetPort)
			},
		},
		{
			"Secret",
			&corev1.Secret{},
			func(t *testing.T, o runtime.Object) {
				assert.Equal(t, corev1.SecretTypeOpaque, o.(*corev1.Secret).Type)
			},
		},
		{
			"NetworkPolicy without policyTypes or egress rules restricts ingress only",
			&networkingv1.NetworkPolicy{Spec: networkingv1.NetworkPolicySpec{Ingress: []networkingv1.NetworkPolicyIngressRule{{Ports: []networkingv1.NetworkPolicyPort{{}}}}}},
			func(t *testing.T, o runtime.Object) {
				np := o.(*networkingv1.NetworkPolicy)
				assert.Equal(t, []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}, np.Spec.PolicyTypes)
				assert.Equal(t, corev1.ProtocolTCP, *np.Spec.Ingress[0].Ports[0].Protocol)
			},
		},
		{
			"NetworkPolicy with egress rules",
			&networkingv1.NetworkPolicy{Spec: networkingv1.NetworkPolicySpec{Egress: []networkingv1.NetworkPolicyEgressRule{{}}}},
			func(t *testing.T, o runtime.Object) {
				assert.Equal(t, []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}, o.(*networkingv1.NetworkPolicy).Spec.PolicyTypes)
			},
		},
		{
			"NetworkPolicy with policyTypes keeps them",
			&networkingv1.NetworkPolicy{Spec: networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}}},
			func(t *testing.T, o runtime.Object) {
				assert.Equal(t, []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}, o.(*networkingv1.NetworkPolicy).Spec.PolicyTypes)
			},
		},
		{
			"ClusterRoleBinding",
			&rbacv1.ClusterRoleBinding{RoleRef: rbacv1.RoleRef{Kind: "ClusterRole", Name: "admin"},
				Subjects: []rbacv1.Subject{{Kind: "User", Name: "u"}, {Kind: "Group", Name: "g"}, {Kind: "ServiceAccount", Name: "s", Namespace: "n"}}},
			func(t *testing.T, o runtime.Object) {
				b := o.(*rbacv1.ClusterRoleBinding)
				assert.Equal(t, rbacv1.GroupName, b.RoleRef.APIGroup)
				assert.Equal(t, rbacv1.GroupName, b.Subjects[0].APIGroup)
				assert.Equal(t, rbacv1.GroupName, b.Subjects[1].APIGroup)
				assert.Empty(t, b.Subjects[2].APIGroup)
			},
		},
		{
			"RoleBinding",
			&rbacv1.RoleBinding{RoleRef: rbacv1.RoleRef{Kind: "Role", Name: "r"}},
			func(t *testing.T, o runtime.Object) {
				b := o.(*rbacv1.RoleBinding)
				assert.Equal(t, rbacv1.GroupName, b.RoleRef.APIGroup)
				assert.Equal(t, "default", b.Namespace)
			},
		},
		{
			"ValidatingWebhookConfiguration",
			&admissionregistrationv1.ValidatingWebhookConfiguration{Webhooks: []admissionregistrationv1.ValidatingWebhook{{
				Name: "w", Rules: []admissionregistrationv1.RuleWithOperations{{}},
			}, {Name: "open", FailurePolicy: dfPtr(admissionregistrationv1.Ignore)}}},
			func(t *testing.T, o runtime.Object) {
				w := o.(*admissionregistrationv1.ValidatingWebhookConfiguration).Webhooks
				assert.Equal(t, admissionregistrationv1.Fail, *w[0].FailurePolicy)
				assert.Equal(t, admissionregistrationv1.Equivalent, *w[0].MatchPolicy)
				assert.Equal(t, &metav1.LabelSelector{}, w[0].NamespaceSelector)
				assert.Equal(t, &metav1.LabelSelector{}, w[0].ObjectSelector)
				assert.Equal(t, int32(10), *w[0].TimeoutSeconds)
				assert.Equal(t, admissionregistrationv1.AllScopes, *w[0].Rules[0].Scope)
				assert.Equal(t, admissionregistrationv1.Ignore, *w[1].FailurePolicy, "a set failurePolicy stays")
			},
		},
		{
			"MutatingWebhookConfiguration",
			&admissionregistrationv1.MutatingWebhookConfiguration{Webhooks: []admissionregistrationv1.MutatingWebhook{{Name: "w"}}},
			func(t *testing.T, o runtime.Object) {
				w := o.(*admissionregistrationv1.MutatingWebhookConfiguration).Webhooks[0]
				assert.Equal(t, admissionregistrationv1.Fail, *w.FailurePolicy)
				assert.Equal(t, &metav1.LabelSelector{}, w.NamespaceSelector)
			},
		},
		{
			"ValidatingAdmissionPolicy",
			&admissionregistrationv1.ValidatingAdmissionPolicy{},
			func(t *testing.T, o runtime.Object) {
				assert.Equal(t, admissionregistrationv1.Fail, *o.(*admissionregistrationv1.ValidatingAdmissionPolicy).Spec.FailurePolicy)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inventory.ApplyDefaults(tt.obj)
			tt.check(t, tt.obj)
		})
	}
	inventory.ApplyDefaults(nil) // no panic
}

func ExampleLoadManifests() {
	inv, err := inventory.LoadManifests(context.Background(), []string{filepath.Join("testdata", "manifests", "app")})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, o := range inv.Objects() {
		fmt.Printf("%s at %s:%d\n", o, filepath.Base(o.Source().File), o.Source().Line)
	}
	fmt.Println("errors:", len(inv.Errors()))
	fmt.Println("pods:", inv.Coverage(inventory.KindPod).State)
	// Output:
	// ConfigMap default/settings at config.yml:1
	// Service shop/web at deployment.yaml:22
	// Deployment shop/web at deployment.yaml:2
	// Certificate web-tls at certificate.yaml:1
	// NetworkPolicy shop/deny-all at netpol.yaml:1
	// ClusterRole reader at rbac.json:1
	// errors: 0
	// pods: absent
}

func ExampleApplyDefaults() {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "web", Image: "nginx"}},
			Volumes:    []corev1.Volume{{Name: "scratch"}},
		},
	}
	inventory.ApplyDefaults(pod)
	fmt.Println(pod.Namespace, pod.Spec.Volumes[0].EmptyDir != nil, pod.Spec.Containers[0].ImagePullPolicy)
	// Output: default true Always
}

// TestDefaultPullPolicyMatchesTheAPIServer covers image names the API server accepts but
// cannot parse as references: it then defaults to IfNotPresent, as it does for an empty
// image, whatever the text after a colon says.
func TestDefaultPullPolicyMatchesTheAPIServer(t *testing.T) {
	tests := []struct {
		image string
		want  corev1.PullPolicy
	}{
		{"nginx", corev1.PullAlways},
		{"nginx:latest", corev1.PullAlways},
		{"nginx:1.27", corev1.PullIfNotPresent},
		{"nginx:LATEST", corev1.PullIfNotPresent},
		{"localhost:5000/app", corev1.PullAlways},
		{"localhost:5000/app:latest", corev1.PullAlways},
		{"registry.example.com:5000/team/app:v1", corev1.PullIfNotPresent},
		{"MyRegistry/app", corev1.PullAlways},
		{"[::1]:5000/app", corev1.PullAlways},
		{"nginx@sha256:" + strings.Repeat("a", 64), corev1.PullIfNotPresent},
		{"nginx:latest@sha256:" + strings.Repeat("a", 64), corev1.PullAlways},
		{"", corev1.PullIfNotPresent},
		{"NGINX", corev1.PullIfNotPresent},
		{"team/App", corev1.PullIfNotPresent},
		{"App:latest", corev1.PullIfNotPresent},
		{"nginx:latest@sha256:abc", corev1.PullIfNotPresent},
		{"nginx@md5:" + strings.Repeat("a", 32), corev1.PullIfNotPresent},
		{"nginx:latest@sha256:" + strings.Repeat("A", 64), corev1.PullIfNotPresent},
		{strings.Repeat("a", 64), corev1.PullIfNotPresent},
		{"a//b", corev1.PullIfNotPresent},
		{"app/", corev1.PullIfNotPresent},
		{"app:", corev1.PullIfNotPresent},
		{"app:-x", corev1.PullIfNotPresent},
		{strings.Repeat("a", 250) + ":latest", corev1.PullIfNotPresent},
	}
	for _, tt := range tests {
		t.Run(tt.image, func(t *testing.T) {
			pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p"},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: tt.image}}}}
			inventory.ApplyDefaults(pod)
			assert.Equal(t, tt.want, pod.Spec.Containers[0].ImagePullPolicy)
		})
	}
}
