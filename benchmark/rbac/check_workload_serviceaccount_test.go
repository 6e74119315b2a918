package rbac

import (
	"path/filepath"
	"testing"
)

func TestWorkloadServiceAccount(t *testing.T) {
	fixtureTest{
		mode:      asCluster,
		passWants: []want{pass("no workload runs as a service account holding a risky permission")},
		failWants: []want{
			fail("CronJob batch/report", "spec.jobTemplate.spec.template.spec.serviceAccountName",
				`runs as ServiceAccount batch/reporter, which can read secrets in namespace "batch"`),
			fail("Deployment shop/web", "spec.template.spec.serviceAccountName",
				`read secrets in namespace "shop" (Group system:serviceaccounts:shop → RoleBinding shop/all-sa-read`,
				`create pods or pod controllers in namespace "shop" (ServiceAccount shop/web → RoleBinding shop/web-creates`),
			fail("Pod shop/debug", "spec.serviceAccountName", "runs as ServiceAccount shop/default, which can read secrets"),
		},
	}.run(t, "rbac:workload-serviceaccount")
}

func TestWorkloadServiceAccountManifests(t *testing.T) {
	c := findCheck(t, "rbac:workload-serviceaccount")
	inv := load(t, filepath.Join("testdata", "workload-serviceaccount", "manifests.yaml"), asManifests)
	assertFindings(t, run(t, c, inv, nil), []want{pass("no workload runs as a service account holding a risky permission")})
}

// A grant the allow-list allows for one subject of a binding does not hide the same grant to
// another subject of the binding that applies to the service account too.
func TestWorkloadServiceAccountAllowedSubject(t *testing.T) {
	c := findCheck(t, "rbac:workload-serviceaccount")
	inv := load(t, filepath.Join("testdata", "workload-serviceaccount", "allowed-subject.yaml"), asCluster)
	allow := map[string]any{ParamAllow: []any{"RoleBinding ops/readers -> ClusterRole secret-reader -> ServiceAccount ops/agent"}}
	assertFindings(t, run(t, c, inv, allow), []want{
		fail("Deployment ops/agent", "spec.template.spec.serviceAccountName",
			`read secrets in namespace "ops" (Group system:serviceaccounts:ops → RoleBinding ops/readers`),
	})
}
