package netreach_test

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/netreach"
)

// variantTree writes files (path: content) under a temporary directory and returns it.
func variantTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, content := range files {
		p = filepath.Join(dir, filepath.FromSlash(p))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	return dir
}

// variantLoads loads the files of dir, each named on its own, in several orders (sorted,
// reversed, then shuffled), and calls f with each inventory.
func variantLoads(t *testing.T, dir string, f func(t *testing.T, inv *inventory.Inventory)) {
	t.Helper()
	var paths []string
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			paths = append(paths, p)
		}
		return err
	}))
	slices.Sort(paths)
	orders := [][]string{slices.Clone(paths), slices.Clone(paths)}
	slices.Reverse(orders[1])
	r := rand.New(rand.NewPCG(12, 1))
	for range 6 {
		p := slices.Clone(paths)
		r.Shuffle(len(p), func(i, j int) { p[i], p[j] = p[j], p[i] })
		orders = append(orders, p)
	}
	for i, order := range orders {
		inv, err := inventory.LoadManifests(t.Context(), order)
		require.NoError(t, err)
		require.Empty(t, inv.Errors())
		require.True(t, inv.HasVariants())
		if !t.Run(strings.Join([]string{"order", string(rune('0' + i))}, ""), func(t *testing.T) { f(t, inv) }) {
			t.Logf("order: %q", order)
		}
	}
}

// variantObject returns the definition of the object named "Kind namespace/name" read from
// file (relative to dir).
func variantObject(t *testing.T, inv *inventory.Inventory, dir, ref, file string) *inventory.Object {
	t.Helper()
	kind, nsName, _ := strings.Cut(ref, " ")
	ns, name, _ := strings.Cut(nsName, "/")
	for _, k := range inventory.BuiltinKinds() {
		if k.Kind != kind {
			continue
		}
		for _, o := range inv.Variants(schema.GroupKind{Group: k.Group, Kind: k.Kind}, ns, name) {
			if o.Source().File == filepath.Join(dir, filepath.FromSlash(file)) {
				return o
			}
		}
	}
	require.Failf(t, "no such definition", "%s in %s", ref, file)
	return nil
}

// TestReachNamespaceVariants: the labels a namespaceSelector reads are those of the Namespace
// definition deployed with the pods (the one nearest their object). Two directories define
// the namespaces differently; the answer for a source and a destination of one directory is
// that directory's, whatever order the files load in, and for a source of one and a
// destination of the other, whose Namespace definitions disagree, it is unknown.
func TestReachNamespaceVariants(t *testing.T) {
	allowProd := policyYAML("back", "from-prod", "  podSelector: {}\n  ingress:\n  - from: [{namespaceSelector: {matchLabels: {env: prod}}}]\n")
	files := map[string]string{
		"prod/ns.yaml":   join(nsYAML("front", "env: prod"), nsYAML("back", "env: prod")),
		"dev/ns.yaml":    join(nsYAML("front", "env: dev"), nsYAML("back", "env: dev")),
		"prod/app.yaml":  join(podYAML("front", "client", "app: client"), podYAML("back", "server", "app: server"), allowProd),
		"dev/app.yaml":   join(podYAML("front", "client", "app: client"), podYAML("back", "server", "app: server"), allowProd),
		"prod/team.yaml": nsYAML("team", "env: prod"), // defined once: every directory sees it
		"prod/other.yaml": join(podYAML("team", "tool", "app: tool"),
			policyYAML("team", "same-env", "  podSelector: {}\n  egress:\n  - to: [{namespaceSelector: {matchLabels: {env: prod}}}]\n")),
	}
	tests := []struct {
		name             string
		from, fromFile   string
		to, toFile       string
		want             netreach.Verdict
		unknown          string
		ingress, egress  string // "isolated/allowed"
		unknownNotInText string
	}{
		{name: "prod to prod: front is env=prod", from: "Pod front/client", fromFile: "prod/app.yaml",
			to: "Pod back/server", toFile: "prod/app.yaml", want: netreach.Yes, ingress: "yes/yes"},
		{name: "dev to dev: front is env=dev", from: "Pod front/client", fromFile: "dev/app.yaml",
			to: "Pod back/server", toFile: "dev/app.yaml", want: netreach.No, ingress: "yes/no"},
		{name: "dev to prod: the two Namespace definitions disagree on env", from: "Pod front/client", fromFile: "dev/app.yaml",
			to: "Pod back/server", toFile: "prod/app.yaml", want: netreach.Unknown, ingress: "yes/unknown",
			unknown: "Namespace front is defined with other labels where Pod front/client is"},
		{name: "prod to dev: the source's Namespace as the destination sees it differs", from: "Pod front/client", fromFile: "prod/app.yaml",
			to: "Pod back/server", toFile: "dev/app.yaml", want: netreach.Unknown, ingress: "yes/unknown",
			unknown: "prod/ns.yaml"},
		{name: "egress from a namespace defined once to prod", from: "Pod team/tool", fromFile: "prod/other.yaml",
			to: "Pod back/server", toFile: "prod/app.yaml", want: netreach.Yes, egress: "yes/yes"},
		{name: "egress from a namespace defined once to dev: back is env=dev there", from: "Pod team/tool", fromFile: "prod/other.yaml",
			to: "Pod back/server", toFile: "dev/app.yaml", want: netreach.Unknown, egress: "yes/unknown", ingress: "yes/yes",
			unknown: "Namespace back is defined with other labels"},
	}
	dir := variantTree(t, files)
	variantLoads(t, dir, func(t *testing.T, inv *inventory.Inventory) {
		e := netreach.New(inv)
		for _, tt := range tests {
			from, err := e.PodFor(variantObject(t, inv, dir, tt.from, tt.fromFile))
			require.NoError(t, err)
			to, err := e.PodFor(variantObject(t, inv, dir, tt.to, tt.toFile))
			require.NoError(t, err)
			a := e.Reach(from, to, netreach.Port{Number: 8080, Protocol: "TCP"})
			assert.Equal(t, tt.want, a.Allowed, "%s: %q", tt.name, a.Unknown)
			if tt.ingress != "" {
				assert.Equal(t, tt.ingress, a.Ingress.Isolated.String()+"/"+a.Ingress.Allowed.String(), tt.name)
			}
			if tt.egress != "" {
				assert.Equal(t, tt.egress, a.Egress.Isolated.String()+"/"+a.Egress.Allowed.String(), tt.name)
			}
			if tt.unknown != "" {
				assert.Contains(t, strings.Join(a.Unknown, "\n"), tt.unknown, tt.name)
			} else {
				assert.Empty(t, a.Unknown, tt.name)
			}
		}
	})
}

// TestSelectVariants: "some pod of the namespace" for a selector held by an object means the
// pods of the workloads that object's world holds: of a workload defined in several places,
// the definition nearest the object, never another directory's. A policy or Service that
// selects the pods of the other directory's variant only selects nothing.
func TestSelectVariants(t *testing.T) {
	deploy := func(app string) string {
		return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {matchLabels: {app: " + app +
			"}}\n  template:\n    metadata: {labels: {app: " + app + "}}\n    spec: {containers: [{name: c, image: app:1}]}\n"
	}
	svc := func(app string) string {
		return "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {app: " + app + "}\n  ports: [{port: 80}]\n"
	}
	selectDev := policyYAML("shop", "np", "  podSelector: {matchLabels: {app: web-dev}}\n  policyTypes: [Ingress]\n")
	files := map[string]string{
		"prod/web.yaml": join(deploy("web"), svc("web-dev"), selectDev), // leftovers of dev: select nothing here
		"dev/web.yaml":  join(deploy("web-dev"), svc("web-dev"), selectDev),
		// Defined once: seen from both directories.
		"shared/batch.yaml": podYAML("shop", "batch", "app: batch"),
	}
	dir := variantTree(t, files)
	variantLoads(t, dir, func(t *testing.T, inv *inventory.Inventory) {
		e := netreach.New(inv)
		names := func(objs []*inventory.Object) []string {
			var out []string
			for _, o := range objs {
				rel, err := filepath.Rel(dir, o.Source().File)
				require.NoError(t, err)
				out = append(out, o.String()+" "+filepath.ToSlash(rel))
			}
			return out
		}
		for file, want := range map[string][]string{
			"prod/web.yaml": nil,
			"dev/web.yaml":  {"Deployment shop/web dev/web.yaml"},
		} {
			pol := variantObject(t, inv, dir, "NetworkPolicy shop/np", file)
			var p *netreach.Policy
			for _, q := range e.Policies() {
				if q.Object == pol {
					p = q
				}
			}
			require.NotNil(t, p)
			assert.Equal(t, want, names(e.SelectedBy(p).Selected), "policy of %s", file)

			s := variantObject(t, inv, dir, "Service shop/web", file)
			sel, err := e.SelectFrom(s, "shop", &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web-dev"}})
			require.NoError(t, err)
			assert.Equal(t, want, names(sel.Selected), "Service of %s", file)

			var pods []string
			for _, q := range e.PodsFrom(s, "shop") {
				pods = append(pods, names([]*inventory.Object{q.Object})...)
			}
			assert.ElementsMatch(t, []string{"Deployment shop/web " + file, "Pod shop/batch shared/batch.yaml"}, pods, "pods seen from %s", file)
		}
		// Every definition, without a view: both variants, the batch Pod once.
		assert.Len(t, e.PodsIn("shop"), 3)
		sel, err := e.Select("shop", &metav1.LabelSelector{})
		require.NoError(t, err)
		assert.Len(t, sel.Selected, 3)
	})
}
