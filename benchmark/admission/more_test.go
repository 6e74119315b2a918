package admission_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/kspm-dev/kspm/benchmark/admission"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

const hpas = `
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: prod}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 50
`

func TestMatchPolicyAndResources(t *testing.T) {
	hpaPolicy := func(matchPolicy string) string {
		return policy("p", `matchConstraints:
  matchPolicy: `+matchPolicy+`
  resourceRules: [{apiGroups: [autoscaling], apiVersions: [v1], operations: [CREATE], resources: [horizontalpodautoscalers]}]
validations: [{expression: "false"}]
`) + binding("b", "p", "validationActions: [Deny]")
	}
	widgets := policy("w", `matchConstraints:
  resourceRules: [{apiGroups: [example.com], apiVersions: [v1], operations: [CREATE], resources: [widgets]}]
validations: [{expression: "object.spec.size < 10", message: too big}]
`) + binding("b", "w", "validationActions: [Deny]") + `
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w1, namespace: prod}
spec: {size: 20}
`
	crd := `
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets}
  versions: [{name: v1, served: true, storage: true}]
`
	tests := []struct {
		name string
		docs string
		want []string
	}{
		{"Equivalent: the API server would convert the v2 object to v1", hpas + hpaPolicy("Equivalent"),
			[]string{"notEvaluated HorizontalPodAutoscaler prod/web [b Deny]: the policy matches the object as autoscaling/v1, Kind=HorizontalPodAutoscaler"}},
		{"Exact: a v1 rule does not match a v2 object", hpas + hpaPolicy("Exact"),
			[]string{"notApplicable -: " + check.NothingReported}},
		{"a custom resource whose resource name is only guessed", widgets,
			[]string{`notEvaluated Widget prod/w1 [b Deny]: whether the policy's resourceRules match the object depends on the resource name of kind Widget`}},
		{"a custom resource whose CustomResourceDefinition is in the input", widgets + crd,
			[]string{"fail Widget prod/w1 [b Deny]: too big"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertResults(t, judge(t, load(t, tt.docs)), tt.want) })
	}
}

func TestCompleteInput(t *testing.T) {
	p := policy("p", deployments+`paramKind: {apiVersion: v1, kind: ConfigMap}
validations: [{expression: "true"}]
`)
	tests := []struct {
		name, action string
		want         []string
	}{
		{"Deny", "Deny", []string{
			"error Deployment dev/small [b Deny]: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction (failurePolicy Fail",
			"error Deployment prod/big [b Deny]: failed to configure binding: no params found"}},
		{"Allow", "Allow", []string{
			`notApplicable Deployment dev/small [b Deny]: no ConfigMap named "absent": with parameterNotFoundAction Allow`,
			`notApplicable Deployment prod/big [b Deny]: no ConfigMap named "absent"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs := objects + p + binding("b", "p", "validationActions: [Deny]\nparamRef: {name: absent, parameterNotFoundAction: "+tt.action+"}")
			assertResults(t, judge(t, load(t, docs, inventory.WithCompleteInput())), tt.want)
		})
	}
}

func TestMissingNamespace(t *testing.T) {
	docs := `
apiVersion: v1
kind: ConfigMap
metadata: {name: c, namespace: ghost}
` + policy("p", `matchConstraints:
  resourceRules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [configmaps]}]
  namespaceSelector: {matchLabels: {env: prod}}
validations: [{expression: "true"}]
`) + binding("b", "p", "validationActions: [Deny]")
	assertResults(t, judge(t, load(t, docs)), []string{
		"notEvaluated ConfigMap ghost/c [b Deny]: the policy reads the object's Namespace ghost, which is not in the input"})
}

func TestVariants(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	cm := func(ns string) string {
		return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: " + ns + "}\ndata: {size: \"5\"}\n"
	}
	limit := func(max string) string {
		return policy("p", `matchConstraints:
  resourceRules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [configmaps]}]
validations: [{expression: "int(object.data.size) <= `+max+`", message: "over `+max+`"}]
`) + binding("b", "p", "validationActions: [Deny]")
	}
	write("prod/policy.yaml", limit("3"))
	write("prod/cm.yaml", cm("prod"))
	write("dev/policy.yaml", limit("10"))
	write("dev/cm.yaml", cm("dev"))
	inv, err := inventory.LoadManifests(context.Background(), []string{dir})
	require.NoError(t, err)
	// Each ConfigMap is judged by the definition nearest it.
	assertResults(t, judge(t, inv), []string{"pass ConfigMap dev/c [b Deny]", "fail ConfigMap prod/c [b Deny]: over 3"})
}

func TestSeverityAnnotation(t *testing.T) {
	docs := strings.Replace(policy("p", deployments+`validations: [{expression: "true"}]`),
		"metadata: {name: p}", "metadata: {name: p, annotations: {kspm.dev/severity: critical}}", 1)
	b, err := admission.Policies(load(t, docs))
	require.NoError(t, err)
	require.Len(t, b.Checks, 1)
	assert.Equal(t, check.Critical, b.Checks[0].Meta().Severity)
	assert.Equal(t, "vap:p", b.Checks[0].Meta().ID)
}

// clusterInventory returns an inventory as a cluster scan gives it: the objects of docs, and
// coverage given per kind.
func clusterInventory(t *testing.T, docs string, coverage ...inventory.Coverage) *inventory.Inventory {
	t.Helper()
	b := inventory.NewBuilder(inventory.ModeCluster)
	for _, k := range inventory.BuiltinKinds() {
		b.SetCoverage(inventory.Coverage{Group: k.Group, Kind: k.Kind, State: inventory.Listed})
	}
	for _, c := range coverage {
		b.SetCoverage(c)
	}
	for _, d := range strings.Split(docs, "\n---\n") {
		if strings.TrimSpace(d) == "" {
			continue
		}
		var u map[string]any
		require.NoError(t, yaml.Unmarshal([]byte(d), &u))
		obj, err := decode(u)
		require.NoError(t, err)
		require.NoError(t, b.Add(obj, inventory.Source{}))
	}
	return b.Build()
}

func decode(u map[string]any) (runtime.Object, error) {
	gvk := (&metav1.TypeMeta{APIVersion: u["apiVersion"].(string), Kind: u["kind"].(string)}).GroupVersionKind()
	k, ok := inventory.LookupKind(gvk.GroupKind())
	if !ok {
		return nil, os.ErrInvalid
	}
	obj := k.New()
	return obj, runtime.DefaultUnstructuredConverter.FromUnstructured(u, obj)
}

func TestClusterCoverage(t *testing.T) {
	forbidden := func(kind string) inventory.Coverage {
		return inventory.Coverage{Group: "admissionregistration.k8s.io", Kind: kind, State: inventory.Forbidden, Reason: "forbidden by RBAC"}
	}
	t.Run("policies that could not be listed", func(t *testing.T) {
		inv := clusterInventory(t, objects, forbidden("ValidatingAdmissionPolicy"), forbidden("ValidatingAdmissionPolicyBinding"))
		assertResults(t, judge(t, inv), []string{"notEvaluated -: objects of kinds not completely seen were not evaluated: " +
			"validatingadmissionpolicies forbidden: forbidden by RBAC"})
	})
	t.Run("bindings that could not be listed", func(t *testing.T) {
		docs := objects + policy("p", deployments+`validations: [{expression: "true"}]`)
		inv := clusterInventory(t, docs, forbidden("ValidatingAdmissionPolicyBinding"))
		assertResults(t, judge(t, inv), []string{
			"notApplicable ValidatingAdmissionPolicy p: no ValidatingAdmissionPolicyBinding binds the policy",
			"notEvaluated -: objects of kinds not completely seen were not evaluated: validatingadmissionpolicybindings forbidden"})
	})
	t.Run("params of a kind not listed, resources not listed", func(t *testing.T) {
		docs := objects + policy("p", `paramKind: {apiVersion: example.com/v1, kind: Limits}
matchConstraints:
  resourceRules:
  - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}
  - {apiGroups: [autoscaling], apiVersions: ["*"], operations: [CREATE], resources: [horizontalpodautoscalers]}
validations: [{expression: "true"}]
`) + binding("b", "p", "validationActions: [Deny]\nparamRef: {name: l, parameterNotFoundAction: Deny}")
		inv := clusterInventory(t, docs)
		assertResults(t, judge(t, inv), []string{
			"notEvaluated -: the policy also matches resources kspm does not list from a cluster (horizontalpodautoscalers.autoscaling)",
			"notEvaluated Deployment dev/small [b Deny]: the policy's paramKind example.com/v1 Limits is neither a built-in kind",
			"notEvaluated Deployment prod/big [b Deny]: the policy's paramKind example.com/v1 Limits is neither a built-in kind"})
	})
	t.Run("a listed cluster is the whole cluster", func(t *testing.T) {
		docs := objects + policy("p", deployments+`paramKind: {apiVersion: v1, kind: ConfigMap}
validations: [{expression: "true"}]
`) + binding("b", "p", "validationActions: [Warn]\nparamRef: {name: absent, parameterNotFoundAction: Allow}")
		assertResults(t, judge(t, clusterInventory(t, docs)), []string{
			`notApplicable Deployment dev/small [b Warn]: no ConfigMap named "absent": with parameterNotFoundAction Allow`,
			`notApplicable Deployment prod/big [b Warn]: no ConfigMap named "absent": with parameterNotFoundAction Allow`})
	})
}
