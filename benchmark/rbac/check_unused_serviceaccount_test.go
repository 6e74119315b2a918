package rbac

import (
	"path/filepath"
	"testing"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

func TestUnusedServiceAccount(t *testing.T) {
	fixtureTest{
		mode:      asCluster,
		passWants: []want{pass("every service account holding bindings or tokens is used")},
		failWants: []want{
			fail("ServiceAccount shop/legacy", "", "is used by no pod or workload but holds token Secret legacy-token"),
			fail("ServiceAccount shop/old-ci", "", `holds RoleBinding shop/old-ci (ClusterRole edit in namespace "shop")`),
		},
	}.run(t, "rbac:unused-serviceaccount")
}

// In manifests, a workload kind the input does not hold is no gap (the input is what is
// deployed); an input with no workload at all cannot tell which service accounts are used.
func TestUnusedServiceAccountManifests(t *testing.T) {
	c := findCheck(t, "rbac:unused-serviceaccount")
	dir := filepath.Join("testdata", "unused-serviceaccount")
	t.Run("some workload kinds absent", func(t *testing.T) {
		assertFindings(t, runAll(t, c, load(t, filepath.Join(dir, "fail.yaml"), asManifests)), []want{
			notEvaluated("there may be more than the failures reported: clusterrolebindings absent"),
			fail("ServiceAccount shop/legacy", "", "is used by no pod or workload but holds token Secret legacy-token"),
			fail("ServiceAccount shop/old-ci", "", `holds RoleBinding shop/old-ci`),
		})
	})
	t.Run("no workload at all", func(t *testing.T) {
		assertFindings(t, runAll(t, c, load(t, filepath.Join(dir, "no-workloads.yaml"), asManifests)), []want{
			notEvaluated("the input holds no pod or workload"),
		})
	})
	t.Run("cluster: a workload kind not listed", func(t *testing.T) {
		inv := loadForbidding(t, filepath.Join(dir, "fail.yaml"), asCluster, inventory.KindCronJob)
		assertFindings(t, runAll(t, c, inv), []want{notEvaluated("cronjobs forbidden")})
	})
}

// runAll is run with the runner's handling of Meta.Requires.
func runAll(t *testing.T, c check.Check, inv *inventory.Inventory) []check.Finding {
	t.Helper()
	return run(t, c, inv, nil)
}
