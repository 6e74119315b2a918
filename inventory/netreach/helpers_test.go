package netreach_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/netreach"
)

// objects decodes a multi-document YAML string into objects, without the defaults the
// manifest loader applies (the engine must default policyTypes and protocols itself).
func objects(t testing.TB, docs string) []runtime.Object {
	t.Helper()
	var out []runtime.Object
	for _, d := range strings.Split(docs, "\n---\n") {
		if strings.TrimSpace(d) == "" {
			continue
		}
		var m map[string]any
		require.NoError(t, yaml.Unmarshal([]byte(d), &m), d)
		out = append(out, &unstructured.Unstructured{Object: m})
	}
	return out
}

// manifests builds a manifest inventory of the YAML documents.
func manifests(t testing.TB, docs string) *inventory.Inventory {
	t.Helper()
	inv, err := inventory.New(objects(t, docs)...)
	require.NoError(t, err)
	require.Empty(t, inv.Errors())
	return inv
}

// cluster builds a cluster inventory of the YAML documents, every built-in kind listed and
// no kind of inventory.OtherNetworkPolicyKinds served, but for the coverage given.
func cluster(t testing.TB, docs string, coverage ...inventory.Coverage) *inventory.Inventory {
	t.Helper()
	b := inventory.NewBuilder(inventory.ModeCluster)
	for _, k := range inventory.BuiltinKinds() {
		b.SetCoverage(inventory.Coverage{Group: k.Group, Kind: k.Kind, State: inventory.Listed})
	}
	for _, k := range inventory.OtherNetworkPolicyKinds() {
		b.SetCoverage(inventory.Coverage{Group: k.Group, Kind: k.Kind, State: inventory.NotServed})
	}
	for _, c := range coverage {
		b.SetCoverage(c)
	}
	for _, o := range objects(t, docs) {
		require.NoError(t, b.Add(o, inventory.Source{}))
	}
	return b.Build()
}

// pod returns the pods of the object named "Kind namespace/name".
func pod(t testing.TB, e *netreach.Engine, inv *inventory.Inventory, ref string) netreach.Pod {
	t.Helper()
	kind, nsName, _ := strings.Cut(ref, " ")
	ns, name, _ := strings.Cut(nsName, "/")
	var o *inventory.Object
	for _, k := range inventory.BuiltinKinds() {
		if k.Kind == kind {
			o = inv.Get(schema.GroupKind{Group: k.Group, Kind: kind}, ns, name)
		}
	}
	require.NotNil(t, o, "no %s", ref)
	p, ok := e.Pod(o)
	require.True(t, ok, "%s holds no pod template", ref)
	return p
}

// podYAML is a bare Pod with labels and container ports ("name:number/PROTO" or
// "number").
func podYAML(ns, name, labels string, ports ...string) string {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + ", namespace: " + ns + ", labels: {" + labels + "}}\n")
	b.WriteString("spec:\n  containers:\n  - name: c\n    image: app:1\n    ports:\n")
	for _, p := range ports {
		num, proto, _ := strings.Cut(p, "/")
		name, n, named := strings.Cut(num, ":")
		if !named {
			n, name = name, ""
		}
		b.WriteString("    - containerPort: " + n + "\n")
		if name != "" {
			b.WriteString("      name: " + name + "\n")
		}
		if proto != "" {
			b.WriteString("      protocol: " + proto + "\n")
		}
	}
	if len(ports) == 0 {
		b.WriteString("    - containerPort: 8080\n")
	}
	return b.String()
}

// nsYAML is a Namespace with labels.
func nsYAML(name, labels string) string {
	return "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + name + ", labels: {" + labels + "}}\n"
}

// policyYAML is a NetworkPolicy with the given spec (YAML indented by two spaces).
func policyYAML(ns, name, spec string) string {
	return "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: " + name + ", namespace: " + ns + "}\nspec:\n" + spec
}

// join joins YAML documents.
func join(docs ...string) string { return strings.Join(docs, "\n---\n") }

func writeFile(path, content string) error { return os.WriteFile(path, []byte(content), 0o600) }
