package rbac

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/authz"
)

// References cited by every check.
var references = []string{
	"https://kubernetes.io/docs/concepts/security/rbac-good-practices/",
	"https://kubernetes.io/docs/reference/access-authn-authz/rbac/",
}

var bindingKinds = []schema.GroupKind{inventory.KindRoleBinding, inventory.KindClusterRoleBinding}

// permScope restricts where a permission counts.
type permScope int

const (
	// anywhere: cluster-wide or in any namespace.
	anywhere permScope = iota
	// clusterWideOnly: granted by ClusterRoleBindings (every namespace at once).
	clusterWideOnly
	// namespacedOnly: granted by RoleBindings, in their namespace.
	namespacedOnly
)

// permission is a risky capability: holding any of its requests is holding it.
type permission struct {
	// what completes "can ...", e.g. "read secrets".
	what     string
	requests []authz.Request
	scope    permScope
}

// requests builds requests for every verb × resource, each for some name (a rule restricted
// by resourceNames still hands out the capability on those objects).
func requests(verbs []string, resources ...string) []authz.Request {
	var out []authz.Request
	for _, r := range resources {
		for _, v := range verbs {
			out = append(out, authz.MustParseRequest(v, r).ForSomeName())
		}
	}
	return out
}

// holding is what one binding subject holds of a permission.
type holding struct {
	grant authz.Grant // the first grant found; names subject, binding and role
	// resources and verbs are the resources held, in request order, and their verbs.
	resources []string
	verbs     map[string][]string
	rules     []authz.Rule
}

func (h *holding) add(req authz.Request, g authz.Grant) {
	r := req.GroupResource()
	if h.verbs == nil {
		h.verbs = make(map[string][]string)
	}
	if _, ok := h.verbs[r]; !ok {
		h.resources = append(h.resources, r)
	}
	if !slices.Contains(h.verbs[r], req.Verb) {
		h.verbs[r] = append(h.verbs[r], req.Verb)
	}
	if !slices.ContainsFunc(h.rules, func(r authz.Rule) bool { return r.Index == g.Rule.Index }) {
		h.rules = append(h.rules, g.Rule)
	}
}

// chain returns "subject → binding → role → rule #i (...); rule #j (...)".
func (h *holding) chain() string {
	slices.SortFunc(h.rules, func(a, b authz.Rule) int { return cmp.Compare(a.Index, b.Index) })
	rules := make([]string, len(h.rules))
	for i, r := range h.rules {
		rules[i] = r.String()
	}
	g := h.grant
	return g.Subject.String() + " → " + g.Binding.String() + " → " + g.Role.String() + " → " + strings.Join(rules, "; ")
}

// actions returns what is held: "get, watch secrets; create pods".
func (h *holding) actions() string {
	parts := make([]string, len(h.resources))
	for i, r := range h.resources {
		parts[i] = strings.Join(h.verbs[r], ", ") + " " + r
	}
	return strings.Join(parts, "; ")
}

// message returns "SUBJECT can ACTIONS SCOPE (CHAIN)".
func (h *holding) message() string {
	return fmt.Sprintf("%s can %s %s (%s)", h.grant.Subject, h.actions(), h.grant.Scope(), h.chain())
}

// field is the binding subject's field path.
func (h *holding) field() string { return fmt.Sprintf("subjects[%d]", h.grant.SubjectIndex) }

type holdingKey struct {
	kind, namespace, name string
	subject               int
}

// holdings returns, per binding subject, what it holds of p through grants the allow-list
// does not allow, ordered by binding and subject.
func holdings(e *authz.Engine, p permission, allow allowList) []*holding {
	byKey := make(map[holdingKey]*holding)
	var out []*holding
	for _, req := range p.requests {
		var gs []authz.Grant
		if p.scope == clusterWideOnly {
			gs = e.WhoCan(req.In(""))
		} else {
			gs = e.WhoCanAnywhere(req)
		}
		for _, g := range gs {
			if p.scope == namespacedOnly && g.ClusterWide() || allow.allowsRequest(g, req) {
				continue
			}
			k := holdingKey{g.Binding.Kind, g.Binding.Namespace, g.Binding.Name, g.SubjectIndex}
			h := byKey[k]
			if h == nil {
				h = &holding{grant: g}
				byKey[k] = h
				out = append(out, h)
			}
			h.add(req, g)
		}
	}
	sortHoldings(out)
	return out
}

// heldBy answers "which grant outside the allow-list first gives this identity one of these
// requests" for many identities at once. Asking the engine about each identity in turn costs
// as many rule matches as the identity has bindings, and every identity is in groups
// (system:authenticated, system:serviceaccounts) that bindings of any number of namespaces
// may name: over all service accounts, that grows with the square of the cluster. heldBy asks
// who holds each request once and indexes the answer by binding subject; an identity then
// costs a map look-up per subject that applies to it (authz.User.Subjects).
type heldBy map[authz.Subject]*heldGrant

// heldGrant is a subject's first grant: of request number req, at position pos of the
// engine's answer (binding, subject and rule order).
type heldGrant struct {
	req, pos int
	g        authz.Grant
}

// holders indexes the first grant outside the allow-list of any of reqs (asked anywhere) to
// each binding subject, in request order, then in the engine's order.
func holders(e *authz.Engine, reqs []authz.Request, allow allowList) heldBy {
	h := make(heldBy)
	for ri, req := range reqs {
		for pos, g := range e.WhoCanAnywhere(req) {
			if _, ok := h[g.Subject]; !ok && !allow.allowsRequest(g, req) {
				h[g.Subject] = &heldGrant{ri, pos, g}
			}
		}
	}
	return h
}

// first returns the first grant to any of subjects (those applying to one identity): the
// grant an identity asked about request after request would find first.
func (h heldBy) first(subjects []authz.Subject) (authz.Grant, bool) {
	var best *heldGrant
	for _, s := range subjects {
		if x := h[s]; x != nil && (best == nil || x.req < best.req || x.req == best.req && x.pos < best.pos) {
			best = x
		}
	}
	if best == nil {
		return authz.Grant{}, false
	}
	return best.g, true
}

func sortHoldings(hs []*holding) {
	slices.SortFunc(hs, func(a, b *holding) int {
		x, y := a.grant, b.grant
		return cmp.Or(cmp.Compare(bindingOrder(x.Binding.Kind), bindingOrder(y.Binding.Kind)),
			cmp.Compare(x.Binding.Namespace, y.Binding.Namespace), cmp.Compare(x.Binding.Name, y.Binding.Name),
			cmp.Compare(x.SubjectIndex, y.SubjectIndex))
	})
}

func bindingOrder(kind string) int {
	if kind == authz.KindClusterRoleBinding {
		return 0
	}
	return 1
}

// permissionCheck returns a check that fails every binding subject holding p.
func permissionCheck(c *engineCache, meta check.Meta, p permission) check.Check {
	meta.Section = Section
	meta.Params = allowParams()
	meta.Kinds = bindingKinds
	meta.Depends = bindingDeps
	if meta.References == nil {
		meta.References = references
	}
	return check.New(meta, func(ctx context.Context, pass *check.Pass) error {
		allow, err := allowListFrom(pass.Params)
		if err != nil {
			return err
		}
		e := c.get(pass.Inventory)
		hs := holdings(e, p, allow)
		for _, h := range hs {
			pass.Fail(h.grant.Binding.Object, h.field(), h.message())
		}
		conclude(pass, e.Incomplete(), len(hs), "no subject outside the allow-list can "+p.what)
		return ctx.Err()
	})
}

// conclude reports the check's verdict besides its failures: notEvaluated when incomplete
// says why others might hold what was looked for, else a pass when nothing failed.
func conclude(pass *check.Pass, incomplete string, fails int, passMsg string) {
	switch {
	case incomplete != "" && fails > 0:
		pass.NotEvaluated(nil, "there may be more than the failures reported: "+incomplete)
	case incomplete != "":
		pass.NotEvaluated(nil, "cannot tell: "+incomplete)
	case fails == 0:
		pass.Pass(nil, passMsg)
	}
}
