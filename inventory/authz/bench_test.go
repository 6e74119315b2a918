package authz

import (
	"fmt"
	goruntime "runtime"
	"runtime/debug"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/internal/cputime"
	"github.com/kspm-dev/kspm/inventory"
)

// benchVerbs and benchResources are the queries BenchmarkWhoCan sweeps.
var (
	benchVerbs     = []string{"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "impersonate", "bind", "escalate", "approve"}
	benchResources = []string{"pods", "pods/exec", "secrets", "configmaps", "serviceaccounts/token", "deployments.apps",
		"nodes", "persistentvolumes", "roles", "clusterroles", "users", "signers"}
)

// generatedInventory builds an inventory of nBindings bindings (one in ten a
// ClusterRoleBinding) over 200 namespaces, with Roles, ClusterRoles (some aggregated) and
// service accounts, shaped like a large multi-tenant cluster.
func generatedInventory(tb testing.TB, nBindings int) *inventory.Inventory {
	tb.Helper()
	const namespaces, rolesPerNS, clusterRoles = 200, 5, 300
	verbs := [][]string{{"get", "list", "watch"}, {"create", "update", "patch", "delete"}, {"*"}, {"get"}, {"impersonate"}, {"bind", "escalate"}}
	resources := [][]string{{"pods", "pods/log"}, {"secrets"}, {"configmaps", "services"}, {"deployments", "replicasets"}, {"*"},
		{"pods/exec", "pods/attach"}, {"serviceaccounts/token"}, {"roles", "rolebindings"}, {"users", "groups"}, {"nodes"}}
	groups := [][]string{{""}, {""}, {""}, {"apps"}, {"*"}, {""}, {""}, {"rbac.authorization.k8s.io"}, {""}, {""}}
	rule := func(i int) rbacv1.PolicyRule {
		r := i % len(resources)
		return rbacv1.PolicyRule{Verbs: verbs[i%len(verbs)], APIGroups: groups[r], Resources: resources[r]}
	}
	var objs []runtime.Object
	for i := range clusterRoles {
		cr := clusterRole(fmt.Sprintf("cr-%03d", i), rule(i), rule(i+3), rule(i+7))
		cr.Labels = map[string]string{"agg": fmt.Sprint(i % 10)}
		if i%50 == 0 {
			cr = aggregating(cr, matchLabels("agg", fmt.Sprint(i%10+1)))
		}
		objs = append(objs, cr)
	}
	for n := range namespaces {
		ns := fmt.Sprintf("ns-%03d", n)
		for r := range rolesPerNS {
			objs = append(objs, role(ns, fmt.Sprintf("role-%d", r), rule(n+r), rule(n+r+5)))
		}
	}
	for i := range nBindings {
		n := i % namespaces
		ns := fmt.Sprintf("ns-%03d", n)
		var subject rbacv1.Subject
		switch i % 4 {
		case 0:
			subject = sa(ns, fmt.Sprintf("sa-%d", i%7))
		case 1:
			subject = user(fmt.Sprintf("user-%d", i%997))
		case 2:
			subject = group(fmt.Sprintf("team-%d", i%53))
		default:
			subject = rbacv1.Subject{Kind: KindServiceAccount, Name: fmt.Sprintf("sa-%d", i%5)}
		}
		switch {
		case i%10 == 0:
			objs = append(objs, crb(fmt.Sprintf("crb-%05d", i), fmt.Sprintf("cr-%03d", i%clusterRoles), subject))
		case i%3 == 0:
			objs = append(objs, rb(ns, fmt.Sprintf("rb-%05d", i), KindClusterRole, fmt.Sprintf("cr-%03d", i%clusterRoles), subject))
		default:
			objs = append(objs, rb(ns, fmt.Sprintf("rb-%05d", i), KindRole, fmt.Sprintf("role-%d", i%rolesPerNS), subject))
		}
	}
	b := inventory.NewBuilder(inventory.ModeManifests)
	for _, o := range objs {
		if err := b.Add(o, inventory.Source{}); err != nil {
			tb.Fatal(err)
		}
	}
	return b.Build()
}

func benchRequests() []Request {
	var out []Request
	for _, v := range benchVerbs {
		for _, r := range benchResources {
			out = append(out, MustParseRequest(v, r))
		}
	}
	return out
}

// BenchmarkWhoCan sweeps every verb × resource of benchVerbs × benchResources over 20,000
// bindings: one op is the whole sweep (144 queries); query-ns is the time per query.
func BenchmarkWhoCan(b *testing.B) {
	inv := generatedInventory(b, 20000)
	reqs := benchRequests()
	b.Run("New", func(b *testing.B) {
		for b.Loop() {
			New(inv)
		}
	})
	e := New(inv)
	sweep := func(b *testing.B, query func(Request) []Grant) {
		grants := 0
		for b.Loop() {
			grants = 0
			for _, r := range reqs {
				grants += len(query(r))
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(reqs)), "query-ns")
		b.ReportMetric(float64(grants), "grants")
	}
	b.Run("WhoCan/namespace", func(b *testing.B) {
		sweep(b, func(r Request) []Grant { return e.WhoCan(r.In("ns-042")) })
	})
	b.Run("WhoCan/cluster", func(b *testing.B) {
		sweep(b, e.WhoCan)
	})
	b.Run("WhoCanAnywhere", func(b *testing.B) {
		sweep(b, e.WhoCanAnywhere)
	})
	b.Run("Can", func(b *testing.B) {
		u := ServiceAccountUser("ns-040", "sa-3")
		sweep(b, func(r Request) []Grant { _, gs := e.CanAnywhere(u, r); return gs })
	})
}

// TestGeneratedInventoryAnswersAgree cross-checks the indexed WhoCan against Can for every
// subject of a generated inventory: each WhoCan grant must be one Can finds for that subject.
func TestGeneratedInventoryAnswersAgree(t *testing.T) {
	inv := generatedInventory(t, 2000)
	e := New(inv)
	for _, req := range benchRequests()[:40] {
		req := req.In("ns-007")
		for _, g := range e.WhoCan(req) {
			u, ok := g.Subject.User()
			if !ok {
				u = User{Name: "member-of-" + g.Subject.Name, Groups: []string{g.Subject.Name}}
			}
			allowed, gs := e.Can(u, req)
			if !allowed {
				t.Fatalf("WhoCan(%s) lists %s but Can says no", req, g)
			}
			found := false
			for _, x := range gs {
				found = found || (x.Binding == g.Binding && x.Rule.Index == g.Rule.Index)
			}
			if !found {
				t.Fatalf("WhoCan(%s) grant %s missing from Can", req, g)
			}
		}
	}
}

// BenchmarkNewAggregation builds engines over manifests where an aggregated ClusterRole (as
// view is in a cluster with many custom resources) collects the rules of n labelled
// ClusterRoles, at two sizes four times apart: per-role-growth, the ratio of the time per
// labelled role at the two sizes, is 1 when resolving aggregation is linear. Each time is the
// least of the runs (see timed).
func BenchmarkNewAggregation(b *testing.B) {
	sizes := []int{1000, 4000}
	invs := make([]*inventory.Inventory, len(sizes))
	for i, n := range sizes {
		objs := []runtime.Object{aggregating(clusterRole("crd-view"), matchLabels("aggregate-to-crd-view", "true"))}
		for k := range n {
			cr := clusterRole(fmt.Sprintf("crd-%05d-view", k),
				pr(l("get", "list", "watch"), l(fmt.Sprintf("group-%05d.example.com", k)), l("widgets", "widgets/status")),
				pr(l("get"), l(fmt.Sprintf("group-%05d.example.com", k)), l("gadgets")))
			cr.Labels = map[string]string{"aggregate-to-crd-view": "true"}
			objs = append(objs, cr)
		}
		invs[i] = manifests(b, objs...)
	}
	spent := make([]time.Duration, len(sizes))
	for i, inv := range invs {
		for range b.N {
			d, e := timed(func() *Engine { return New(inv) })
			if spent[i] == 0 || d < spent[i] {
				spent[i] = d
			}
			if r := e.Role(KindClusterRole, "", "crd-view"); len(r.Rules) != 2*sizes[i] {
				b.Fatalf("crd-view has %d rules, want %d", len(r.Rules), 2*sizes[i])
			}
		}
	}
	perRole := make([]float64, len(sizes))
	for i, n := range sizes {
		perRole[i] = float64(spent[i].Nanoseconds()) / float64(n)
		b.ReportMetric(perRole[i], fmt.Sprintf("ns/role@%d", n))
	}
	b.ReportMetric(perRole[1]/perRole[0], "per-role-growth")
}

// timed runs f and returns the CPU time it took, which other load on the machine does not
// inflate as it does wall time. Garbage collection runs before and is off during the run: with
// inventories of both sizes alive, the larger run would otherwise pay for collections the
// smaller one escapes, whatever the algorithm's growth.
func timed[T any](f func() T) (time.Duration, T) {
	goruntime.GC()
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	start := cputime.Process()
	v := f()
	return cputime.Process() - start, v
}
