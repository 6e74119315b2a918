// Package synth generates realistic synthetic cluster inventories for benchmarks and tests:
// namespaces of workloads with a seeded mix of good and bad settings, RBAC, services,
// ingresses, network policies, config maps, secrets and quotas, in the proportions of a real
// cluster. RBAC is as dense as in a real multi-tenant cluster (about 15% of the objects are
// service accounts, 12% Roles and RoleBindings, 1% ClusterRoles and ClusterRoleBindings), with
// the bindings that make RBAC questions costly: RoleBindings of many namespaces to groups every
// service account or user is in, bindings of ClusterRoles in namespaces, aggregated
// ClusterRoles. Objects carry what real manifests carry (recommended labels, Helm annotations,
// resources, probes, sidecars, mounted configuration files). Every object is of a built-in
// kind (see inventory.BuiltinKinds) and valid, so that it can also be created on an API
// server.
package synth

import (
	"fmt"
	"math/rand/v2"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
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
	g.platformView()
	for i := 0; i < 1+n/200; i++ {
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
	labels := map[string]string{"team": ns, "kubernetes.io/metadata.name": ns}
	if g.chance(0.4) {
		labels["pod-security.kubernetes.io/enforce"] = []string{"baseline", "restricted", "privileged"}[g.r.IntN(3)]
	}
	nsObj := &corev1.Namespace{TypeMeta: tm("v1", "Namespace"), ObjectMeta: om("", ns, labels)}
	if g.chance(0.5) {
		nsObj.Annotations = map[string]string{"owner": ns + "@example.com", "cost-center": fmt.Sprintf("cc-%03d", g.r.IntN(200))}
	}
	g.add(nsObj)
	def := &corev1.ServiceAccount{TypeMeta: tm("v1", "ServiceAccount"), ObjectMeta: om(ns, "default", nil)}
	if g.chance(0.3) {
		def.AutomountServiceAccountToken = ptr.To(false)
	}
	g.add(def)
	g.add(&corev1.ServiceAccount{TypeMeta: tm("v1", "ServiceAccount"), ObjectMeta: om(ns, "app", map[string]string{"app.kubernetes.io/part-of": ns})})
	if g.chance(0.6) {
		g.add(&networkingv1.NetworkPolicy{TypeMeta: tm("networking.k8s.io/v1", "NetworkPolicy"),
			ObjectMeta: om(ns, "default-deny", nil),
			Spec:       networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}}})
	}
	if g.chance(0.3) {
		g.add(&corev1.ResourceQuota{TypeMeta: tm("v1", "ResourceQuota"), ObjectMeta: om(ns, "compute", nil),
			Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{
				corev1.ResourceRequestsCPU: resource.MustParse("20"), corev1.ResourceRequestsMemory: resource.MustParse("64Gi"),
				corev1.ResourceLimitsCPU: resource.MustParse("40"), corev1.ResourceLimitsMemory: resource.MustParse("128Gi"),
				corev1.ResourcePods: resource.MustParse("200")}}})
	}
	if g.chance(0.2) {
		g.add(&corev1.LimitRange{TypeMeta: tm("v1", "LimitRange"), ObjectMeta: om(ns, "defaults", nil),
			Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{{Type: corev1.LimitTypeContainer,
				Default:        corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("512Mi")},
				DefaultRequest: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi")}}}}})
	}
	g.namespaceRBAC(ns)
	apps := 3 + g.r.IntN(6)
	for i := range apps {
		g.app(ns, fmt.Sprintf("svc-%02d", i))
	}
}

const rbacAPI = "rbac.authorization.k8s.io/v1"

func (g *gen) role(ns, name string, rules ...rbacv1.PolicyRule) {
	g.add(&rbacv1.Role{TypeMeta: tm(rbacAPI, "Role"), ObjectMeta: om(ns, name, map[string]string{"app.kubernetes.io/part-of": ns}), Rules: rules})
}

func (g *gen) roleBinding(ns, name, roleKind, roleName string, subjects ...rbacv1.Subject) {
	g.add(&rbacv1.RoleBinding{TypeMeta: tm(rbacAPI, "RoleBinding"), ObjectMeta: om(ns, name, map[string]string{"app.kubernetes.io/part-of": ns}),
		RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: roleKind, Name: roleName}, Subjects: subjects})
}

func serviceAccount(ns, name string) rbacv1.Subject {
	return rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: name, Namespace: ns}
}

func group(name string) rbacv1.Subject {
	return rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: name}
}

// namespaceRBAC adds a team namespace's roles and bindings: its applications' reader role,
// and, as teams do, a deployer for CI, developers' and viewers' access through the built-in
// edit and view ClusterRoles, a debugging role, a platform ClusterRole bound in the namespace,
// and configuration shared with every service account or every user of the cluster.
func (g *gen) namespaceRBAC(ns string) {
	verbs := []string{"get", "list", "watch"}
	resources := []string{"configmaps"}
	if g.chance(0.2) {
		resources = append(resources, "secrets")
	}
	if g.chance(0.1) {
		verbs = []string{"*"}
	}
	g.role(ns, "app-reader", rbacv1.PolicyRule{APIGroups: []string{""}, Resources: resources, Verbs: verbs})
	g.roleBinding(ns, "app-reader", "Role", "app-reader", serviceAccount(ns, "app"))
	if g.chance(0.3) {
		g.add(&corev1.ServiceAccount{TypeMeta: tm("v1", "ServiceAccount"), ObjectMeta: om(ns, "ci", nil)})
		g.role(ns, "deployer",
			rbacv1.PolicyRule{APIGroups: []string{"apps"}, Resources: []string{"deployments", "statefulsets"}, Verbs: []string{"get", "list", "create", "update", "patch"}},
			rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"services", "configmaps"}, Verbs: []string{"get", "list", "create", "update", "patch"}})
		g.roleBinding(ns, "ci-deployer", "Role", "deployer", serviceAccount(ns, "ci"))
	}
	if g.chance(0.3) {
		g.roleBinding(ns, "devs-edit", "ClusterRole", "edit", group(ns+"-devs"))
	}
	if g.chance(0.4) {
		g.roleBinding(ns, "viewers", "ClusterRole", "view", group(ns+"-viewers"), group("sre"))
	}
	if g.chance(0.1) {
		g.role(ns, "debugger", rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods", "pods/log"}, Verbs: []string{"get", "list"}},
			rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods/exec", "pods/portforward"}, Verbs: []string{"create"}})
		g.roleBinding(ns, "debuggers", "Role", "debugger", group(ns+"-devs"))
	}
	if g.chance(0.1) {
		g.roleBinding(ns, "platform", "ClusterRole", fmt.Sprintf("platform-%03d", g.r.IntN(20)), serviceAccount(ns, "app"))
	}
	// Configuration every service account (or every user) of the cluster may read: bindings of
	// many namespaces that apply to every identity.
	shared := []rbacv1.Subject{}
	if g.chance(0.2) {
		shared = append(shared, group("system:serviceaccounts"))
	}
	if g.chance(0.05) {
		shared = append(shared, group("system:authenticated"))
	}
	if len(shared) > 0 {
		g.role(ns, "shared-config-reader", rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"configmaps"},
			ResourceNames: []string{"shared-config"}, Verbs: []string{"get", "watch"}})
		g.roleBinding(ns, "shared-config-readers", "Role", "shared-config-reader", shared...)
	}
}

// app adds one application: its configuration, credentials, service, maybe an ingress, its
// workload, and maybe a leftover debugging pod.
func (g *gen) app(ns, name string) {
	helm := g.chance(0.5)
	// meta returns the metadata of one of the app's objects; recommended labels on the
	// objects that tools select on, Helm's labels and annotations when Helm installed it.
	meta := func(objName string, recommended bool) metav1.ObjectMeta {
		m := om(ns, objName, map[string]string{"app": name})
		if recommended {
			m.Labels["app.kubernetes.io/name"] = name
			m.Labels["app.kubernetes.io/part-of"] = ns
			m.Labels["app.kubernetes.io/version"] = "1.4.2"
		}
		if helm {
			m.Labels["app.kubernetes.io/managed-by"] = "Helm"
			m.Labels["helm.sh/chart"] = name + "-0.3.1"
			m.Annotations = map[string]string{"meta.helm.sh/release-name": name, "meta.helm.sh/release-namespace": ns}
		}
		return m
	}
	labels := map[string]string{"app": name}

	cm := &corev1.ConfigMap{TypeMeta: tm("v1", "ConfigMap"), ObjectMeta: meta(name+"-config", false),
		Data: map[string]string{"LOG_LEVEL": "info", "FEATURES": "a,b,c"}}
	if g.chance(0.6) {
		cm.Data["config.yaml"] = fmt.Sprintf("server:\n  port: 8080\n  timeout: %ds\nlogging:\n  level: info\n  format: json\nupstream: http://%s.%s.svc:80\n",
			10+g.r.IntN(50), name, ns)
	}
	g.add(cm)
	g.add(&corev1.Secret{TypeMeta: tm("v1", "Secret"), ObjectMeta: meta(name+"-creds", false), Type: corev1.SecretTypeOpaque})

	svc := &corev1.Service{TypeMeta: tm("v1", "Service"), ObjectMeta: meta(name, true),
		Spec: corev1.ServiceSpec{Selector: labels, Ports: []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromString("http"), Protocol: corev1.ProtocolTCP}}}}
	switch k := g.r.IntN(100); {
	case k < 3:
		svc.Spec.Type = corev1.ServiceTypeLoadBalancer
	case k < 12:
		svc.Spec.Type = corev1.ServiceTypeNodePort
	default:
		svc.Spec.Type = corev1.ServiceTypeClusterIP
	}
	g.add(svc)
	if g.chance(0.25) {
		host := name + "." + ns + ".example.com"
		backend := networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: name, Port: networkingv1.ServiceBackendPort{Number: 80}}}
		ing := &networkingv1.Ingress{TypeMeta: tm("networking.k8s.io/v1", "Ingress"), ObjectMeta: meta(name, true),
			Spec: networkingv1.IngressSpec{IngressClassName: ptr.To("nginx"), Rules: []networkingv1.IngressRule{{Host: host,
				IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{{
					Path: "/", PathType: ptr.To(networkingv1.PathTypePrefix), Backend: backend}}}}}}}}
		if g.chance(0.5) {
			ing.Spec.TLS = []networkingv1.IngressTLS{{Hosts: []string{host}, SecretName: name + "-tls"}}
		}
		g.add(ing)
	}

	// Half the applications run as a service account of their own, bound to the namespace's
	// reader role; the others share "app" (or run as default).
	sa := "app"
	if g.chance(0.5) {
		sa = name
		g.add(&corev1.ServiceAccount{TypeMeta: tm("v1", "ServiceAccount"), ObjectMeta: meta(name, false)})
		if g.chance(0.6) {
			g.roleBinding(ns, name+"-reader", "Role", "app-reader", serviceAccount(ns, name))
		}
	}
	tmpl := corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: g.podSpec(name, sa)}
	if g.chance(0.3) {
		tmpl.Annotations = map[string]string{"prometheus.io/scrape": "true", "prometheus.io/port": "8080"}
	}
	wm := meta(name, true)
	switch k := g.r.IntN(10); {
	case k < 6:
		g.add(&appsv1.Deployment{TypeMeta: tm("apps/v1", "Deployment"), ObjectMeta: wm,
			Spec: appsv1.DeploymentSpec{Replicas: ptr.To(int32(1 + g.r.IntN(4))), Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: tmpl}})
	case k < 8:
		g.add(&appsv1.StatefulSet{TypeMeta: tm("apps/v1", "StatefulSet"), ObjectMeta: wm,
			Spec: appsv1.StatefulSetSpec{ServiceName: name, Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: tmpl}})
	case k < 9:
		tmpl.Spec.RestartPolicy = corev1.RestartPolicyOnFailure
		g.add(&batchv1.CronJob{TypeMeta: tm("batch/v1", "CronJob"), ObjectMeta: wm,
			Spec: batchv1.CronJobSpec{Schedule: "*/15 * * * *", JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: tmpl}}}})
	default:
		g.add(&appsv1.DaemonSet{TypeMeta: tm("apps/v1", "DaemonSet"), ObjectMeta: wm,
			Spec: appsv1.DaemonSetSpec{Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: tmpl}})
	}
	if g.chance(0.3) { // a bare pod, as debugging leftovers are
		g.add(&corev1.Pod{TypeMeta: tm("v1", "Pod"), ObjectMeta: meta(name+"-debug", false), Spec: g.podSpec(name, sa)})
	}
}

var registries = []string{"registry.example.com/", "ghcr.io/acme/", "docker.io/library/", "quay.io/acme/", ""}

func (g *gen) podSpec(name, serviceAccount string) corev1.PodSpec {
	tag := []string{":1.4.2", ":latest", "", "@sha256:" + fmt.Sprintf("%064x", g.r.Uint64())}[g.r.IntN(4)]
	c := corev1.Container{
		Name:  name,
		Image: registries[g.r.IntN(len(registries))] + name + tag,
		Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080, Protocol: corev1.ProtocolTCP}},
		Env:   []corev1.EnvVar{{Name: "MODE", Value: "prod"}, {Name: "PORT", Value: "8080"}},
	}
	if g.chance(0.5) {
		c.ImagePullPolicy = corev1.PullIfNotPresent
	}
	if g.chance(0.25) {
		c.Env = append(c.Env, corev1.EnvVar{Name: "DB_PASSWORD", ValueFrom: &corev1.EnvVarSource{
			SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: name + "-creds"}, Key: "password"}}})
	}
	if g.chance(0.3) {
		c.EnvFrom = []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: name + "-config"}}}}
	}
	if g.chance(0.7) {
		c.Resources.Requests = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi")}
		if g.chance(0.7) {
			c.Resources.Limits = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("256Mi")}
		}
	}
	if g.chance(0.6) {
		probe := func(path string, delay int32) *corev1.Probe {
			return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: path, Port: intstr.FromString("http")}},
				InitialDelaySeconds: delay, PeriodSeconds: 10, TimeoutSeconds: 2, FailureThreshold: 3}
		}
		c.LivenessProbe, c.ReadinessProbe = probe("/healthz", 15), probe("/ready", 5)
	}
	spec := corev1.PodSpec{ServiceAccountName: serviceAccount, Containers: []corev1.Container{c}}
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
			spec.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "host", MountPath: "/host/var/log", ReadOnly: true}}
		}
	case 2:
		spec.ServiceAccountName = ""
	default: // defaults everywhere, as most workloads have
	}
	if g.chance(0.5) {
		spec.Volumes = append(spec.Volumes, corev1.Volume{Name: "config", VolumeSource: corev1.VolumeSource{
			ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: name + "-config"}}}})
		spec.Containers[0].VolumeMounts = append(spec.Containers[0].VolumeMounts, corev1.VolumeMount{Name: "config", MountPath: "/etc/" + name, ReadOnly: true})
	}
	if g.chance(0.2) { // a sidecar
		spec.Containers = append(spec.Containers, corev1.Container{Name: "proxy", Image: "docker.io/envoyproxy/envoy:v1.30.1",
			Args:  []string{"--config-path", "/etc/envoy/envoy.yaml", "--log-level", "warn"},
			Ports: []corev1.ContainerPort{{Name: "admin", ContainerPort: 9901, Protocol: corev1.ProtocolTCP}},
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
				corev1.ResourceCPU: resource.MustParse("50m"), corev1.ResourceMemory: resource.MustParse("64Mi")}}})
	}
	if g.chance(0.1) {
		spec.InitContainers = []corev1.Container{{Name: "init", Image: "docker.io/library/busybox:1.36",
			Command: []string{"sh", "-c", "until nslookup db; do sleep 2; done"}}}
	}
	if g.chance(0.4) {
		spec.TerminationGracePeriodSeconds = ptr.To(int64(30))
	}
	if g.chance(0.5) {
		spec.NodeSelector = map[string]string{"kubernetes.io/os": "linux"}
	}
	if g.chance(0.1) {
		spec.Tolerations = []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "batch", Effect: corev1.TaintEffectNoSchedule}}
	}
	return spec
}

// platformView is an aggregated ClusterRole, as operators install them: the union of the
// ClusterRoles labelled to join it.
func (g *gen) platformView() {
	g.add(&rbacv1.ClusterRole{TypeMeta: tm(rbacAPI, "ClusterRole"), ObjectMeta: om("", "platform-view", nil),
		AggregationRule: &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{
			{MatchLabels: map[string]string{"platform.example.com/aggregate-to-platform-view": "true"}}}}})
	g.add(&rbacv1.ClusterRoleBinding{TypeMeta: tm(rbacAPI, "ClusterRoleBinding"), ObjectMeta: om("", "platform-view", nil),
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "platform-view"},
		Subjects: []rbacv1.Subject{group("sre")}})
}

// clusterRBAC adds a platform component's ClusterRole and ClusterRoleBinding: an operator's
// service account, a team of administrators, or (rarely) every service account or every user
// reading the platform's own resources. Some roles also extend the built-in view role or the
// platform's aggregated one, as operators' roles for their custom resources do.
func (g *gen) clusterRBAC(i int) {
	name := fmt.Sprintf("platform-%03d", i)
	rules := []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods", "services"}, Verbs: []string{"get", "list", "watch"}}}
	if g.chance(0.3) {
		rules = append(rules, rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"get", "list"}})
	}
	subj := serviceAccount(fmt.Sprintf("team-%04d", i), "app")
	switch k := g.r.IntN(20); {
	case k == 0:
		subj = group("system:serviceaccounts")
		rules = []rbacv1.PolicyRule{{APIGroups: []string{"platform.example.com"}, Resources: []string{"tenants", "quotas"}, Verbs: []string{"get", "list", "watch"}}}
	case k == 1:
		subj = group("system:authenticated")
		rules = []rbacv1.PolicyRule{{APIGroups: []string{"platform.example.com"}, Resources: []string{"tenants"}, Verbs: []string{"get", "list"}}}
	case k < 5:
		subj = group("platform-admins")
	}
	labels := map[string]string{"app.kubernetes.io/part-of": "platform"}
	if g.chance(0.3) {
		labels["rbac.authorization.k8s.io/aggregate-to-view"] = "true"
		labels["platform.example.com/aggregate-to-platform-view"] = "true"
	}
	g.add(&rbacv1.ClusterRole{TypeMeta: tm(rbacAPI, "ClusterRole"), ObjectMeta: om("", name, labels), Rules: rules})
	g.add(&rbacv1.ClusterRoleBinding{TypeMeta: tm(rbacAPI, "ClusterRoleBinding"), ObjectMeta: om("", name, nil),
		RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: name}, Subjects: []rbacv1.Subject{subj}})
}
