package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// whoCanScopes holds grants on cluster-scoped resources made by RoleBindings: u may get and
// list namespaces in namespace a (which lets u read Namespace a only), w the same in zzz, and
// jane has every verb on ClusterRoles in default (which lets jane bind ClusterRoles there).
const whoCanScopes = `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ns-reader}
rules:
- {apiGroups: [""], resources: [namespaces], verbs: [get, list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: root}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ns-reader}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: root}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: u, namespace: a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ns-reader}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: u}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: w, namespace: zzz}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ns-reader}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: w}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: test, namespace: default}
rules:
- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: ["*"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: test, namespace: default}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: test}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: jane}]
`

func TestWhoCanFollowsRequestAttributes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rbac.yaml")
	require.NoError(t, os.WriteFile(path, []byte(whoCanScopes), 0o644))
	tests := []struct {
		name      string
		args      []string
		listed    []string
		notListed []string
	}{
		{"list namespaces is authorized cluster-wide only", []string{"list", "namespaces"},
			[]string{"User root"}, []string{"User u", "User w"}},
		{"get one namespace is authorized in it", []string{"get", "namespaces", "--name", "zzz"},
			[]string{"User root", "User w"}, []string{"User u"}},
		{"a Namespace in itself", []string{"get", "namespaces", "--name", "a", "-n", "a"},
			[]string{`get namespaces named "a" in namespace "a"`, "User root", "User u"}, []string{"User w"}},
		{"bind ClusterRoles in a namespace", []string{"bind", "clusterroles", "-n", "default"},
			[]string{"User jane"}, nil},
		{"bind ClusterRoles anywhere", []string{"bind", "clusterroles"},
			[]string{`User jane  in namespace "default"`}, nil},
		{"escalate ClusterRoles is authorized cluster-wide only", []string{"escalate", "clusterroles"},
			[]string{"nobody"}, []string{"User jane"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runScan(t, "", append([]string{"-f", path, "--who-can"}, tt.args...)...)
			require.Equal(t, exitOK, code, stderr)
			for _, s := range tt.listed {
				assert.Contains(t, stdout, s)
			}
			for _, s := range tt.notListed {
				assert.NotContains(t, stdout, s)
			}
		})
	}
}

func TestWhoCanRefusesNamespacesNeverAsked(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"a cluster-scoped resource", []string{"get", "nodes", "-n", "a"}, `-n "a": the API server never authorizes get nodes in that namespace`},
		{"list namespaces", []string{"list", "namespaces", "-n", "a"}, "never authorizes list namespaces in that namespace"},
		{"another Namespace", []string{"get", "namespaces", "--name", "zzz", "-n", "a"},
			`never authorizes get namespaces named "zzz" in that namespace`},
		{"no Namespace named", []string{"get", "namespaces", "-n", "a"}, "never authorizes get namespaces in that namespace"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runScan(t, "", append([]string{"-f", "../demo", "--who-can"}, tt.args...)...)
			assert.Equal(t, exitError, code)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, tt.want)
		})
	}
}
