package kspm_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// variantVerdict is what TestVariantsNearestDefinition compares of a result.
type variantVerdict struct {
	Status  check.Status
	Message string // a substring of the result's message
}

// TestVariantsNearestDefinition runs the bundled benchmarks over repositories that keep the
// same objects in a prod and a dev directory, differing where it matters. Each object is
// judged with what it references resolved to the definition nearest it (same file, then the
// closest directory), for each kind of reference the bundled checks follow, and the results
// are the same whichever order the directories are given in.
func TestVariantsNearestDefinition(t *testing.T) {
	const ns = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n"
	tests := []struct {
		name    string
		files   map[string]string // path: content
		checkID string
		object  string                    // "Kind namespace/name" of the results compared
		want    map[string]variantVerdict // by the object's file
	}{
		{
			name: "a pod's Namespace: Pod Security level from its labels",
			files: map[string]string{
				"prod/ns.yaml":  ns + "  labels:\n    pod-security.kubernetes.io/enforce: restricted\n",
				"dev/ns.yaml":   ns + "  labels:\n    pod-security.kubernetes.io/enforce: privileged\n",
				"prod/pod.yaml": variantPod,
				"dev/pod.yaml":  variantPod,
			},
			checkID: "pss:namespace-violations", object: "Pod shop/web",
			want: map[string]variantVerdict{
				"prod/pod.yaml": {check.StatusFail, `violates PodSecurity "restricted:latest"`},
				"dev/pod.yaml":  {check.StatusNotApplicable, `namespace "shop" enforces "privileged:latest"`},
			},
		},
		{
			name: "a pod's default ServiceAccount: token automount",
			files: map[string]string{
				"prod/sa.yaml":  variantSA("default", false),
				"dev/sa.yaml":   variantSA("default", true),
				"prod/pod.yaml": variantPod,
				"dev/pod.yaml":  variantPod,
			},
			checkID: "workloads:workload-default-sa", object: "Pod shop/web",
			want: map[string]variantVerdict{
				"prod/pod.yaml": {check.StatusPass, "ServiceAccount shop/default does not automount its token"},
				"dev/pod.yaml":  {check.StatusFail, "automountServiceAccountToken is set to false neither"},
			},
		},
		{
			name: "a pod's ServiceAccount: CIS token mounts, same file beats same directory",
			files: map[string]string{
				"prod/all.yaml":  variantSA("app", false) + "---\n" + strings.Replace(variantPod, "containers:", "serviceAccountName: app\n  containers:", 1),
				"prod/sa.yaml":   variantSA("app", true),
				"dev/app/a.yaml": strings.Replace(variantPod, "containers:", "serviceAccountName: app\n  containers:", 1),
				"dev/sa.yaml":    variantSA("app", true),
			},
			checkID: "cis:5.1.6", object: "Pod shop/web",
			want: map[string]variantVerdict{
				"prod/all.yaml":  {check.StatusPass, ""},
				"dev/app/a.yaml": {check.StatusFail, `the pod mounts the token of service account "app"`},
			},
		},
		{
			name: "a workload's ServiceAccount: whether its risky token is mounted",
			files: map[string]string{
				"prod/sa.yaml":   variantSA("app", false),
				"dev/sa.yaml":    variantSA("app", true),
				"prod/pod.yaml":  strings.Replace(variantPod, "containers:", "serviceAccountName: app\n  containers:", 1),
				"dev/pod.yaml":   strings.Replace(variantPod, "containers:", "serviceAccountName: app\n  containers:", 1),
				"rbac/rbac.yaml": variantRole("secrets") + "---\n" + strings.Replace(variantBinding, "{apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}", "{kind: ServiceAccount, name: app, namespace: shop}", 1),
			},
			checkID: "rbac:workload-serviceaccount", object: "Pod shop/web",
			want: map[string]variantVerdict{
				"dev/pod.yaml": {check.StatusFail, "runs as ServiceAccount shop/app, which can read secrets"},
			},
		},
		{
			name: "a RoleBinding's Role",
			files: map[string]string{
				"prod/rbac.yaml": variantRole("pods") + "---\n" + variantBinding,
				"dev/rbac.yaml":  variantRole("secrets") + "---\n" + variantBinding,
			},
			checkID: "rbac:secrets-read-namespaced", object: "RoleBinding shop/read",
			want: map[string]variantVerdict{
				"dev/rbac.yaml": {check.StatusFail, "User alice"},
			},
		},
		{
			name: "the NetworkPolicies of a namespace (CIS)",
			files: map[string]string{
				"prod/ns.yaml": ns + "---\n" + variantNetpol("app: web"),
				"dev/ns.yaml":  ns + "---\n" + variantNetpol("app: nothing"),
			},
			checkID: "cis:5.3.2", object: "Namespace shop",
			want: map[string]variantVerdict{
				"prod/ns.yaml": {check.StatusPass, "1 NetworkPolicies"},
				"dev/ns.yaml":  {check.StatusPass, "1 NetworkPolicies"},
			},
		},
		{
			name: "the NetworkPolicies of a namespace",
			files: map[string]string{
				"prod/ns.yaml":  ns + "---\n" + strings.Replace(variantNetpol(""), "  podSelector:\n    matchLabels: {}\n  policyTypes: [Ingress]", "  podSelector: {}\n  policyTypes: [Ingress, Egress]", 1),
				"dev/ns.yaml":   ns + "---\n" + strings.Replace(variantNetpol(""), "  podSelector:\n    matchLabels: {}\n", "  podSelector: {}\n", 1),
				"prod/pod.yaml": variantPod,
				"dev/pod.yaml":  variantPod,
			},
			checkID: "network:namespace-default-deny", object: "Namespace shop",
			want: map[string]variantVerdict{
				"prod/ns.yaml": {check.StatusPass, "denies ingress and egress by default"},
				"dev/ns.yaml":  {check.StatusFail, "does not deny egress"},
			},
		},
		{
			name: "the pods a NetworkPolicy selects: only its own directory's variant of a workload",
			files: map[string]string{
				"prod/np.yaml":  variantNetpol("app: web-dev"),
				"dev/np.yaml":   variantNetpol("app: web-dev"),
				"prod/pod.yaml": variantPod,
				"dev/pod.yaml":  strings.Replace(variantPod, "{app: web}", "{app: web-dev}", 1),
			},
			checkID: "network:policy-selects-nothing", object: "NetworkPolicy shop/deny",
			want: map[string]variantVerdict{
				"prod/np.yaml": {check.StatusNotEvaluated, "selects none of the pods of namespace"},
				"dev/np.yaml":  {check.StatusPass, "selects the pods of Pod shop/web"},
			},
		},
		{
			name: "the pods a Service selects",
			files: map[string]string{
				"prod/svc.yaml": variantService("app: web-dev", 80),
				"dev/svc.yaml":  variantService("app: web-dev", 80),
				"prod/pod.yaml": variantPod,
				"dev/pod.yaml":  strings.Replace(variantPod, "{app: web}", "{app: web-dev}", 1),
			},
			checkID: "network:dangling-services", object: "Service shop/web",
			want: map[string]variantVerdict{
				"prod/svc.yaml": {check.StatusNotEvaluated, "matches none of the pods"},
				"dev/svc.yaml":  {check.StatusPass, "selects the pods of Pod shop/web"},
			},
		},
		{
			name: "the Service an Ingress routes to",
			files: map[string]string{
				"prod/svc.yaml": variantService("app: web", 80) + "---\n" + variantIngress,
				"dev/svc.yaml":  variantService("app: web", 8080) + "---\n" + variantIngress,
			},
			checkID: "network:dangling-ingresses", object: "Ingress shop/web",
			want: map[string]variantVerdict{
				"prod/svc.yaml": {check.StatusPass, "every backend Service exists"},
				"dev/svc.yaml":  {check.StatusFail, `backend Service "web" has no port 80`},
			},
		},
		{
			name: "the references to a Secret: each to the definition nearest the referring object",
			files: map[string]string{
				"prod/secret.yaml": variantSecret,
				"dev/secret.yaml":  variantSecret,
				"prod/pod.yaml":    variantPod,
				"dev/pod.yaml":     strings.Replace(variantPod, "    image:", "    envFrom:\n    - secretRef: {name: creds}\n    image:", 1),
			},
			checkID: "secrets:unreferenced", object: "Secret shop/creds",
			want: map[string]variantVerdict{
				"prod/secret.yaml": {check.StatusNotEvaluated, "no pod or workload template, ServiceAccount or Ingress of the input references it"},
				"dev/secret.yaml":  {check.StatusPass, "referenced by Pod shop/web"},
			},
		},
		{
			name: "the policy engine webhooks that cover a namespace",
			files: map[string]string{
				"prod/ns.yaml":      ns,
				"dev/ns.yaml":       ns,
				"prod/webhook.yaml": variantWebhook("shop"),
				"dev/webhook.yaml":  variantWebhook("elsewhere"),
			},
			checkID: "cis:5.2.1", object: "Namespace shop",
			want: map[string]variantVerdict{
				"prod/ns.yaml": {check.StatusPass, "validated by policy engine webhook kyverno-policy-validating"},
				"dev/ns.yaml":  {check.StatusNotEvaluated, "no Pod Security enforce label"},
			},
		},
		{
			name: "the ConfigMap a pod's environment reads",
			files: map[string]string{
				"prod/cm.yaml":  variantConfigMap("LOG_LEVEL: info"),
				"dev/cm.yaml":   variantConfigMap("DB_PASSWORD: hunter2-but-longer"),
				"prod/pod.yaml": strings.Replace(variantPod, "    image:", "    envFrom:\n    - configMapRef: {name: cfg}\n    image:", 1),
				"dev/pod.yaml":  strings.Replace(variantPod, "    image:", "    envFrom:\n    - configMapRef: {name: cfg}\n    image:", 1),
			},
			checkID: "secrets:env-credentials", object: "Pod shop/web",
			want: map[string]variantVerdict{
				"prod/pod.yaml": {check.StatusPass, ""},
				"dev/pod.yaml":  {check.StatusFail, `ConfigMap "cfg"`},
			},
		},
	}
	benchmarks, err := kspm.Benchmarks()
	require.NoError(t, err)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for p, content := range tt.files {
				p = filepath.Join(dir, filepath.FromSlash(p))
				require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
				require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
			}
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			var top []string
			for _, e := range entries {
				top = append(top, filepath.Join(dir, e.Name()))
			}
			var first []check.Result
			for _, order := range []string{"sorted", "reversed"} {
				paths := slices.Clone(top)
				if order == "reversed" {
					slices.Reverse(paths)
				}
				inv, err := inventory.LoadManifests(context.Background(), paths)
				require.NoError(t, err)
				require.Empty(t, inv.Errors())
				require.True(t, inv.HasVariants())
				rep, err := kspm.Scan(context.Background(), inv, benchmarks)
				require.NoError(t, err)
				results := rep.Results
				got := map[string]variantVerdict{}
				for _, r := range results {
					if r.CheckID != tt.checkID || r.Object == nil || r.Object.String() != tt.object || r.Object.Source == nil {
						continue
					}
					file, err := filepath.Rel(dir, r.Object.Source.File)
					require.NoError(t, err)
					file = filepath.ToSlash(file)
					want, ok := tt.want[file]
					if !assert.True(t, ok, "%v: unexpected result on %s: %s %s", order, file, r.Status, r.Message) {
						continue
					}
					_, dup := got[file]
					assert.False(t, dup, "%v: two results on %s", order, file)
					assert.Equal(t, want.Status, r.Status, "%v: %s: %s", order, file, r.Message)
					assert.Contains(t, r.Message, want.Message, "%v: %s", order, file)
					got[file] = want
				}
				assert.Equal(t, tt.want, got, "%v: every object expected has its result", order)
				if first == nil {
					first = results
				} else {
					assert.Equal(t, withoutErrs(first), withoutErrs(results), "the order of the input changes nothing")
				}
			}
		})
	}
}

// withoutErrs returns results without their Go errors (which do not compare), for comparing
// runs.
func withoutErrs(rs []check.Result) []check.Result {
	out := slices.Clone(rs)
	for i := range out {
		out[i].Err = nil
	}
	return out
}

const variantPod = `apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
  labels: {app: web}
spec:
  containers:
  - name: web
    image: registry.example.com/web:1.0
    securityContext: {privileged: true}
`

func variantSA(name string, automount bool) string {
	a := "false"
	if automount {
		a = "true"
	}
	return "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: " + name + "\n  namespace: shop\nautomountServiceAccountToken: " + a + "\n"
}

func variantRole(resource string) string {
	return "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: reader\n  namespace: shop\n" +
		"rules:\n- apiGroups: ['']\n  resources: [" + resource + "]\n  verbs: [get, list]\n"
}

const variantBinding = `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: read
  namespace: shop
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}
`

func variantNetpol(selector string) string {
	return "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny\n  namespace: shop\n" +
		"spec:\n  podSelector:\n    matchLabels: {" + selector + "}\n  policyTypes: [Ingress]\n"
}

func variantService(selector string, port int) string {
	return "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  selector: {" + selector +
		"}\n  ports:\n  - port: " + fmt.Sprint(port) + "\n"
}

const variantSecret = "apiVersion: v1\nkind: Secret\nmetadata: {name: creds, namespace: shop}\ntype: Opaque\nstringData: {k: v}\n"

const variantIngress = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
spec:
  rules:
  - http:
      paths:
      - path: /
        pathType: Prefix
        backend: {service: {name: web, port: {number: 80}}}
`

func variantConfigMap(data string) string {
	return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: shop\ndata:\n  " + data + "\n"
}

func variantWebhook(namespace string) string {
	return `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: kyverno-policy-validating
webhooks:
- name: validate.kyverno.svc
  admissionReviewVersions: [v1]
  sideEffects: None
  clientConfig: {service: {name: kyverno, namespace: kyverno}}
  namespaceSelector:
    matchLabels: {kubernetes.io/metadata.name: ` + namespace + `}
  rules:
  - apiGroups: ['']
    apiVersions: [v1]
    operations: [CREATE, UPDATE]
    resources: [pods]
`
}

// TestRunOrdersVariantsBySource: the results of one check on the definitions of an object
// defined in several places come in the order of their sources, whatever order the check
// reported them in, so that a report is the same from one run to the next.
func TestRunOrdersVariantsBySource(t *testing.T) {
	b := inventory.NewBuilder(inventory.ModeManifests)
	for i := range 8 {
		for _, dir := range []string{"prod", "dev", "staging"} {
			pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: fmt.Sprintf("p-%d", i)}}
			require.NoError(t, b.Add(pod, inventory.Source{File: dir + "/pods.yaml", Line: 1 + 10*i}))
		}
	}
	inv := b.Build()
	require.True(t, inv.HasVariants())
	shuffled := check.New(meta("t:shuffled"), func(ctx context.Context, pass *check.Pass) error {
		all := pass.Inventory.Objects()
		for _, j := range rand.Perm(len(all)) {
			pass.Pass(all[j], "ok")
		}
		return nil
	})
	var want []string
	for _, o := range inv.Objects() {
		want = append(want, o.Name()+"@"+o.Source().String())
	}
	for range 20 {
		results, err := kspm.Run(context.Background(), inv, []check.Check{shuffled})
		require.NoError(t, err)
		var got []string
		for _, r := range results {
			got = append(got, r.Object.Name+"@"+r.Object.Source.String())
		}
		require.Equal(t, want, got)
	}
}
