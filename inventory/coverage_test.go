package inventory

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

const (
	covGoodCRB = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: readers
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: Group, name: readers, apiGroup: rbac.authorization.k8s.io}]
`
	// A ClusterRoleBinding whose subjects have the wrong type: its kind can be read, it does
	// not load.
	covBadTypeCRB = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: evil
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: mallory
`
	// A ClusterRoleBinding with a YAML syntax error (a badly indented key): nothing of it,
	// not even its kind, can be read.
	covSyntaxCRB = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: evil
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
- kind: User
  name: mallory
   apiGroup: rbac.authorization.k8s.io
`
	covPod = `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  containers: [{name: app, image: nginx}]
`
	covPodUnknownField = `apiVersion: v1
kind: Pod
metadata: {name: odd, namespace: shop}
spec:
  containerz: []
  containers: [{name: app, image: nginx}]
`
)

// TestCoverageOfKindsWithFailedDocuments: a kind with a document that failed to load is not
// completely seen, whether other objects of it loaded or none did; a document whose kind
// cannot be read could have been of any kind. Problems that do not drop an object (an unknown
// field, a duplicate) leave coverage alone.
func TestCoverageOfKindsWithFailedDocuments(t *testing.T) {
	crb, pod, dep := KindClusterRoleBinding, KindPod, KindDeployment
	tests := []struct {
		name  string
		files map[string]string
		// want is the state of each kind; reasons are substrings of the kind's Reason.
		// links are symbolic links: name → target, relative to the directory.
		links   map[string]string
		want    map[schema.GroupKind]State
		reasons map[schema.GroupKind][]string
	}{
		{
			name:  "known kind failed beside loaded ones",
			files: map[string]string{"good.yaml": covGoodCRB, "bad.yaml": covBadTypeCRB, "pod.yaml": covPod},
			want:  map[schema.GroupKind]State{crb: Incomplete, pod: Loaded, dep: Absent},
			reasons: map[schema.GroupKind][]string{
				crb: {"1 document failed to load", "bad.yaml:6"},
				dep: {"no Deployment in the input"},
			},
		},
		{
			name:  "known kind failed and none loaded",
			files: map[string]string{"bad.yaml": covBadTypeCRB, "pod.yaml": covPod},
			want:  map[schema.GroupKind]State{crb: Incomplete, pod: Loaded, dep: Absent},
			reasons: map[schema.GroupKind][]string{
				crb: {"1 document failed to load", "bad.yaml:6"},
			},
		},
		{
			name:  "unreadable kind makes every kind incomplete",
			files: map[string]string{"bad.yaml": covSyntaxCRB, "pod.yaml": covPod},
			want:  map[schema.GroupKind]State{crb: Incomplete, pod: Incomplete, dep: Incomplete},
			reasons: map[schema.GroupKind][]string{
				crb: {"1 document whose kind could not be read failed to load", "bad.yaml:9"},
				pod: {"whose kind could not be read", "bad.yaml:9"},
			},
		},
		{
			name: "list item of a known kind",
			files: map[string]string{"list.yaml": `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: web, namespace: shop}
  spec: {containers: [{name: app, image: nginx}]}
- apiVersion: v1
  kind: Pod
  metadata: {name: bad, namespace: shop}
  spec: {containers: 3}
`},
			want:    map[schema.GroupKind]State{pod: Incomplete, crb: Absent},
			reasons: map[schema.GroupKind][]string{pod: {"1 document failed to load", "list.yaml:"}},
		},
		{
			name: "documents that are no object keep coverage",
			files: map[string]string{"pod.yaml": covPod, "values.yaml": "replicas: 3\nimage: {tag: latest}\n",
				"chart.yaml": "apiVersion: v2\nname: shop\nversion: 1.0.0\n", "notes.yaml": "just some text\n",
				"items.json": `[{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}, 3]`},
			want: map[schema.GroupKind]State{pod: Loaded, crb: Absent, KindConfigMap: Loaded},
		},
		{
			name:  "unknown field and duplicate keep coverage",
			files: map[string]string{"odd.yaml": covPodUnknownField, "pod.yaml": covPod, "again.yaml": covPod},
			want:  map[schema.GroupKind]State{pod: Loaded, crb: Absent},
		},
		{
			name:  "a file named like a manifest that the walk could not read could hold any kind",
			files: map[string]string{"pod.yaml": covPod},
			links: map[string]string{"rbac.yaml": "missing/rbac.yaml"},
			want:  map[schema.GroupKind]State{crb: Incomplete, pod: Incomplete},
			reasons: map[schema.GroupKind][]string{
				crb: {"whose kind could not be read", "rbac.yaml"},
			},
		},
		{
			name:  "an unknown kind of a built-in group counts against that spelling only",
			files: map[string]string{"pod.yaml": covPod, "typo.yaml": strings.Replace(covGoodCRB, "ClusterRoleBinding", "ClusterRoleBindnig", 1)},
			want:  map[schema.GroupKind]State{crb: Absent, pod: Loaded},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tt.files {
				mfWrite(t, dir, name, content)
			}
			for name, target := range tt.links {
				mfSymlink(t, target, filepath.Join(dir, name))
			}
			inv := mfLoad(t, []string{dir})
			require.NotEmpty(t, append(inv.Errors(), inv.Warnings()...), "the input is meant to have problems")
			for gk, want := range tt.want {
				c := inv.Coverage(gk)
				assert.Equal(t, want, c.State, "%s: %+v", gk.Kind, c)
				assert.Equal(t, want == Loaded, c.Complete(), gk.Kind)
				for _, r := range tt.reasons[gk] {
					assert.Contains(t, c.Reason, r, gk.Kind)
				}
			}
			for _, c := range inv.CoverageAll() {
				assert.Equal(t, inv.Coverage(c.GroupKind()), c, "CoverageAll agrees with Coverage")
			}
		})
	}
}

// TestUnseenNamesFailedDocuments: the reason checks give names the failure, not absence.
func TestUnseenNamesFailedDocuments(t *testing.T) {
	dir := t.TempDir()
	p := mfWrite(t, dir, "bad.yaml", covBadTypeCRB)
	inv := mfLoad(t, []string{dir})
	reason := inv.Unseen(KindRoleBinding, KindClusterRoleBinding)
	assert.Contains(t, reason, "clusterrolebindings incomplete: 1 document failed to load: "+p+":6")
	assert.NotContains(t, reason, "no ClusterRoleBinding in the input")
}

// TestFailedKindOfError pins the reading of an error's object description, which the loaders
// write as "Kind", "Kind name" or "Kind namespace/name".
func TestFailedKindOfError(t *testing.T) {
	h := docHeader{kind: "Deployment", name: "web", namespace: "shop"}
	for _, tt := range []struct {
		object string
		kinds  []string
	}{
		{h.describe(), []string{"Deployment"}},
		{docHeader{kind: "Deployment"}.describe(), []string{"Deployment"}},
		{"", nil},
		{"List", nil},
		{"PodList", []string{"PodList", "Pod"}},
		{"Widget x", []string{"Widget"}},
	} {
		t.Run(fmt.Sprintf("%q", tt.object), func(t *testing.T) {
			se := &SourceError{Source: Source{File: filepath.Join("d", "f.yaml"), Line: 3}, Object: tt.object, Err: errors.New("x")}
			assert.Equal(t, tt.kinds, failedKinds(se))
		})
	}
}

// TestUnseenGroupsKindsWithOneReason: kinds missing for the same reason are named together,
// so that one unreadable document does not repeat its reason for every kind.
func TestUnseenGroupsKindsWithOneReason(t *testing.T) {
	dir := t.TempDir()
	p := mfWrite(t, dir, "bad.yaml", covSyntaxCRB)
	mfWrite(t, dir, "pod.yaml", covPod)
	inv := mfLoad(t, []string{dir})
	reason := inv.Unseen(KindRoleBinding, KindClusterRoleBinding, KindPod)
	assert.Equal(t, "rolebindings, clusterrolebindings, pods incomplete: 1 document whose kind could not be read failed to load: "+p+":9", reason)
	assert.Equal(t, "pods, roles incomplete: 1 document whose kind could not be read failed to load: "+p+":9",
		inv.Unseen(KindPod, KindRole), "kinds are named in the order asked")

	dir = t.TempDir()
	p = mfWrite(t, dir, "bad.yaml", covBadTypeCRB)
	inv = mfLoad(t, []string{dir})
	assert.Equal(t, "roles absent: no Role in the input; clusterrolebindings incomplete: 1 document failed to load: "+p+":6",
		inv.Unseen(KindRole, KindClusterRoleBinding), "different reasons stay apart")
}
