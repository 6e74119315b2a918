//go:build integration

package integration

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/yaml"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark/admission"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// TestVAP compares, for a set of ValidatingAdmissionPolicies and bindings (params by name and
// by selector, namespace and object selectors, matchConditions, variables,
// messageExpression, Deny, Warn and Audit actions, a CEL error, a missing param) and a few
// hundred generated objects, kspm's verdict on each (object, binding) with the API server's
// own answer to a server-side dry-run create of that object: a rejection naming the policy
// and binding with the message, or a warning header naming them.
func TestVAP(t *testing.T) {
	ctx := t.Context()
	cs := adminClient(t)
	run := freshName("vap")
	rng := rand.New(rand.NewPCG(14, 1))

	// Namespaces: two production ones and a development one, all labelled with the run so
	// that the policies judge nothing of the other tests.
	nsA, nsB, nsC := newNamespace(t, cs, "vap-a"), newNamespace(t, cs, "vap-b"), newNamespace(t, cs, "vap-c")
	params := newNamespace(t, cs, "vap-params")
	for ns, labels := range map[string]map[string]string{
		nsA: {"env": "prod", "team": "a"}, nsB: {"env": "prod"}, nsC: {"env": "dev"}, params: {},
	} {
		n, err := cs.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		require.NoError(t, err)
		n.Labels["vap-run"] = run
		for k, v := range labels {
			n.Labels[k] = v
		}
		_, err = cs.CoreV1().Namespaces().Update(ctx, n, metav1.UpdateOptions{})
		require.NoError(t, err)
	}
	createParams(t, cs, run, nsA, nsB, params)
	objects := generateObjects(rng, nsA, nsB, nsC)
	for _, o := range objects {
		require.NoError(t, o.create(ctx, cs), o.ref)
	}
	for _, ns := range []string{nsA, nsB, nsC, params} {
		objects = append(objects, namespaceObject(ns))
	}

	policies, bindings := vapPolicies(t, run, params)
	for _, p := range policies {
		_, err := cs.AdmissionregistrationV1().ValidatingAdmissionPolicies().Create(ctx, p, metav1.CreateOptions{})
		require.NoError(t, err)
		t.Cleanup(func() {
			_ = cs.AdmissionregistrationV1().ValidatingAdmissionPolicies().Delete(context.Background(), p.Name, metav1.DeleteOptions{})
		})
	}
	for _, b := range bindings {
		_, err := cs.AdmissionregistrationV1().ValidatingAdmissionPolicyBindings().Create(ctx, b, metav1.CreateOptions{})
		require.NoError(t, err)
		t.Cleanup(func() {
			_ = cs.AdmissionregistrationV1().ValidatingAdmissionPolicyBindings().Delete(context.Background(), b.Name, metav1.DeleteOptions{})
		})
	}
	dry := newDryRunner(t)
	waitForPolicies(t, dry, run, nsA, nsB, nsC)

	// kspm's verdicts, over the cluster as listed.
	inv, err := inventory.FromConfig(ctx, adminConfig())
	require.NoError(t, err)
	b, err := admission.Policies(inv)
	require.NoError(t, err)
	var mine []check.Check
	for _, c := range b.Checks {
		if strings.HasPrefix(c.Meta().ID, admission.IDPrefix+run) {
			mine = append(mine, c)
		}
	}
	require.Len(t, mine, len(policies))
	results, err := kspm.Run(ctx, inv, mine)
	require.NoError(t, err)
	verdicts := map[string][]check.Result{} // object → its results
	for _, r := range results {
		if r.Object != nil && r.Admission != nil {
			verdicts[r.Object.String()] = append(verdicts[r.Object.String()], r)
		}
	}

	// The API server's answers, object by object.
	var compared, rejected, warned, notEvaluated int
	statuses := map[check.Status]int{}
	for _, o := range objects {
		ans := dry.create(t, o)
		rs := verdicts[o.ref]
		for _, r := range rs {
			statuses[r.Status]++
		}
		c := compareVerdicts(rs, ans)
		for _, problem := range c.problems {
			t.Errorf("%s: %s (API server: rejected=%v %q, warnings %q; kspm: %s)", o.ref, problem, ans.rejected, ans.message,
				ans.warnings, describeVerdicts(rs))
		}
		compared += c.compared
		notEvaluated += c.notEvaluated
		if ans.rejected {
			rejected++
		}
		if len(ans.warnings) > 0 {
			warned++
		}
	}
	t.Logf("%d objects, %d (object, binding) verdicts compared, %d notEvaluated; API server rejected %d objects, warned on %d; kspm statuses %v",
		len(objects), compared, notEvaluated, rejected, warned, statuses)
	assert.GreaterOrEqual(t, len(objects), 300)
	assert.Positive(t, rejected)
	assert.Positive(t, warned)
	assert.Positive(t, statuses[check.StatusFail])
	assert.Positive(t, statuses[check.StatusPass])
	assert.Positive(t, statuses[check.StatusError])
	assert.Positive(t, notEvaluated, "the policy reading authorizer is notEvaluated")
}

// genObject is one generated object.
type genObject struct {
	ref    string // "Kind namespace/name", as inventory.Ref writes it
	create func(ctx context.Context, cs kubernetes.Interface) error
	// dryRun creates the object again, dry-run, as listed from the cluster.
	dryRun func(ctx context.Context, cs kubernetes.Interface) error
}

// createParams creates the params: a ConfigMap "limits" in nsA and nsB (none in nsC), and two
// ConfigMaps of the params namespace selected by label.
func createParams(t *testing.T, cs kubernetes.Interface, run, nsA, nsB, params string) {
	t.Helper()
	for ns, max := range map[string]string{nsA: "4", nsB: "6"} {
		_, err := cs.CoreV1().ConfigMaps(ns).Create(t.Context(), &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Name: "limits", Labels: map[string]string{"vap-param": "limits"}},
			Data:       map[string]string{"maxReplicas": max},
		}, metav1.CreateOptions{})
		require.NoError(t, err)
	}
	for name, keys := range map[string]string{"keys-strict": "3", "keys-loose": "5"} {
		_, err := cs.CoreV1().ConfigMaps(params).Create(t.Context(), &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"vap-param": "size", "run": run}},
			Data:       map[string]string{"maxKeys": keys},
		}, metav1.CreateOptions{})
		require.NoError(t, err)
	}
}

var (
	vapImages = []string{"registry.example.com/shop/api:1.2", "registry.example.com/web:2", "docker.io/library/nginx:1.27",
		"nginx:latest", "quay.io/prometheus/node-exporter:v1.8"}
	vapTeams = []string{"", "a", "b"}
)

// generateObjects returns ConfigMaps, Deployments, Services and Pods in each namespace, with
// fields drawn from rng.
func generateObjects(rng *rand.Rand, namespaces ...string) []genObject {
	var out []genObject
	labels := func(i int) map[string]string {
		l := map[string]string{"app": fmt.Sprintf("app-%d", i%7)}
		if i%9 == 0 {
			delete(l, "app")
		}
		if team := vapTeams[rng.IntN(len(vapTeams))]; team != "" {
			l["team"] = team
		}
		if rng.IntN(10) == 0 {
			l["vap-exempt"] = "true"
		}
		return l
	}
	for _, ns := range namespaces {
		for i := range 35 {
			cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("cm-%d", i), Namespace: ns, Labels: labels(i)},
				Data: map[string]string{}}
			for k := range rng.IntN(7) {
				cm.Data[fmt.Sprintf("k%d", k)] = "v"
			}
			if rng.IntN(3) > 0 {
				cm.Annotations = map[string]string{"owner": []string{"", "ops", "dev"}[rng.IntN(3)]}
			}
			out = append(out, typedObject("ConfigMap", cm, cs2(func(cs kubernetes.Interface) resource[*corev1.ConfigMap] {
				return cs.CoreV1().ConfigMaps(ns)
			}), func(o *corev1.ConfigMap) {}))
		}
		for i := range 25 {
			l := labels(i)
			var containers []corev1.Container
			for c := range 1 + rng.IntN(2) {
				containers = append(containers, corev1.Container{Name: fmt.Sprintf("c%d", c), Image: vapImages[rng.IntN(len(vapImages))]})
			}
			d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("deploy-%d", i), Namespace: ns, Labels: l},
				Spec: appsv1.DeploymentSpec{
					Replicas: new(int32(1 + rng.IntN(8))),
					Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"pod": fmt.Sprintf("d%d", i)}},
					Template: corev1.PodTemplateSpec{
						ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"pod": fmt.Sprintf("d%d", i)}},
						Spec:       corev1.PodSpec{Containers: containers},
					},
				}}
			out = append(out, typedObject("Deployment", d, cs2(func(cs kubernetes.Interface) resource[*appsv1.Deployment] {
				return cs.AppsV1().Deployments(ns)
			}), func(o *appsv1.Deployment) {}))
		}
		for i := range 20 {
			types := []corev1.ServiceType{corev1.ServiceTypeClusterIP, corev1.ServiceTypeNodePort, corev1.ServiceTypeLoadBalancer}
			s := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("svc-%d", i), Namespace: ns, Labels: labels(i)},
				Spec: corev1.ServiceSpec{Type: types[rng.IntN(len(types))], Selector: map[string]string{"app": "x"},
					Ports: []corev1.ServicePort{{Port: int32(80 + rng.IntN(3))}}}}
			out = append(out, typedObject("Service", s, cs2(func(cs kubernetes.Interface) resource[*corev1.Service] {
				return cs.CoreV1().Services(ns)
			}), func(o *corev1.Service) {
				// Created again, the Service would ask for the addresses and ports it holds,
				// which are taken (by itself): let the dry run allocate others.
				o.Spec.ClusterIP, o.Spec.ClusterIPs = "", nil
				for i := range o.Spec.Ports {
					o.Spec.Ports[i].NodePort = 0
				}
				o.Spec.HealthCheckNodePort = 0
			}))
		}
		for i := range 20 {
			p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("pod-%d", i), Namespace: ns, Labels: labels(i)},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: vapImages[rng.IntN(len(vapImages))]}}}}
			out = append(out, typedObject("Pod", p, cs2(func(cs kubernetes.Interface) resource[*corev1.Pod] {
				return cs.CoreV1().Pods(ns)
			}), func(o *corev1.Pod) {}))
		}
	}
	return out
}

// resource is what the typed clients of one kind offer that the test uses.
type resource[T any] interface {
	Create(ctx context.Context, obj T, opts metav1.CreateOptions) (T, error)
	Get(ctx context.Context, name string, opts metav1.GetOptions) (T, error)
}

func cs2[T any](f func(kubernetes.Interface) resource[T]) func(kubernetes.Interface) resource[T] {
	return f
}

// typedObject returns the generated object obj of kind; prepare readies a copy of the object
// as listed for creating it again.
func typedObject[T interface {
	metav1.Object
	comparable
}](kind string, obj T, client func(kubernetes.Interface) resource[T], prepare func(T)) genObject {
	return genObject{
		ref: kind + " " + obj.GetNamespace() + "/" + obj.GetName(),
		create: func(ctx context.Context, cs kubernetes.Interface) error {
			_, err := client(cs).Create(ctx, obj, metav1.CreateOptions{})
			return err
		},
		dryRun: func(ctx context.Context, cs kubernetes.Interface) error {
			live, err := client(cs).Get(ctx, obj.GetName(), metav1.GetOptions{})
			if err != nil {
				return fmt.Errorf("get: %w", err)
			}
			live.SetResourceVersion("")
			live.SetUID("")
			live.SetManagedFields(nil)
			live.SetCreationTimestamp(metav1.Time{})
			prepare(live)
			_, err = client(cs).Create(ctx, live, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
			return err
		},
	}
}

// vapPolicies returns the policies and bindings of the test, named after run and judging only
// the namespaces labelled with it.
func vapPolicies(t *testing.T, run, paramsNS string) ([]*admissionregistrationv1.ValidatingAdmissionPolicy, []*admissionregistrationv1.ValidatingAdmissionPolicyBinding) {
	t.Helper()
	docs := strings.NewReplacer("RUN", run, "PARAMS", paramsNS).Replace(vapManifests)
	var (
		ps []*admissionregistrationv1.ValidatingAdmissionPolicy
		bs []*admissionregistrationv1.ValidatingAdmissionPolicyBinding
	)
	for _, d := range strings.Split(docs, "\n---\n") {
		if strings.Contains(d, "kind: ValidatingAdmissionPolicyBinding") {
			var b admissionregistrationv1.ValidatingAdmissionPolicyBinding
			require.NoError(t, yaml.UnmarshalStrict([]byte(d), &b))
			bs = append(bs, &b)
			continue
		}
		var p admissionregistrationv1.ValidatingAdmissionPolicy
		require.NoError(t, yaml.UnmarshalStrict([]byte(d), &p))
		ps = append(ps, &p)
	}
	return ps, bs
}

// vapManifests are the policies and bindings: RUN is the run's name, PARAMS the namespace of
// the params chosen by selector.
const vapManifests = `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: RUN-replicas}
spec:
  paramKind: {apiVersion: v1, kind: ConfigMap}
  matchConstraints:
    namespaceSelector: {matchLabels: {vap-run: RUN}}
    resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments]}]
  validations:
  - expression: "object.spec.replicas <= int(params.data.maxReplicas)"
    messageExpression: "'replicas ' + string(object.spec.replicas) + ' > ' + params.data.maxReplicas"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: RUN-replicas}
spec:
  policyName: RUN-replicas
  validationActions: [Warn]
  paramRef: {name: limits, parameterNotFoundAction: Deny}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: RUN-images}
spec:
  matchConstraints:
    namespaceSelector: {matchLabels: {vap-run: RUN}}
    resourceRules:
    - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}
    - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}
  variables:
  - name: containers
    expression: "object.kind == 'Pod' ? object.spec.containers : object.spec.template.spec.containers"
  - name: untrusted
    expression: "variables.containers.map(c, c.image).filter(i, !i.startsWith('registry.example.com/'))"
  validations:
  - expression: "size(variables.untrusted) == 0"
    messageExpression: "'untrusted images: ' + variables.untrusted.join(', ')"
  - expression: "variables.containers.all(c, !c.image.endsWith(':latest'))"
    message: "no :latest images"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: RUN-images-prod}
spec:
  policyName: RUN-images
  validationActions: [Warn, Audit]
  matchResources:
    namespaceSelector: {matchLabels: {env: prod}}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: RUN-team}
spec:
  matchConstraints:
    namespaceSelector: {matchLabels: {vap-run: RUN}}
    objectSelector: {matchExpressions: [{key: app, operator: Exists}]}
    resourceRules:
    - {apiGroups: [apps], apiVersions: [v1], operations: ["*"], resources: [deployments]}
    - {apiGroups: [""], apiVersions: [v1], operations: ["*"], resources: [services, configmaps]}
  matchConditions:
  - {name: not-exempt, expression: "!('vap-exempt' in object.metadata.labels)"}
  validations:
  - expression: "'team' in object.metadata.labels"
    messageExpression: "object.kind + ' ' + object.metadata.name + ' has no team label'"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: RUN-team}
spec:
  policyName: RUN-team
  validationActions: [Warn]
  matchResources:
    namespaceSelector: {matchExpressions: [{key: team, operator: DoesNotExist}]}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: RUN-no-lb}
spec:
  matchConstraints:
    namespaceSelector: {matchLabels: {vap-run: RUN}}
    resourceRules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [services]}]
  validations:
  - expression: "object.spec.type != 'LoadBalancer' || namespaceObject.metadata.labels.env == 'dev'"
    message: "LoadBalancer Services only in development namespaces"
    reason: Forbidden
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: RUN-no-lb}
spec:
  policyName: RUN-no-lb
  validationActions: [Deny]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: RUN-cm-keys}
spec:
  paramKind: {apiVersion: v1, kind: ConfigMap}
  matchConstraints:
    namespaceSelector: {matchLabels: {vap-run: RUN}}
    objectSelector: {matchExpressions: [{key: vap-param, operator: DoesNotExist}]}
    resourceRules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [configmaps]}]
  validations:
  - expression: "!has(object.data) || size(object.data) <= int(params.data.maxKeys)"
    messageExpression: "'too many keys: ' + string(size(object.data))"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: RUN-cm-keys}
spec:
  policyName: RUN-cm-keys
  validationActions: [Deny]
  paramRef:
    namespace: PARAMS
    selector: {matchLabels: {vap-param: size, run: RUN}}
    parameterNotFoundAction: Allow
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: RUN-owner}
spec:
  matchConstraints:
    namespaceSelector: {matchLabels: {vap-run: RUN}}
    resourceRules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [configmaps]}]
  validations:
  - expression: "object.metadata.annotations.owner != ''"
    message: "the owner annotation is empty"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: RUN-owner}
spec:
  policyName: RUN-owner
  validationActions: [Warn]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: RUN-authz}
spec:
  matchConstraints:
    namespaceSelector: {matchLabels: {vap-run: RUN}}
    resourceRules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}]
  validations:
  - expression: "authorizer.group('').resource('pods').namespace(object.metadata.namespace).check('delete').allowed()"
    message: "whoever creates a Pod may delete it"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: RUN-authz}
spec:
  policyName: RUN-authz
  validationActions: [Warn]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: RUN-namespaces}
spec:
  matchConstraints:
    objectSelector: {matchLabels: {vap-run: RUN}}
    resourceRules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [namespaces]}]
  validations:
  - expression: "'env' in object.metadata.labels"
    messageExpression: "'Namespace ' + request.namespace + ' has no env label'"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: RUN-namespaces}
spec:
  policyName: RUN-namespaces
  validationActions: [Warn]
`

// answer is the API server's answer to a dry-run create.
type answer struct {
	rejected bool
	message  string
	warnings []string
}

// dryRunner makes dry-run creates and collects the warnings of each.
type dryRunner struct {
	cs       kubernetes.Interface
	mu       sync.Mutex
	warnings []string
}

func newDryRunner(t *testing.T) *dryRunner {
	d := &dryRunner{}
	cfg := adminConfig()
	cfg.WarningHandler = d
	cs, err := kubernetes.NewForConfig(cfg)
	require.NoError(t, err)
	d.cs = cs
	return d
}

// HandleWarningHeader implements rest.WarningHandler.
func (d *dryRunner) HandleWarningHeader(code int, agent, text string) {
	d.mu.Lock()
	d.warnings = append(d.warnings, text)
	d.mu.Unlock()
}

func (d *dryRunner) create(t *testing.T, o genObject) answer {
	t.Helper()
	d.mu.Lock()
	d.warnings = nil
	d.mu.Unlock()
	err := o.dryRun(t.Context(), d.cs)
	d.mu.Lock()
	ans := answer{warnings: slices.Clone(d.warnings)}
	d.mu.Unlock()
	switch {
	case err == nil || apierrors.IsAlreadyExists(err): // admitted: the name is taken, as it should be
	case strings.Contains(err.Error(), "ValidatingAdmissionPolicy '"):
		ans.rejected, ans.message = true, err.Error()
	default:
		t.Fatalf("%s: dry-run create: %v", o.ref, err)
	}
	sort.Strings(ans.warnings)
	return ans
}

// waitForPolicies waits until the API server enforces every binding: a canary of each is
// rejected or warned about.
func waitForPolicies(t *testing.T, dry *dryRunner, run, prod, prodNoTeam, dev string) {
	t.Helper()
	dep := func(ns string, replicas int32, image string, labels map[string]string) genObject {
		d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: freshName("canary"), Namespace: ns, Labels: labels},
			Spec: appsv1.DeploymentSpec{Replicas: &replicas,
				Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"c": "c"}},
				Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"c": "c"}},
					Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: image}}}}}}
		return canary(d.Name, func(ctx context.Context, cs kubernetes.Interface) error {
			_, err := cs.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
			return err
		})
	}
	cm := func(ns string, data map[string]string) genObject {
		c := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: freshName("canary"), Namespace: ns,
			Annotations: map[string]string{"owner": ""}}, Data: data}
		return canary(c.Name, func(ctx context.Context, cs kubernetes.Interface) error {
			_, err := cs.CoreV1().ConfigMaps(ns).Create(ctx, c, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
			return err
		})
	}
	lb := func(ns string) genObject {
		s := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: freshName("canary"), Namespace: ns},
			Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Ports: []corev1.ServicePort{{Port: 80}}}}
		return canary(s.Name, func(ctx context.Context, cs kubernetes.Interface) error {
			_, err := cs.CoreV1().Services(ns).Create(ctx, s, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
			return err
		})
	}
	many := map[string]string{}
	for i := range 9 {
		many[fmt.Sprintf("k%d", i)] = "v"
	}
	canaries := []struct {
		o    genObject
		want string // a binding the answer must name
	}{
		{dep(prod, 50, "registry.example.com/x:1", nil), "'" + run + "-replicas'"},
		{dep(prod, 1, "nginx:latest", nil), "'" + run + "-images-prod'"},
		{dep(prodNoTeam, 1, "registry.example.com/x:1", map[string]string{"app": "x"}), "'" + run + "-team'"},
		{lb(prod), "'" + run + "-no-lb'"},
		{cm(prod, many), "'" + run + "-cm-keys'"},
		{cm(dev, nil), "'" + run + "-owner'"},
	}
	deadline := time.Now().Add(90 * time.Second)
	for _, c := range canaries {
		for {
			ans := dry.create(t, c.o)
			if strings.Contains(ans.message, c.want) || slices.ContainsFunc(ans.warnings, func(w string) bool { return strings.Contains(w, c.want) }) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the binding %s is not enforced after 90s (last answer %+v)", c.want, ans)
			}
			time.Sleep(250 * time.Millisecond)
		}
	}
}

// namespaceObject is the Namespace name, created already, to create again.
func namespaceObject(name string) genObject {
	return genObject{ref: "Namespace " + name, dryRun: func(ctx context.Context, cs kubernetes.Interface) error {
		live, err := cs.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return fmt.Errorf("get: %w", err)
		}
		live.ResourceVersion, live.UID, live.ManagedFields, live.CreationTimestamp = "", "", nil, metav1.Time{}
		_, err = cs.CoreV1().Namespaces().Create(ctx, live, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		return err
	}}
}

func canary(name string, create func(ctx context.Context, cs kubernetes.Interface) error) genObject {
	return genObject{ref: "canary " + name, dryRun: create}
}

// comparison is the outcome of comparing kspm's results on one object with the API server's
// answer.
type comparison struct {
	problems               []string
	compared, notEvaluated int
}

// compareVerdicts compares kspm's results rs on one object with the API server's answer:
//   - a failure through a Deny binding, or an error of configuration, is a rejection; the
//     API server's message (the first rejection it met) must be one of them: kspm's message
//     holds the policy's message (or the error) the API server gives;
//   - with no such result the object is admitted, unless a binding kspm could not evaluate
//     may reject it;
//   - a failure through a Warn binding is a warning per failed validation, each naming the
//     policy and binding, whose messages kspm's message holds; an evaluation error through
//     a Warn binding is a warning naming them;
//   - the API server warns of nothing else, but of what kspm could not evaluate.
func compareVerdicts(rs []check.Result, ans answer) comparison {
	var c comparison
	type expectation struct {
		prefix  string // "ValidatingAdmissionPolicy 'p' with binding 'b'"
		message string // kspm's message, which holds the API server's
	}
	var denials, warns, unknown []expectation
	mayDeny := false
	for _, r := range rs {
		e := expectation{prefix: fmt.Sprintf("ValidatingAdmissionPolicy '%s' with binding '%s'",
			strings.TrimPrefix(r.CheckID, admission.IDPrefix), r.Admission.Binding)}
		deny := slices.Contains(r.Admission.ValidationActions, "Deny")
		warn := slices.Contains(r.Admission.ValidationActions, "Warn")
		switch r.Status {
		case check.StatusFail:
			c.compared++
			e.message = r.Message
			if deny {
				denials = append(denials, e)
			}
			if warn {
				warns = append(warns, e)
			}
		case check.StatusError:
			c.compared++
			e.message = r.Message
			switch {
			case deny || strings.Contains(r.Message, "the API server rejects the object"):
				denials = append(denials, e)
			case warn:
				warns = append(warns, e)
			}
		case check.StatusNotEvaluated:
			c.notEvaluated++
			mayDeny = mayDeny || deny
			unknown = append(unknown, e)
		default:
			c.compared++
		}
	}
	const denied = " denied request: "
	switch {
	case len(denials) > 0 && !ans.rejected:
		c.problems = append(c.problems, "kspm expects a rejection, the API server admitted the object")
	case len(denials) > 0:
		ok := slices.ContainsFunc(denials, func(e expectation) bool {
			_, msg, found := strings.Cut(ans.message, e.prefix+denied)
			return found && strings.Contains(e.message, msg)
		})
		if !ok {
			c.problems = append(c.problems, "the rejection is not one kspm expects")
		}
	case ans.rejected && !mayDeny:
		c.problems = append(c.problems, "the API server rejected an object kspm expects to be admitted")
	}
	const warned = "Validation failed for "
	seen := make([]bool, len(warns))
	for _, w := range ans.warnings {
		rest, ok := strings.CutPrefix(w, warned)
		if !ok {
			continue // another admission plugin's warning
		}
		matched := false
		for i, e := range warns {
			if msg, ok := strings.CutPrefix(rest, e.prefix+": "); ok && strings.Contains(e.message, msg) {
				seen[i], matched = true, true
			}
		}
		matched = matched || slices.ContainsFunc(unknown, func(e expectation) bool { return strings.HasPrefix(rest, e.prefix+": ") })
		if !matched {
			c.problems = append(c.problems, fmt.Sprintf("unexpected warning %q", w))
		}
	}
	for i, e := range warns {
		if !seen[i] {
			c.problems = append(c.problems, fmt.Sprintf("no warning from %s", e.prefix))
		}
	}
	return c
}

func describeVerdicts(rs []check.Result) string {
	var parts []string
	for _, r := range rs {
		parts = append(parts, fmt.Sprintf("%s %s via %s: %s", r.CheckID, r.Status, r.Admission.Binding, r.Message))
	}
	return strings.Join(parts, "; ")
}
