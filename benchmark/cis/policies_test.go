package cis

import (
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	metadatafake "k8s.io/client-go/metadata/fake"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/rbacdefaults"
	"github.com/kspm-dev/kspm/inventory"
)

func deployment(ns, name string, mutate func(*corev1.PodSpec)) *appsv1.Deployment {
	d := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "app", Image: "app:1"}},
		}}},
	}
	if mutate != nil {
		mutate(&d.Spec.Template.Spec)
	}
	return d
}

// hardenedPod meets every pod rule of section 5.
func hardenedPod(s *corev1.PodSpec) {
	s.AutomountServiceAccountToken = ptrTo(false)
	s.SecurityContext = &corev1.PodSecurityContext{
		RunAsNonRoot:   ptrTo(true),
		RunAsUser:      ptrTo[int64](1000),
		SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
	for i := range s.Containers {
		s.Containers[i].SecurityContext = &corev1.SecurityContext{
			AllowPrivilegeEscalation: ptrTo(false),
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		}
	}
}

func TestPodControls(t *testing.T) {
	sc := func(s *corev1.PodSpec) *corev1.SecurityContext { return s.Containers[0].SecurityContext }
	tests := []struct {
		id     string
		break_ func(*corev1.PodSpec)
		field  string
	}{
		{"5.1.6", func(s *corev1.PodSpec) { s.AutomountServiceAccountToken = ptrTo(true) }, "spec.template.spec.automountServiceAccountToken"},
		{"5.2.2", func(s *corev1.PodSpec) { sc(s).Privileged = ptrTo(true) }, "spec.template.spec.containers[0].securityContext.privileged"},
		{"5.2.3", func(s *corev1.PodSpec) { s.HostPID = true }, "spec.template.spec.hostPID"},
		{"5.2.4", func(s *corev1.PodSpec) { s.HostIPC = true }, "spec.template.spec.hostIPC"},
		{"5.2.5", func(s *corev1.PodSpec) { s.HostNetwork = true }, "spec.template.spec.hostNetwork"},
		{"5.2.6", func(s *corev1.PodSpec) { sc(s).AllowPrivilegeEscalation = ptrTo(true) }, "spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation"},
		{"5.2.7", func(s *corev1.PodSpec) { sc(s).RunAsUser = ptrTo[int64](0) }, "spec.template.spec.containers[0].securityContext.runAsUser"},
		{"5.2.8", func(s *corev1.PodSpec) { sc(s).Capabilities.Add = []corev1.Capability{"NET_RAW"} }, "spec.template.spec.containers[0].securityContext.capabilities.add"},
		{"5.2.9", func(s *corev1.PodSpec) { sc(s).Capabilities.Add = []corev1.Capability{"SYS_ADMIN"} }, "spec.template.spec.containers[0].securityContext.capabilities.add"},
		{"5.2.10", func(s *corev1.PodSpec) {
			sc(s).WindowsOptions = &corev1.WindowsSecurityContextOptions{HostProcess: ptrTo(true)}
		}, "spec.template.spec.containers[0].securityContext.windowsOptions.hostProcess"},
		{"5.2.11", func(s *corev1.PodSpec) {
			s.Volumes = []corev1.Volume{{Name: "root", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/"}}}}
		}, "spec.template.spec.volumes[0].hostPath"},
		{"5.2.12", func(s *corev1.PodSpec) {
			s.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 80, HostPort: 8080}}
		}, "spec.template.spec.containers[0].ports[0].hostPort"},
		{"5.4.1", func(s *corev1.PodSpec) {
			s.Containers[0].EnvFrom = []corev1.EnvFromSource{{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "db"}}}}
		}, "spec.template.spec.containers[0].envFrom[0].secretRef"},
		{"5.6.2", func(s *corev1.PodSpec) { s.SecurityContext.SeccompProfile = nil }, "spec.template.spec.securityContext.seccompProfile.type"},
		{"5.6.3", func(s *corev1.PodSpec) { sc(s).Capabilities = nil }, "spec.template.spec.securityContext"},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			fs := run(t, tc.id, newInv(t, deployment("shop", "web", hardenedPod)))
			require.Len(t, fs, 1)
			assert.Equal(t, check.StatusPass, fs[0].Status, fs[0].Message)
			assert.Equal(t, "web", fs[0].Object.Name())

			fs = run(t, tc.id, newInv(t, deployment("shop", "web", func(s *corev1.PodSpec) { hardenedPod(s); tc.break_(s) })))
			require.Len(t, fs, 1)
			assert.Equal(t, check.StatusFail, fs[0].Status)
			assert.Equal(t, tc.field, fs[0].Field)
		})
	}
}

func TestPodControlEdges(t *testing.T) {
	t.Run("unset allowPrivilegeEscalation passes 5.2.6 as the control reads it", func(t *testing.T) {
		fs := run(t, "5.2.6", newInv(t, deployment("shop", "web", nil)))
		require.Len(t, fs, 1)
		assert.Equal(t, check.StatusPass, fs[0].Status)
	})
	t.Run("init containers count", func(t *testing.T) {
		fs := run(t, "5.2.2", newInv(t, deployment("shop", "web", func(s *corev1.PodSpec) {
			s.InitContainers = []corev1.Container{{Name: "init", SecurityContext: &corev1.SecurityContext{Privileged: ptrTo(true)}}}
		})))
		require.Len(t, fs, 1)
		assert.Equal(t, check.StatusFail, fs[0].Status)
		assert.Contains(t, fs[0].Field, "initContainers[0]")
	})
	t.Run("runAsNonRoot at pod level", func(t *testing.T) {
		fs := run(t, "5.2.7", newInv(t, deployment("shop", "web", func(s *corev1.PodSpec) {
			s.SecurityContext = &corev1.PodSecurityContext{RunAsNonRoot: ptrTo(true)}
		})))
		require.Len(t, fs, 1)
		assert.Equal(t, check.StatusPass, fs[0].Status)
	})
	t.Run("NET_RAW not dropped", func(t *testing.T) {
		fs := run(t, "5.2.8", newInv(t, deployment("shop", "web", nil)))
		require.Len(t, fs, 1)
		assert.Equal(t, check.StatusFail, fs[0].Status)
	})
	t.Run("service account turns token mounting off", func(t *testing.T) {
		sa := &corev1.ServiceAccount{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
			ObjectMeta: metav1.ObjectMeta{Name: "default", Namespace: "shop"}, AutomountServiceAccountToken: ptrTo(false)}
		fs := run(t, "5.1.6", newInv(t, sa, deployment("shop", "web", nil)))
		require.Len(t, fs, 1)
		assert.Equal(t, check.StatusPass, fs[0].Status)
		fs = run(t, "5.1.6", newInv(t, sa, deployment("shop", "web", func(s *corev1.PodSpec) { s.AutomountServiceAccountToken = ptrTo(true) })))
		require.Len(t, fs, 1)
		assert.Equal(t, check.StatusFail, fs[0].Status)
	})
	t.Run("token mounting left to a service account that is not in the input", func(t *testing.T) {
		fs := run(t, "5.1.6", newInv(t, deployment("shop", "web", nil)))
		require.Len(t, fs, 1)
		assert.Equal(t, check.StatusNotEvaluated, fs[0].Status, fs[0].Message)
		assert.Equal(t, "web", fs[0].Object.Name())
	})
	t.Run("service account missing from a complete cluster listing", func(t *testing.T) {
		var listed []inventory.KindInfo
		for _, k := range append(podKinds, inventory.KindServiceAccount) {
			ki, ok := inventory.LookupKind(k)
			require.True(t, ok)
			listed = append(listed, ki)
		}
		fs := run(t, "5.1.6", clusterInv(t, listed, deployment("shop", "web", nil)))
		require.Len(t, fs, 1)
		assert.Equal(t, check.StatusFail, fs[0].Status, fs[0].Message)
	})
	t.Run("service account with automount unset", func(t *testing.T) {
		sa := &corev1.ServiceAccount{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
			ObjectMeta: metav1.ObjectMeta{Name: "default", Namespace: "shop"}}
		fs := run(t, "5.1.6", newInv(t, sa, deployment("shop", "web", nil)))
		require.Len(t, fs, 1)
		assert.Equal(t, check.StatusFail, fs[0].Status, fs[0].Message)
	})
	t.Run("mirror pods of static pods get no token", func(t *testing.T) {
		fs := run(t, "5.1.6", newInv(t, staticPod("kube-apiserver", "cp1", hardened[kubeAPIServer]...)))
		require.Len(t, fs, 1)
		assert.Equal(t, check.StatusPass, fs[0].Status, fs[0].Message)
	})
	t.Run("no pods", func(t *testing.T) {
		fs := run(t, "5.2.2", newInv(t))
		require.Len(t, fs, 1)
		assert.Equal(t, check.StatusNotApplicable, fs[0].Status)
	})
	t.Run("pods forbidden in a cluster", func(t *testing.T) {
		b := inventory.NewBuilder(inventory.ModeCluster)
		require.NoError(t, b.Add(deployment("shop", "web", hardenedPod), inventory.Source{}))
		for _, k := range podKinds {
			b.SetCoverage(inventory.Coverage{Group: k.Group, Kind: k.Kind, State: inventory.Listed})
		}
		b.SetCoverage(inventory.Coverage{Kind: "Pod", State: inventory.Forbidden, Reason: "forbidden"})
		fs := run(t, "5.2.2", b.Build())
		require.Len(t, fs, 2)
		assert.Equal(t, []check.Status{check.StatusNotEvaluated, check.StatusPass}, statuses(fs))
	})
}

func namespace(name string, labels map[string]string) *corev1.Namespace {
	return &corev1.Namespace{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
}

func TestAdmissionPolicy(t *testing.T) {
	kyverno := &admissionregistrationv1.ValidatingWebhookConfiguration{
		TypeMeta:   metav1.TypeMeta{APIVersion: "admissionregistration.k8s.io/v1", Kind: "ValidatingWebhookConfiguration"},
		ObjectMeta: metav1.ObjectMeta{Name: "kyverno-resource-validating-webhook-cfg"},
		Webhooks: []admissionregistrationv1.ValidatingWebhook{{Name: "validate.kyverno.svc",
			NamespaceSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
				{Key: "kubernetes.io/metadata.name", Operator: metav1.LabelSelectorOpNotIn, Values: []string{"kyverno"}}}},
			Rules: []admissionregistrationv1.RuleWithOperations{{Operations: []admissionregistrationv1.OperationType{"CREATE", "UPDATE"},
				Rule: admissionregistrationv1.Rule{APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"pods"}}}}}},
	}
	listed := func(objs ...runtime.Object) *inventory.Inventory {
		return clusterInv(t, []inventory.KindInfo{kindInfo(t, "Namespace"), kindInfo(t, "ValidatingWebhookConfiguration"),
			kindInfo(t, "ValidatingAdmissionPolicy"), kindInfo(t, "ValidatingAdmissionPolicyBinding")}, objs...)
	}
	fs := run(t, "5.2.1", listed(
		namespace("kube-system", nil),
		namespace("a", map[string]string{labelEnforce: "restricted"}),
		namespace("b", map[string]string{labelEnforce: "privileged"}),
		namespace("c", nil),
	))
	require.Len(t, fs, 3)
	assert.Equal(t, []check.Status{check.StatusPass, check.StatusFail, check.StatusFail}, statuses(fs))

	fs = run(t, "5.2.1", listed(namespace("c", nil), namespace("kyverno", nil), kyverno))
	require.Len(t, fs, 2)
	assert.Equal(t, []check.Status{check.StatusPass, check.StatusFail}, statuses(fs))
	assert.Contains(t, fs[0].Message, "kyverno")

	// A privileged label is no policy, but a policy engine covering the namespace is one.
	fs = run(t, "5.2.1", listed(namespace("b", map[string]string{labelEnforce: "privileged"}), kyverno))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusPass, fs[0].Status, fs[0].Message)

	// With the PodSecurity admission plugin turned off, the labels enforce nothing.
	api := staticPod("kube-apiserver", "cp1", with(hardened[kubeAPIServer], "--disable-admission-plugins=PodSecurity")...)
	fs = run(t, "5.2.1", listed(api, namespace("a", map[string]string{labelEnforce: "restricted"})))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusFail, fs[0].Status, fs[0].Message)
	assert.Contains(t, fs[0].Message, "PodSecurity")
	// Nor do webhooks without the ValidatingAdmissionWebhook plugin.
	api = staticPod("kube-apiserver", "cp1", with(hardened[kubeAPIServer], "--disable-admission-plugins=ValidatingAdmissionWebhook")...)
	fs = run(t, "5.2.1", listed(api, namespace("c", nil), kyverno))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusFail, fs[0].Status, fs[0].Message)

	// Manifests without webhook configurations cannot rule a policy engine out.
	fs = run(t, "5.2.1", newInv(t, namespace("c", nil)))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusNotEvaluated, fs[0].Status)
}

func TestNetworkPolicies(t *testing.T) {
	np := &networkingv1.NetworkPolicy{TypeMeta: metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: metav1.ObjectMeta{Name: "deny", Namespace: "a"}}
	fs := run(t, "5.3.2", newInv(t, namespace("a", nil), namespace("b", nil), namespace("kube-system", nil), np))
	require.Len(t, fs, 2)
	assert.Equal(t, []check.Status{check.StatusPass, check.StatusFail}, statuses(fs))
	assert.Equal(t, "b", fs[1].Object.Name())

	fs = run(t, "5.3.2", newInv(t, namespace("a", nil)))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusNotEvaluated, fs[0].Status, "NetworkPolicies absent from manifests: unknown")
}

// apiServerService is the kubernetes Service the API server keeps in namespace default.
func apiServerService() *corev1.Service {
	return &corev1.Service{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: metav1.ObjectMeta{Name: "kubernetes", Namespace: "default"},
		Spec:       corev1.ServiceSpec{Ports: []corev1.ServicePort{{Name: "https", Port: 443, Protocol: corev1.ProtocolTCP}}}}
}

// 5.6.4 is workloads:default-namespace's judgement (benchmark/workloads has its table tests):
// the control plane's objects are told by content, every namespaced kind counts.
func TestDefaultNamespace(t *testing.T) {
	svc := func(name string) *corev1.Service {
		return &corev1.Service{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Service"}, ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"}}
	}
	fs := run(t, "5.6.4", newInv(t, apiServerService(), deployment("shop", "web", nil)))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusPass, fs[0].Status)

	fs = run(t, "5.6.4", newInv(t, apiServerService(), svc("web"), deployment("default", "web", nil)))
	require.Len(t, fs, 2)
	assert.Equal(t, []check.Status{check.StatusFail, check.StatusFail}, statuses(fs))

	// A look-alike: a Service named kubernetes that selects pods sends the API server's name
	// elsewhere; and a PersistentVolumeClaim, a kind 5.6.4 once left out in manifests.
	lookAlike := svc("kubernetes")
	lookAlike.Spec.Selector = map[string]string{"app": "proxy"}
	pvc := &corev1.PersistentVolumeClaim{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"},
		ObjectMeta: metav1.ObjectMeta{Name: "data", Namespace: "default"}}
	fs = run(t, "5.6.4", newInv(t, lookAlike, pvc))
	require.Equal(t, []check.Status{check.StatusFail, check.StatusFail}, statuses(fs), "%v", fs)
}

func TestKubeProxyMetrics(t *testing.T) {
	ds := func(args ...string) *appsv1.DaemonSet {
		return &appsv1.DaemonSet{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"},
			ObjectMeta: metav1.ObjectMeta{Name: "kube-proxy", Namespace: "kube-system"},
			Spec: appsv1.DaemonSetSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
				Containers: []corev1.Container{{Name: "kube-proxy", Command: append([]string{"/usr/local/bin/kube-proxy"}, args...),
					VolumeMounts: []corev1.VolumeMount{{Name: "kube-proxy", MountPath: "/var/lib/kube-proxy"}}}},
				Volumes: []corev1.Volume{{Name: "kube-proxy", VolumeSource: corev1.VolumeSource{
					ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "kube-proxy"}}}}},
			}}}}
	}
	cm := func(conf string) *corev1.ConfigMap {
		return &corev1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
			ObjectMeta: metav1.ObjectMeta{Name: "kube-proxy", Namespace: "kube-system"}, Data: map[string]string{"config.conf": conf}}
	}
	cilium := func(ns, replacement string) *corev1.ConfigMap {
		return &corev1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
			ObjectMeta: metav1.ObjectMeta{Name: "cilium-config", Namespace: ns}, Data: map[string]string{"kube-proxy-replacement": replacement}}
	}
	tests := []struct {
		name string
		objs []runtime.Object
		want check.Status
	}{
		{"flag loopback", []runtime.Object{ds("--metrics-bind-address=127.0.0.1:10249")}, check.StatusPass},
		{"flag all interfaces", []runtime.Object{ds("--metrics-bind-address=0.0.0.0:10249")}, check.StatusFail},
		{"flag unset", []runtime.Object{ds("--v=2")}, check.StatusPass},
		{"--metrics-port=0 turns the metrics server off", []runtime.Object{ds("--metrics-bind-address=0.0.0.0", "--metrics-port=0")}, check.StatusPass},
		{"--metrics-port set", []runtime.Object{ds("--metrics-bind-address=0.0.0.0", "--metrics-port=10249")}, check.StatusFail},
		{"config file loopback default", []runtime.Object{ds("--config=/var/lib/kube-proxy/config.conf"), cm("kind: KubeProxyConfiguration\nmetricsBindAddress: \"\"\n")}, check.StatusPass},
		{"config file all interfaces, flag ignored", []runtime.Object{ds("--config=/var/lib/kube-proxy/config.conf", "--metrics-bind-address=127.0.0.1:10249"),
			cm("metricsBindAddress: 0.0.0.0:10249\n")}, check.StatusFail},
		{"config file missing", []runtime.Object{ds("--config=/var/lib/kube-proxy/config.conf")}, check.StatusNotEvaluated},
		{"--config takes the next word as its file", []runtime.Object{ds("--config", "--metrics-bind-address=127.0.0.1:10249")}, check.StatusNotEvaluated},
		{"unknown flag before a flag-like word", []runtime.Object{ds("--not-a-proxy-flag", "--metrics-bind-address=127.0.0.1:10249")}, check.StatusNotEvaluated},
		{"ConfigMap only", []runtime.Object{cm("metricsBindAddress: :10249\n")}, check.StatusFail},
		{"no kube-proxy seen: it may run outside the API's view", nil, check.StatusNotEvaluated},
		{"Cilium replaces kube-proxy", []runtime.Object{cilium("kube-system", "true")}, check.StatusNotApplicable},
		{"Cilium before 1.14 replaces kube-proxy", []runtime.Object{cilium("kube-system", "strict")}, check.StatusNotApplicable},
		{"Cilium's partial replacement keeps kube-proxy", []runtime.Object{cilium("kube-system", "partial")}, check.StatusNotEvaluated},
		{"Cilium's word outside kube-system is not trusted", []runtime.Object{cilium("tenant", "true")}, check.StatusNotEvaluated},
		{"a kube-proxy seen is judged whatever Cilium says", []runtime.Object{cilium("kube-system", "true"),
			ds("--metrics-bind-address=0.0.0.0:10249")}, check.StatusFail},
		{"kube-proxy as a static pod", []runtime.Object{staticPod("kube-proxy", "n1", "kube-proxy", "--metrics-bind-address=0.0.0.0:10249")}, check.StatusFail},
		{"kube-proxy as a static pod, loopback", []runtime.Object{staticPod("kube-proxy", "n1", "kube-proxy", "--metrics-bind-address=127.0.0.1")}, check.StatusPass},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inv := clusterInv(t, []inventory.KindInfo{kindInfo(t, "DaemonSet"), kindInfo(t, "ConfigMap"), kindInfo(t, "Pod")}, tc.objs...)
			fs := run(t, "4.3.1", inv)
			require.Len(t, fs, 1)
			assert.Equal(t, tc.want, fs[0].Status, fs[0].Message)
		})
	}
}

// Manifests that define Cilium's configuration twice, one saying it replaces kube-proxy and
// one not: half the evidence, not evaluated rather than not applicable.
func TestKubeProxyReplacedByOneVariantOnly(t *testing.T) {
	cilium := func(replacement string) *corev1.ConfigMap {
		return &corev1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
			ObjectMeta: metav1.ObjectMeta{Name: "cilium-config", Namespace: "kube-system"},
			Data:       map[string]string{"kube-proxy-replacement": replacement}}
	}
	build := func(values ...string) *inventory.Inventory {
		b := inventory.NewBuilder(inventory.ModeManifests)
		// A DaemonSet and a Pod that are not kube-proxy: the input holds those kinds.
		require.NoError(t, b.Add(&appsv1.DaemonSet{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"},
			ObjectMeta: metav1.ObjectMeta{Name: "agent", Namespace: "ops"}}, inventory.Source{File: "ops.yaml"}))
		require.NoError(t, b.Add(&corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
			ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop"}}, inventory.Source{File: "shop.yaml"}))
		for i, v := range values {
			require.NoError(t, b.Add(cilium(v), inventory.Source{File: fmt.Sprintf("env%d/cilium.yaml", i)}))
		}
		return b.Build()
	}
	fs := run(t, "4.3.1", build("true", "true"))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusNotApplicable, fs[0].Status, fs[0].Message)
	fs = run(t, "4.3.1", build("true", "false"))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusNotEvaluated, fs[0].Status, fs[0].Message)
}

func binding(kind, ns, name, role string, subjects ...rbacv1.Subject) runtime.Object {
	ref := rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: role}
	if kind == "ClusterRoleBinding" {
		return &rbacv1.ClusterRoleBinding{TypeMeta: metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: kind},
			ObjectMeta: metav1.ObjectMeta{Name: name}, RoleRef: ref, Subjects: subjects}
	}
	return &rbacv1.RoleBinding{TypeMeta: metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: kind},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, RoleRef: ref, Subjects: subjects}
}

func clusterRole(name string, rules ...rbacv1.PolicyRule) *rbacv1.ClusterRole {
	return &rbacv1.ClusterRole{TypeMeta: metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole"},
		ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: rules}
}

func rbacInv(t *testing.T, objs ...runtime.Object) *inventory.Inventory {
	return clusterInv(t, []inventory.KindInfo{kindInfo(t, "Role"), kindInfo(t, "ClusterRole"),
		kindInfo(t, "RoleBinding"), kindInfo(t, "ClusterRoleBinding")}, objs...)
}

func TestRBACWhoCan(t *testing.T) {
	group := func(n string) rbacv1.Subject {
		return rbacv1.Subject{Kind: "Group", Name: n, APIGroup: "rbac.authorization.k8s.io"}
	}
	user := func(n string) rbacv1.Subject {
		return rbacv1.Subject{Kind: "User", Name: n, APIGroup: "rbac.authorization.k8s.io"}
	}
	rule := func(verbs []string, group string, resources ...string) rbacv1.PolicyRule {
		return rbacv1.PolicyRule{Verbs: verbs, APIGroups: []string{group}, Resources: resources}
	}
	tests := []struct {
		id       string
		role     rbacv1.PolicyRule
		passSubj rbacv1.Subject // a subject the control does not report
		failSubj rbacv1.Subject
	}{
		{"5.1.2", rule([]string{"list"}, "", "secrets"), user("alice"), group("system:authenticated")},
		{"5.1.4", rule([]string{"create"}, "", "pods"), user("alice"), group("system:serviceaccounts")},
		{"5.1.8", rule([]string{"impersonate"}, "", "users"), group("system:masters"), user("alice")},
		{"5.1.9", rule([]string{"create"}, "", "persistentvolumes"), group("system:masters"), user("alice")},
		{"5.1.10", rule([]string{"get"}, "", "nodes/proxy"), group("system:masters"), user("prometheus")},
		{"5.1.11", rule([]string{"update"}, "certificates.k8s.io", "certificatesigningrequests/approval"), group("system:masters"), user("alice")},
		{"5.1.12", rule([]string{"patch"}, "admissionregistration.k8s.io", "mutatingwebhookconfigurations"), group("system:masters"), user("alice")},
		{"5.1.13", rule([]string{"create"}, "", "serviceaccounts/token"), group("system:masters"), user("alice")},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			role := clusterRole("r", tc.role)
			fs := run(t, tc.id, rbacInv(t, role, binding("ClusterRoleBinding", "", "ok", "r", tc.passSubj)))
			require.Len(t, fs, 1)
			assert.Equal(t, check.StatusPass, fs[0].Status, fs[0].Message)

			kind := "ClusterRoleBinding"
			if tc.id == "5.1.2" || tc.id == "5.1.4" || tc.id == "5.1.13" {
				kind = "RoleBinding" // namespaced resources: a RoleBinding grants them in its namespace
			}
			fs = run(t, tc.id, rbacInv(t, role, binding(kind, "shop", "bad", "r", tc.failSubj)))
			require.Len(t, fs, 1)
			assert.Equal(t, check.StatusFail, fs[0].Status)
			require.NotNil(t, fs[0].Object)
			assert.Equal(t, "bad", fs[0].Object.Name())
			assert.Contains(t, fs[0].Message, tc.failSubj.Name)
		})
	}
	t.Run("unresolved role is not a pass", func(t *testing.T) {
		b := inventory.NewBuilder(inventory.ModeCluster)
		require.NoError(t, b.Add(binding("ClusterRoleBinding", "", "b", "maybe", user("alice")), inventory.Source{}))
		for _, k := range []string{"Role", "RoleBinding", "ClusterRoleBinding"} {
			ki := kindInfo(t, k)
			b.SetCoverage(inventory.Coverage{Group: ki.Group, Kind: ki.Kind, State: inventory.Listed})
		}
		b.SetCoverage(inventory.Coverage{Group: "rbac.authorization.k8s.io", Kind: "ClusterRole", State: inventory.Forbidden, Reason: "forbidden"})
		fs := run(t, "5.1.9", b.Build())
		require.Len(t, fs, 1)
		assert.Equal(t, check.StatusNotEvaluated, fs[0].Status, fs[0].Message)
	})
	t.Run("default bindings are not reported", func(t *testing.T) {
		// The bootstrap binding of the certificate controller, unchanged, may approve CSRs.
		var objs []runtime.Object
		for _, o := range rbacdefaults.APIServer().Objects() {
			if m, err := meta.Accessor(o); err == nil && m.GetName() == "system:controller:certificate-controller" {
				objs = append(objs, o)
			}
		}
		require.Len(t, objs, 2)
		fs := run(t, "5.1.11", rbacInv(t, objs...))
		require.Len(t, fs, 1)
		assert.Equal(t, check.StatusPass, fs[0].Status)
		// The same name, role and label for another subject is reported.
		b := binding("ClusterRoleBinding", "", "system:controller:certificate-controller", "system:controller:certificate-controller", user("system:kube-controller-manager"))
		b.(*rbacv1.ClusterRoleBinding).Labels = map[string]string{rbacdefaults.LabelBootstrapping: "rbac-defaults"}
		fs = run(t, "5.1.11", rbacInv(t, objs[0], b))
		require.Len(t, fs, 1)
		assert.Equal(t, check.StatusFail, fs[0].Status)
		assert.Contains(t, fs[0].Message, "User system:kube-controller-manager can")
	})
}

func TestRBACObjects(t *testing.T) {
	masters := rbacv1.Subject{Kind: "Group", Name: "system:masters", APIGroup: "rbac.authorization.k8s.io"}
	alice := rbacv1.Subject{Kind: "User", Name: "alice", APIGroup: "rbac.authorization.k8s.io"}
	defaultCRB := binding("ClusterRoleBinding", "", "cluster-admin", "cluster-admin", masters)

	fs := run(t, "5.1.1", rbacInv(t, defaultCRB))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusPass, fs[0].Status)
	fs = run(t, "5.1.1", rbacInv(t, defaultCRB, binding("ClusterRoleBinding", "", "alice-admin", "cluster-admin", alice)))
	require.Len(t, fs, 2)
	assert.Equal(t, []check.Status{check.StatusFail, check.StatusPass}, statuses(fs))
	assert.Contains(t, fs[0].Message, "User alice")

	// The API server's default roles that carry wildcards by design pass (each one of them);
	// the same names with other wildcards fail (but cluster-admin's own are everything).
	wild := 0
	for _, o := range rbacdefaults.APIServer().Objects() {
		cr, ok := o.(*rbacv1.ClusterRole)
		if !ok || !slices.ContainsFunc(cr.Rules, func(r rbacv1.PolicyRule) bool {
			return slices.Contains(r.Verbs, "*") || slices.Contains(r.APIGroups, "*") || slices.Contains(r.Resources, "*")
		}) {
			continue
		}
		wild++
		fs = run(t, "5.1.3", rbacInv(t, cr))
		require.Len(t, fs, 1)
		assert.Equal(t, check.StatusPass, fs[0].Status, cr.Name)
		assert.Contains(t, fs[0].Message, "wildcards as in the API server's default role", cr.Name)
		fs = run(t, "5.1.3", rbacInv(t, clusterRole(cr.Name, rbacv1.PolicyRule{Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"*"}})))
		require.Len(t, fs, 1)
		if cr.Name == "cluster-admin" {
			assert.Equal(t, check.StatusPass, fs[0].Status, cr.Name)
		} else {
			assert.Equal(t, check.StatusFail, fs[0].Status, cr.Name)
		}
	}
	assert.Equal(t, 9, wild, "default ClusterRoles with wildcards")
	fs = run(t, "5.1.3", rbacInv(t, clusterRole("narrow", rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods"}})))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusPass, fs[0].Status)
	fs = run(t, "5.1.3", rbacInv(t, clusterRole("wide", rbacv1.PolicyRule{Verbs: []string{"get", "*"}, APIGroups: []string{""}, Resources: []string{"pods"}})))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusFail, fs[0].Status)
	assert.Equal(t, "rules[0].verbs", fs[0].Field)

	sa := func(automount *bool) *corev1.ServiceAccount {
		return &corev1.ServiceAccount{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
			ObjectMeta: metav1.ObjectMeta{Name: "default", Namespace: "shop"}, AutomountServiceAccountToken: automount}
	}
	fs = run(t, "5.1.5", newInv(t, sa(ptrTo(false))))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusPass, fs[0].Status)
	fs = run(t, "5.1.5", newInv(t, sa(nil)))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusFail, fs[0].Status)
	// Manifests that leave a namespace's default ServiceAccount to the control plane: it will
	// automount, unless something outside the input sets it: unknown, never not applicable.
	other := sa(nil)
	other.Name = "app"
	fs = run(t, "5.1.5", newInv(t, sa(ptrTo(false)), namespace("shop", nil), namespace("web", nil), other))
	require.Equal(t, []check.Status{check.StatusPass, check.StatusNotEvaluated}, statuses(fs), "%v", fs)
	assert.Equal(t, "Namespace web", fs[1].Object.String())
	fs = run(t, "5.1.5", newInv(t, other))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusNotEvaluated, fs[0].Status, "no default ServiceAccount in the input")
	assert.Nil(t, fs[0].Object)
	// A cluster lists every namespace's default ServiceAccount: none is none.
	fs = run(t, "5.1.5", clusterInv(t, []inventory.KindInfo{kindInfo(t, "ServiceAccount"), kindInfo(t, "Namespace")}, other))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusNotApplicable, fs[0].Status)

	fs = run(t, "5.1.7", rbacInv(t, defaultCRB))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusPass, fs[0].Status)
	fs = run(t, "5.1.7", rbacInv(t, defaultCRB, binding("RoleBinding", "shop", "masters", "view", masters)))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusFail, fs[0].Status)
	assert.Equal(t, "subjects[0]", fs[0].Field)
}

// TestContainersOfFields: every container of every list is named by its field path, beyond
// the paths kept ready too.
func TestContainersOfFields(t *testing.T) {
	spec := &corev1.PodSpec{InitContainers: make([]corev1.Container, 2), Containers: make([]corev1.Container, 10),
		EphemeralContainers: make([]corev1.EphemeralContainer, 9)}
	var want []string
	for _, l := range []struct {
		name string
		n    int
	}{{"initContainers", 2}, {"containers", 10}, {"ephemeralContainers", 9}} {
		for i := range l.n {
			want = append(want, l.name+"["+strconv.Itoa(i)+"]")
		}
	}
	var got []string
	for _, c := range containersOf(spec) {
		got = append(got, c.field)
	}
	assert.Equal(t, want, got)
}

// From a cluster, 5.6.4 reads namespace default's other resources too, and does not pass
// without them.
func TestDefaultNamespaceCluster(t *testing.T) {
	verbs := metav1.Verbs{"create", "list"}
	load := func(t *testing.T, listing bool, objs ...runtime.Object) *inventory.Inventory {
		t.Helper()
		cs := fake.NewClientset(apiServerService(),
			&corev1.Endpoints{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "kubernetes",
				Labels: map[string]string{"endpointslice.kubernetes.io/skip-mirror": "true"}},
				Subsets: []corev1.EndpointSubset{{Addresses: []corev1.EndpointAddress{{IP: "10.0.0.1"}},
					Ports: []corev1.EndpointPort{{Name: "https", Port: 6443, Protocol: corev1.ProtocolTCP}}}}})
		cs.Resources = []*metav1.APIResourceList{{GroupVersion: "v1", APIResources: []metav1.APIResource{
			{Name: "endpoints", Kind: "Endpoints", Namespaced: true, Verbs: verbs},
			{Name: "persistentvolumeclaims", Kind: "PersistentVolumeClaim", Namespaced: true, Verbs: verbs}}}}
		scheme := metadatafake.NewTestScheme()
		require.NoError(t, metav1.AddMetaToScheme(scheme))
		opts := []inventory.ClusterOption{inventory.WithMetadataClient(metadatafake.NewSimpleMetadataClient(scheme, objs...))}
		if listing {
			opts = append(opts, inventory.WithDefaultNamespaceListing())
		}
		inv, err := inventory.FromClientset(t.Context(), cs, opts...)
		require.NoError(t, err)
		return inv
	}
	pvc := &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"},
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "data"}}

	fs := run(t, "5.6.4", load(t, true))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusPass, fs[0].Status, fs[0].Message)

	fs = run(t, "5.6.4", load(t, true, pvc))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusFail, fs[0].Status, fs[0].Message)
	assert.Equal(t, "PersistentVolumeClaim default/data", fs[0].Object.String())

	fs = run(t, "5.6.4", load(t, false, pvc))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusNotEvaluated, fs[0].Status)
	assert.Contains(t, fs[0].Message, "WithDefaultNamespaceListing")
}
