// Package synth generates realistic synthetic cluster inventories for benchmarks and tests:
// namespaces of workloads with a seeded mix of good and bad settings, RBAC, services,
// network policies and secrets, in the proportions of a real cluster.
package synth

import (
	"fmt"
	"math/rand/v2"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

// Generate returns about n objects (never fewer than n), deterministic for a seed. Every
// object carries its TypeMeta so it can be written as a manifest.
func Generate(seed uint64, n int) []runtime.Object {
	g := &gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	for ns := 0; len(g.out) < n; ns++ {
		g.namespace(fmt.Sprintf("team-%04d", ns))
	}
	for i := 0; i < 1+n/500; i++ {
		g.clusterRBAC(i)
	}
	return g.out
}

type gen struct {
	r   *rand.Rand
	out []runtime.Object
}

func (g *gen) add(o runtime.Object) { g.out = append(g.out, o) }

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

func tm(apiVersion, kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: apiVersion, Kind: kind}
}

func om(ns, name string, labels map[string]string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Namespace: ns, Name: name, Labels: labels}
}

func (g *gen) namespace(ns string) {
	labels := map[string]string{"team": ns}
	if g.chance(0.4) {
		labels["pod-security.kubernetes.io/enforce"] = []string{"baseline", "restricted", "privileged"}[g.r.IntN(3)]
	}
	g.add(&corev1.Namespace{TypeMeta: tm("v1", "Namespace"), ObjectMeta: om("", ns, labels)})
	def := &corev1.ServiceAccount{TypeMeta: tm("v1", "ServiceAccount"), ObjectMeta: om(ns, "default", nil)}
	if g.chance(0.3) {
		def.AutomountServiceAccountToken = ptr.To(false)
	}
	g.add(def)
	g.add(&corev1.ServiceAccount{TypeMeta: tm("v1", "ServiceAccount"), ObjectMeta: om(ns, "app", nil)})
	if g.chance(0.6) {
		g.add(&networkingv1.NetworkPolicy{TypeMeta: tm("networking.k8s.io/v1", "NetworkPolicy"),
			ObjectMeta: om(ns, "default-deny", nil),
			Spec:       networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}}})
	}
	verbs := []string{"get", "list", "watch"}
	resources := []string{"configmaps"}
	if g.chance(0.2) {
		resources = append(resources, "secrets")
	}
	if g.chance(0.1) {
		verbs = []string{"*"}
	}
	g.add(&rbacv1.Role{TypeMeta: tm("rbac.authorization.k8s.io/v1", "Role"), ObjectMeta: om(ns, "app-reader", nil),
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: resources, Verbs: verbs}}})
	g.add(&rbacv1.RoleBinding{TypeMeta: tm("rbac.authorization.k8s.io/v1", "RoleBinding"), ObjectMeta: om(ns, "app-reader", nil),
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: "app-reader"},
		Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: "app", Namespace: ns}}})
	if g.chance(0.3) {
		g.add(&rbacv1.RoleBinding{TypeMeta: tm("rbac.authorization.k8s.io/v1", "RoleBinding"), ObjectMeta: om(ns, "devs-edit", nil),
			RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "edit"},
			Subjects: []rbacv1.Subject{{Kind: "Group", APIGroup: "rbac.authorization.k8s.io", Name: ns + "-devs"}}})
	}
	apps := 3 + g.r.IntN(6)
	for i := range apps {
		g.app(ns, fmt.Sprintf("svc-%02d", i))
	}
}

func (g *gen) app(ns, name string) {
	labels := map[string]string{"app": name}
	g.add(&corev1.ConfigMap{TypeMeta: tm("v1", "ConfigMap"), ObjectMeta: om(ns, name+"-config", labels),
		Data: map[string]string{"LOG_LEVEL": "info", "FEATURES": "a,b,c"}})
	g.add(&corev1.Secret{TypeMeta: tm("v1", "Secret"), ObjectMeta: om(ns, name+"-creds", labels), Type: corev1.SecretTypeOpaque})
	g.add(&corev1.Service{TypeMeta: tm("v1", "Service"), ObjectMeta: om(ns, name, labels),
		Spec: corev1.ServiceSpec{Selector: labels, Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(8080)}}}})
	spec := g.podSpec(name)
	tmpl := corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: spec}
	switch k := g.r.IntN(10); {
	case k < 6:
		g.add(&appsv1.Deployment{TypeMeta: tm("apps/v1", "Deployment"), ObjectMeta: om(ns, name, labels),
			Spec: appsv1.DeploymentSpec{Replicas: ptr.To(int32(1 + g.r.IntN(4))), Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: tmpl}})
	case k < 8:
		g.add(&appsv1.StatefulSet{TypeMeta: tm("apps/v1", "StatefulSet"), ObjectMeta: om(ns, name, labels),
			Spec: appsv1.StatefulSetSpec{ServiceName: name, Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: tmpl}})
	case k < 9:
		tmpl.Spec.RestartPolicy = corev1.RestartPolicyOnFailure
		g.add(&batchv1.CronJob{TypeMeta: tm("batch/v1", "CronJob"), ObjectMeta: om(ns, name, labels),
			Spec: batchv1.CronJobSpec{Schedule: "*/15 * * * *", JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: tmpl}}}})
	default:
		g.add(&appsv1.DaemonSet{TypeMeta: tm("apps/v1", "DaemonSet"), ObjectMeta: om(ns, name, labels),
			Spec: appsv1.DaemonSetSpec{Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: tmpl}})
	}
	if g.chance(0.3) { // a bare pod, as debugging leftovers are
		g.add(&corev1.Pod{TypeMeta: tm("v1", "Pod"), ObjectMeta: om(ns, name+"-debug", labels), Spec: g.podSpec(name)})
	}
}

var registries = []string{"registry.example.com/", "ghcr.io/acme/", "docker.io/library/", "quay.io/acme/", ""}

func (g *gen) podSpec(name string) corev1.PodSpec {
	tag := []string{":1.4.2", ":latest", "", "@sha256:" + fmt.Sprintf("%064x", g.r.Uint64())}[g.r.IntN(4)]
	c := corev1.Container{
		Name:  name,
		Image: registries[g.r.IntN(len(registries))] + name + tag,
		Ports: []corev1.ContainerPort{{ContainerPort: 8080}},
		Env:   []corev1.EnvVar{{Name: "MODE", Value: "prod"}},
	}
	if g.chance(0.25) {
		c.Env = append(c.Env, corev1.EnvVar{Name: "DB_PASSWORD", ValueFrom: &corev1.EnvVarSource{
			SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: name + "-creds"}, Key: "password"}}})
	}
	spec := corev1.PodSpec{ServiceAccountName: "app", Containers: []corev1.Container{c}}
	switch g.r.IntN(5) {
	case 0: // hardened: restricted-compliant
		spec.SecurityContext = &corev1.PodSecurityContext{RunAsNonRoot: ptr.To(true), SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}}
		spec.Containers[0].SecurityContext = &corev1.SecurityContext{AllowPrivilegeEscalation: ptr.To(false),
			Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}, ReadOnlyRootFilesystem: ptr.To(true)}
	case 1: // privileged or host access
		spec.Containers[0].SecurityContext = &corev1.SecurityContext{Privileged: ptr.To(g.chance(0.5))}
		spec.HostNetwork = g.chance(0.3)
		if g.chance(0.5) {
			spec.Volumes = []corev1.Volume{{Name: "host", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var/log"}}}}
		}
	case 2:
		spec.ServiceAccountName = ""
	default: // defaults everywhere, as most workloads have
	}
	if g.chance(0.5) {
		spec.Volumes = append(spec.Volumes, corev1.Volume{Name: "config", VolumeSource: corev1.VolumeSource{
			ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: name + "-config"}}}})
	}
	return spec
}

func (g *gen) clusterRBAC(i int) {
	name := fmt.Sprintf("platform-%03d", i)
	rules := []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods", "services"}, Verbs: []string{"get", "list", "watch"}}}
	if g.chance(0.3) {
		rules = append(rules, rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"get", "list"}})
	}
	g.add(&rbacv1.ClusterRole{TypeMeta: tm("rbac.authorization.k8s.io/v1", "ClusterRole"), ObjectMeta: om("", name, nil), Rules: rules})
	subj := rbacv1.Subject{Kind: "ServiceAccount", Name: "app", Namespace: fmt.Sprintf("team-%04d", i)}
	g.add(&rbacv1.ClusterRoleBinding{TypeMeta: tm("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"), ObjectMeta: om("", name, nil),
		RoleRef: rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: name}, Subjects: []rbacv1.Subject{subj}})
}
