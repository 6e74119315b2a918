package inventory

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

func vaNamespace(name, level string) string {
	return fmt.Sprintf("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n  labels:\n    level: %s\n", name, level)
}

// vaBuild builds a manifests inventory of objs, each read from the source beside it, added in
// the order given.
func vaBuild(t *testing.T, objs []runtime.Object, srcs []Source) *Inventory {
	t.Helper()
	b := NewBuilder(ModeManifests)
	for i, o := range objs {
		require.NoError(t, b.Add(o, srcs[i]))
	}
	return b.Build()
}

func vaNS(name string) *corev1.Namespace {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
}

func TestVariantsKeepEveryDefinition(t *testing.T) {
	dir := t.TempDir()
	mfWrite(t, dir, "base/ns.yaml", vaNamespace("shop", "baseline"))
	mfWrite(t, dir, "overlays/prod/ns.yaml", vaNamespace("shop", "restricted")+"---\n"+vaNamespace("shop", "privileged"))
	mfWrite(t, dir, "overlays/prod/other.yaml", vaNamespace("other", "baseline"))
	inv := mfLoad(t, []string{dir})

	assert.Empty(t, inv.Errors(), "a variant is not an error")
	assert.Equal(t, []mfObject{
		{"Namespace", "", "other", "other.yaml", 1},
		{"Namespace", "", "shop", "ns.yaml", 1},
		{"Namespace", "", "shop", "ns.yaml", 1},
		{"Namespace", "", "shop", "ns.yaml", 8},
	}, mfObjects(inv))
	defs := inv.Variants(KindNamespace, "", "shop")
	require.Len(t, defs, 3)
	var levels []string
	for _, o := range defs {
		levels = append(levels, o.Meta().GetLabels()["level"])
	}
	assert.Equal(t, []string{"baseline", "restricted", "privileged"}, levels, "every definition, in inventory order")
	assert.Len(t, inv.Variants(KindNamespace, "", "other"), 1)
	assert.Nil(t, inv.Variants(KindNamespace, "", "none"))
	assert.True(t, inv.HasVariants())
	assert.Same(t, defs[2], inv.Get(KindNamespace, "", "shop"), "Get gives the last definition")
	assert.Len(t, inv.Namespaces(), 4)
	assert.Equal(t, Coverage{Kind: "Namespace", State: Loaded, Count: 4}, inv.Coverage(KindNamespace))

	ws := inv.Warnings()
	require.Len(t, ws, 1, "one warning per object defined in several places")
	assert.ErrorIs(t, ws[0], ErrDuplicate)
	var se *SourceError
	require.ErrorAs(t, ws[0], &se)
	assert.Equal(t, defs[0].Source(), se.Source)
	msg := strings.ReplaceAll(ws[0].Error(), dir+string(filepath.Separator), "")
	assert.Equal(t, filepath.FromSlash("base/ns.yaml")+":1: Namespace shop: duplicate object: defined 3 times, also at "+
		filepath.FromSlash("overlays/prod/ns.yaml")+":1, "+filepath.FromSlash("overlays/prod/ns.yaml")+":8; each definition "+
		"is evaluated, and a reference to the object resolves to the definition nearest the referring object", msg)
}

func TestVariantsWithoutSource(t *testing.T) {
	inv, err := New(vaNS("a"), vaNS("a"))
	require.NoError(t, err)
	assert.Equal(t, 2, inv.Len())
	require.Len(t, inv.Warnings(), 1)
	assert.Equal(t, "Namespace a: duplicate object: defined 2 times, also at an input without a name; each definition is "+
		"evaluated, and a reference to the object resolves to the definition nearest the referring object", inv.Warnings()[0].Error())
}

// An API server holds each object once: a repeat in a listing is dropped with an error, as
// before variants.
func TestVariantsNotInClusterInventories(t *testing.T) {
	b := NewBuilder(ModeCluster)
	require.NoError(t, b.Add(vaNS("a"), Source{}))
	require.NoError(t, b.Add(vaNS("a"), Source{}))
	inv := b.Build()
	assert.Equal(t, 1, inv.Len())
	assert.False(t, inv.HasVariants())
	assert.Empty(t, inv.Warnings())
	require.Len(t, inv.Errors(), 1)
	assert.ErrorIs(t, inv.Errors()[0], ErrDuplicate)
	assert.Nil(t, inv.Variants(KindNamespace, "", "a")[0].variant)
}

// TestViewNearest pins the nearest rule: same file (or render), then the most leading
// directories in common, then the last in inventory order; and that the order the definitions
// were added in changes nothing.
func TestViewNearest(t *testing.T) {
	f := func(file string, line int) Source { return Source{File: filepath.FromSlash(file), Line: line} }
	r := func(root, file string, line int) Source { return Source{Root: root, File: file, Line: line} }
	tests := []struct {
		name  string
		from  Source
		defs  []Source
		want  int // index in defs
		first bool
	}{
		{name: "same file beats same directory", from: f("app/web.yaml", 30),
			defs: []Source{f("app/ns.yaml", 1), f("app/web.yaml", 1)}, want: 1},
		{name: "same directory beats a parent", from: f("env/prod/web.yaml", 1),
			defs: []Source{f("ns.yaml", 1), f("env/ns.yaml", 1), f("env/prod/ns.yaml", 1), f("env/dev/ns.yaml", 1)}, want: 2},
		{name: "a parent beats a sibling tree", from: f("env/prod/eu/web.yaml", 1),
			defs: []Source{f("env/dev/ns.yaml", 1), f("env/prod/ns.yaml", 1), f("other/prod/eu/ns.yaml", 1)}, want: 1},
		{name: "directories compare whole, not as string prefixes", from: f("ab/web.yaml", 1),
			defs: []Source{f("a/ns.yaml", 1), f("b/ns.yaml", 1)}, want: 1},
		{name: "a tie goes to the last in inventory order", from: f("other/web.yaml", 1),
			defs: []Source{f("y/ns.yaml", 1), f("x/ns.yaml", 1)}, want: 0},
		{name: "twice in one file: the later one", from: f("all.yaml", 1),
			defs: []Source{f("all.yaml", 40), f("all.yaml", 5), f("other.yaml", 1)}, want: 0},
		{name: "the same render beats a plain file beside it", from: r("helm:charts/web", "web/templates/deploy.yaml", 1),
			defs: []Source{f("charts/web/ns.yaml", 1), r("helm:charts/web", "web/templates/ns.yaml", 1),
				r("helm:charts/api", "api/templates/ns.yaml", 1)}, want: 1},
		{name: "two renders of one chart tie: the last by root", from: f("charts/web-values.yaml", 1),
			defs: []Source{r("helm:charts/web@b", "web/templates/ns.yaml", 1), r("helm:charts/web@a", "web/templates/ns.yaml", 1)}, want: 0},
		{name: "a render sits in its root's directory", from: f("deploy/prod/web.yaml", 1),
			defs: []Source{r("kustomize:deploy/prod", "base/ns.yaml", 3), r("kustomize:deploy/dev", "base/ns.yaml", 3), f("ns.yaml", 1)}, want: 0},
		{name: "absolute paths", from: f("/srv/repo/a/web.yaml", 1),
			defs: []Source{f("/srv/repo/a/ns.yaml", 1), f("/srv/repo/b/ns.yaml", 1)}, want: 0},
		{name: "standard input is a file of its own", from: f("-", 1),
			defs: []Source{f("-", 9), f("a/ns.yaml", 1)}, want: 0},
		{name: "from nowhere: the last", from: Source{},
			defs: []Source{f("b/ns.yaml", 1), f("a/ns.yaml", 1)}, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.defs[tt.want]
			for _, order := range []string{"given", "reversed"} {
				srcs := slices.Clone(tt.defs)
				if order == "reversed" {
					slices.Reverse(srcs)
				}
				objs := make([]runtime.Object, 0, len(srcs)+1)
				for range srcs {
					objs = append(objs, vaNS("shop"))
				}
				// The referring object: a pod in namespace shop.
				objs = append(objs, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop"}})
				inv := vaBuild(t, objs, append(srcs, tt.from))
				pod := inv.Get(KindPod, "shop", "web")
				require.NotNil(t, pod)
				got := inv.From(pod).Get(KindNamespace, "", "shop")
				require.NotNil(t, got, order)
				assert.Equal(t, want, got.Source(), order)
				assert.Equal(t, []*Object{got}, inv.From(pod).ByKind(KindNamespace), order)
				assert.Equal(t, []*Object{got}, inv.From(pod).InNamespace(KindNamespace, ""), order)
			}
		})
	}
}

func TestViewLists(t *testing.T) {
	src := func(file string) Source { return Source{File: file, Line: 1} }
	cm := func(name string) runtime.Object {
		return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop"}}
	}
	inv := vaBuild(t,
		[]runtime.Object{cm("a"), cm("a"), cm("b"), cm("c"), cm("c"),
			&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "shop"}},
			&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "q", Namespace: "shop"}},
			&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "r", Namespace: "shop"}}},
		[]Source{src("x/a.yaml"), src("y/a.yaml"), src("b.yaml"), src("x/c.yaml"), src("y/c.yaml"),
			src("x/p.yaml"), src("y/q.yaml"), {File: "x/p.yaml", Line: 9}})
	all := inv.InNamespace(KindConfigMap, "shop")
	require.Len(t, all, 5)
	names := func(objs []*Object) []string {
		var out []string
		for _, o := range objs {
			out = append(out, o.Name()+"@"+o.Source().File)
		}
		return out
	}
	p, q := inv.Get(KindPod, "shop", "p"), inv.Get(KindPod, "shop", "q")
	assert.Equal(t, []string{"a@x/a.yaml", "b@b.yaml", "c@x/c.yaml"}, names(inv.From(p).InNamespace(KindConfigMap, "shop")))
	assert.Equal(t, []string{"a@y/a.yaml", "b@b.yaml", "c@y/c.yaml"}, names(inv.From(q).InNamespace(KindConfigMap, "shop")))
	assert.Equal(t, names(inv.From(q).InNamespace(KindConfigMap, "shop")), names(inv.From(q).ByKind(KindConfigMap)))
	assert.Equal(t, []string{"a@y/a.yaml", "b@b.yaml", "c@y/c.yaml"}, names(inv.From(nil).Nearest(all)))
	assert.Len(t, inv.InNamespace(KindConfigMap, "shop"), 5, "the inventory's own lists keep every definition")

	// Views from the same file are equal and can key a cache; views of an inventory without
	// variants are all the same.
	assert.Equal(t, inv.From(p), inv.From(inv.Get(KindPod, "shop", "r")))
	assert.NotEqual(t, inv.From(p), inv.From(q))
	rendered := vaBuild(t, []runtime.Object{vaNS("a"), vaNS("a"), vaNS("b")}, []Source{
		{Root: "helm:charts/c", File: "c/templates/a.yaml", Line: 1}, {File: "x.yaml", Line: 1},
		{Root: "helm:charts/c", File: "c/templates/b.yaml", Line: 1}})
	assert.Equal(t, rendered.From(rendered.Variants(KindNamespace, "", "a")[0]), rendered.From(rendered.Get(KindNamespace, "", "b")),
		"one render is one place, whatever its template files")
	plain, err := New(vaNS("a"), vaNS("b"))
	require.NoError(t, err)
	assert.Equal(t, plain.From(nil), plain.From(plain.Get(KindNamespace, "", "a")))
	objs := plain.ByKind(KindNamespace)
	assert.Same(t, &objs[0], &plain.From(objs[0]).Nearest(objs)[0], "no copy without variants")
}

// TestPodTemplatesNearestController: a pod whose controller is defined in two places is
// compared with the template of the definition nearest it.
func TestPodTemplatesNearestController(t *testing.T) {
	deploy := func(image string) *appsv1.Deployment {
		return &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop"},
			Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
				Containers: []corev1.Container{{Name: "web", Image: image}}}}}}
	}
	controller := true
	pod := func(ctr string) *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web-1", Namespace: "shop",
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "Deployment", Name: "web", Controller: &controller}}},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: ctr, Image: "x"}}}}
	}
	d1 := deploy("a")
	d2 := deploy("b")
	d2.Spec.Template.Spec.Containers[0].Name = "other" // a different signature
	for _, order := range []string{"given", "reversed"} {
		objs := []runtime.Object{d1, d2, pod("web")}
		srcs := []Source{{File: "a/deploy.yaml", Line: 1}, {File: "b/deploy.yaml", Line: 1}, {File: "a/pod.yaml", Line: 1}}
		if order == "reversed" {
			slices.Reverse(objs)
			slices.Reverse(srcs)
		}
		inv := vaBuild(t, objs, srcs)
		var owners []string
		for _, tp := range inv.PodTemplates() {
			owners = append(owners, tp.Owner.String()+"@"+tp.Owner.Source().File)
		}
		assert.Equal(t, []string{"Deployment shop/web@a/deploy.yaml", "Deployment shop/web@b/deploy.yaml"}, owners,
			"%s: the pod runs its nearest controller's template, which stands for it", order)
	}
}
