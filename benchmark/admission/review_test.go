package admission_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/inventory"
)

// TestAdversarial holds cases a reviewer doubted: each says what the API server does with
// the request, and kspm must say the same or say it does not know, never pass.
func TestAdversarial(t *testing.T) {
	tests := []struct {
		name     string
		docs     string
		complete bool
		want     []string
	}{
		{
			name: "a paramKind the API server cannot resolve, Ignore: admitted unjudged even without paramRef",
			docs: policy("p", deployments+`failurePolicy: Ignore
paramKind: {apiVersion: v2, kind: ConfigMap}
validations: [{expression: "object.spec.replicas <= 5", message: too many}]
`) + binding("b", "p", "validationActions: [Deny]"),
			want: []string{
				"notEvaluated Deployment prod/big [b Deny]: failed to configure policy: ",
				"notEvaluated Deployment dev/small [b Deny]: failed to configure policy: ",
			},
		},
		{
			name: "a paramKind the API server cannot resolve, Fail: rejected whatever the object",
			docs: policy("p", deployments+`paramKind: {apiVersion: v2, kind: ConfigMap}
validations: [{expression: "object.spec.replicas <= 5", message: too many}]
`) + binding("b", "p", "validationActions: [Deny]\nparamRef: {name: limits, parameterNotFoundAction: Allow}"),
			complete: true,
			want: []string{
				"error Deployment prod/big [b Deny]: failed to configure policy: ",
				"error Deployment dev/small [b Deny]: failed to configure policy: ",
			},
		},
		{
			name: "a custom paramKind defined nowhere in partial input is not known",
			docs: policy("p", deployments+`paramKind: {apiVersion: example.com/v1, kind: Limits}
validations: [{expression: "object.spec.replicas <= 5", message: too many}]
`) + binding("b", "p", "validationActions: [Deny]"),
			want: []string{
				"notEvaluated Deployment prod/big [b Deny]: the policy's paramKind example.com/v1 Limits is neither",
				"notEvaluated Deployment dev/small [b Deny]: the policy's paramKind example.com/v1 Limits is neither",
			},
		},
		{
			name: "a custom paramKind whose CustomResourceDefinition is in the input",
			docs: policy("p", deployments+`paramKind: {apiVersion: example.com/v1, kind: Limits}
validations: [{expression: "object.spec.replicas <= 5", message: too many}]
`) + binding("b", "p", "validationActions: [Deny]") + `
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: limits.example.com}
spec:
  group: example.com
  scope: Cluster
  names: {kind: Limits, plural: limits}
  versions: [{name: v1, served: true, storage: true}]
`,
			want: []string{"fail Deployment prod/big [b Deny]: too many", "pass Deployment dev/small [b Deny]"},
		},
		{
			name: "a namespaced paramRef without namespace for a cluster-scoped object",
			docs: `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
` + policy("p", `matchConstraints:
  resourceRules: [{apiGroups: [rbac.authorization.k8s.io], apiVersions: [v1], operations: [CREATE], resources: [clusterroles]}]
paramKind: {apiVersion: v1, kind: ConfigMap}
validations: [{expression: "true"}]
`) + binding("b", "p", "validationActions: [Deny]\nparamRef: {name: limits, parameterNotFoundAction: Allow}"),
			want: []string{
				"error ClusterRole reader [b Deny]: failed to configure binding: cannot use namespaced paramRef",
			},
		},
		{
			name: "a validation over its cost budget is an error, not a verdict",
			docs: policy("p", deployments+`validations:
- expression: "[0,1,2,3,4,5,6,7,8,9].all(a, [0,1,2,3,4,5,6,7,8,9].all(b, [0,1,2,3,4,5,6,7,8,9].all(c, [0,1,2,3,4,5,6,7,8,9].all(d, [0,1,2,3,4,5,6,7,8,9].all(e, [0,1,2,3,4,5,6,7,8,9].all(f, [0,1,2,3,4,5,6,7,8,9].all(g, object.metadata.name.size() >= 0)))))))"
`) + binding("b", "p", "validationActions: [Deny]"),
			want: []string{
				"error Deployment prod/big [b Deny]: validations[0]: ",
				"error Deployment dev/small [b Deny]: validations[0]: ",
			},
		},
		{
			name: "a failing validation beside a messageExpression that errs keeps the static message",
			docs: policy("p", deployments+`validations:
- {expression: "object.spec.replicas <= 5", message: too many, messageExpression: "string(object.metadata.labels.missing)"}
`) + binding("b", "p", "validationActions: [Deny]"),
			want: []string{"fail Deployment prod/big [b Deny]: too many", "pass Deployment dev/small [b Deny]"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []inventory.ManifestOption
			if tt.complete {
				opts = append(opts, inventory.WithCompleteInput())
			}
			assertResults(t, judge(t, load(t, objects+tt.docs, opts...)), tt.want)
		})
	}
}

// TestCostBudgetBoundsTheScan: the API server spends a policy's CEL cost budget once per
// request, a scan once per object; a policy that exhausts it is evaluated on a few objects
// (errors, as the API server would fail them under Fail), and the rest are notEvaluated
// instead of holding the scan for an hour. None passes.
func TestCostBudgetBoundsTheScan(t *testing.T) {
	var b strings.Builder
	b.WriteString(objects)
	for i := range 20 {
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c%d, namespace: dev}\n", i)
	}
	const ten = "[0,1,2,3,4,5,6,7,8,9]"
	expr := "object.metadata.name.size() >= 0"
	for _, v := range []string{"a", "b", "c", "d", "e", "f", "g"} {
		expr = ten + ".all(" + v + ", " + expr + ")"
	}
	b.WriteString(policy("p", `matchConstraints:
  resourceRules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [configmaps]}]
validations: [{expression: "`+expr+`"}]
`) + binding("b", "p", "validationActions: [Deny]"))
	got := judge(t, load(t, b.String()))
	count := map[string]int{}
	for _, line := range got {
		status, _, _ := strings.Cut(line, " ")
		count[status]++
		if status == "notEvaluated" {
			assert.Contains(t, line, "ran out of the CEL cost budget on 3 objects already")
		}
	}
	assert.Equal(t, map[string]int{"error": 3, "notEvaluated": 19}, count, strings.Join(got, "\n"))
}

// TestRefusalMessagesAreBounded: the API server's reasons to refuse a policy or a binding
// quote what is at fault; a policy of many long broken expressions, or a binding of many
// unknown actions, must not make a result message of megabytes.
func TestRefusalMessagesAreBounded(t *testing.T) {
	var validations strings.Builder
	validations.WriteString("validations:\n")
	for range 20 {
		fmt.Fprintf(&validations, "- expression: %q\n", "object.metadata.name == '"+strings.Repeat("x", 3000))
	}
	good := policy("q", deployments+"validations: [{expression: \"true\"}]")
	docs := objects + policy("p", deployments+validations.String()) + binding("b", "p", "validationActions: [Deny]") +
		good + binding("c", "q", "validationActions: ["+strings.Repeat("Nope, ", 2000)+"Deny]")
	got := judge(t, load(t, docs))
	require.Len(t, got, 2)
	for _, line := range got {
		assert.Less(t, len(line), 20000, line[:200]) // a message of at most check.MaxCELMessageLength, the actions besides
		assert.True(t, strings.HasPrefix(line, "error "), line[:200])
	}
}

// TestDryRun: kspm's request is a dry run, a real create is not; a policy whose verdict
// depends on request.dryRun (one that waves dry runs through) must not pass an object a real
// create would have rejected.
func TestDryRun(t *testing.T) {
	tests := []struct {
		name, expr string
		want       []string
	}{
		{"waves dry runs through", "request.dryRun || object.spec.replicas <= 5", []string{
			"notEvaluated Deployment prod/big [b Deny]: the verdict depends on request.dryRun",
			"pass Deployment dev/small [b Deny]",
		}},
		{"through the options", "request.options.dryRun.size() > 0 || object.spec.replicas <= 5", []string{
			"notEvaluated Deployment prod/big [b Deny]: the verdict depends on request.dryRun",
			"pass Deployment dev/small [b Deny]",
		}},
		{"judges only dry runs", "!request.dryRun || object.spec.replicas <= 5", []string{
			"notEvaluated Deployment prod/big [b Deny]: the verdict depends on request.dryRun",
			"pass Deployment dev/small [b Deny]",
		}},
		{"reads it without effect", "(request.dryRun || true) && object.spec.replicas <= 5", []string{
			"fail Deployment prod/big [b Deny]: too many",
			"pass Deployment dev/small [b Deny]",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs := objects + policy("p", deployments+"validations: [{expression: \""+tt.expr+"\", message: too many}]") +
				binding("b", "p", "validationActions: [Deny]")
			assertResults(t, judge(t, load(t, docs)), tt.want)
		})
	}
}

// TestGuessedResourceName: without its CustomResourceDefinition, the resource of a custom
// kind is a guess from the kind; a rule that names a resource of the object's group the guess
// is not (an irregular plural) may be the object's: kspm cannot say the policy does not
// match it.
func TestGuessedResourceName(t *testing.T) {
	widget := `
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w1, namespace: prod}
spec: {size: 20}
`
	rule := func(group, resource string) string {
		return policy("p", `matchConstraints:
  resourceRules: [{apiGroups: [`+group+`], apiVersions: ["*"], operations: [CREATE], resources: [`+resource+`]}]
validations: [{expression: "object.spec.size < 10", message: too big}]
`) + binding("b", "p", "validationActions: [Deny]")
	}
	tests := []struct {
		name string
		docs string
		want []string
	}{
		{"an irregular plural of the object's group", widget + rule("example.com", "widgetz"),
			[]string{"notEvaluated Widget prod/w1 [b Deny]: whether the policy's resourceRules match the object depends on the resource name"}},
		{"the guessed plural", widget + rule("example.com", "widgets"),
			[]string{"notEvaluated Widget prod/w1 [b Deny]: whether the policy's resourceRules match the object depends on the resource name"}},
		{"every resource of the group", widget + rule("example.com", `"*"`), []string{"fail Widget prod/w1 [b Deny]: too big"}},
		{"another group", widget + rule("other.example", "widgetz"), []string{"notApplicable -: "}},
		{"an irregular plural in the binding's matchResources", widget + policy("p", `matchConstraints:
  resourceRules: [{apiGroups: [example.com], apiVersions: ["*"], operations: [CREATE], resources: ["*"]}]
validations: [{expression: "object.spec.size < 10", message: too big}]
`) + binding("b", "p", `validationActions: [Deny]
matchResources:
  resourceRules: [{apiGroups: [example.com], apiVersions: ["*"], operations: [CREATE], resources: [widgetz]}]`),
			[]string{"notEvaluated Widget prod/w1 [b Deny]: whether the binding's resourceRules match the object depends on the resource name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertResults(t, judge(t, load(t, objects+tt.docs)), tt.want) })
	}
}
