package authz

import (
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
)

// Well-known user and group names.
const (
	// AnonymousUserName is the user name of unauthenticated requests.
	AnonymousUserName = "system:anonymous"
	// GroupAuthenticated holds every authenticated user.
	GroupAuthenticated = "system:authenticated"
	// GroupUnauthenticated holds every unauthenticated request.
	GroupUnauthenticated = "system:unauthenticated"
	// GroupMasters is the group the API server lets do anything, bypassing RBAC.
	GroupMasters = "system:masters"
	// GroupServiceAccounts holds every service account.
	GroupServiceAccounts = "system:serviceaccounts"
	// ServiceAccountUsernamePrefix starts every service account's user name.
	ServiceAccountUsernamePrefix = "system:serviceaccount:"
	// ServiceAccountGroupPrefix starts the group of a namespace's service accounts.
	ServiceAccountGroupPrefix = "system:serviceaccounts:"
)

// Subject kinds, as bindings spell them.
const (
	KindUser           = rbacv1.UserKind
	KindGroup          = rbacv1.GroupKind
	KindServiceAccount = rbacv1.ServiceAccountKind
)

// Subject is a binding subject as the binding names it: a User, a Group or a ServiceAccount.
// For a ServiceAccount subject written without a namespace in a RoleBinding, Namespace is the
// binding's namespace, as the authorizer reads it.
type Subject struct {
	// Kind is "User", "Group" or "ServiceAccount" (other kinds never match).
	Kind string `json:"kind"`
	// Name is the user, group or service account name.
	Name string `json:"name"`
	// Namespace is the service account's namespace; empty for users and groups.
	Namespace string `json:"namespace,omitempty"`
}

// String returns "User alice", "Group devs" or "ServiceAccount ns/name".
func (s Subject) String() string {
	if s.Kind == KindServiceAccount {
		return s.Kind + " " + s.Namespace + "/" + s.Name
	}
	return s.Kind + " " + s.Name
}

// User returns the identity the subject stands for: a service account's user with its
// groups, or an authenticated (or, for system:anonymous, unauthenticated) user. A Group is
// not one identity: it returns false.
func (s Subject) User() (User, bool) {
	switch s.Kind {
	case KindServiceAccount:
		if s.Namespace == "" {
			return User{}, false
		}
		return ServiceAccountUser(s.Namespace, s.Name), true
	case KindUser:
		if s.Name == AnonymousUserName {
			return AnonymousUser(), true
		}
		return AuthenticatedUser(s.Name), true
	}
	return User{}, false
}

// User is an identity making requests, as the API server's authenticators produce it: a
// name and the groups it belongs to (like k8s.io/apiserver's user.Info). Build one with
// ServiceAccountUser, AuthenticatedUser or AnonymousUser to get the implicit groups right.
type User struct {
	// Name is the user name, e.g. "alice" or "system:serviceaccount:shop:web".
	Name string `json:"name"`
	// Groups are every group the user is in, the implicit ones (system:authenticated, ...)
	// included.
	Groups []string `json:"groups,omitempty"`
}

// String returns the user's name and groups.
func (u User) String() string {
	if len(u.Groups) == 0 {
		return u.Name
	}
	return u.Name + " (groups " + strings.Join(u.Groups, ", ") + ")"
}

// Subjects returns the binding subjects that apply to u, as the authorizer matches them: User
// u.Name, ServiceAccount NAMESPACE/NAME when u.Name is a service account's user name, and each
// of u's groups. Engine.WhoCan and WhoCanAnywhere name grants by these subjects, so that what
// many users hold can be read from one answer instead of asking about each user in turn.
func (u User) Subjects() []Subject {
	out := make([]Subject, 0, 2+len(u.Groups))
	out = append(out, Subject{Kind: KindUser, Name: u.Name})
	if ns, name, ok := SplitServiceAccountUsername(u.Name); ok {
		out = append(out, Subject{Kind: KindServiceAccount, Namespace: ns, Name: name})
	}
	for _, g := range u.Groups {
		out = append(out, Subject{Kind: KindGroup, Name: g})
	}
	return out
}

// ServiceAccountUser returns the identity of a service account's tokens: user
// "system:serviceaccount:NAMESPACE:NAME" in groups system:serviceaccounts,
// system:serviceaccounts:NAMESPACE and system:authenticated.
func ServiceAccountUser(namespace, name string) User {
	return User{
		Name:   ServiceAccountUsername(namespace, name),
		Groups: []string{GroupServiceAccounts, ServiceAccountGroupPrefix + namespace, GroupAuthenticated},
	}
}

// ServiceAccountUsername returns "system:serviceaccount:NAMESPACE:NAME".
func ServiceAccountUsername(namespace, name string) string {
	return ServiceAccountUsernamePrefix + namespace + ":" + name
}

// SplitServiceAccountUsername returns the namespace and name of a service account user name,
// and false when username is not one.
func SplitServiceAccountUsername(username string) (namespace, name string, ok bool) {
	rest, ok := strings.CutPrefix(username, ServiceAccountUsernamePrefix)
	if !ok {
		return "", "", false
	}
	namespace, name, ok = strings.Cut(rest, ":")
	if !ok || namespace == "" || name == "" || strings.Contains(name, ":") {
		return "", "", false
	}
	return namespace, name, true
}

// AuthenticatedUser returns an authenticated user with the given groups plus
// system:authenticated, which the API server adds to every authenticated request.
func AuthenticatedUser(name string, groups ...string) User {
	g := slices.Clone(groups)
	if !slices.Contains(g, GroupAuthenticated) {
		g = append(g, GroupAuthenticated)
	}
	return User{Name: name, Groups: g}
}

// AnonymousUser returns the identity of unauthenticated requests: user system:anonymous in
// group system:unauthenticated.
func AnonymousUser() User {
	return User{Name: AnonymousUserName, Groups: []string{GroupUnauthenticated}}
}
