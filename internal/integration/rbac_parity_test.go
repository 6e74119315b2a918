//go:build integration

package integration

import (
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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/rbac"
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
	parityNames      = []string{"a", "b"}
	parityReqNames   = []string{"", "", "a", "b", "c"}
	parityReqPaths   = []string{"/healthz", "/healthz/etcd", "/metrics", "/logs", "/logs/", "/logs/kube-apiserver.log", "/api", "/api/v1", "/apis/apps", "/apis/apps/v1", "/apis/appsx", "/version", "/openapi/v2", "/debug/pprof", "/livez", "/readyz"}
	parityReqTargets = []struct{ group, resource, sub string }{
		{"", "pods", ""}, {"", "pods", "exec"}, {"", "pods", "log"}, {"", "pods", "*"}, {"", "pods", "status"},
		{"apps", "deployments", ""}, {"apps", "deployments", "scale"}, {"apps", "replicasets", "scale"},
		{"", "secrets", ""}, {"", "configmaps", ""}, {"", "nodes", ""}, {"", "nodes", "proxy"}, {"", "namespaces", ""},
		{"rbac.authorization.k8s.io", "clusterroles", ""}, {"rbac.authorization.k8s.io", "rolebindings", ""},
		{"batch", "jobs", ""}, {"example.com", "widgets", ""}, {"", "serviceaccounts", "token"}, {"", "users", ""},
		{"", "*", ""},
	}
)

func (g *parityGen) rules(nonResource bool) []rbacv1.PolicyRule {
	var out []rbacv1.PolicyRule
	for range 1 + g.r.IntN(3) {
		if nonResource && g.chance(0.3) {
			out = append(out, rbacv1.PolicyRule{Verbs: g.some(2, parityURLVerbs...), NonResourceURLs: g.some(2, parityURLs...)})
			continue
		}
		r := rbacv1.PolicyRule{Verbs: g.some(3, parityVerbs...), APIGroups: g.some(2, parityGroups...),
			Resources: g.some(3, parityResources...)}
		if g.chance(0.25) {
			r.ResourceNames = g.some(2, parityNames...)
		}
		out = append(out, r)
	}
	return out
}

func (g *parityGen) users() []string {
	return []string{"alice-" + g.tag, "bob-" + g.tag, "carol-" + g.tag}
}

func (g *parityGen) groups() []string {
	return []string{"dev-" + g.tag, "ops-" + g.tag, rbac.GroupAuthenticated, rbac.GroupUnauthenticated,
		rbac.GroupServiceAccounts, rbac.ServiceAccountGroupPrefix + g.ns[0]}
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
func (g *parityGen) identity() rbac.User {
	if g.chance(0.05) {
		return rbac.AnonymousUser()
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
		return rbac.AuthenticatedUser(name, groups...)
	}
	sa := g.serviceAccounts()[g.r.IntN(len(g.serviceAccounts()))]
	if g.chance(0.2) {
		return rbac.ServiceAccountUser(g.ns[2], "other")
	}
	return rbac.ServiceAccountUser(sa[0], sa[1])
}

func (g *parityGen) request() rbac.Request {
	if g.chance(0.2) {
		return rbac.NonResourceRequest(g.pick("get", "post", "put", "head", "delete"), g.pick(parityReqPaths...))
	}
	t := parityReqTargets[g.r.IntN(len(parityReqTargets))]
	verbs := append(slices.Clone(parityVerbs[:9]), "impersonate", "bind", "escalate", "use")
	return rbac.Request{
		Verb: g.pick(verbs...), APIGroup: t.group, Resource: t.resource, Subresource: t.sub,
		Name: g.pick(parityReqNames...), Namespace: g.pick(append([]string{"", "", "kube-system"}, g.ns...)...),
		ResourceRequest: true,
	}
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
		ref := refs[g.r.IntN(len(refs))]
		if i == 0 {
			ref.Name = "cluster-admin" // one identity may do anything
		}
		_, err := cs.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("parity-%s-%d", g.tag, i)},
			RoleRef:    ref, Subjects: g.subjects(""),
		}, metav1.CreateOptions{})
		mk(err)
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
	_, err = cs.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: sentinel},
		RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: sentinel}, Subjects: subj}, metav1.CreateOptions{})
	mk(err)
	for _, attrs := range []authorizationv1.ResourceAttributes{
		{Namespace: g.ns[0], Verb: "get", Resource: "configmaps", Name: sentinel},
		{Verb: "get", Resource: "nodes", Name: sentinel},
	} {
		require.Eventually(t, func() bool {
			ok, err := sar(t, cs, rbac.AuthenticatedUser(sentinel), &attrs, nil)
			return err == nil && ok
		}, 10*time.Second, 50*time.Millisecond, "the authorizer never saw the sentinel %+v", attrs)
	}
}

func sar(t *testing.T, cs kubernetes.Interface, u rbac.User, ra *authorizationv1.ResourceAttributes, nra *authorizationv1.NonResourceAttributes) (bool, error) {
	res, err := cs.AuthorizationV1().SubjectAccessReviews().Create(t.Context(), &authorizationv1.SubjectAccessReview{
		Spec: authorizationv1.SubjectAccessReviewSpec{User: u.Name, Groups: u.Groups, ResourceAttributes: ra, NonResourceAttributes: nra},
	}, metav1.CreateOptions{})
	if err != nil {
		return false, err
	}
	return res.Status.Allowed, nil
}

// TestRBACEngineParity compares the engine's Can with the API server's SubjectAccessReview
// for random RBAC objects and thousands of random requests. The engine reads the inventory
// listed from the server, bootstrap roles and bindings (system:*) included.
func TestRBACEngineParity(t *testing.T) {
	seed := uint64(20260101)
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
	t.Logf("seed %d, %d requests (set KSPM_PARITY_SEED and KSPM_PARITY_REQUESTS to change)", seed, n)
	cs := adminClient(t)
	g := &parityGen{r: rand.New(rand.NewPCG(seed, 1)), tag: freshName("p")[2:]}
	for range 3 {
		g.ns = append(g.ns, newNamespace(t, cs, "parity"))
	}
	createParityRBAC(t, cs, g)

	inv, err := inventory.FromConfig(t.Context(), adminConfig(), inventory.WithKinds(rbac.Kinds()...))
	require.NoError(t, err)
	require.Empty(t, inv.Errors())
	engine := rbac.New(inv)
	require.Empty(t, engine.Complete(), "the engine saw every RBAC kind")

	type askT struct {
		user rbac.User
		req  rbac.Request
	}
	asks := make([]askT, n)
	for i := range asks {
		asks[i] = askT{g.identity(), g.request()}
	}
	answers := make([]bool, len(asks))
	start := time.Now()
	eg, _ := errgroup.WithContext(t.Context())
	eg.SetLimit(paritySARs)
	for i, a := range asks {
		eg.Go(func() error {
			var err error
			if a.req.ResourceRequest {
				answers[i], err = sar(t, cs, a.user, &authorizationv1.ResourceAttributes{
					Namespace: a.req.Namespace, Verb: a.req.Verb, Group: a.req.APIGroup, Resource: a.req.Resource,
					Subresource: a.req.Subresource, Name: a.req.Name}, nil)
			} else {
				answers[i], err = sar(t, cs, a.user, nil, &authorizationv1.NonResourceAttributes{Path: a.req.Path, Verb: a.req.Verb})
			}
			return err
		})
	}
	require.NoError(t, eg.Wait())
	t.Logf("%d SubjectAccessReviews in %s", len(asks), time.Since(start).Round(time.Millisecond))

	var (
		mu         sync.Mutex
		mismatches []string
		allowed    int
	)
	for i, a := range asks {
		got, grants := engine.Can(a.user, a.req)
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
		mu.Lock()
		mismatches = append(mismatches, fmt.Sprintf("user %s: %s: API server allowed=%v, engine allowed=%v (grants: %s)",
			a.user, describe(a.req), answers[i], got, strings.Join(why, "; ")))
		mu.Unlock()
	}
	t.Logf("%d requests: %d allowed, %d denied by the API server", len(asks), allowed, len(asks)-allowed)
	assert.Greater(t, allowed, len(asks)/10, "enough requests are allowed for the comparison to mean something")
	assert.Greater(t, len(asks)-allowed, len(asks)/10, "enough requests are denied")
	if len(mismatches) > 0 {
		slices.Sort(mismatches)
		show := mismatches[:min(len(mismatches), 40)]
		t.Errorf("%d of %d requests: the engine disagrees with the API server:\n%s", len(mismatches), len(asks), strings.Join(show, "\n"))
	}
}

// describe spells a request with every attribute, for reproducing a mismatch.
func describe(r rbac.Request) string {
	if !r.ResourceRequest {
		return fmt.Sprintf("nonResource{verb=%q path=%q}", r.Verb, r.Path)
	}
	return fmt.Sprintf("resource{verb=%q group=%q resource=%q subresource=%q name=%q namespace=%q}",
		r.Verb, r.APIGroup, r.Resource, r.Subresource, r.Name, r.Namespace)
}
