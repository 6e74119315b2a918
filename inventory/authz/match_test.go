package authz

import (
	"testing"

	"github.com/stretchr/testify/assert"
	rbacv1 "k8s.io/api/rbac/v1"
)

func TestRuleAllows(t *testing.T) {
	res := func(verb, group, resource, sub, name string) Request {
		return Request{Verb: verb, APIGroup: group, Resource: resource, Subresource: sub, Name: name, ResourceRequest: true}
	}
	rule := func(verbs, groups, resources []string) rbacv1.PolicyRule {
		return rbacv1.PolicyRule{Verbs: verbs, APIGroups: groups, Resources: resources}
	}
	l := func(s ...string) []string { return s }
	tests := []struct {
		name string
		rule rbacv1.PolicyRule
		req  Request
		want bool
	}{
		// verbs
		{"verb exact", rule(l("get"), l(""), l("pods")), res("get", "", "pods", "", ""), true},
		{"verb other", rule(l("get"), l(""), l("pods")), res("list", "", "pods", "", ""), false},
		{"verb star", rule(l("*"), l(""), l("pods")), res("deletecollection", "", "pods", "", ""), true},
		{"verb list of several", rule(l("get", "watch"), l(""), l("pods")), res("watch", "", "pods", "", ""), true},
		{"no verbs", rule(nil, l(""), l("pods")), res("get", "", "pods", "", ""), false},
		{"verb star is not a prefix glob", rule(l("get*"), l(""), l("pods")), res("get", "", "pods", "", ""), false},
		{"request verb star needs rule verb star", rule(l("get"), l(""), l("pods")), res("*", "", "pods", "", ""), false},
		// API groups
		{"core group", rule(l("get"), l(""), l("pods")), res("get", "", "pods", "", ""), true},
		{"core group does not cover apps", rule(l("get"), l(""), l("deployments")), res("get", "apps", "deployments", "", ""), false},
		{"named group", rule(l("get"), l("apps"), l("deployments")), res("get", "apps", "deployments", "", ""), true},
		{"group star covers core", rule(l("get"), l("*"), l("pods")), res("get", "", "pods", "", ""), true},
		{"group star covers any", rule(l("get"), l("*"), l("widgets")), res("get", "example.com", "widgets", "", ""), true},
		{"no groups", rule(l("get"), nil, l("pods")), res("get", "", "pods", "", ""), false},
		// resources and subresources
		{"resource exact", rule(l("get"), l(""), l("pods")), res("get", "", "pods", "", ""), true},
		{"resource other", rule(l("get"), l(""), l("pods")), res("get", "", "secrets", "", ""), false},
		{"resource star", rule(l("get"), l(""), l("*")), res("get", "", "secrets", "", ""), true},
		{"resource star covers subresources", rule(l("create"), l(""), l("*")), res("create", "", "pods", "exec", ""), true},
		{"resource does not cover its subresource", rule(l("create"), l(""), l("pods")), res("create", "", "pods", "exec", ""), false},
		{"subresource exact", rule(l("create"), l(""), l("pods/exec")), res("create", "", "pods", "exec", ""), true},
		{"subresource rule does not cover the resource", rule(l("get"), l(""), l("pods/log")), res("get", "", "pods", "", ""), false},
		{"subresource other", rule(l("create"), l(""), l("pods/exec")), res("create", "", "pods", "attach", ""), false},
		{"pods/* is not a wildcard", rule(l("create"), l(""), l("pods/*")), res("create", "", "pods", "exec", ""), false},
		{"pods/* matches the literal subresource *", rule(l("create"), l(""), l("pods/*")), res("create", "", "pods", "*", ""), true},
		{"*/scale covers any resource's scale", rule(l("update"), l("*"), l("*/scale")), res("update", "apps", "deployments", "scale", ""), true},
		{"*/scale does not cover the resource", rule(l("update"), l("*"), l("*/scale")), res("update", "apps", "deployments", "", ""), false},
		{"*/scale does not cover another subresource", rule(l("update"), l("*"), l("*/scale")), res("update", "apps", "deployments", "status", ""), false},
		{"*/scale does not cover a longer subresource", rule(l("update"), l("*"), l("*/scale")), res("update", "", "x", "rescale", ""), false},
		{"request resource star needs rule star", rule(l("get"), l("*"), l("pods")), res("get", "*", "*", "", ""), false},
		{"request resource star with rule star", rule(l("*"), l("*"), l("*")), res("*", "*", "*", "", ""), true},
		// resourceNames
		{"resourceName match", rbacv1.PolicyRule{Verbs: l("get"), APIGroups: l(""), Resources: l("secrets"), ResourceNames: l("a", "b")}, res("get", "", "secrets", "", "b"), true},
		{"resourceName other", rbacv1.PolicyRule{Verbs: l("get"), APIGroups: l(""), Resources: l("secrets"), ResourceNames: l("a")}, res("get", "", "secrets", "", "c"), false},
		{"resourceNames never allow list", rbacv1.PolicyRule{Verbs: l("list"), APIGroups: l(""), Resources: l("secrets"), ResourceNames: l("a")}, res("list", "", "secrets", "", ""), false},
		{"resourceNames never allow create without a name", rbacv1.PolicyRule{Verbs: l("create"), APIGroups: l(""), Resources: l("secrets"), ResourceNames: l("a")}, res("create", "", "secrets", "", ""), false},
		{"no resourceNames allow any name", rule(l("get"), l(""), l("secrets")), res("get", "", "secrets", "", "x"), true},
		{"resourceNames never allow deletecollection", rbacv1.PolicyRule{Verbs: l("deletecollection"), APIGroups: l(""), Resources: l("secrets"), ResourceNames: l("a")}, res("deletecollection", "", "secrets", "", ""), false},
		{"resourceNames never allow watch of the collection", rbacv1.PolicyRule{Verbs: l("watch"), APIGroups: l(""), Resources: l("secrets"), ResourceNames: l("a")}, res("watch", "", "secrets", "", ""), false},
		{"resourceNames allow a watch of the named object", rbacv1.PolicyRule{Verbs: l("watch"), APIGroups: l(""), Resources: l("secrets"), ResourceNames: l("a")}, res("watch", "", "secrets", "", "a"), true},
		{"an empty resourceName matches requests without a name, as upstream compares", rbacv1.PolicyRule{Verbs: l("list"), APIGroups: l(""), Resources: l("secrets"), ResourceNames: l("")}, res("list", "", "secrets", "", ""), true},
		{"resourceNames with subresource", rbacv1.PolicyRule{Verbs: l("create"), APIGroups: l(""), Resources: l("serviceaccounts/token"), ResourceNames: l("builder")}, res("create", "", "serviceaccounts", "token", "builder"), true},
		{"AnyName counts rules with resourceNames", rbacv1.PolicyRule{Verbs: l("impersonate"), APIGroups: l(""), Resources: l("users"), ResourceNames: l("admin")}, MustParseRequest("impersonate", "users").ForSomeName(), true},
		{"AnyName with a name is exact", rbacv1.PolicyRule{Verbs: l("get"), APIGroups: l(""), Resources: l("secrets"), ResourceNames: l("a")}, MustParseRequest("get", "secrets").Named("b").ForSomeName(), false},
		// non-resource URLs
		{"url exact", rbacv1.PolicyRule{Verbs: l("get"), NonResourceURLs: l("/healthz")}, NonResourceRequest("get", "/healthz"), true},
		{"url exact is not a prefix", rbacv1.PolicyRule{Verbs: l("get"), NonResourceURLs: l("/healthz")}, NonResourceRequest("get", "/healthz/etcd"), false},
		{"url star", rbacv1.PolicyRule{Verbs: l("get"), NonResourceURLs: l("*")}, NonResourceRequest("get", "/metrics"), true},
		{"url trailing star", rbacv1.PolicyRule{Verbs: l("get"), NonResourceURLs: l("/healthz/*")}, NonResourceRequest("get", "/healthz/etcd"), true},
		{"url trailing star needs the prefix", rbacv1.PolicyRule{Verbs: l("get"), NonResourceURLs: l("/healthz/*")}, NonResourceRequest("get", "/healthz"), false},
		{"url trailing star without slash", rbacv1.PolicyRule{Verbs: l("get"), NonResourceURLs: l("/api*")}, NonResourceRequest("get", "/apis/apps"), true},
		{"url verb", rbacv1.PolicyRule{Verbs: l("get"), NonResourceURLs: l("/logs/*")}, NonResourceRequest("post", "/logs/x"), false},
		{"url verb star", rbacv1.PolicyRule{Verbs: l("*"), NonResourceURLs: l("/logs/*")}, NonResourceRequest("post", "/logs/x"), true},
		{"resource rule never allows a url", rule(l("*"), l("*"), l("*")), NonResourceRequest("get", "/healthz"), false},
		{"url rule never allows a resource", rbacv1.PolicyRule{Verbs: l("*"), NonResourceURLs: l("*")}, res("get", "", "pods", "", ""), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, RuleAllows(&tt.rule, tt.req))
		})
	}
}

func TestParseResource(t *testing.T) {
	tests := []struct {
		in                   string
		group, resource, sub string
		wantErr              bool
	}{
		{in: "pods", resource: "pods"},
		{in: "pod", resource: "pods"},
		{in: "po", resource: "pods"},
		{in: "Pod", resource: "pods"},
		{in: "deployments", group: "apps", resource: "deployments"},
		{in: "deploy", group: "apps", resource: "deployments"},
		{in: "deployments.apps", group: "apps", resource: "deployments"},
		{in: "deployments.v1.apps", group: "apps", resource: "deployments"},
		{in: "Deployment.apps", group: "apps", resource: "deployments"},
		{in: "pods/exec", resource: "pods", sub: "exec"},
		{in: "deployments.apps/scale", group: "apps", resource: "deployments", sub: "scale"},
		{in: "csr/approval", group: "certificates.k8s.io", resource: "certificatesigningrequests", sub: "approval"},
		{in: "clusterroles", group: "rbac.authorization.k8s.io", resource: "clusterroles"},
		{in: "widgets.example.com", group: "example.com", resource: "widgets"},
		{in: "*", group: "*", resource: "*"},
		{in: "*.apps", group: "apps", resource: "*"},
		{in: "widgets", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			g, r, s, err := ParseResource(tt.in)
			if tt.wantErr {
				assert.ErrorIs(t, err, ErrUnknownResource)
				return
			}
			assert.NoError(t, err)
			assert.Equal(t, []string{tt.group, tt.resource, tt.sub}, []string{g, r, s})
		})
	}
}

func TestRequestString(t *testing.T) {
	assert.Equal(t, `create pods/exec in namespace "shop"`, MustParseRequest("create", "pods/exec").In("shop").String())
	assert.Equal(t, `get secrets named "tls"`, MustParseRequest("get", "secrets").Named("tls").String())
	assert.Equal(t, `update deployments.apps/scale`, MustParseRequest("update", "deployments.apps/scale").String())
	assert.Equal(t, `get /healthz`, NonResourceRequest("get", "/healthz").String())
}

func TestIsClusterScoped(t *testing.T) {
	assert.True(t, IsClusterScoped("", "nodes"))
	assert.True(t, IsClusterScoped("certificates.k8s.io", "certificatesigningrequests"))
	assert.True(t, IsClusterScoped("", "namespaces"), "a RoleBinding grants its own Namespace object all the same: see Request.Within")
	assert.False(t, IsClusterScoped("", "pods"))
	assert.False(t, IsClusterScoped("example.com", "widgets"))
	assert.False(t, IsClusterScoped("*", "*"))
}

func TestSubjectsAndUsers(t *testing.T) {
	sa := ServiceAccountUser("shop", "web")
	assert.Equal(t, "system:serviceaccount:shop:web", sa.Name)
	assert.Equal(t, []string{"system:serviceaccounts", "system:serviceaccounts:shop", "system:authenticated"}, sa.Groups)
	ns, name, ok := SplitServiceAccountUsername(sa.Name)
	assert.True(t, ok)
	assert.Equal(t, []string{"shop", "web"}, []string{ns, name})
	_, _, ok = SplitServiceAccountUsername("alice")
	assert.False(t, ok)

	assert.Equal(t, User{Name: "system:anonymous", Groups: []string{"system:unauthenticated"}}, AnonymousUser())
	assert.Equal(t, []string{"devs", "system:authenticated"}, AuthenticatedUser("alice", "devs").Groups)
	assert.Equal(t, []string{"system:authenticated"}, AuthenticatedUser("bob", "system:authenticated").Groups)

	u, ok := Subject{Kind: KindUser, Name: "system:anonymous"}.User()
	assert.True(t, ok)
	assert.Equal(t, AnonymousUser(), u)
	_, ok = Subject{Kind: KindGroup, Name: "devs"}.User()
	assert.False(t, ok)
	assert.Equal(t, "ServiceAccount shop/web", Subject{Kind: KindServiceAccount, Namespace: "shop", Name: "web"}.String())
}

func TestUserSubjects(t *testing.T) {
	assert.Equal(t, []Subject{
		{Kind: KindUser, Name: "system:serviceaccount:shop:web"},
		{Kind: KindServiceAccount, Namespace: "shop", Name: "web"},
		{Kind: KindGroup, Name: GroupServiceAccounts},
		{Kind: KindGroup, Name: "system:serviceaccounts:shop"},
		{Kind: KindGroup, Name: GroupAuthenticated},
	}, ServiceAccountUser("shop", "web").Subjects())
	assert.Equal(t, []Subject{{Kind: KindUser, Name: "alice"}, {Kind: KindGroup, Name: "devs"}, {Kind: KindGroup, Name: GroupAuthenticated}},
		AuthenticatedUser("alice", "devs").Subjects())
	assert.Equal(t, []Subject{{Kind: KindUser, Name: AnonymousUserName}, {Kind: KindGroup, Name: GroupUnauthenticated}},
		AnonymousUser().Subjects())
}
