package network_test

// Benchmarks of the network benchmark at scale:
//
//	go test -run '^$' -bench . -benchtime 1x ./benchmark/network
//
// The corpus is internal/synth's 50,000-object cluster (its default-deny ingress policies,
// Services of every type, Ingresses with and without TLS), plus three NetworkPolicies per
// namespace of the shapes real clusters hold: ingress from the ingress controller's namespace
// to the web tier, DNS egress, and a metrics port open to every namespace. Each benchmark
// reports x-floor: its time per operation over the time, measured in the same run, that
// merely decoding the corpus's YAML with sigs.k8s.io/yaml on one core takes (the floor of
// docs/PERFORMANCE.md).

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	"github.com/kspm-dev/kspm/benchmark/network"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/synth"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/netreach"
)

const benchObjects = 50_000

// benchCorpus is the corpus, its YAML documents and the floor, built once per run.
var benchCorpus = sync.OnceValues(func() ([]k8sruntime.Object, time.Duration) {
	objs := synth.Generate(1, benchObjects)
	var extra []k8sruntime.Object
	proto := corev1.ProtocolUDP
	for _, o := range objs {
		ns, ok := o.(*corev1.Namespace)
		if !ok {
			continue
		}
		meta := func(name string) metav1.ObjectMeta { return metav1.ObjectMeta{Namespace: ns.Name, Name: name} }
		tm := metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"}
		extra = append(extra,
			&networkingv1.NetworkPolicy{TypeMeta: tm, ObjectMeta: meta("web-from-ingress"), Spec: networkingv1.NetworkPolicySpec{
				PodSelector: metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "app.kubernetes.io/component",
					Operator: metav1.LabelSelectorOpIn, Values: []string{"web", "frontend"}}}},
				Ingress: []networkingv1.NetworkPolicyIngressRule{{
					From:  []networkingv1.NetworkPolicyPeer{{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": "ingress-nginx"}}}},
					Ports: []networkingv1.NetworkPolicyPort{{Port: ptr(intstr.FromString("http"))}}}}}},
			&networkingv1.NetworkPolicy{TypeMeta: tm, ObjectMeta: meta("dns"), Spec: networkingv1.NetworkPolicySpec{
				PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeEgress},
				Egress: []networkingv1.NetworkPolicyEgressRule{{
					To: []networkingv1.NetworkPolicyPeer{{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": "kube-system"}},
						PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"k8s-app": "kube-dns"}}}},
					Ports: []networkingv1.NetworkPolicyPort{{Port: ptr(intstr.FromInt32(53)), Protocol: &proto}}}}}},
			&networkingv1.NetworkPolicy{TypeMeta: tm, ObjectMeta: meta("metrics"), Spec: networkingv1.NetworkPolicySpec{
				Ingress: []networkingv1.NetworkPolicyIngressRule{{
					From:  []networkingv1.NetworkPolicyPeer{{NamespaceSelector: &metav1.LabelSelector{}}},
					Ports: []networkingv1.NetworkPolicyPort{{Port: ptr(intstr.FromInt32(9090)), EndPort: ptr(int32(9099))}}}}}})
	}
	objs = append(objs, extra...)
	var docs [][]byte
	for _, o := range objs {
		y, err := yaml.Marshal(o)
		if err != nil {
			panic(err)
		}
		docs = append(docs, bytes.Clone(y))
	}
	// The floor: decode every document into map[string]any on one core, best of two.
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	var floor time.Duration
	for range 2 {
		runtime.GC()
		start := time.Now()
		for _, d := range docs {
			var m map[string]any
			if err := yaml.Unmarshal(d, &m); err != nil {
				panic(err)
			}
		}
		if d := time.Since(start); floor == 0 || d < floor {
			floor = d
		}
	}
	return objs, floor
})

func benchInventory(b *testing.B) (*inventory.Inventory, time.Duration) {
	b.Helper()
	objs, floor := benchCorpus()
	inv, err := inventory.New(objs...)
	if err != nil {
		b.Fatal(err)
	}
	return inv, floor
}

func reportFloor(b *testing.B, floor time.Duration) {
	b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(floor), "x-floor")
	b.ReportMetric(float64(floor.Milliseconds()), "floor-ms")
}

// BenchmarkNetwork runs every check of the benchmark over the corpus, the engine built by the
// first (as a scan does), one after the other.
func BenchmarkNetwork(b *testing.B) {
	inv, floor := benchInventory(b)
	b.ReportAllocs()
	results := 0
	b.ResetTimer()
	for b.Loop() {
		results = 0
		for _, c := range network.Network().Checks {
			p := check.NewPass(inv, c.Meta(), defaultParams(c), func(check.Finding) { results++ })
			if err := c.Run(context.Background(), p); err != nil {
				b.Fatal(err)
			}
		}
	}
	reportFloor(b, floor)
	b.ReportMetric(float64(results), "results/op")
	b.ReportMetric(float64(inv.Len()), "objects")
}

// BenchmarkChecks times each check alone, the engine built beforehand.
func BenchmarkChecks(b *testing.B) {
	inv, floor := benchInventory(b)
	checks := network.Network().Checks
	warm := checks[0]
	if err := warm.Run(context.Background(), check.NewPass(inv, warm.Meta(), defaultParams(warm), func(check.Finding) {})); err != nil {
		b.Fatal(err)
	}
	for _, c := range checks {
		b.Run(c.Meta().ID, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := c.Run(context.Background(), check.NewPass(inv, c.Meta(), defaultParams(c), func(check.Finding) {})); err != nil {
					b.Fatal(err)
				}
			}
			reportFloor(b, floor)
		})
	}
}

// BenchmarkEngine builds the engine over the corpus, then asks 1,000 reach questions between
// random pod templates.
func BenchmarkEngine(b *testing.B) {
	inv, floor := benchInventory(b)
	b.Run("build", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			netreach.New(inv)
		}
		reportFloor(b, floor)
	})
	e := netreach.New(inv)
	tmpls := inv.PodTemplates()
	r := rand.New(rand.NewPCG(1, 2))
	b.Run("reach-1000", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for range 1000 {
				from, _ := e.Pod(tmpls[r.IntN(len(tmpls))].Owner)
				to, _ := e.Pod(tmpls[r.IntN(len(tmpls))].Owner)
				e.Reach(from, to, netreach.Port{Number: 8080, Protocol: corev1.ProtocolTCP})
			}
		}
		reportFloor(b, floor)
	})
}

// defaultParams returns a check's parameters at their defaults, as the runner resolves them.
func defaultParams(c check.Check) map[string]any {
	params, err := check.ResolveParams(c, nil)
	if err != nil {
		panic(fmt.Sprintf("%s: %v", c.Meta().ID, err))
	}
	return params
}

func ptr[T any](v T) *T { return &v }
