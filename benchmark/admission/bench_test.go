package admission_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark/admission"
	"github.com/kspm-dev/kspm/benchmark/workloads"
	"github.com/kspm-dev/kspm/internal/synth"
	"github.com/kspm-dev/kspm/inventory"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// BenchmarkPolicies runs three policies over a synthetic 10,000-object inventory and, in the
// same run, the bundled workloads benchmark over it, and reports the ratio of the two times.
func BenchmarkPolicies(b *testing.B) {
	docs := policy("replicas", deployments+`validations: [{expression: "object.spec.replicas <= 5", message: too many}]`) +
		binding("replicas", "replicas", "validationActions: [Deny]") +
		policy("images", `matchConstraints:
  resourceRules:
  - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments, statefulsets, daemonsets]}
variables: [{name: images, expression: "object.spec.template.spec.containers.map(c, c.image)"}]
validations:
- expression: "variables.images.all(i, i.startsWith('registry.example.com/'))"
  messageExpression: "'untrusted: ' + variables.images.join(', ')"
`) + binding("images", "images", "validationActions: [Warn]") +
		policy("labels", `matchConstraints:
  resourceRules: [{apiGroups: ["*"], apiVersions: ["*"], operations: [CREATE], resources: ["*"]}]
validations: [{expression: "has(object.metadata.labels) && 'team' in object.metadata.labels", message: no team}]
`) + binding("labels", "labels", "validationActions: [Audit]")
	objs := synth.Generate(1, 10_000)
	for _, d := range strings.Split(docs, "---\n") {
		if strings.TrimSpace(d) == "" {
			continue
		}
		var obj runtime.Object = &admissionregistrationv1.ValidatingAdmissionPolicy{}
		if strings.Contains(d, "PolicyBinding") {
			obj = &admissionregistrationv1.ValidatingAdmissionPolicyBinding{}
		}
		require.NoError(b, yaml.UnmarshalStrict([]byte(d), obj))
		objs = append(objs, obj)
	}
	inv, err := inventory.New(objs...)
	require.NoError(b, err)
	bm, err := admission.Policies(inv)
	require.NoError(b, err)
	ctx := context.Background()
	var policies, reference time.Duration
	results := 0
	for b.Loop() {
		start := time.Now()
		rs, err := kspm.Run(ctx, inv, bm.Checks, kspm.WithParallelism(1))
		require.NoError(b, err)
		policies += time.Since(start)
		results = len(rs)
		start = time.Now()
		_, err = kspm.Run(ctx, inv, workloads.Workloads().Checks, kspm.WithParallelism(1))
		require.NoError(b, err)
		reference += time.Since(start)
	}
	b.ReportMetric(float64(policies)/float64(reference), "x-workloads")
	b.ReportMetric(float64(policies.Microseconds())/float64(b.N)/float64(results), "µs/result")
	b.ReportMetric(float64(results), "results")
}
