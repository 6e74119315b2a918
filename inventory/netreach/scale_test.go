package netreach_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/netreach"
)

// scaleWorld is namespace b with a server pod and n NetworkPolicies that select it, each
// admitting namespace a on its own port.
func scaleWorld(tb testing.TB, n int) (*netreach.Engine, netreach.Pod) {
	docs := []string{world}
	for i := range n {
		docs = append(docs, policyYAML("b", "p"+strconv.Itoa(i), "  podSelector: {matchLabels: {app: server}}\n  ingress:\n"+
			"  - from: [{namespaceSelector: {matchLabels: {team: red}}}]\n    ports: [{port: "+strconv.Itoa(1000+i)+"}]\n"))
	}
	inv := manifests(tb, strings.Join(docs, "\n---\n"))
	e := netreach.New(inv)
	return e, pod(tb, e, inv, "Pod b/server")
}

// BenchmarkOpenToEveryNamespace measures how OpenToEveryNamespace grows with the policies
// that select one pod, each naming its own port: the ranges it asks about grow with them.
func BenchmarkOpenToEveryNamespace(b *testing.B) {
	for _, n := range []int{100, 400, 1600} {
		b.Run(fmt.Sprintf("policies-%d", n), func(b *testing.B) {
			e, dst := scaleWorld(b, n)
			b.ReportAllocs()
			for b.Loop() {
				e.OpenToEveryNamespace(dst)
			}
		})
	}
}

// TestOpenToEveryNamespaceAgrees checks OpenToEveryNamespace, which indexes rules by port,
// against FromEveryNamespace asked port by port (which the oracle checks) on random
// scenarios: each opening's first and last ports answer as the opening says, and every other
// port of interest (those the policies name, their neighbours, 1 and 65535) answers No.
func TestOpenToEveryNamespaceAgrees(t *testing.T) {
	g := &gen{r: rand.New(rand.NewPCG(11, 5))}
	for range 50 * randomCases {
		s := g.scenario()
		dst := g.pick(len(s.endpoints))
		for _, np := range s.policies {
			if g.chance(0.8) {
				np.Namespace = s.endpoints[dst].ns
			}
		}
		inv, err := inventory.New(s.objs...)
		require.NoError(t, err)
		e := netreach.New(inv)
		p := pod(t, e, inv, s.endpoints[dst].ref())
		open := e.OpenToEveryNamespace(p)
		inside := func(proto corev1.Protocol, n int32) bool {
			return slices.ContainsFunc(open, func(o netreach.Opening) bool {
				return o.Ports.Protocol == proto && o.Ports.From <= n && n <= o.Ports.To
			})
		}
		for _, o := range open {
			for _, n := range []int32{o.Ports.From, o.Ports.To} {
				got := e.FromEveryNamespace(p, netreach.Port{Number: n, Protocol: o.Ports.Protocol})
				assert.Equal(t, o.Exposure, got, "%s port %d", o.Ports, n)
			}
		}
		for _, proto := range protocols {
			probes := []int32{1, 65535}
			for _, n := range portNums {
				probes = append(probes, n-1, n, n+1, n+499, n+500)
			}
			for _, n := range probes {
				if inside(proto, n) {
					continue
				}
				got := e.FromEveryNamespace(p, netreach.Port{Number: n, Protocol: proto})
				assert.Equal(t, netreach.No, got.Open, "%d/%s is in no opening", n, proto)
			}
		}
	}
}

// BenchmarkSelectedBy measures SelectedBy for a policy that selects every one of n pods.
func BenchmarkSelectedBy(b *testing.B) {
	for _, n := range []int{1000, 4000, 16000} {
		b.Run(fmt.Sprintf("pods-%d", n), func(b *testing.B) {
			docs := []string{world, policyYAML("b", "all", "  podSelector: {matchExpressions: [{key: app, operator: Exists}]}\n")}
			for i := range n {
				docs = append(docs, podYAML("b", "p"+strconv.Itoa(i), "app: a"+strconv.Itoa(i)))
			}
			inv := manifests(b, strings.Join(docs, "\n---\n"))
			e := netreach.New(inv)
			p := e.PoliciesIn("b")[0]
			b.ReportAllocs()
			for b.Loop() {
				if len(e.SelectedBy(p).Selected) != n+2 {
					b.Fatal("not every pod selected")
				}
			}
		})
	}
}

// BenchmarkExistingNamespaces measures OpenToEveryNamespace over every pod template of a
// namespace in a listed cluster of n namespaces that all but the last carry the label a
// policy admits: each question goes through the cluster's namespaces.
func BenchmarkExistingNamespaces(b *testing.B) {
	const n, pods = 1000, 200
	docs := []string{policyYAML("b", "p", "  podSelector: {}\n  ingress:\n  - from: [{namespaceSelector: {matchExpressions: [{key: team, operator: Exists}]}}]\n    ports: [{port: 8080}]\n")}
	for i := range n - 1 {
		docs = append(docs, nsYAML(fmt.Sprintf("n%04d", i), "team: x"))
	}
	docs = append(docs, nsYAML("b", "team: x"), nsYAML("zz", ""))
	for i := range pods {
		docs = append(docs, podYAML("b", "p"+strconv.Itoa(i), "app: a"))
	}
	inv := cluster(b, strings.Join(docs, "\n---\n"))
	var tmpls []netreach.Pod
	e := netreach.New(inv)
	for _, t := range inv.PodTemplates() {
		p, _ := e.Pod(t.Owner)
		tmpls = append(tmpls, p)
	}
	b.ReportAllocs()
	for b.Loop() {
		e := netreach.New(inv)
		for _, p := range tmpls {
			if len(e.OpenToEveryNamespace(p)) != 0 {
				b.Fatal("open")
			}
		}
	}
}
