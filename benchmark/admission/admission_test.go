package admission_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark/admission"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// objects are the objects every case judges.
const objects = `
apiVersion: v1
kind: Namespace
metadata: {name: prod, labels: {env: prod}}
---
apiVersion: v1
kind: Namespace
metadata: {name: dev, labels: {env: dev}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: big, namespace: prod, labels: {team: a}}
spec:
  replicas: 10
  selector: {matchLabels: {app: big}}
  template:
    metadata: {labels: {app: big}}
    spec: {containers: [{name: c, image: "nginx:latest"}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: small, namespace: dev}
spec:
  replicas: 1
  selector: {matchLabels: {app: small}}
  template:
    metadata: {labels: {app: small}}
    spec: {containers: [{name: c, image: "registry.example/small:1.0"}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: limits, namespace: prod, labels: {kind: limits}}
data: {max: "3"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: limits, namespace: dev, labels: {kind: limits}}
data: {max: "20"}
`

// policy returns a policy named name with the given spec fields (YAML, indented under spec).
func policy(name, spec string) string {
	return fmt.Sprintf(`---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: %s}
spec:
%s`, name, indent(spec))
}

// binding returns a binding named name of policy with the given spec fields.
func binding(name, policyName, spec string) string {
	return fmt.Sprintf(`---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: %s}
spec:
  policyName: %s
%s`, name, policyName, indent(spec))
}

func indent(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.Trim(s, "\n"), "\n") {
		b.WriteString("  " + l + "\n")
	}
	return b.String()
}

const deployments = `matchConstraints:
  resourceRules:
  - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments]}
`

// load reads docs as manifests.
func load(t *testing.T, docs string, opts ...inventory.ManifestOption) *inventory.Inventory {
	t.Helper()
	opts = append(opts, inventory.WithStdin(strings.NewReader(docs)))
	inv, err := inventory.LoadManifests(context.Background(), []string{"-"}, opts...)
	require.NoError(t, err)
	require.Empty(t, inv.Errors())
	return inv
}

// judge runs the benchmark over inv and returns its results as lines
// "STATUS KIND NS/NAME [BINDING ACTIONS]: MESSAGE" (a result about no object: "STATUS -: MESSAGE").
func judge(t *testing.T, inv *inventory.Inventory, opts ...admission.Option) []string {
	t.Helper()
	b, err := admission.Policies(inv, opts...)
	require.NoError(t, err)
	require.NoError(t, b.Validate())
	results, err := kspm.Run(context.Background(), inv, b.Checks)
	require.NoError(t, err)
	var out []string
	for _, r := range results {
		what := "-"
		if r.Object != nil {
			what = r.Object.String()
		}
		if a := r.Admission; a != nil {
			what += fmt.Sprintf(" [%s %s]", a.Binding, strings.Join(a.ValidationActions, ","))
		}
		out = append(out, fmt.Sprintf("%s %s: %s", r.Status, what, r.Message))
	}
	return out
}

func TestPolicies(t *testing.T) {
	tests := []struct {
		name string
		docs string
		// want are the results, each a prefix of a line of judge.
		want []string
	}{
		{
			name: "validation with messageExpression; a Deny binding",
			docs: policy("max-replicas", deployments+`validations:
- expression: "object.spec.replicas <= 5"
  messageExpression: "'replicas ' + string(object.spec.replicas) + ' > 5'"
`) + binding("b", "max-replicas", "validationActions: [Deny]"),
			want: []string{
				"fail Deployment prod/big [b Deny]: replicas 10 > 5",
				"pass Deployment dev/small [b Deny]: the policy admits the object",
			},
		},
		{
			name: "static message, Warn and Audit",
			docs: policy("latest", deployments+`validations:
- expression: "object.spec.template.spec.containers.all(c, !c.image.endsWith(':latest'))"
  message: "no latest tag"
`) + binding("b", "latest", "validationActions: [Warn, Audit]"),
			want: []string{
				"fail Deployment prod/big [b Warn,Audit]: no latest tag",
				"pass Deployment dev/small [b Warn,Audit]",
			},
		},
		{
			name: "no message: the failed expression",
			docs: policy("p", deployments+`validations: [{expression: "object.spec.replicas < 2"}]`) +
				binding("b", "p", "validationActions: [Deny]"),
			want: []string{"fail Deployment prod/big [b Deny]: failed expression: object.spec.replicas < 2", "pass Deployment dev/small"},
		},
		{
			name: "variables",
			docs: policy("p", deployments+`variables:
- {name: images, expression: "object.spec.template.spec.containers.map(c, c.image)"}
- {name: trusted, expression: "variables.images.all(i, i.startsWith('registry.example/'))"}
validations: [{expression: "variables.trusted", message: untrusted}]
`) + binding("b", "p", "validationActions: [Deny]"),
			want: []string{"fail Deployment prod/big [b Deny]: untrusted", "pass Deployment dev/small"},
		},
		{
			name: "matchConditions",
			docs: policy("p", deployments+`matchConditions:
- {name: labelled, expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"}
validations: [{expression: "false", message: judged}]
`) + binding("b", "p", "validationActions: [Deny]"),
			want: []string{"fail Deployment prod/big [b Deny]: judged"},
		},
		{
			name: "matchCondition error follows failurePolicy Fail",
			docs: policy("p", deployments+`matchConditions: [{name: c, expression: "object.metadata.labels.team == 'a'"}]
validations: [{expression: "true"}]
`) + binding("b", "p", "validationActions: [Deny]"),
			want: []string{
				"pass Deployment prod/big [b Deny]",
				"error Deployment dev/small [b Deny]: matchConditions: ",
			},
		},
		{
			name: "CEL error under failurePolicy Ignore is notEvaluated",
			docs: policy("p", deployments+`failurePolicy: Ignore
validations: [{expression: "object.metadata.labels.team == 'a'"}]
`) + binding("b", "p", "validationActions: [Deny]"),
			want: []string{
				"pass Deployment prod/big [b Deny]",
				"notEvaluated Deployment dev/small [b Deny]: validations[0]: ",
			},
		},
		{
			name: "resourceRules and excludeResourceRules by name",
			docs: policy("p", `matchConstraints:
  resourceRules:
  - {apiGroups: ["*"], apiVersions: ["*"], operations: ["*"], resources: ["*"]}
  excludeResourceRules:
  - {apiGroups: [""], apiVersions: [v1], operations: ["*"], resources: [namespaces, configmaps]}
  - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments], resourceNames: [small]}
validations: [{expression: "false", message: judged}]
`) + binding("b", "p", "validationActions: [Deny]"),
			want: []string{"fail Deployment prod/big [b Deny]: judged"},
		},
		{
			name: "rules for other operations do not judge a create",
			docs: policy("p", `matchConstraints:
  resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [UPDATE, DELETE], resources: [deployments]}]
validations: [{expression: "false"}]
`) + binding("b", "p", "validationActions: [Deny]"),
			want: []string{"notApplicable -: " + check.NothingReported},
		},
		{
			name: "namespaceSelector and objectSelector, in the policy and the binding",
			docs: policy("p", deployments+`  namespaceSelector: {matchLabels: {env: prod}}
validations: [{expression: "false", message: judged}]
`) + binding("b", "p", "validationActions: [Deny]") +
				policy("q", deployments+`  objectSelector: {matchExpressions: [{key: team, operator: DoesNotExist}]}
validations: [{expression: "false", message: judged}]
`) + binding("q1", "q", "validationActions: [Deny]") + binding("q2", "q", `validationActions: [Warn]
matchResources:
  namespaceSelector: {matchLabels: {env: prod}}
`),
			want: []string{
				"fail Deployment prod/big [b Deny]: judged",
				"fail Deployment dev/small [q1 Deny]: judged",
			},
		},
		{
			name: "namespaceObject",
			docs: policy("p", deployments+`validations:
- expression: "namespaceObject.metadata.labels.env != 'prod' || object.spec.replicas <= 3"
  messageExpression: "'too many replicas for ' + namespaceObject.metadata.name"
`) + binding("b", "p", "validationActions: [Deny]"),
			want: []string{"fail Deployment prod/big [b Deny]: too many replicas for prod", "pass Deployment dev/small"},
		},
		{
			name: "params by name, in the object's namespace",
			docs: policy("p", deployments+`paramKind: {apiVersion: v1, kind: ConfigMap}
validations:
- expression: "object.spec.replicas <= int(params.data.max)"
  messageExpression: "'more than ' + params.data.max + ' replicas'"
  reason: Forbidden
`) + binding("b", "p", `validationActions: [Deny]
paramRef: {name: limits, parameterNotFoundAction: Deny}
`),
			want: []string{"fail Deployment prod/big [b Deny]: more than 3 replicas", "pass Deployment dev/small"},
		},
		{
			name: "params by selector: any param's rejection rejects",
			docs: policy("p", deployments+`paramKind: {apiVersion: v1, kind: ConfigMap}
validations: [{expression: "object.spec.replicas <= int(params.data.max)", message: "too many"}]
`) + binding("b", "p", `validationActions: [Deny]
paramRef: {namespace: dev, selector: {matchLabels: {kind: limits}}, parameterNotFoundAction: Allow}
`) + binding("c", "p", `validationActions: [Deny]
paramRef: {selector: {matchLabels: {kind: limits}}, parameterNotFoundAction: Allow}
`),
			want: []string{
				// b: the one param of dev (max 20) admits both; what else the cluster holds is unknown.
				"notEvaluated Deployment prod/big [b Deny]: the params are chosen by a selector",
				"fail Deployment prod/big [c Deny]: too many",
				"notEvaluated Deployment dev/small [b Deny]: the params are chosen by a selector",
				"notEvaluated Deployment dev/small [c Deny]: the params are chosen by a selector",
			},
		},
		{
			name: "a missing param in partial input is notEvaluated",
			docs: policy("p", deployments+`paramKind: {apiVersion: v1, kind: ConfigMap}
validations: [{expression: "true"}]
`) + binding("b", "p", `validationActions: [Deny]
paramRef: {name: absent, parameterNotFoundAction: Deny}
`),
			want: []string{
				`notEvaluated Deployment prod/big [b Deny]: no ConfigMap named "absent" in the input`,
				`notEvaluated Deployment dev/small [b Deny]: no ConfigMap named "absent" in the input`,
			},
		},
		{
			name: "authorizer has no meaning offline",
			docs: policy("p", deployments+`validations:
- expression: "authorizer.group('apps').resource('deployments').check('scale').allowed()"
`) + binding("b", "p", "validationActions: [Deny]"),
			want: []string{
				"notEvaluated Deployment prod/big [b Deny]: validations[0] uses authorizer",
				"notEvaluated Deployment dev/small [b Deny]: validations[0] uses authorizer",
			},
		},
		{
			name: "another validation's rejection stands without the authorizer",
			docs: policy("p", deployments+`validations:
- expression: "authorizer.serviceAccount('kube-system', 'admin').group('').resource('pods').check('get').allowed()"
- {expression: "object.spec.replicas <= 5", message: too many}
`) + binding("b", "p", "validationActions: [Deny]"),
			want: []string{
				"fail Deployment prod/big [b Deny]: too many",
				"notEvaluated Deployment dev/small [b Deny]: validations[0] uses authorizer",
			},
		},
		{
			name: "request.userInfo, through a variable and in a matchCondition",
			docs: policy("p", deployments+`variables: [{name: admin, expression: "request.userInfo.username == 'admin'"}]
validations: [{expression: "variables.admin"}]
`) + binding("b", "p", "validationActions: [Deny]") + policy("q", deployments+`matchConditions:
- {name: notadmin, expression: "!('system:masters' in request.userInfo.groups)"}
- {name: labelled, expression: "has(object.metadata.labels)"}
validations: [{expression: "false"}]
`) + binding("c", "q", "validationActions: [Deny]"),
			want: []string{
				"notEvaluated Deployment prod/big [b Deny]: validations[0] reads a variable that reads request.userInfo",
				"notEvaluated Deployment dev/small [b Deny]: validations[0] reads a variable that reads request.userInfo",
				// small has no labels: the other condition excludes it whoever asks.
				"notEvaluated Deployment prod/big [c Deny]: matchConditions[0] (notadmin) reads request.userInfo",
			},
		},
		{
			name: "request fields of a create",
			docs: policy("p", deployments+`validations:
- expression: "request.operation == 'CREATE' && oldObject == null && request.name == object.metadata.name && request.namespace == object.metadata.namespace && request.resource.resource == 'deployments' && request.kind.kind == 'Deployment'"
`) + binding("b", "p", "validationActions: [Deny]"),
			want: []string{"pass Deployment prod/big", "pass Deployment dev/small"},
		},
		{
			name: "an auditAnnotation that fails rejects under Fail",
			docs: policy("p", deployments+`auditAnnotations: [{key: team, valueExpression: "string(object.metadata.labels.team)"}]
`) + binding("b", "p", "validationActions: [Audit]"),
			want: []string{"pass Deployment prod/big [b Audit]", "error Deployment dev/small [b Audit]: auditAnnotation team: "},
		},
		{
			name: "a policy the API server would refuse",
			docs: policy("p", deployments+`validations: [{expression: "object.spec.replicas +"}]`) + binding("b", "p", "validationActions: [Deny]"),
			want: []string{"error ValidatingAdmissionPolicy p: the API server would refuse the policy: spec.validations[0].expression: compilation failed"},
		},
		{
			name: "a binding the API server would refuse",
			docs: policy("p", deployments+`validations: [{expression: "true"}]`) + binding("b", "p", "validationActions: [Deny, Warn]"),
			want: []string{"error ValidatingAdmissionPolicyBinding b [b Deny,Warn]: the API server would refuse the binding: spec.validationActions: must not contain both Deny and Warn"},
		},
		{
			name: "a policy without binding is not enforced",
			docs: policy("p", deployments+`validations: [{expression: "false"}]`),
			want: []string{"notApplicable ValidatingAdmissionPolicy p: no ValidatingAdmissionPolicyBinding binds the policy"},
		},
		{
			name: "Namespaces match themselves, and their request namespace is their name",
			docs: policy("p", `matchConstraints:
  resourceRules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [namespaces]}]
  namespaceSelector: {matchLabels: {env: prod}}
validations: [{expression: "request.namespace == object.metadata.name && namespaceObject == null", message: odd}]
`) + binding("b", "p", "validationActions: [Deny]"),
			want: []string{"pass Namespace prod [b Deny]"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := judge(t, load(t, objects+tt.docs))
			assertResults(t, got, tt.want)
		})
	}
}

// assertResults asserts that got holds one line starting with each of want, and no other.
func assertResults(t *testing.T, got, want []string) {
	t.Helper()
	require.Len(t, got, len(want), "results:\n%s", strings.Join(got, "\n"))
	used := make([]bool, len(got))
	for _, w := range want {
		found := false
		for i, g := range got {
			if !used[i] && strings.HasPrefix(g, w) {
				used[i], found = true, true
				break
			}
		}
		assert.True(t, found, "no result %q... in:\n%s", w, strings.Join(got, "\n"))
	}
}
