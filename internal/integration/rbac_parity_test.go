//go:build integration

package integration

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/authz"
)

const (
	parityRequests = 4000
	paritySARs     = 8 // SubjectAccessReviews in flight
)

// parityGen makes random RBAC objects and requests over small pools of names, so that
// rules, bindings and requests meet often.
type parityGen struct {
	r   *rand.Rand
	ns  []string // the test's namespaces
	tag string   // distinguishes this run's users, groups and role labels
}

func (g *parityGen) pick(xs ...string) string { return xs[g.r.IntN(len(xs))] }

// some returns 1..max distinct elements of xs.
func (g *parityGen) some(max int, xs ...string) []string {
	n := 1 + g.r.IntN(max)
	perm := g.r.Perm(len(xs))
	out := make([]string, 0, n)
	for _, i := range perm[:min(n, len(xs))] {
		out = append(out, xs[i])
	}
	return out
}

func (g *parityGen) chance(p float64) bool { return g.r.Float64() < p }

var (
	parityGroups     = []string{"", "*", "apps", "batch", "rbac.authorization.k8s.io", "example.com"}
	parityResources  = []string{"pods", "pods/exec", "pods/log", "pods/*", "*/scale", "*", "deployments", "deployments/scale", "replicasets", "secrets", "configmaps", "nodes", "namespaces", "clusterroles", "rolebindings", "jobs", "widgets", "serviceaccounts/token"}
	parityVerbs      = []string{"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "*", "impersonate", "bind", "escalate"}
	parityURLs       = []string{"/healthz", "/healthz/*", "/metrics", "/logs/*", "/logs", "*", "/api/*", "/version", "/apis/apps*"}
	parityURLVerbs   = []string{"get", "post", "put", "*", "head"}
	parityReqPaths   = []string{"/healthz", "/healthz/etcd", "/metrics", "/logs", "/logs/", "/logs/kube-apiserver.log", "/api", "/api/v1", "/apis/apps", "/apis/apps/v1", "/apis/appsx", "/version", "/openapi/v2", "/debug/pprof", "/livez", "/readyz"}
	parityReqTargets = []struct{ group, resource, sub string }{
		{"", "pods", ""}, {"", "pods", "exec"}, {"", "pods", "log"}, {"", "pods", "*"}, {"", "pods", "status"},
		{"apps", "deployments", ""}, {"apps", "deployments", "scale"}, {"apps", "replicasets", "scale"},
		{"", "secrets", ""}, {"", "configmaps", ""}, {"", "nodes", ""}, {"", "nodes", "proxy"}, {"", "namespaces", ""},
		{"", "namespaces", "status"}, {"", "namespaces", "finalize"}, {"rbac.authorization.k8s.io", "roles", ""},
		{"rbac.authorization.k8s.io", "clusterroles", ""}, {"rbac.authorization.k8s.io", "rolebindings", ""},
		{"batch", "jobs", ""}, {"example.com", "widgets", ""}, {"", "serviceaccounts", "token"}, {"", "users", ""},
		{"", "*", ""},
	}
)

// ruleNames are the names rules restrict resourceNames to: arbitrary ones, two of the test's
// namespaces (a rule on namespaces naming its own namespace, or another), and a ClusterRole
// (bind restricted to it).
func (g *parityGen) ruleNames() []string {
	return []string{"a", "b", g.ns[0], g.ns[1], "cluster-admin"}
}

// requestNames are the names requests ask about ("" for none, twice as likely).
func (g *parityGen) requestNames() []string {
	return []string{"", "", "a", "b", "c", g.ns[0], g.ns[1], g.ns[2], "cluster-admin"}
}

func (g *parityGen) rules(nonResource bool) []rbacv1.PolicyRule {
	var out []rbacv1.PolicyRule
	for range 1 + g.r.IntN(3) {
		if nonResource && g.chance(0.3) {
			out = append(out, rbacv1.PolicyRule{Verbs: g.some(2, parityURLVerbs...), NonResourceURLs: g.some(2, parityURLs...)})
			continue
		}
		r := rbacv1.PolicyRule{Verbs: g.some(3, parityVerbs...), APIGroups: g.some(2, parityGroups...),
			Resources: g.some(3, parityResources...)}
		if g.chance(0.3) {
			// Cluster-scoped resources, which RoleBindings grant only on their own Namespace
			// object and for bind on ClusterRoles.
			r = rbacv1.PolicyRule{Verbs: g.some(3, "get", "list", "watch", "update", "delete", "create", "bind", "escalate", "*"),
				APIGroups: g.some(2, "", rbacv1.GroupName, "*"),
				Resources: g.some(2, "namespaces", "namespaces/status", "clusterroles", "nodes", "*")}
		}
		if g.chance(0.25) {
			r.ResourceNames = g.some(2, g.ruleNames()...)
		}
		out = append(out, r)
	}
	return out
}

func (g *parityGen) users() []string {
	return []string{"alice-" + g.tag, "bob-" + g.tag, "carol-" + g.tag}
}

func (g *parityGen) groups() []string {
	return []string{"dev-" + g.tag, "ops-" + g.tag, authz.GroupAuthenticated, authz.GroupUnauthenticated,
		authz.GroupServiceAccounts, authz.ServiceAccountGroupPrefix + g.ns[0]}
}

func (g *parityGen) serviceAccounts() [][2]string {
	return [][2]string{{g.ns[0], "app"}, {g.ns[1], "app"}, {g.ns[1], "default"}, {g.ns[2], "builder"}}
}

func (g *parityGen) subject(bindingNS string) rbacv1.Subject {
	switch g.r.IntN(3) {
	case 0:
		return rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: g.pick(g.users()...)}
	case 1:
		return rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: g.pick(g.groups()...)}
	}
	sa := g.serviceAccounts()[g.r.IntN(len(g.serviceAccounts()))]
	s := rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: sa[0], Name: sa[1]}
	if bindingNS != "" && sa[0] == bindingNS && g.chance(0.5) {
		s.Namespace = "" // a RoleBinding's service account without namespace means its own
	}
	return s
}

func (g *parityGen) subjects(bindingNS string) []rbacv1.Subject {
	var out []rbacv1.Subject
	for range 1 + g.r.IntN(3) {
		out = append(out, g.subject(bindingNS))
	}
	return out
}

// identity returns a random requester: a user with some groups, a service account, or an
// anonymous request.
func (g *parityGen) identity() authz.User {
	if g.chance(0.05) {
		return authz.AnonymousUser()
	}
	switch g.r.IntN(3) {
	case 0, 1:
		name := g.pick(append(g.users(), "nobody-"+g.tag)...)
		var groups []string
		for _, grp := range []string{"dev-" + g.tag, "ops-" + g.tag} {
			if g.chance(0.4) {
				groups = append(groups, grp)
			}
		}
		return authz.AuthenticatedUser(name, groups...)
	}
	sa := g.serviceAccounts()[g.r.IntN(len(g.serviceAccounts()))]
	if g.chance(0.2) {
		return authz.ServiceAccountUser(g.ns[2], "other")
	}
	return authz.ServiceAccountUser(sa[0], sa[1])
}

func (g *parityGen) request() authz.Request {
	if g.chance(0.2) {
		return authz.NonResourceRequest(g.pick("get", "post", "put", "head", "delete"), g.pick(parityReqPaths...))
	}
	t := parityReqTargets[g.r.IntN(len(parityReqTargets))]
	verbs := append(slices.Clone(parityVerbs[:9]), "impersonate", "bind", "escalate", "use")
	r := authz.Request{
		Verb: g.pick(verbs...), APIGroup: t.group, Resource: t.resource, Subresource: t.sub,
		Name: g.pick(g.requestNames()...), ResourceRequest: true,
	}
	ns := g.pick(append([]string{"", "", "kube-system"}, g.ns...)...)
	if g.chance(0.5) {
		// As the API server builds it in ns: a Namespace's own requests name it, requests on
		// other cluster-scoped resources carry no namespace.
		if in, ok := r.Within(ns); ok {
			return in
		}
		return r
	}
	return r.In(ns) // attributes as a SubjectAccessReview may give them, whatever they mean
}

// anywhereRequest returns a request asked in no namespace in particular (AnyName, which no
// SubjectAccessReview can express, left out).
func (g *parityGen) anywhereRequest() authz.Request {
	if g.chance(0.4) {
		// Cluster-scoped resources that RoleBindings grant in some cases.
		r := authz.Request{Verb: g.pick("get", "list", "watch", "update", "patch", "delete", "create"), Resource: "namespaces",
			Subresource: g.pick("", "", "status"), Name: g.pick("", g.ns[0], g.ns[1], g.ns[2], "a"), ResourceRequest: true}
		if g.chance(0.4) {
			r = authz.Request{Verb: g.pick("bind", "bind", "escalate", "get"), APIGroup: rbacv1.GroupName, Resource: "clusterroles",
				Name: g.pick("", "cluster-admin", "a", "view"), ResourceRequest: true}
		}
		return r
	}
	r := g.request()
	r.Namespace = ""
	return r
}

// createParityRBAC creates the random RBAC objects and returns the names of the sentinel
// grants the authorizer must see before the comparison starts.
func createParityRBAC(t *testing.T, cs kubernetes.Interface, g *parityGen) {
	t.Helper()
	ctx := t.Context()
	mk := func(err error) { t.Helper(); require.NoError(t, err) }
	for _, sa := range g.serviceAccounts() {
		_, err := cs.CoreV1().ServiceAccounts(sa[0]).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: sa[1]}}, metav1.CreateOptions{})
		mk(ignoreExists(err))
	}
	var clusterRoles []string
	for i := range 14 {
		name := fmt.Sprintf("parity-%s-%02d", g.tag, i)
		cr := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: g.rules(true)}
		switch i {
		case 0: // aggregated: no controller fills it here, so the stored rules are what counts
			cr.AggregationRule = &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{
				{MatchLabels: map[string]string{"parity-agg": g.tag}}}}
		case 1, 2:
			cr.Labels = map[string]string{"parity-agg": g.tag}
		}
		_, err := cs.RbacV1().ClusterRoles().Create(ctx, cr, metav1.CreateOptions{})
		mk(err)
		deleteClusterRoleAtEnd(t, cs, name)
		clusterRoles = append(clusterRoles, name)
	}
	roleRefs := func(ns string) []rbacv1.RoleRef {
		refs := []rbacv1.RoleRef{
			{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "view"}, // aggregated, empty here
			{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "system:basic-user"},
			{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "missing-" + g.tag},
		}
		for _, n := range clusterRoles {
			refs = append(refs, rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: n})
		}
		if ns != "" {
			for i := range 3 {
				refs = append(refs, rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: fmt.Sprintf("parity-%d", i)})
			}
			refs = append(refs, rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "missing"})
		}
		return refs
	}
	for _, ns := range g.ns {
		for i := range 3 {
			_, err := cs.RbacV1().Roles(ns).Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("parity-%d", i)},
				Rules: g.rules(false)}, metav1.CreateOptions{})
			mk(err)
		}
		// A Role on cluster-scoped resources, which RoleBindings grant only on the Namespace
		// itself and for bind on ClusterRoles, bound to someone.
		_, err := cs.RbacV1().Roles(ns).Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "parity-scoped"},
			Rules: []rbacv1.PolicyRule{
				{Verbs: g.some(4, "get", "list", "watch", "update", "patch", "delete", "create"), APIGroups: []string{""}, Resources: g.some(2, "namespaces", "namespaces/status")},
				{Verbs: g.some(2, "bind", "escalate", "get"), APIGroups: []string{rbacv1.GroupName}, Resources: []string{"clusterroles"}},
			}}, metav1.CreateOptions{})
		mk(err)
		_, err = cs.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "parity-scoped"},
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "parity-scoped"},
			Subjects: g.subjects(ns)}, metav1.CreateOptions{})
		mk(err)
		refs := roleRefs(ns)
		for i := range 6 {
			_, err := cs.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{
				ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("parity-%d", i)},
				RoleRef:    refs[g.r.IntN(len(refs))], Subjects: g.subjects(ns),
			}, metav1.CreateOptions{})
			mk(err)
		}
	}
	refs := roleRefs("")
	for i := range 8 {
		ref, subjects := refs[g.r.IntN(len(refs))], g.subjects("")
		if i == 0 {
			// One user may do anything (not a group, which could be everyone).
			ref.Name = "cluster-admin"
			subjects = []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: g.pick(g.users()...)}}
		}
		name := fmt.Sprintf("parity-%s-%d", g.tag, i)
		_, err := cs.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: name},
			RoleRef:    ref, Subjects: subjects,
		}, metav1.CreateOptions{})
		mk(err)
		deleteClusterRoleBindingAtEnd(t, cs, name)
	}
	// Sentinels, created last: once the authorizer allows them, it has seen everything above
	// (each kind's watch delivers events in order).
	sentinel := "sentinel-" + g.tag
	rule := []rbacv1.PolicyRule{{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"configmaps"}, ResourceNames: []string{sentinel}}}
	subj := []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: sentinel}}
	_, err := cs.RbacV1().Roles(g.ns[0]).Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: sentinel}, Rules: rule}, metav1.CreateOptions{})
	mk(err)
	_, err = cs.RbacV1().RoleBindings(g.ns[0]).Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: sentinel},
		RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: sentinel}, Subjects: subj}, metav1.CreateOptions{})
	mk(err)
	rule[0].Resources = []string{"nodes"}
	_, err = cs.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: sentinel}, Rules: rule}, metav1.CreateOptions{})
	mk(err)
	deleteClusterRoleAtEnd(t, cs, sentinel)
	_, err = cs.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: sentinel},
		RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: sentinel}, Subjects: subj}, metav1.CreateOptions{})
	mk(err)
	deleteClusterRoleBindingAtEnd(t, cs, sentinel)
	for _, attrs := range []authorizationv1.ResourceAttributes{
		{Namespace: g.ns[0], Verb: "get", Resource: "configmaps", Name: sentinel},
		{Verb: "get", Resource: "nodes", Name: sentinel},
	} {
		require.Eventually(t, func() bool {
			ok, err := sar(t, cs, authz.AuthenticatedUser(sentinel), &attrs, nil)
			return err == nil && ok
		}, 10*time.Second, 50*time.Millisecond, "the authorizer never saw the sentinel %+v", attrs)
	}
}

// deleteClusterRoleAtEnd and deleteClusterRoleBindingAtEnd remove a test's cluster-wide RBAC
// objects when it ends: the random grants (cluster-admin to system:authenticated, say) must
// not reach the tests that follow. (Namespaced ones stay in the test's own namespaces.)
func deleteClusterRoleAtEnd(t *testing.T, cs kubernetes.Interface, name string) {
	t.Cleanup(func() {
		assert.NoError(t, cs.RbacV1().ClusterRoles().Delete(context.Background(), name, metav1.DeleteOptions{}))
	})
}

func deleteClusterRoleBindingAtEnd(t *testing.T, cs kubernetes.Interface, name string) {
	t.Cleanup(func() {
		assert.NoError(t, cs.RbacV1().ClusterRoleBindings().Delete(context.Background(), name, metav1.DeleteOptions{}))
	})
}

func sar(t *testing.T, cs kubernetes.Interface, u authz.User, ra *authorizationv1.ResourceAttributes, nra *authorizationv1.NonResourceAttributes) (bool, error) {
	res, err := cs.AuthorizationV1().SubjectAccessReviews().Create(t.Context(), &authorizationv1.SubjectAccessReview{
		Spec: authorizationv1.SubjectAccessReviewSpec{User: u.Name, Groups: u.Groups, ResourceAttributes: ra, NonResourceAttributes: nra},
	}, metav1.CreateOptions{})
	if err != nil {
		return false, err
	}
	return res.Status.Allowed, nil
}

// parityAsk is one question: may user make req?
type parityAsk struct {
	user authz.User
	req  authz.Request
}

// parityRun sets up one parity test: random RBAC objects from a generator seeded with seed
// (or KSPM_PARITY_SEED) on stream, in three fresh namespaces, and the engine over what the
// server lists. It returns how many requests to ask: requests, or KSPM_PARITY_REQUESTS, over
// share.
func parityRun(t *testing.T, seed, stream uint64, share int) (*parityGen, kubernetes.Interface, *authz.Engine, int) {
	t.Helper()
	if s := os.Getenv("KSPM_PARITY_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		require.NoError(t, err)
		seed = v
	}
	n := parityRequests
	if s := os.Getenv("KSPM_PARITY_REQUESTS"); s != "" {
		v, err := strconv.Atoi(s)
		require.NoError(t, err)
		n = v
	}
	n /= share
	t.Logf("seed %d, %d requests (set KSPM_PARITY_SEED and KSPM_PARITY_REQUESTS to change)", seed, n)
	cs := adminClient(t)
	g := &parityGen{r: rand.New(rand.NewPCG(seed, stream)), tag: freshName("p")[2:]}
	for range 3 {
		g.ns = append(g.ns, newNamespace(t, cs, "parity"))
	}
	createParityRBAC(t, cs, g)
	inv, err := inventory.FromConfig(t.Context(), adminConfig(), inventory.WithKinds(authz.Kinds()...))
	require.NoError(t, err)
	require.Empty(t, inv.Errors())
	engine := authz.New(inv)
	require.Empty(t, engine.Incomplete(), "the engine saw every RBAC kind")
	return g, cs, engine, n
}

// compareParity fails the test with every ask the engine (question) answers otherwise than
// the API server did (answers), and returns how many the server allowed.
func compareParity(t *testing.T, asks []parityAsk, answers []bool, question func(parityAsk) (bool, []authz.Grant)) int {
	t.Helper()
	var mismatches []string
	allowed := 0
	for i, a := range asks {
		got, grants := question(a)
		if answers[i] {
			allowed++
		}
		if got == answers[i] {
			continue
		}
		var why []string
		for _, gr := range grants {
			why = append(why, gr.String())
		}
		mismatches = append(mismatches, fmt.Sprintf("user %s: %s: API server allowed=%v, engine allowed=%v (grants: %s)",
			a.user, describe(a.req), answers[i], got, strings.Join(why, "; ")))
	}
	assert.Greater(t, allowed, len(asks)/10, "enough requests are allowed for the comparison to mean something")
	assert.Greater(t, len(asks)-allowed, len(asks)/10, "enough requests are denied")
	if len(mismatches) > 0 {
		slices.Sort(mismatches)
		show := mismatches[:min(len(mismatches), 40)]
		t.Errorf("%d of %d requests: the engine disagrees with the API server:\n%s", len(mismatches), len(asks), strings.Join(show, "\n"))
	}
	return allowed
}

// TestRBACEngineParity compares the engine's Can with the API server's SubjectAccessReview
// for random RBAC objects and thousands of random requests. The engine reads the inventory
// listed from the server, bootstrap roles and bindings (system:*) included.
func TestRBACEngineParity(t *testing.T) {
	g, cs, engine, n := parityRun(t, 20260101, 1, 1)
	asks := make([]parityAsk, n)
	for i := range asks {
		asks[i] = parityAsk{g.identity(), g.request()}
	}
	answers := make([]bool, len(asks))
	start := time.Now()
	eg, _ := errgroup.WithContext(t.Context())
	eg.SetLimit(paritySARs)
	for i, a := range asks {
		eg.Go(func() error {
			var err error
			answers[i], err = sarRequest(t, cs, a.user, a.req)
			return err
		})
	}
	require.NoError(t, eg.Wait())
	t.Logf("%d SubjectAccessReviews in %s", len(asks), time.Since(start).Round(time.Millisecond))
	allowed := compareParity(t, asks, answers, func(a parityAsk) (bool, []authz.Grant) { return engine.Can(a.user, a.req) })
	t.Logf("%d requests: %d allowed, %d denied by the API server", len(asks), allowed, len(asks)-allowed)
}

// TestRBACEngineAnywhereParity compares the engine's CanAnywhere ("in some namespace or
// cluster-wide") with the API server: a request is allowed somewhere when a
// SubjectAccessReview allows it cluster-wide, or in some namespace holding RoleBindings with
// the attributes the API server builds for it there (Request.Within: a Namespace's own
// requests name it, bind on ClusterRoles is asked in the RoleBinding's namespace, other
// requests on cluster-scoped resources carry no namespace). TestRBACPlacementRealRequests
// checks those attributes against real requests.
func TestRBACEngineAnywhereParity(t *testing.T) {
	g, cs, engine, n := parityRun(t, 20260102, 2, 4)
	// Every namespace where a RoleBinding may apply: asking in the others adds nothing.
	namespaces := []string{""}
	for _, b := range engine.Bindings() {
		if !b.ClusterWide() && !slices.Contains(namespaces, b.Namespace) {
			namespaces = append(namespaces, b.Namespace)
		}
	}
	asks := make([]parityAsk, n)
	for i := range asks {
		asks[i] = parityAsk{g.identity(), g.anywhereRequest()}
	}
	answers := make([]bool, len(asks))
	var mu sync.Mutex
	eg, _ := errgroup.WithContext(t.Context())
	eg.SetLimit(paritySARs)
	sars := 0
	for i, a := range asks {
		for _, ns := range namespaces {
			req, ok := a.req.Within(ns)
			if !ok && a.req.ResourceRequest {
				continue
			}
			if !a.req.ResourceRequest {
				if ns != "" {
					continue
				}
				req = a.req
			}
			sars++
			eg.Go(func() error {
				ok, err := sarRequest(t, cs, a.user, req)
				if ok {
					mu.Lock()
					answers[i] = true
					mu.Unlock()
				}
				return err
			})
		}
	}
	require.NoError(t, eg.Wait())
	t.Logf("%d SubjectAccessReviews for %d requests over %d namespaces", sars, len(asks), len(namespaces))
	allowed := compareParity(t, asks, answers, func(a parityAsk) (bool, []authz.Grant) { return engine.CanAnywhere(a.user, a.req) })

	// The comparison must exercise RoleBindings, on cluster-scoped resources too.
	byRoleBinding, clusterScoped := 0, 0
	for i, a := range asks {
		_, grants := engine.CanAnywhere(a.user, a.req)
		if answers[i] && len(grants) > 0 && !slices.ContainsFunc(grants, authz.Grant.ClusterWide) {
			byRoleBinding++
			if authz.IsClusterScoped(a.req.APIGroup, a.req.Resource) {
				clusterScoped++
			}
		}
	}
	t.Logf("%d requests: %d allowed somewhere (%d by RoleBindings only, %d of them on cluster-scoped resources), %d nowhere",
		len(asks), allowed, byRoleBinding, clusterScoped, len(asks)-allowed)
	assert.Greater(t, byRoleBinding, len(asks)/50, "enough are allowed by RoleBindings only")
	assert.Positive(t, clusterScoped, "RoleBinding grants on cluster-scoped resources are exercised")
}

// sarRequest asks a SubjectAccessReview for req as user.
func sarRequest(t *testing.T, cs kubernetes.Interface, u authz.User, req authz.Request) (bool, error) {
	if !req.ResourceRequest {
		return sar(t, cs, u, nil, &authorizationv1.NonResourceAttributes{Path: req.Path, Verb: req.Verb})
	}
	return sar(t, cs, u, &authorizationv1.ResourceAttributes{Namespace: req.Namespace, Verb: req.Verb, Group: req.APIGroup,
		Resource: req.Resource, Subresource: req.Subresource, Name: req.Name}, nil)
}

// describe spells a request with every attribute, for reproducing a mismatch.
func describe(r authz.Request) string {
	if !r.ResourceRequest {
		return fmt.Sprintf("nonResource{verb=%q path=%q}", r.Verb, r.Path)
	}
	return fmt.Sprintf("resource{verb=%q group=%q resource=%q subresource=%q name=%q namespace=%q}",
		r.Verb, r.APIGroup, r.Resource, r.Subresource, r.Name, r.Namespace)
}

// TestRBACPlacementRealRequests makes real requests as a user whose RoleBinding in namespace
// a grants verbs on cluster-scoped resources, and checks that the engine, asked about each
// request placed as Request.Within places it, agrees with what the API server did: a
// Namespace's own requests are authorized in it, list and create namespaces cluster-wide,
// bind on a ClusterRole in the namespace of the RoleBinding written, escalate and update on a
// ClusterRole cluster-wide. Writes are dry runs, which the API server authorizes (escalation
// checks included) as real ones.
func TestRBACPlacementRealRequests(t *testing.T) {
	cs := adminClient(t)
	ctx := t.Context()
	a, b := newNamespace(t, cs, "place"), newNamespace(t, cs, "place")
	u := freshName("placer")
	// A ClusterRole whose rule u holds nowhere, so that only bind lets u bind it.
	target := freshName("place-target")
	targetRule := authz.MustParseRequest("get", target+".place.example.com")
	mk := func(_ any, err error) { t.Helper(); require.NoError(t, err) }
	mk(cs.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: target},
		Rules: []rbacv1.PolicyRule{{Verbs: []string{targetRule.Verb}, APIGroups: []string{targetRule.APIGroup}, Resources: []string{targetRule.Resource}}}},
		metav1.CreateOptions{}))
	deleteClusterRoleAtEnd(t, cs, target)
	// Cluster-wide, the writes whose escalation checks are under test (so that only those
	// checks decide).
	base := freshName("place-base")
	mk(cs.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: base},
		Rules: []rbacv1.PolicyRule{{Verbs: []string{"create"}, APIGroups: []string{rbacv1.GroupName}, Resources: []string{"rolebindings", "clusterrolebindings"}},
			{Verbs: []string{"get", "update"}, APIGroups: []string{rbacv1.GroupName}, Resources: []string{"clusterroles"}}}}, metav1.CreateOptions{}))
	deleteClusterRoleAtEnd(t, cs, base)
	mk(cs.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: base},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: base},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: u}}}, metav1.CreateOptions{}))
	deleteClusterRoleBindingAtEnd(t, cs, base)
	// In namespace a only: verbs on namespaces and ClusterRoles.
	mk(cs.RbacV1().Roles(a).Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "placer"}, Rules: []rbacv1.PolicyRule{
		{Verbs: []string{"get", "list", "watch", "update", "patch", "delete", "create"}, APIGroups: []string{""}, Resources: []string{"namespaces", "namespaces/status"}},
		{Verbs: []string{"bind", "escalate"}, APIGroups: []string{rbacv1.GroupName}, Resources: []string{"clusterroles"}},
	}}, metav1.CreateOptions{}))
	mk(cs.RbacV1().RoleBindings(a).Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "placer"},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "placer"},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: u}}}, metav1.CreateOptions{}))
	user := authz.AuthenticatedUser(u)
	require.Eventually(t, func() bool {
		ok, err := sarRequest(t, cs, user, authz.MustParseRequest("get", "namespaces").Named(a).In(a))
		return err == nil && ok
	}, 10*time.Second, 50*time.Millisecond, "the authorizer never saw the RoleBinding")
	// Other tests' grants to every authenticated user must be gone (the authorizer sees
	// deletions a little later), or the escalation checks below would pass without bind.
	for _, ns := range []string{"", a, b} {
		require.Eventually(t, func() bool {
			ok, err := sarRequest(t, cs, user, targetRule.In(ns))
			return err == nil && !ok
		}, 10*time.Second, 50*time.Millisecond, "u holds %s in %q: the test cannot tell bind from holding the role", targetRule, ns)
	}
	inv, err := inventory.FromConfig(ctx, adminConfig(), inventory.WithKinds(authz.Kinds()...))
	require.NoError(t, err)
	engine := authz.New(inv)

	cfg := adminConfig()
	cfg.Impersonate = rest.ImpersonationConfig{UserName: u, Groups: []string{authz.GroupAuthenticated}}
	ucs, err := kubernetes.NewForConfig(cfg)
	require.NoError(t, err)
	dry := []string{metav1.DryRunAll}
	nsA, err := cs.CoreV1().Namespaces().Get(ctx, a, metav1.GetOptions{})
	require.NoError(t, err)
	bindTo := func(ns string) error {
		_, err := ucs.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "bound"},
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: target},
			Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "someone"}}}, metav1.CreateOptions{DryRun: dry})
		return err
	}
	tests := []struct {
		name string
		do   func() error
		req  authz.Request // what the request asks, in no namespace
		ns   string        // where the request is made ("" cluster-wide)
	}{
		{"get its own namespace", func() error { _, err := ucs.CoreV1().Namespaces().Get(ctx, a, metav1.GetOptions{}); return err },
			authz.MustParseRequest("get", "namespaces").Named(a), a},
		{"get another namespace", func() error { _, err := ucs.CoreV1().Namespaces().Get(ctx, b, metav1.GetOptions{}); return err },
			authz.MustParseRequest("get", "namespaces").Named(b), b},
		{"list namespaces", func() error { _, err := ucs.CoreV1().Namespaces().List(ctx, metav1.ListOptions{}); return err },
			authz.MustParseRequest("list", "namespaces"), ""},
		{"patch its own namespace", func() error {
			_, err := ucs.CoreV1().Namespaces().Patch(ctx, a, types.MergePatchType, []byte(`{"metadata":{"labels":{"x":"y"}}}`), metav1.PatchOptions{DryRun: dry})
			return err
		}, authz.MustParseRequest("patch", "namespaces").Named(a), a},
		{"update its own namespace's status", func() error {
			_, err := ucs.CoreV1().Namespaces().UpdateStatus(ctx, nsA, metav1.UpdateOptions{DryRun: dry})
			return err
		}, authz.MustParseRequest("update", "namespaces/status").Named(a), a},
		{"delete its own namespace", func() error { return ucs.CoreV1().Namespaces().Delete(ctx, a, metav1.DeleteOptions{DryRun: dry}) },
			authz.MustParseRequest("delete", "namespaces").Named(a), a},
		{"delete another namespace", func() error { return ucs.CoreV1().Namespaces().Delete(ctx, b, metav1.DeleteOptions{DryRun: dry}) },
			authz.MustParseRequest("delete", "namespaces").Named(b), b},
		{"create a namespace", func() error {
			_, err := ucs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: freshName("new")}}, metav1.CreateOptions{DryRun: dry})
			return err
		}, authz.MustParseRequest("create", "namespaces"), ""},
		{"bind a ClusterRole in its namespace", func() error { return bindTo(a) },
			authz.MustParseRequest("bind", "clusterroles.rbac.authorization.k8s.io").Named(target), a},
		{"bind a ClusterRole in another namespace", func() error { return bindTo(b) },
			authz.MustParseRequest("bind", "clusterroles.rbac.authorization.k8s.io").Named(target), b},
		{"bind a ClusterRole cluster-wide", func() error {
			_, err := ucs.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: freshName("bound")},
				RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: target},
				Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "someone"}}}, metav1.CreateOptions{DryRun: dry})
			return err
		}, authz.MustParseRequest("bind", "clusterroles.rbac.authorization.k8s.io").Named(target), ""},
		{"escalate a ClusterRole", func() error {
			cr, err := ucs.RbacV1().ClusterRoles().Get(ctx, target, metav1.GetOptions{})
			if err != nil {
				return err
			}
			cr.Rules = append(cr.Rules, rbacv1.PolicyRule{Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"*"}})
			_, err = ucs.RbacV1().ClusterRoles().Update(ctx, cr, metav1.UpdateOptions{DryRun: dry})
			return err
		}, authz.MustParseRequest("escalate", "clusterroles.rbac.authorization.k8s.io").Named(target), ""},
	}
	allowedSomewhere := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.do()
			require.True(t, err == nil || apierrors.IsForbidden(err), "neither allowed nor forbidden: %v", err)
			allowed := err == nil
			req, ok := tt.req.Within(tt.ns)
			require.True(t, ok, "the request is made in %q", tt.ns)
			got, grants := engine.Can(user, req)
			assert.Equal(t, allowed, got, "engine.Can(%s) (grants %v); the API server said %v", describe(req), grants, err)
			if allowed {
				allowedSomewhere++
				ok, _ := engine.CanAnywhere(user, tt.req)
				assert.True(t, ok, "CanAnywhere(%s)", describe(tt.req))
			}
		})
	}
	assert.Equal(t, 5, allowedSomewhere, "what the Role grants in its namespace, and nothing else")
}
