package monitor

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kspm-dev/kspm/internal/synth"
	"github.com/kspm-dev/kspm/inventory"
)

// A cluster model for randomized tests: objects by key, changed at random the ways that move
// verdicts (security settings, labels selectors read, references, RBAC rules and subjects,
// namespaces' Pod Security labels, controllers and their pods), plus kinds made forbidden and
// readable again. The same operations drive an inventory (With) and a fake clientset.

// op is one change to the model: an object put or removed, or a kind made forbidden or
// readable again.
type op struct {
	put    runtime.Object
	remove *key
	forbid *schema.GroupKind
	allow  *schema.GroupKind
}

type model struct {
	r         *rand.Rand
	objs      map[key]runtime.Object
	forbidden map[schema.GroupKind]map[key]runtime.Object // objects kept while their kind is forbidden
	seq       int
}

func newModel(seed uint64, n int) *model {
	m := &model{r: rand.New(rand.NewPCG(seed, 11)), objs: map[key]runtime.Object{},
		forbidden: map[schema.GroupKind]map[key]runtime.Object{}}
	for _, o := range synth.Generate(seed, n) {
		m.add(o)
	}
	for _, o := range controlPlane() {
		m.add(o)
	}
	return m
}

func (m *model) add(o runtime.Object) {
	mo := o.(metav1.Object)
	if mo.GetUID() == "" {
		m.seq++
		mo.SetUID(types.UID(fmt.Sprintf("uid-%d", m.seq)))
	}
	m.objs[modelKey(o)] = o
}

func modelKey(o runtime.Object) key {
	mo := o.(metav1.Object)
	gvk := o.GetObjectKind().GroupVersionKind()
	if gvk.Kind == "" {
		panic(fmt.Sprintf("%T without kind", o))
	}
	return key{gvk.GroupKind(), mo.GetNamespace(), mo.GetName()}
}

// sorted returns the objects in key order, for deterministic picks.
func (m *model) sorted(filter func(key) bool) []runtime.Object {
	keys := slices.SortedFunc(mapKeys(m.objs), compareKeys)
	var out []runtime.Object
	for _, k := range keys {
		if filter == nil || filter(k) {
			out = append(out, m.objs[k])
		}
	}
	return out
}

func (m *model) pick(filter func(key) bool) runtime.Object {
	objs := m.sorted(filter)
	if len(objs) == 0 {
		return nil
	}
	return objs[m.r.IntN(len(objs))]
}

func (m *model) chance(p float64) bool { return m.r.Float64() < p }

func (m *model) namespaces() []string {
	var out []string
	for _, o := range m.sorted(func(k key) bool { return k.gk == inventory.KindNamespace }) {
		out = append(out, o.(metav1.Object).GetName())
	}
	if len(out) == 0 {
		out = []string{"default"}
	}
	return out
}

// step makes 1 to 3 random changes, applies them to the model and returns them.
func (m *model) step() []op {
	var ops []op
	for range 1 + m.r.IntN(3) {
		ops = append(ops, m.change()...)
	}
	return ops
}

func (m *model) apply(o op) {
	switch {
	case o.put != nil:
		k := modelKey(o.put)
		if kept, forbidden := m.forbidden[k.gk]; forbidden {
			kept[k] = o.put // the cluster holds it, unseen
			return
		}
		m.objs[k] = o.put
	case o.remove != nil:
		delete(m.objs, *o.remove)
		delete(m.forbidden[o.remove.gk], *o.remove)
	case o.forbid != nil:
		kept := map[key]runtime.Object{}
		for k, obj := range m.objs {
			if k.gk == *o.forbid {
				kept[k] = obj
				delete(m.objs, k)
			}
		}
		m.forbidden[*o.forbid] = kept
	case o.allow != nil:
		for k, obj := range m.forbidden[*o.allow] {
			m.objs[k] = obj
		}
		delete(m.forbidden, *o.allow)
	}
}

var forbiddable = []schema.GroupKind{inventory.KindPod, inventory.KindNetworkPolicy, inventory.KindServiceAccount,
	inventory.KindNamespace, inventory.KindRoleBinding, inventory.KindSecret, inventory.KindService}

func (m *model) change() []op {
	var ops []op
	do := func(o op) {
		m.apply(o)
		ops = append(ops, o)
	}
	switch k := m.r.IntN(100); {
	case k < 3: // a kind becomes forbidden, or readable again
		gk := forbiddable[m.r.IntN(len(forbiddable))]
		if _, is := m.forbidden[gk]; is {
			do(op{allow: &gk})
		} else {
			do(op{forbid: &gk})
		}
	case k < 12: // deletion
		if o := m.pick(nil); o != nil {
			k := modelKey(o)
			do(op{remove: &k})
		}
	case k < 22: // creation: a copy of an object under a new name, or a controller's objects
		o := m.pick(nil)
		if o == nil {
			return nil
		}
		for _, c := range m.create(o) {
			do(op{put: c})
		}
	default:
		o := m.pick(nil)
		if o == nil {
			return nil
		}
		c := o.DeepCopyObject()
		m.mutate(c)
		do(op{put: c})
	}
	return ops
}

// create returns new objects modelled on o: a copy under a new name (now and then in another
// namespace), or, for a Deployment, a ReplicaSet it controls and pods of that ReplicaSet,
// some of which run what its template does not.
func (m *model) create(o runtime.Object) []runtime.Object {
	m.seq++
	name := fmt.Sprintf("%s-c%d", o.(metav1.Object).GetName(), m.seq)
	if d, ok := o.(*appsv1.Deployment); ok && m.chance(0.6) {
		rs := &appsv1.ReplicaSet{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "ReplicaSet"},
			ObjectMeta: metav1.ObjectMeta{Namespace: d.Namespace, Name: name, Labels: d.Spec.Template.Labels,
				UID: types.UID(fmt.Sprintf("uid-rs-%d", m.seq)), OwnerReferences: []metav1.OwnerReference{{
					APIVersion: "apps/v1", Kind: "Deployment", Name: d.Name, UID: d.UID, Controller: new(true)}}},
			Spec: appsv1.ReplicaSetSpec{Replicas: new(int32(2)), Template: *d.Spec.Template.DeepCopy()}}
		out := []runtime.Object{rs}
		for j := range 1 + m.r.IntN(3) {
			p := &corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
				ObjectMeta: metav1.ObjectMeta{Namespace: d.Namespace, Name: fmt.Sprintf("%s-%d", name, j),
					Labels: d.Spec.Template.Labels, UID: types.UID(fmt.Sprintf("uid-p-%d-%d", m.seq, j)),
					OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: rs.Name,
						UID: rs.UID, Controller: new(true)}}},
				Spec: *d.Spec.Template.Spec.DeepCopy()}
			if m.chance(0.4) { // an injected sidecar: drifted from the template
				p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: "istio-proxy", Image: "istio/proxyv2:1.22"})
			}
			out = append(out, p)
		}
		return out
	}
	c := o.DeepCopyObject()
	mo := c.(metav1.Object)
	mo.SetName(name)
	mo.SetUID(types.UID(fmt.Sprintf("uid-c-%d", m.seq)))
	mo.SetOwnerReferences(nil)
	if mo.GetNamespace() != "" && m.chance(0.2) {
		nss := m.namespaces()
		mo.SetNamespace(nss[m.r.IntN(len(nss))])
	}
	if _, isNS := c.(*corev1.Namespace); isNS {
		labels := map[string]string{corev1.LabelMetadataName: name}
		for k, v := range mo.GetLabels() {
			if k != corev1.LabelMetadataName {
				labels[k] = v
			}
		}
		mo.SetLabels(labels)
	}
	return []runtime.Object{c}
}

var (
	levels     = []string{"privileged", "baseline", "restricted", "latest-typo"}
	psaModes   = []string{"enforce", "audit", "warn"}
	badPaths   = []string{"/var/run/docker.sock", "/etc", "/", "/var/log", "/proc"}
	images     = []string{"nginx", "nginx:latest", "registry.example.com/app:1.2", "ghcr.io/acme/app@sha256:" + strings.Repeat("a", 64)}
	riskyRules = []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"get", "list"}},
		{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"create"}},
		{APIGroups: []string{""}, Resources: []string{"pods/exec"}, Verbs: []string{"create"}},
		{APIGroups: []string{"*"}, Resources: []string{"*"}, Verbs: []string{"*"}},
		{APIGroups: []string{""}, Resources: []string{"users", "groups", "serviceaccounts"}, Verbs: []string{"impersonate"}},
		{APIGroups: []string{"rbac.authorization.k8s.io"}, Resources: []string{"clusterroles"}, Verbs: []string{"bind", "escalate"}},
		{APIGroups: []string{""}, Resources: []string{"nodes/proxy"}, Verbs: []string{"get"}},
		{APIGroups: []string{""}, Resources: []string{"serviceaccounts/token"}, Verbs: []string{"create"}},
		{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get"}},
	}
)

// mutate changes o in place in one of the ways checks notice.
func (m *model) mutate(o runtime.Object) {
	mo := o.(metav1.Object)
	if m.chance(0.1) { // labels, which selectors read
		labels := map[string]string{}
		for k, v := range mo.GetLabels() {
			labels[k] = v
		}
		if apps := m.sorted(func(k key) bool { return k.gk == inventory.KindService && k.ns == mo.GetNamespace() }); len(apps) > 0 && m.chance(0.7) {
			labels["app"] = apps[m.r.IntN(len(apps))].(*corev1.Service).Spec.Selector["app"]
		} else {
			delete(labels, "app")
		}
		mo.SetLabels(labels)
		if p, ok := o.(*corev1.Pod); ok {
			p.Labels = labels
		}
		return
	}
	switch x := o.(type) {
	case *corev1.Namespace:
		if x.Labels == nil {
			x.Labels = map[string]string{}
		}
		l := "pod-security.kubernetes.io/" + psaModes[m.r.IntN(len(psaModes))]
		if m.chance(0.3) {
			delete(x.Labels, l)
		} else {
			x.Labels[l] = levels[m.r.IntN(len(levels))]
		}
		if m.chance(0.2) {
			x.Labels["team"] = fmt.Sprint("t", m.r.IntN(3))
		}
	case *corev1.Pod:
		m.podSpec(&x.Spec, true)
	case *appsv1.Deployment:
		m.podSpec(&x.Spec.Template.Spec, false)
	case *appsv1.ReplicaSet:
		m.podSpec(&x.Spec.Template.Spec, false)
		if m.chance(0.3) {
			x.Spec.Replicas = new(int32(m.r.IntN(2)))
		}
	case *appsv1.StatefulSet:
		m.podSpec(&x.Spec.Template.Spec, false)
	case *appsv1.DaemonSet:
		m.podSpec(&x.Spec.Template.Spec, false)
		if x.Namespace == "kube-system" && x.Name == "kube-proxy" && len(x.Spec.Template.Spec.Containers) > 0 {
			x.Spec.Template.Spec.Containers[0].Command = []string{"/usr/local/bin/kube-proxy",
				"--config=/var/lib/kube-proxy/config.conf", fmt.Sprintf("--metrics-bind-address=%s:10249", []string{"0.0.0.0", "127.0.0.1"}[m.r.IntN(2)])}
		}
	case *corev1.ServiceAccount:
		x.AutomountServiceAccountToken = []*bool{nil, new(true), new(false)}[m.r.IntN(3)]
	case *corev1.Service:
		switch m.r.IntN(3) {
		case 0:
			x.Spec.Type = []corev1.ServiceType{corev1.ServiceTypeClusterIP, corev1.ServiceTypeNodePort, corev1.ServiceTypeLoadBalancer}[m.r.IntN(3)]
		case 1:
			x.Spec.Selector = nil
		default:
			x.Spec.Selector = map[string]string{"app": fmt.Sprint("svc-0", m.r.IntN(6))}
		}
	case *networkingv1.Ingress:
		if m.chance(0.5) {
			x.Spec.TLS = nil
		} else if len(x.Spec.Rules) > 0 && x.Spec.Rules[0].HTTP != nil && len(x.Spec.Rules[0].HTTP.Paths) > 0 {
			x.Spec.Rules[0].HTTP.Paths[0].Backend.Service.Name = fmt.Sprint("svc-0", m.r.IntN(6))
		}
	case *networkingv1.NetworkPolicy:
		switch m.r.IntN(4) {
		case 0:
			x.Spec.PolicyTypes = [][]networkingv1.PolicyType{{networkingv1.PolicyTypeIngress}, {networkingv1.PolicyTypeEgress},
				{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}}[m.r.IntN(3)]
		case 1:
			x.Spec.PodSelector = metav1.LabelSelector{MatchLabels: map[string]string{"app": fmt.Sprint("svc-0", m.r.IntN(6))}}
		case 2:
			x.Spec.PodSelector = metav1.LabelSelector{}
		default:
			x.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{{
				NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"team": fmt.Sprint("t", m.r.IntN(3))}}}}}}
			if m.chance(0.5) {
				x.Spec.Ingress[0].From[0].NamespaceSelector = &metav1.LabelSelector{}
			}
		}
	case *rbacv1.Role:
		m.rules(&x.Rules)
	case *rbacv1.ClusterRole:
		if m.chance(0.2) {
			if x.Labels == nil {
				x.Labels = map[string]string{}
			}
			x.Labels["rbac.authorization.k8s.io/aggregate-to-view"] = fmt.Sprint(m.chance(0.5))
		} else {
			m.rules(&x.Rules)
		}
	case *rbacv1.RoleBinding:
		m.binding(&x.Subjects, &x.RoleRef, x.Namespace)
	case *rbacv1.ClusterRoleBinding:
		m.binding(&x.Subjects, &x.RoleRef, "")
	case *corev1.Secret:
		if m.chance(0.5) {
			x.Type = corev1.SecretTypeServiceAccountToken
			x.Annotations = map[string]string{corev1.ServiceAccountNameKey: []string{"default", "app"}[m.r.IntN(2)]}
		} else {
			x.Type = corev1.SecretTypeOpaque
			x.Annotations = nil
		}
	case *corev1.ConfigMap:
		if x.Data == nil {
			x.Data = map[string]string{}
		}
		if m.chance(0.5) {
			x.Data["DB_PASSWORD"] = "hunter2-" + fmt.Sprint(m.r.IntN(100))
		} else {
			delete(x.Data, "DB_PASSWORD")
			x.Data["LOG_LEVEL"] = "debug"
		}
	case *corev1.LimitRange:
		if len(x.Spec.Limits) > 0 && m.chance(0.5) {
			x.Spec.Limits = nil
		} else {
			x.Spec.Limits = []corev1.LimitRangeItem{{Type: corev1.LimitTypeContainer,
				Default:        corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("512Mi")},
				DefaultRequest: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m")}}}
		}
	default:
		mo.SetAnnotations(map[string]string{"touched": fmt.Sprint(m.r.IntN(1000))})
	}
}

func (m *model) podSpec(s *corev1.PodSpec, isPod bool) {
	if len(s.Containers) == 0 {
		s.Containers = []corev1.Container{{Name: "app", Image: "nginx"}}
	}
	c := &s.Containers[m.r.IntN(len(s.Containers))]
	sc := func() *corev1.SecurityContext {
		if c.SecurityContext == nil {
			c.SecurityContext = &corev1.SecurityContext{}
		}
		return c.SecurityContext
	}
	switch m.r.IntN(14) {
	case 0:
		sc().Privileged = new(m.chance(0.5))
	case 1:
		s.HostNetwork, s.HostPID = m.chance(0.4), m.chance(0.2)
	case 2:
		sas := append(m.sorted(func(k key) bool { return k.gk == inventory.KindServiceAccount }), nil)
		if sa := sas[m.r.IntN(len(sas))]; sa != nil && m.chance(0.8) {
			s.ServiceAccountName = sa.(metav1.Object).GetName()
		} else {
			s.ServiceAccountName = []string{"", "default", "missing"}[m.r.IntN(3)]
		}
	case 3:
		if m.chance(0.3) {
			s.Volumes = nil
		} else {
			s.Volumes = append(s.Volumes, corev1.Volume{Name: fmt.Sprint("h", m.r.IntN(100)),
				VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: badPaths[m.r.IntN(len(badPaths))]}}})
		}
	case 4:
		if s.SecurityContext == nil {
			s.SecurityContext = &corev1.PodSecurityContext{}
		}
		s.SecurityContext.RunAsNonRoot = new(m.chance(0.5))
		if m.chance(0.3) {
			s.SecurityContext.SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}
		}
	case 5:
		c.Image = images[m.r.IntN(len(images))]
	case 6:
		secrets := m.sorted(func(k key) bool { return k.gk == inventory.KindSecret })
		name := "missing-secret"
		if len(secrets) > 0 && m.chance(0.8) {
			name = secrets[m.r.IntN(len(secrets))].(metav1.Object).GetName()
		}
		c.Env = append(c.Env, corev1.EnvVar{Name: "TOKEN", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: name}, Key: "token"}}})
	case 7:
		cms := m.sorted(func(k key) bool { return k.gk == inventory.KindConfigMap })
		if len(cms) > 0 {
			c.EnvFrom = []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{
				Name: cms[m.r.IntN(len(cms))].(metav1.Object).GetName()}}}}
		} else {
			c.EnvFrom = nil
		}
	case 8:
		if isPod {
			s.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
				Name: "debug", Image: "busybox", SecurityContext: &corev1.SecurityContext{Privileged: new(true)}}}}
		} else {
			s.AutomountServiceAccountToken = []*bool{nil, new(true), new(false)}[m.r.IntN(3)]
		}
	case 9:
		caps := []corev1.Capability{"NET_ADMIN", "SYS_ADMIN", "NET_BIND_SERVICE", "CHOWN"}
		sc().Capabilities = &corev1.Capabilities{Add: []corev1.Capability{caps[m.r.IntN(len(caps))]}}
		if m.chance(0.5) {
			sc().Capabilities.Drop = []corev1.Capability{"ALL"}
		}
	case 10:
		sc().AllowPrivilegeEscalation = new(m.chance(0.5))
		sc().ReadOnlyRootFilesystem = new(m.chance(0.5))
	case 11:
		c.Resources = corev1.ResourceRequirements{}
	case 12:
		c.Ports = []corev1.ContainerPort{{ContainerPort: []int32{22, 80, 8080}[m.r.IntN(3)], HostPort: []int32{0, 22, 80}[m.r.IntN(3)]}}
	default:
		c.LivenessProbe, c.ReadinessProbe = nil, nil
	}
}

func (m *model) rules(rules *[]rbacv1.PolicyRule) {
	if len(*rules) > 0 && m.chance(0.3) {
		*rules = (*rules)[:len(*rules)-1]
		return
	}
	*rules = append(*rules, riskyRules[m.r.IntN(len(riskyRules))])
}

func (m *model) binding(subjects *[]rbacv1.Subject, ref *rbacv1.RoleRef, ns string) {
	switch m.r.IntN(3) {
	case 0:
		if len(*subjects) > 0 {
			*subjects = (*subjects)[1:]
		}
	case 1:
		nss := m.namespaces()
		candidates := []rbacv1.Subject{
			{Kind: rbacv1.ServiceAccountKind, Name: "default", Namespace: nss[m.r.IntN(len(nss))]},
			{Kind: rbacv1.ServiceAccountKind, Name: "app", Namespace: nss[m.r.IntN(len(nss))]},
			{Kind: rbacv1.ServiceAccountKind, Name: "ghost", Namespace: nss[m.r.IntN(len(nss))]},
			{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: "system:authenticated"},
			{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: "system:serviceaccounts"},
			{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "alice"},
		}
		*subjects = append(*subjects, candidates[m.r.IntN(len(candidates))])
	default:
		var roles []runtime.Object
		if ns != "" && m.chance(0.5) {
			roles = m.sorted(func(k key) bool { return k.gk == inventory.KindRole && k.ns == ns })
			ref.Kind = "Role"
		} else {
			roles = m.sorted(func(k key) bool { return k.gk == inventory.KindClusterRole })
			ref.Kind = "ClusterRole"
		}
		ref.APIGroup = rbacv1.GroupName
		if len(roles) == 0 || m.chance(0.15) {
			ref.Name = []string{"cluster-admin", "missing-role"}[m.r.IntN(2)]
			return
		}
		ref.Name = roles[m.r.IntN(len(roles))].(metav1.Object).GetName()
	}
}

// controlPlane returns the objects of a kubeadm control plane the CIS controls read:
// kube-system, the mirror pods of the API server, the controller manager, the scheduler and
// etcd, kube-proxy's DaemonSet and ConfigMap, and the node.
func controlPlane() []runtime.Object {
	mirror := func(component string, args ...string) *corev1.Pod {
		return &corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
			ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: component + "-cp-1",
				Labels:      map[string]string{"component": component, "tier": "control-plane"},
				Annotations: map[string]string{"kubernetes.io/config.mirror": "x", "kubernetes.io/config.source": "file"},
				OwnerReferences: []metav1.OwnerReference{{APIVersion: "v1", Kind: "Node", Name: "cp-1", UID: "node-cp-1",
					Controller: new(true)}}},
			Spec: corev1.PodSpec{NodeName: "cp-1", HostNetwork: true, PriorityClassName: "system-node-critical",
				Containers: []corev1.Container{{Name: component, Image: "registry.k8s.io/" + component + ":v1.37.2",
					Command: append([]string{component}, args...)}}}}
	}
	return []runtime.Object{
		&corev1.Namespace{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
			ObjectMeta: metav1.ObjectMeta{Name: "kube-system", Labels: map[string]string{corev1.LabelMetadataName: "kube-system"}}},
		&corev1.Node{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Node"}, ObjectMeta: metav1.ObjectMeta{Name: "cp-1", UID: "node-cp-1"}},
		mirror("kube-apiserver", "--authorization-mode=Node,RBAC", "--anonymous-auth=false", "--profiling=false",
			"--enable-admission-plugins=NodeRestriction", "--audit-log-path=/var/log/audit.log", "--tls-cert-file=/etc/k/apiserver.crt"),
		mirror("kube-controller-manager", "--profiling=false", "--use-service-account-credentials=true"),
		mirror("kube-scheduler", "--profiling=false", "--bind-address=127.0.0.1"),
		mirror("etcd", "--client-cert-auth=true", "--auto-tls=false"),
		&appsv1.DaemonSet{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"},
			ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: "kube-proxy", Labels: map[string]string{"k8s-app": "kube-proxy"}},
			Spec: appsv1.DaemonSetSpec{Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"k8s-app": "kube-proxy"}},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "kube-proxy", Image: "registry.k8s.io/kube-proxy:v1.37.2",
					Command: []string{"/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf"}}}}}}},
		&corev1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
			ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: "kube-proxy"},
			Data:       map[string]string{"config.conf": "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmetricsBindAddress: 0.0.0.0:10249\n"}},
	}
}
