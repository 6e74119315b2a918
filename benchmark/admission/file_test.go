package admission_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/benchmark/admission"
)

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "new-policy.yaml")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	return path
}

func TestLoadFileMixesPoliciesAndChecks(t *testing.T) {
	checkList := `apiVersion: kspm.dev/v1alpha1
kind: CheckList
checks:
- id: custom:labelled
  title: Deployments are labelled
  severity: low
  remediation: Label it.
  kinds: [Deployment]
  expression: "has(object.metadata.labels)"
`
	path := writeFile(t, policy("max-replicas", deployments+`validations: [{expression: "object.spec.replicas <= 5", message: too many}]`)+
		"---\n"+checkList+binding("b", "max-replicas", "validationActions: [Deny]"))
	objs, checks, err := admission.LoadFile(path)
	require.NoError(t, err)
	require.Len(t, checks, 1)
	assert.Equal(t, "custom:labelled", checks[0].Meta().ID)
	require.Len(t, objs, 2)
	for _, o := range objs {
		assert.Equal(t, path, o.Source().File)
	}

	// The inventory's own policy of that name is replaced; its objects are judged.
	inv := load(t, objects+policy("max-replicas", deployments+`validations: [{expression: "true"}]`))
	assertResults(t, judge(t, inv, admission.WithObjects(objs...)), []string{
		"fail Deployment prod/big [b Deny]: too many", "pass Deployment dev/small [b Deny]"})
	// Only the new policy: the inventory's others are left out.
	inv = load(t, objects+policy("other", deployments+`validations: [{expression: "false"}]`)+binding("o", "other", "validationActions: [Deny]"))
	assertResults(t, judge(t, inv, admission.WithObjects(objs...), admission.WithoutInventoryPolicies()), []string{
		"fail Deployment prod/big [b Deny]: too many", "pass Deployment dev/small [b Deny]"})
}

func TestLoadFileErrorsNameFileAndLine(t *testing.T) {
	tests := []struct {
		name, content string
		want          []string
	}{
		{"another kind", binding("b", "p", "validationActions: [Deny]") + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
			[]string{`:9: apiVersion "v1", kind "ConfigMap": want a ValidatingAdmissionPolicy`}},
		{"CheckLists only: as check.ParseCELChecks reads them", "apiVersion: v1\nkind: ConfigMap\n",
			[]string{`:1:1: apiVersion "v1", kind "ConfigMap": want apiVersion kspm.dev/v1alpha1, kind CheckList`}},
		{"an unknown field", policy("p", deployments+"validations: [{expresion: x}]"),
			[]string{`:2: ValidatingAdmissionPolicy: unknown field "spec.validations[0].expresion"`}},
		{"an expression that does not compile", "# a comment\n" + policy("p", deployments+`validations: [{expression: "object.x +"}]`),
			[]string{":3: ValidatingAdmissionPolicy p: the API server would refuse it: spec.validations[0].expression: compilation failed"}},
		{"a binding without actions", binding("b", "p", "paramRef: {name: x}"),
			[]string{":2: ValidatingAdmissionPolicyBinding b: the API server would refuse it: spec.paramRef.parameterNotFoundAction: required",
				"spec.validationActions: at least one validation action is required"}},
		{"YAML that does not parse", binding("b", "p", "validationActions: [Deny]") + "---\napiVersion: v1\nkind: [\n", []string{":11: parse YAML:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, tt.content)
			_, _, err := admission.LoadFile(path)
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), strings.TrimPrefix(w, ":"))
			}
			assert.True(t, strings.HasPrefix(err.Error(), path+tt.want[0][:strings.Index(tt.want[0][1:], ":")+1]), err.Error())
		})
	}
}

func TestWithObjectsRefusesOtherKinds(t *testing.T) {
	inv := load(t, objects)
	_, err := admission.Policies(inv, admission.WithObjects(inv.ByKind(inv.Kinds()[0])...))
	require.Error(t, err)
}
