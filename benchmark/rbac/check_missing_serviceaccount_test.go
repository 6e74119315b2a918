package rbac

import (
	"path/filepath"
	"testing"

	"github.com/kspm-dev/kspm/inventory"
)

func TestMissingServiceAccount(t *testing.T) {
	fixtureTest{
		mode:      asManifests,
		passWants: []want{pass("every service account named by a binding exists")},
		failWants: []want{
			fail("ClusterRoleBinding no-namespace", "subjects[0]", "without a namespace: in a ClusterRoleBinding it matches no one"),
			fail("RoleBinding shop/ghosts", "subjects[1]", "names ServiceAccount shop/ghost, which does not exist", `gets ClusterRole edit in namespace "shop"`),
			fail("RoleBinding shop/ghosts", "subjects[2]", "names ServiceAccount build/ghost2, which does not exist"),
		},
	}.run(t, "rbac:missing-serviceaccount")
}

func TestMissingServiceAccountDeletedNamespace(t *testing.T) {
	c := findCheck(t, "rbac:missing-serviceaccount")
	path := filepath.Join("testdata", "missing-serviceaccount", "cluster.yaml")
	t.Run("cluster: the default service account of a namespace that does not exist is missing", func(t *testing.T) {
		assertFindings(t, run(t, c, load(t, path, asCluster), nil), []want{
			fail("ClusterRoleBinding defaults", "subjects[1]", "names ServiceAccount old/default, which does not exist",
				`namespace "old" does not exist`),
		})
	})
	t.Run("cluster: namespaces not seen, the service accounts listed tell", func(t *testing.T) {
		inv := loadForbidding(t, path, asCluster, inventory.KindNamespace)
		assertFindings(t, run(t, c, inv, nil), []want{
			fail("ClusterRoleBinding defaults", "subjects[1]", "names ServiceAccount old/default, which does not exist"),
		})
	})
	t.Run("manifests: default service accounts count as existing", func(t *testing.T) {
		assertFindings(t, run(t, c, load(t, path, asManifests), nil), []want{notEvaluated("cannot tell: rolebindings absent")})
	})
}
