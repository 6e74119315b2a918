package admission_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark/admission"
	"github.com/kspm-dev/kspm/inventory"
)

// The cluster's policy judges the Deployments that already run: one was created before the
// policy and breaks it.
func ExamplePolicies() {
	const manifests = `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: max-replicas}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments]}
  validations:
  - expression: "object.spec.replicas <= 5"
    messageExpression: "'replicas: ' + string(object.spec.replicas) + ', at most 5'"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: max-replicas}
spec: {policyName: max-replicas, validationActions: [Deny]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 8
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: registry.example.com/web:1.0}]}
`
	ctx := context.Background()
	inv, err := inventory.LoadManifests(ctx, []string{"-"}, inventory.WithStdin(strings.NewReader(manifests)))
	if err != nil {
		panic(err)
	}
	b, err := admission.Policies(inv)
	if err != nil {
		panic(err)
	}
	results, err := kspm.Run(ctx, inv, b.Checks)
	if err != nil {
		panic(err)
	}
	for _, r := range results {
		fmt.Println(r.CheckID, r.Status, r.Object, r.Message, r.Admission.Binding, r.Admission.ValidationActions)
	}
	// Output:
	// vap:max-replicas fail Deployment shop/web replicas: 8, at most 5 max-replicas [Deny]
}
