package authz

import (
	"cmp"
	"fmt"
	"slices"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/inventory"
)

// Kinds returns the kinds whose complete listing the engine's negative answers ("nobody can")
// depend on.
func Kinds() []schema.GroupKind {
	return []schema.GroupKind{inventory.KindRole, inventory.KindClusterRole,
		inventory.KindRoleBinding, inventory.KindClusterRoleBinding}
}

// Engine answers RBAC questions over one inventory. Build it once with New; it is immutable
// and safe for concurrent use.
type Engine struct {
	inv    *inventory.Inventory
	unseen string

	clusterRoles []*Role                     // by name
	roles        []*Role                     // Roles by namespace, name
	roleByKey    map[roleKey]*Role           // every role; of one defined in several places, the last
	roleOf       map[*inventory.Object]*Role // every role by its object, when the inventory has variants
	rolesByNS    map[string][]*Role          // Roles by namespace
	bindings     []*Binding                  // ClusterRoleBindings, then RoleBindings, by namespace and name
	unresolved   []*Binding
	partial      []*Binding // bindings of roles whose rules are incomplete (Role.Incomplete)

	// Bindings that grant each role: ClusterRoleBindings, RoleBindings in any namespace, and
	// RoleBindings by namespace.
	crbsOf map[*Role][]*Binding
	rbsOf  map[*Role][]*Binding
	rbsIn  map[nsRole][]*Binding

	// Binding subjects by the user name they apply to (User subjects, and ServiceAccount
	// subjects by their service account user name) and by group.
	byUser  map[string][]subjectRef
	byGroup map[string][]subjectRef

	problems []error
}

type roleKey struct{ kind, namespace, name string }

type nsRole struct {
	namespace string
	role      *Role
}

type subjectRef struct {
	b *Binding
	i int
}

// hit is a grant before it is materialised: small, pointer-light and cheap to sort.
type hit struct {
	b    *Binding
	i    int
	rule *Rule
}

// New builds an engine over inv: it resolves every role's effective rules (aggregated
// ClusterRoles included) and every binding's role, and indexes bindings by role and by
// subject. Building is linear in the number of roles, bindings and subjects.
//
// Manifests may define a role or binding in several places (variants, see inventory.View):
// every definition is a role or binding of the engine, and what a subject can do is what any
// of its bindings grants. A binding grants the definition of its role nearest the binding,
// and an aggregated ClusterRole collects, of each role its selectors match, the definition
// nearest it; so the answers do not depend on the order the input was read in.
func New(inv *inventory.Inventory) *Engine {
	e := &Engine{
		inv:       inv,
		unseen:    inv.Unseen(Kinds()...),
		roleByKey: make(map[roleKey]*Role),
		rolesByNS: make(map[string][]*Role),
		crbsOf:    make(map[*Role][]*Binding),
		rbsOf:     make(map[*Role][]*Binding),
		rbsIn:     make(map[nsRole][]*Binding),
		byUser:    make(map[string][]subjectRef),
		byGroup:   make(map[string][]subjectRef),
	}
	e.loadRoles()
	e.loadBindings()
	return e
}

func (e *Engine) loadRoles() {
	crObjs := e.inv.ByKind(inventory.KindClusterRole)
	crs := make([]*rbacv1.ClusterRole, 0, len(crObjs))
	objOf := make(map[*rbacv1.ClusterRole]*inventory.Object, len(crObjs))
	for _, o := range crObjs {
		if cr, ok := o.Object().(*rbacv1.ClusterRole); ok {
			crs = append(crs, cr)
			objOf[cr] = o
		}
	}
	// Inventories listed from a cluster carry the rules the aggregation controller wrote and
	// the authorizer reads; manifests need the controller's work done here.
	resolve := e.inv.Mode() != inventory.ModeCluster
	agg := newAggregator(crs)
	if e.inv.HasVariants() {
		// A ClusterRole defined in several places aggregates, of each role its selectors
		// may match, the definition nearest it.
		agg.nearest = func(from *rbacv1.ClusterRole, name string) *rbacv1.ClusterRole {
			if o := e.inv.From(objOf[from]).Get(inventory.KindClusterRole, "", name); o != nil {
				cr, _ := o.Object().(*rbacv1.ClusterRole)
				return cr
			}
			return nil
		}
		agg.where = func(cr *rbacv1.ClusterRole) string { return objOf[cr].Source().String() }
		e.roleOf = make(map[*inventory.Object]*Role)
	}
	for _, cr := range crs {
		r := &Role{Kind: KindClusterRole, Name: cr.Name, Object: objOf[cr]}
		if resolve && cr.AggregationRule != nil {
			r.Rules, r.Aggregated = agg.rules(cr)
			r.Incomplete = agg.incomplete[cr]
		} else {
			r.Rules = toRules(cr.Rules)
		}
		e.addRole(r)
	}
	e.problems = append(e.problems, agg.problems...)
	// cluster-admin exists in every cluster with fixed rules. When the input does not show it
	// (manifests, or ClusterRoles not listable), stand in for it.
	if _, ok := e.roleByKey[roleKey{KindClusterRole, "", ClusterAdmin}]; !ok &&
		(e.inv.Mode() != inventory.ModeCluster || !e.inv.Coverage(inventory.KindClusterRole).Complete()) {
		e.addRole(clusterAdminStandIn())
	}
	for _, o := range e.inv.ByKind(inventory.KindRole) {
		ro, ok := o.Object().(*rbacv1.Role)
		if !ok {
			continue
		}
		r := &Role{Kind: KindRole, Namespace: ro.Namespace, Name: ro.Name, Object: o, Rules: toRules(ro.Rules)}
		e.addRole(r)
		e.rolesByNS[r.Namespace] = append(e.rolesByNS[r.Namespace], r)
	}
	// Stable: the definitions of a ClusterRole defined in several places stay in inventory order.
	slices.SortStableFunc(e.clusterRoles, func(a, b *Role) int { return cmp.Compare(a.Name, b.Name) })
}

func (e *Engine) addRole(r *Role) {
	e.roleByKey[roleKey{r.Kind, r.Namespace, r.Name}] = r // of variants, the last, as Inventory.Get
	if e.roleOf != nil && r.Object != nil {
		e.roleOf[r.Object] = r
	}
	if r.Kind == KindClusterRole {
		e.clusterRoles = append(e.clusterRoles, r)
	} else {
		e.roles = append(e.roles, r)
	}
}

func (e *Engine) loadBindings() {
	for _, o := range e.inv.ByKind(inventory.KindClusterRoleBinding) {
		if crb, ok := o.Object().(*rbacv1.ClusterRoleBinding); ok {
			e.addBinding(&Binding{Kind: KindClusterRoleBinding, Name: crb.Name, Object: o, RoleRef: crb.RoleRef}, crb.Subjects)
		}
	}
	for _, o := range e.inv.ByKind(inventory.KindRoleBinding) {
		if rb, ok := o.Object().(*rbacv1.RoleBinding); ok {
			e.addBinding(&Binding{Kind: KindRoleBinding, Namespace: rb.Namespace, Name: rb.Name, Object: o, RoleRef: rb.RoleRef}, rb.Subjects)
		}
	}
}

func (e *Engine) addBinding(b *Binding, subjects []rbacv1.Subject) {
	b.ord = len(e.bindings)
	e.bindings = append(e.bindings, b)
	b.Subjects = make([]Subject, len(subjects))
	b.dup = make([]bool, len(subjects))
	seen := make(map[Subject]bool, len(subjects))
	for i, s := range subjects {
		sub := Subject{Kind: s.Kind, Name: s.Name}
		switch s.Kind {
		case KindServiceAccount:
			sub.Namespace = s.Namespace
			if sub.Namespace == "" {
				sub.Namespace = b.Namespace // a ClusterRoleBinding leaves it empty: matches no one
			}
			if sub.Namespace != "" {
				u := ServiceAccountUsername(sub.Namespace, sub.Name)
				e.byUser[u] = append(e.byUser[u], subjectRef{b, i})
			}
		case KindUser:
			e.byUser[s.Name] = append(e.byUser[s.Name], subjectRef{b, i})
		case KindGroup:
			e.byGroup[s.Name] = append(e.byGroup[s.Name], subjectRef{b, i})
		}
		b.Subjects[i] = sub
		b.dup[i] = seen[sub]
		seen[sub] = true
	}
	e.resolveRole(b)
	switch b.RoleStatus {
	case RoleFound:
		if b.Role.Incomplete != "" {
			e.partial = append(e.partial, b)
		}
		if b.ClusterWide() {
			e.crbsOf[b.Role] = append(e.crbsOf[b.Role], b)
		} else {
			e.rbsOf[b.Role] = append(e.rbsOf[b.Role], b)
			k := nsRole{b.Namespace, b.Role}
			e.rbsIn[k] = append(e.rbsIn[k], b)
		}
	case RoleUnknown:
		e.unresolved = append(e.unresolved, b)
	}
}

func (e *Engine) resolveRole(b *Binding) {
	ref := b.RoleRef
	var key roleKey
	var gk schema.GroupKind
	switch {
	case ref.Kind == KindClusterRole:
		key, gk = roleKey{KindClusterRole, "", ref.Name}, inventory.KindClusterRole
	case ref.Kind == KindRole && !b.ClusterWide():
		key, gk = roleKey{KindRole, b.Namespace, ref.Name}, inventory.KindRole
	case ref.Kind == KindRole:
		b.RoleStatus, b.RoleReason = RoleInvalid, "a ClusterRoleBinding cannot grant a Role"
		return
	default:
		b.RoleStatus, b.RoleReason = RoleInvalid, fmt.Sprintf("roleRef kind %q is neither Role nor ClusterRole", ref.Kind)
		return
	}
	if r, ok := e.roleByKey[key]; ok {
		if e.roleOf != nil && r.Object != nil {
			// The role may be defined in several places: the binding grants the nearest.
			if nr := e.roleOf[e.inv.From(b.Object).Get(gk, key.namespace, key.name)]; nr != nil {
				r = nr
			}
		}
		b.Role, b.RoleStatus = r, RoleFound
		return
	}
	switch {
	case !e.inv.Coverage(gk).Complete():
		b.RoleStatus = RoleUnknown
		b.RoleReason = fmt.Sprintf("%s is not in the inventory, whose %s are not completely known (%s)",
			b.RoleRefString(), kindPlural(gk), e.inv.Unseen(gk))
	case e.inv.Mode() != inventory.ModeCluster && isBuiltinRoleName(key.kind, key.namespace, key.name):
		b.RoleStatus = RoleUnknown
		b.RoleReason = fmt.Sprintf("%s is a built-in role that the input does not define", b.RoleRefString())
	default:
		b.RoleStatus = RoleMissing
		b.RoleReason = fmt.Sprintf("%s does not exist", b.RoleRefString())
	}
}

func kindPlural(gk schema.GroupKind) string {
	if k, ok := inventory.LookupKind(gk); ok {
		return k.Resource
	}
	return gk.Kind
}

// Inventory returns the inventory the engine was built from.
func (e *Engine) Inventory() *inventory.Inventory { return e.inv }

// Unseen returns why the inventory's RBAC objects (Roles, ClusterRoles, RoleBindings,
// ClusterRoleBindings) are not completely known, or "" when they are. When it is not empty,
// a grant found is real but "nobody can" is not an answer: report not-evaluated instead.
func (e *Engine) Unseen() string { return e.unseen }

// Unresolved returns the bindings whose role may exist but is not in the inventory
// (RoleUnknown): what they grant is unknown, so "nobody can" is not an answer while there
// are any.
func (e *Engine) Unresolved() []*Binding { return e.unresolved }

// Incomplete returns "" when the engine's answers are complete, so that an empty WhoCan means
// nobody can; otherwise the reason they are not (see Unseen and Unresolved, and
// Role.Incomplete for aggregated roles read from manifests).
func (e *Engine) Incomplete() string {
	if e.unseen != "" {
		return "RBAC objects not completely known: " + e.unseen
	}
	if n := len(e.unresolved); n > 0 {
		b := e.unresolved[0]
		s := fmt.Sprintf("%s: %s, so what it grants is unknown", b, b.RoleReason)
		if n > 1 {
			s += fmt.Sprintf(" (and %d more bindings like it)", n-1)
		}
		return s
	}
	if n := len(e.partial); n > 0 {
		b := e.partial[0]
		s := fmt.Sprintf("%s: %s may grant more than the input shows: %s", b, b.RoleRefString(), b.Role.Incomplete)
		if n > 1 {
			s += fmt.Sprintf(" (and %d more bindings of such roles)", n-1)
		}
		return s
	}
	return ""
}

// Problems returns what the engine could not resolve cleanly: invalid or cyclic aggregation
// rules.
func (e *Engine) Problems() []error { return slices.Clone(e.problems) }

// Bindings returns every binding: ClusterRoleBindings by name, then RoleBindings by
// namespace and name. The slice is shared: do not modify it.
func (e *Engine) Bindings() []*Binding { return e.bindings }

// ClusterRoles returns every ClusterRole with its effective rules, by name (each definition of
// one defined in several places, in inventory order), including a built-in stand-in for
// cluster-admin when the input lacks it. The slice is shared.
func (e *Engine) ClusterRoles() []*Role { return e.clusterRoles }

// Roles returns every Role, by namespace and name (each definition of one defined in several
// places, in inventory order). The slice is shared.
func (e *Engine) Roles() []*Role { return e.roles }

// Role returns the role of kind ("Role" or "ClusterRole") named name (in namespace for a
// Role), or nil. Of a role defined in several places it returns the last definition, as
// inventory.Inventory.Get does; a binding's role is Binding.Role, the definition nearest it.
func (e *Engine) Role(kind, namespace, name string) *Role {
	if kind == KindClusterRole {
		namespace = ""
	}
	return e.roleByKey[roleKey{kind, namespace, name}]
}

// SubjectBindings returns the bindings that name the subject s directly (a User of that
// name, a ServiceAccount of that namespace and name, or the Group), in binding order, whether
// or not their role resolves. A User subject named like a service account's user name is not
// a ServiceAccount subject: ask for each kind.
func (e *Engine) SubjectBindings(s Subject) []*Binding {
	var refs []subjectRef
	switch s.Kind {
	case KindUser:
		refs = e.byUser[s.Name]
	case KindServiceAccount:
		refs = e.byUser[ServiceAccountUsername(s.Namespace, s.Name)]
	case KindGroup:
		refs = e.byGroup[s.Name]
	}
	var out []*Binding
	for _, r := range refs {
		if r.b.Subjects[r.i] == s {
			out = append(out, r.b)
		}
	}
	slices.SortFunc(out, func(a, b *Binding) int { return cmp.Compare(a.ord, b.ord) })
	return slices.Compact(out)
}

// scope selects which bindings apply to a request.
type scope int

const (
	// scopeExact: as the authorizer: ClusterRoleBindings, plus RoleBindings of the request's
	// namespace.
	scopeExact scope = iota
	// scopeAnywhere: ClusterRoleBindings, plus RoleBindings of any namespace, each for the
	// request as the API server would authorize it in the binding's namespace (see
	// Request.Within).
	scopeAnywhere
)

// requestFor returns the request b's rules are matched against for req asked in scope sc, and
// false when b does not apply to req.
func requestFor(b *Binding, req Request, sc scope) (Request, bool) {
	switch {
	case b.ClusterWide():
		return req, true
	case !req.ResourceRequest:
		return Request{}, false
	case sc == scopeAnywhere:
		return req.Within(b.Namespace)
	}
	return req, req.Namespace != "" && req.Namespace == b.Namespace
}

// Can reports whether user may make req, as the RBAC authorizer would decide, and returns
// every grant that allows it (not only the first), ordered by binding, subject and rule. To
// ask many questions about one user, use Identity.
func (e *Engine) Can(user User, req Request) (bool, []Grant) {
	return e.Identity(user).Can(req)
}

// CanAnywhere reports whether user may make req in at least one namespace or cluster-wide,
// and returns every grant that allows it: ClusterRoleBinding grants, and RoleBinding grants of
// any namespace for the request as the API server would authorize it in the binding's
// namespace (Request.Within): never for a request it authorizes cluster-wide only, such as
// one on nodes or list namespaces; for a Namespace object, only in that namespace (so only
// for a request that names it, or asks about some Namespace with AnyName). req.Namespace is
// ignored.
func (e *Engine) CanAnywhere(user User, req Request) (bool, []Grant) {
	return e.Identity(user).CanAnywhere(req)
}

// Identity is a user with the bindings that apply to it found once, for asking many
// questions about the same user. It is immutable and safe for concurrent use.
type Identity struct {
	e    *Engine
	user User
	refs []subjectRef // every binding subject that applies (repeats left out), in binding, then subject order
}

// Identity returns user with the bindings that apply to it resolved.
func (e *Engine) Identity(user User) *Identity {
	id := &Identity{e: e, user: user}
	note := func(refs []subjectRef) {
		for _, r := range refs {
			if !r.b.dup[r.i] {
				id.refs = append(id.refs, r)
			}
		}
	}
	note(e.byUser[user.Name])
	for _, g := range slices.Compact(slices.Sorted(slices.Values(user.Groups))) {
		note(e.byGroup[g])
	}
	// A subject is indexed under one user name or group: no ref is noted twice.
	slices.SortFunc(id.refs, func(x, y subjectRef) int { return cmp.Or(cmp.Compare(x.b.ord, y.b.ord), cmp.Compare(x.i, y.i)) })
	return id
}

// User returns the identity's user.
func (id *Identity) User() User { return id.user }

// Can is Engine.Can for this identity.
func (id *Identity) Can(req Request) (bool, []Grant) {
	gs := id.can(req, scopeExact)
	return len(gs) > 0, gs
}

// CanAnywhere is Engine.CanAnywhere for this identity.
func (id *Identity) CanAnywhere(req Request) (bool, []Grant) {
	gs := id.can(req, scopeAnywhere)
	return len(gs) > 0, gs
}

// can returns the grants in binding, subject, then rule order, as refs are.
func (id *Identity) can(req Request, sc scope) []Grant {
	if sc == scopeAnywhere {
		req.Namespace = ""
	}
	// RoleBindings: not for a request in no namespace (or a non-resource one); anywhere, not
	// for a request the API server never authorizes in a namespace.
	rbs := req.ResourceRequest && (sc == scopeAnywhere || req.Namespace != "")
	if rbs && sc == scopeAnywhere {
		rbs = req.placement() != placedCluster
	}
	var out []Grant
	for _, r := range id.refs {
		b := r.b
		if b.RoleStatus != RoleFound || !b.ClusterWide() && !rbs {
			continue
		}
		breq, ok := requestFor(b, req, sc)
		if !ok {
			continue
		}
		for k := range b.Role.Rules {
			if rule := &b.Role.Rules[k]; RuleAllows(&rule.PolicyRule, breq) {
				out = append(out, grant(b, r.i, rule))
			}
		}
	}
	return out
}

// RulesFor is Engine.RulesFor for this identity.
func (id *Identity) RulesFor(namespace string) []Grant {
	var out []Grant
	for j, r := range id.refs {
		b := r.b
		if j > 0 && id.refs[j-1].b == b {
			continue // the binding's rules once, through its first subject that applies
		}
		if b.RoleStatus != RoleFound || !(b.ClusterWide() || namespace != "" && b.Namespace == namespace) {
			continue
		}
		for k := range b.Role.Rules {
			out = append(out, grant(b, r.i, &b.Role.Rules[k]))
		}
	}
	return out
}

// WhoCan returns every grant that allows req, as the RBAC authorizer would decide for any
// identity: ClusterRoleBinding grants, and for a request in a namespace the RoleBinding grants
// of that namespace. Each binding subject is listed as the binding names it (once per binding
// and matching rule), ordered by binding, subject and rule. When Complete is not "", an empty
// answer does not mean nobody can.
func (e *Engine) WhoCan(req Request) []Grant {
	return e.whoCan(req, scopeExact)
}

// WhoCanAnywhere returns every grant that allows req in at least one namespace or
// cluster-wide: ClusterRoleBinding grants, and RoleBinding grants of every namespace, each for
// the request as the API server would authorize it in the binding's namespace
// (Request.Within). req.Namespace is ignored.
func (e *Engine) WhoCanAnywhere(req Request) []Grant {
	return e.whoCan(req, scopeAnywhere)
}

func (e *Engine) whoCan(req Request, sc scope) []Grant {
	if !req.ResourceRequest || sc == scopeAnywhere {
		req.Namespace = ""
	}
	ns := req.Namespace
	// Which RoleBindings apply, and to what: in a namespace, those of the namespace; anywhere,
	// every one for the request in its own namespace, which for a Namespace object's requests
	// (placedInOwnName) names that namespace, so that a role's rules are matched per binding.
	rbScope := placedCluster
	if req.ResourceRequest && (sc == scopeAnywhere || ns != "") {
		rbScope = placedInNamespace
		if sc == scopeAnywhere {
			rbScope = req.placement()
		}
	}
	var hits []hit
	emit := func(b *Binding, rules []*Rule) {
		for i, s := range b.Subjects {
			if b.dup[i] || !appliesToSomeone(s) {
				continue
			}
			for _, r := range rules {
				hits = append(hits, hit{b, i, r})
			}
		}
	}
	emitRBs := func(bs []*Binding, role *Role, rules []*Rule) {
		for _, b := range bs {
			switch {
			case rbScope == placedInOwnName:
				if breq, ok := req.Within(b.Namespace); ok {
					emit(b, matchingRules(role, breq))
				}
			case sc == scopeAnywhere || b.Namespace == ns:
				emit(b, rules)
			}
		}
	}
	for _, cr := range e.clusterRoles {
		rules := matchingRules(cr, req)
		if len(rules) == 0 && rbScope != placedInOwnName {
			continue
		}
		for _, b := range e.crbsOf[cr] {
			emit(b, rules)
		}
		switch {
		case rbScope == placedCluster:
		case sc == scopeAnywhere:
			emitRBs(e.rbsOf[cr], cr, rules)
		default:
			emitRBs(e.rbsIn[nsRole{ns, cr}], cr, rules)
		}
	}
	roles := e.roles
	switch {
	case rbScope == placedCluster:
		roles = nil
	case sc == scopeExact:
		roles = e.rolesByNS[ns]
	}
	for _, r := range roles {
		if rules := matchingRules(r, req); len(rules) > 0 || rbScope == placedInOwnName {
			emitRBs(e.rbsOf[r], r, rules)
		}
	}
	return grants(hits)
}

// appliesToSomeone reports whether a binding subject can match any identity.
func appliesToSomeone(s Subject) bool {
	switch s.Kind {
	case KindUser, KindGroup:
		return true
	case KindServiceAccount:
		return s.Namespace != ""
	}
	return false
}

// RulesFor returns a grant for every rule that applies to user in namespace (cluster-wide
// rules only when namespace is ""), as the authorizer would gather them: what user can do
// there.
func (e *Engine) RulesFor(user User, namespace string) []Grant {
	return e.Identity(user).RulesFor(namespace)
}

func matchingRules(r *Role, req Request) []*Rule {
	var out []*Rule
	for k := range r.Rules {
		if rule := &r.Rules[k]; RuleAllows(&rule.PolicyRule, req) {
			out = append(out, rule)
		}
	}
	return out
}

// grants orders hits by binding (ClusterRoleBindings, then RoleBindings, by namespace and
// name), subject and rule, and materialises them.
func grants(hits []hit) []Grant {
	if len(hits) == 0 {
		return nil
	}
	slices.SortFunc(hits, func(a, b hit) int {
		return cmp.Or(cmp.Compare(a.b.ord, b.b.ord), cmp.Compare(a.i, b.i), cmp.Compare(a.rule.Index, b.rule.Index))
	})
	out := make([]Grant, len(hits))
	for k, h := range hits {
		out[k] = grant(h.b, h.i, h.rule)
	}
	return out
}

func grant(b *Binding, i int, r *Rule) Grant {
	return Grant{Subject: b.Subjects[i], SubjectIndex: i, Binding: b.Ref(), Role: b.Role.Ref(), Rule: *r}
}
