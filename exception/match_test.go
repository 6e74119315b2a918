package exception_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/exception"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report"
)

var now = time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)

func mustParse(t *testing.T, body string) *exception.Set {
	t.Helper()
	set, err := exception.Parse([]byte(header+body), "exc.yaml")
	require.NoError(t, err)
	return set
}

func fail(id string, ref *inventory.Ref) check.Result {
	return check.Result{CheckID: id, Title: id, Severity: check.High, Status: check.StatusFail, Object: ref, Message: "bad"}
}

func ref(kind, ns, name string) *inventory.Ref {
	return &inventory.Ref{APIVersion: "apps/v1", Kind: kind, Namespace: ns, Name: name}
}

// except applies set at when to r and returns its status and the source of its exception.
func except(t *testing.T, set *exception.Set, when time.Time, r check.Result) (check.Status, string) {
	t.Helper()
	m, err := exception.NewMatcher(set, when)
	require.NoError(t, err)
	m.Except(&r, nil)
	if r.Exception == nil {
		return r.Status, ""
	}
	assert.Equal(t, check.StatusFail, r.Exception.From)
	return r.Status, r.Exception.Source
}

func TestGlobs(t *testing.T) {
	tests := []struct {
		pattern, id string
		want        bool
	}{
		{"workloads:privileged", "workloads:privileged", true},
		{"workloads:privileged", "workloads:privileged-escalation", false},
		{"workloads:*", "workloads:privileged", true},
		{"workloads:*", "network:x", false},
		{"*:privileged", "pss:privileged", true},
		{"cis:5.1.*", "cis:5.1.13", true},
		{"cis:5.1.*", "cis:5.10.1", false},
		{"cis:5.1.?", "cis:5.1.3", true},
		{"cis:5.1.?", "cis:5.1.13", false},
		{"vap:*/deny-*", "vap:team/deny-root", true}, // * crosses ':' and '/'
		{"vap:*/deny-*", "vap:a/b/deny-x", true},
		{"vap:*/deny-*", "vap:team/allow-root", false},
		{"*:*/*", "anything:at/all", true},
		{"*:*/*", "anything:at", false},
		{"a*b*c", "aXXbYYc", true},
		{"a*b*c", "aXXbYY", false},
		{"*a", strings.Repeat("a", 5000) + "b", false}, // no blow-up
		{"[a]", "[a]", true},                           // brackets are literal
		{"[a]", "a", false},
		{`a\*`, `a\x`, true}, // a backslash is literal too
	}
	for _, tt := range tests {
		t.Run(tt.pattern+" "+tt.id, func(t *testing.T) {
			set := mustParse(t, "- {checks: ['"+tt.pattern+"'], reason: r, owner: o, expires: 2026-06-30}\n")
			st, _ := except(t, set, now, fail(tt.id, nil))
			assert.Equal(t, tt.want, st == check.StatusExcepted)
		})
	}
}

func TestNameGlobs(t *testing.T) {
	set := mustParse(t, `- checks: [a]
  objects:
  - {kind: Deployment, namespace: "shop-*", name: "web-?"}
  - {kind: "*Role*", namespace: "*"}
  reason: r
  owner: o
  expires: 2026-06-30
`)
	tests := []struct {
		ref  *inventory.Ref
		want bool
	}{
		{ref("Deployment", "shop-eu", "web-1"), true},
		{ref("Deployment", "shop-eu", "web-12"), false},
		{ref("Deployment", "shop", "web-1"), false},
		{ref("StatefulSet", "shop-eu", "web-1"), false},
		{ref("ClusterRole", "", "admin"), true}, // a cluster-scoped object: namespace "" matches *
		{ref("RoleBinding", "x", "y"), true},
		{nil, false}, // a result about no object: only exceptions without objects match it
	}
	for _, tt := range tests {
		st, _ := except(t, set, now, fail("a", tt.ref))
		assert.Equal(t, tt.want, st == check.StatusExcepted, "%v", tt.ref)
	}
	whole := mustParse(t, "- {checks: [a], reason: r, owner: o, expires: 2026-06-30}\n")
	st, _ := except(t, whole, now, fail("a", nil))
	assert.Equal(t, check.StatusExcepted, st, "without objects, the results about no object too")
	nsOnly := mustParse(t, "- {checks: [a], objects: [{namespace: shop}], reason: r, owner: o, expires: 2026-06-30}\n")
	st, _ = except(t, nsOnly, now, fail("a", ref("ClusterRole", "", "admin")))
	assert.Equal(t, check.StatusFail, st, "a namespace glob does not match a cluster-scoped object")
}

// TestExpiry: an exception applies through the whole of its last day in UTC, whatever the
// time zone of the clock.
func TestExpiry(t *testing.T) {
	set := mustParse(t, "- {checks: [a], reason: r, owner: o, expires: 2026-06-30}\n")
	paris := time.FixedZone("UTC+2", 2*3600)
	honolulu := time.FixedZone("UTC-10", -10*3600)
	tests := []struct {
		name string
		at   time.Time
		want check.Status
	}{
		{"long before", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), check.StatusExcepted},
		{"the last day begins", time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC), check.StatusExcepted},
		{"the last second of the last day", time.Date(2026, 6, 30, 23, 59, 59, 999999999, time.UTC), check.StatusExcepted},
		{"midnight after: expired", time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), check.StatusFail},
		{"already July 1 in UTC+2, still June 30 in UTC", time.Date(2026, 7, 1, 1, 0, 0, 0, paris), check.StatusExcepted},
		{"July 1 02:00 in UTC+2 is midnight UTC", time.Date(2026, 7, 1, 2, 0, 0, 0, paris), check.StatusFail},
		{"still June 30 in UTC-10, July 1 in UTC", time.Date(2026, 6, 30, 15, 0, 0, 0, honolulu), check.StatusFail},
		{"a year later", time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC), check.StatusFail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, _ := except(t, set, tt.at, fail("a", nil))
			assert.Equal(t, tt.want, st)
		})
	}
}

// loadVariants loads a Deployment shop/web defined in two files with other labels, and a
// Deployment shop/api, each file's objects annotated as given.
func loadVariants(t *testing.T, annotations map[string]string) *inventory.Inventory {
	t.Helper()
	dir := t.TempDir()
	doc := func(name, labels string) string {
		s := "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: " + name + "\n  namespace: shop\n  labels: {" + labels + "}\n"
		if a := annotations[name]; a != "" {
			s += "  annotations: {" + a + "}\n"
		}
		return s + "spec:\n  selector: {matchLabels: {app: " + name + "}}\n  template:\n    metadata: {labels: {app: " + name + "}}\n" +
			"    spec: {containers: [{name: app, image: nginx}]}\n"
	}
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "dev"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "prod"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "dev", "web.yaml"), []byte(doc("web", "env: dev, team: shop")), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "prod", "web.yaml"), []byte(doc("web", "env: prod, team: shop")+"---\n"+doc("api", "env: prod")), 0o644))
	inv, err := inventory.LoadManifests(context.Background(), []string{dir})
	require.NoError(t, err)
	require.Len(t, inv.Objects(), 3)
	return inv
}

// failAll makes a failing result of check id about every object of inv.
func failAll(inv *inventory.Inventory, ids ...string) []check.Result {
	var out []check.Result
	for _, id := range ids {
		for _, o := range inv.Objects() {
			out = append(out, fail(id, o.SharedRef()))
		}
	}
	return out
}

// statuses returns "check object (file): status" of each result.
func statuses(results []check.Result) []string {
	var out []string
	for _, r := range results {
		s := r.CheckID + " " + r.Object.Name
		if r.Object.Source != nil {
			s += " (" + filepath.Base(filepath.Dir(r.Object.Source.File)) + ")"
		}
		out = append(out, s+": "+string(r.Status))
	}
	return out
}

// TestSelectors: label selectors match each definition of an object on its own labels.
func TestSelectors(t *testing.T) {
	inv := loadVariants(t, nil)
	rep := report.New(inv, nil, failAll(inv, "a"), report.Tool{}, now)
	tests := []struct {
		selector string
		want     []string
	}{
		{"env=prod", []string{"a api (prod): excepted", "a web (dev): fail", "a web (prod): excepted"}},
		{"env=prod,team=shop", []string{"a api (prod): fail", "a web (dev): fail", "a web (prod): excepted"}},
		{"env in (dev, staging)", []string{"a api (prod): fail", "a web (dev): excepted", "a web (prod): fail"}},
		{"env!=prod", []string{"a api (prod): fail", "a web (dev): excepted", "a web (prod): fail"}},
		{"team", []string{"a api (prod): fail", "a web (dev): excepted", "a web (prod): excepted"}},
		{"!team", []string{"a api (prod): excepted", "a web (dev): fail", "a web (prod): fail"}},
		{"env notin (prod)", []string{"a api (prod): fail", "a web (dev): excepted", "a web (prod): fail"}},
	}
	for _, tt := range tests {
		t.Run(tt.selector, func(t *testing.T) {
			set := mustParse(t, "- {checks: [a], objects: [{labels: '"+tt.selector+"'}], reason: r, owner: o, expires: 2026-06-30}\n")
			got, _, err := exception.Apply(rep, set, now, exception.WithInventory(inv))
			require.NoError(t, err)
			assert.Equal(t, tt.want, statuses(got.Results))
		})
	}
	t.Run("no inventory: labels unknown, nothing excepted", func(t *testing.T) {
		set := mustParse(t, "- {checks: [a], objects: [{labels: 'env=prod'}], reason: r, owner: o, expires: 2026-06-30}\n")
		got, sum, err := exception.Apply(rep, set, now)
		require.NoError(t, err)
		assert.Equal(t, []string{"a api (prod): fail", "a web (dev): fail", "a web (prod): fail"}, statuses(got.Results))
		require.Len(t, sum.Unused, 1)
		assert.Contains(t, sum.Unused[0].Note, "the labels of 3 objects it would select on could not be read")
	})
}

// TestVariants: an exception naming an object by kind, namespace and name covers each of its
// definitions; fingerprints still tell them apart.
func TestVariants(t *testing.T) {
	inv := loadVariants(t, nil)
	rep := report.New(inv, nil, failAll(inv, "a"), report.Tool{}, now)
	set := mustParse(t, "- {checks: [a], objects: [{kind: Deployment, namespace: shop, name: web}], reason: r, owner: o, expires: 2026-06-30}\n")
	got, sum, err := exception.Apply(rep, set, now, exception.WithInventory(inv))
	require.NoError(t, err)
	assert.Equal(t, []string{"a api (prod): fail", "a web (dev): excepted", "a web (prod): excepted"}, statuses(got.Results))
	require.Len(t, sum.Applied, 1)
	assert.Equal(t, 2, sum.Applied[0].Results)
	assert.NotEqual(t, report.Fingerprint(&got.Results[1]), report.Fingerprint(&got.Results[2]))
}

// TestOverlapping: the first matching exception in the file sets a failure aside; a later one
// that only ever matched what an earlier one took is unused, and says so.
func TestOverlapping(t *testing.T) {
	set := mustParse(t, `- {id: first, checks: ["a"], objects: [{name: web}], reason: r1, owner: o1, expires: 2026-06-30}
- {id: broad, checks: ["*"], objects: [{namespace: shop}], reason: r2, owner: o2, expires: 2026-06-30}
- {id: shadowed, checks: ["a"], objects: [{name: "w*"}], reason: r3, owner: o3, expires: 2026-06-30}
`)
	rep := report.New(inventory.NewBuilder(inventory.ModeManifests).Build(), nil,
		[]check.Result{fail("a", ref("Deployment", "shop", "web")), fail("b", ref("Deployment", "shop", "web"))}, report.Tool{}, now)
	got, sum, err := exception.Apply(rep, set, now)
	require.NoError(t, err)
	assert.Equal(t, "first", got.Results[0].Exception.ID)
	assert.Equal(t, "broad", got.Results[1].Exception.ID)
	require.Len(t, sum.Unused, 1)
	assert.Equal(t, "shadowed", sum.Unused[0].ID)
	assert.Equal(t, "the 1 failure it matches is set aside by an earlier exception", sum.Unused[0].Note)
	assert.Len(t, sum.Applied, 2)
}

// TestOnlyFailuresAreExcepted: an exception never hides a notEvaluated or error result, and
// says so when that is all it matched.
func TestOnlyFailuresAreExcepted(t *testing.T) {
	set := mustParse(t, "- {checks: [a], reason: r, owner: o, expires: 2026-06-30}\n")
	for _, st := range check.Statuses() {
		r := fail("a", nil)
		r.Status = st
		got, _ := except(t, set, now, r)
		if st == check.StatusFail || st == check.StatusExcepted {
			assert.Equal(t, check.StatusExcepted, got, st)
		} else {
			assert.Equal(t, st, got, "%s is not set aside", st)
		}
	}
}

func TestUnusedAndExpired(t *testing.T) {
	set := mustParse(t, `- {id: unused, checks: [nothing-matches], reason: r, owner: o, expires: 2026-06-30}
- {id: blind, checks: [ne], reason: r, owner: o, expires: 2026-06-30}
- {id: passing, checks: [p], reason: r, owner: o, expires: 2026-06-30}
- {id: old, checks: [a], reason: r, owner: o, expires: 2026-03-03}
- {id: old-unmatched, checks: [zz], reason: r, owner: o, expires: 2020-01-01}
- {id: used, checks: [a], objects: [{name: api}], reason: r, owner: o, expires: 2026-03-04}
`)
	ne := fail("ne", nil)
	ne.Status = check.StatusNotEvaluated
	pass := fail("p", ref("Deployment", "shop", "web"))
	pass.Status = check.StatusPass
	rep := report.New(inventory.NewBuilder(inventory.ModeManifests).Build(), nil,
		[]check.Result{fail("a", ref("Deployment", "shop", "web")), fail("a", ref("Deployment", "shop", "api")), ne, pass},
		report.Tool{}, now)
	got, sum, err := exception.Apply(rep, set, now)
	require.NoError(t, err)
	assert.Equal(t, []check.Status{check.StatusFail, check.StatusExcepted, check.StatusNotEvaluated, check.StatusPass},
		[]check.Status{got.Results[0].Status, got.Results[1].Status, got.Results[2].Status, got.Results[3].Status})
	ids := func(us []report.ExceptionUse) []string {
		var out []string
		for _, u := range us {
			out = append(out, u.ID+": "+u.Note)
		}
		return out
	}
	assert.Equal(t, []string{
		"unused: it matches no result",
		"blind: it matches 1 notEvaluated or error result, which no exception sets aside",
		"passing: it matches 1 result, none failing",
	}, ids(sum.Unused))
	assert.Equal(t, []string{"old: ", "old-unmatched: "}, ids(sum.Expired))
	assert.Equal(t, 2, sum.Expired[0].Results, "the expired exception still matches both failures, which count again")
	assert.Equal(t, []string{"used: "}, ids(sum.Applied))
	assert.Equal(t, 1, got.Summary.ByStatus[check.StatusFail])
	assert.Equal(t, 1, got.Summary.ByStatus[check.StatusExcepted])
	assert.Equal(t, 1, got.Checks[0].Counts.Excepted)
	assert.Equal(t, sum, got.Exceptions)
	assert.Equal(t, check.StatusFail, rep.Results[1].Status, "the report given is not modified")
}

// TestApplyAgain: an excepted result is given back its status before exceptions are applied,
// so a report read back can be judged under other exceptions.
func TestApplyAgain(t *testing.T) {
	set := mustParse(t, "- {checks: [a], reason: r, owner: o, expires: 2026-06-30}\n")
	rep := report.New(inventory.NewBuilder(inventory.ModeManifests).Build(), nil, []check.Result{fail("a", nil)}, report.Tool{}, now)
	once, _, err := exception.Apply(rep, set, now)
	require.NoError(t, err)
	require.Equal(t, check.StatusExcepted, once.Results[0].Status)
	later, sum, err := exception.Apply(once, set, time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	assert.Equal(t, check.StatusFail, later.Results[0].Status, "expired: the failure is back")
	assert.Nil(t, later.Results[0].Exception)
	assert.Len(t, sum.Expired, 1)
}

func TestAnnotationExemptions(t *testing.T) {
	inv := loadVariants(t, map[string]string{
		"web": `kspm.dev/exempt: "a, c:*", kspm.dev/exempt-reason: "reviewed\u001b[31m by the shop team"`,
		"api": `kspm.dev/exempt: "a"`, // no reason: not applied
	})
	rep := report.New(inv, nil, failAll(inv, "a", "b", "c:x"), report.Tool{}, now)

	off, sum, err := exception.Apply(rep, nil, now, exception.WithInventory(inv))
	require.NoError(t, err)
	for _, r := range off.Results {
		assert.Equal(t, check.StatusFail, r.Status, "off by default")
	}
	assert.Nil(t, sum.Annotations)

	on, sum, err := exception.Apply(rep, nil, now, exception.WithInventory(inv), exception.WithAnnotationExemptions())
	require.NoError(t, err)
	assert.Equal(t, []string{
		"a api (prod): fail", "a web (dev): excepted", "a web (prod): excepted",
		"b api (prod): fail", "b web (dev): fail", "b web (prod): fail",
		"c:x api (prod): fail", "c:x web (dev): excepted", "c:x web (prod): excepted",
	}, statuses(on.Results))
	e := on.Results[1].Exception
	assert.Equal(t, check.AnnotationOwner, e.Owner)
	assert.Equal(t, "reviewed\x1b[31m by the shop team", e.Reason)
	assert.Empty(t, e.Expires)
	assert.Contains(t, e.Source, "annotation kspm.dev/exempt on Deployment shop/web (")
	require.NotNil(t, sum.Annotations)
	assert.Equal(t, 4, sum.Annotations.Results)
	assert.Equal(t, 2, sum.Annotations.Objects)
	require.Len(t, sum.Annotations.Ignored, 1)
	assert.Contains(t, sum.Annotations.Ignored[0], "Deployment shop/api (")
	assert.Contains(t, sum.Annotations.Ignored[0], "kspm.dev/exempt without kspm.dev/exempt-reason")

	// The file's exceptions come first.
	set := mustParse(t, "- {id: file, checks: [a], reason: r, owner: o, expires: 2026-06-30}\n")
	both, _, err := exception.Apply(rep, set, now, exception.WithInventory(inv), exception.WithAnnotationExemptions())
	require.NoError(t, err)
	assert.Equal(t, "file", both.Results[1].Exception.ID)

	// The report says they were allowed, and shows the reason escaped.
	var buf bytes.Buffer
	require.NoError(t, report.WriteText(&buf, on, report.TextOptions{}))
	assert.Contains(t, buf.String(), "Annotation exemptions: allowed; 4 failures set aside by annotations on 2 objects")
	assert.Contains(t, buf.String(), `reviewed\x1b[31m by the shop team`)
	assert.NotContains(t, buf.String(), "\x1b[31m")
}

func TestNewMatcherChecksEntries(t *testing.T) {
	_, err := exception.NewMatcher(&exception.Set{Entries: []exception.Entry{
		{Checks: []string{"*"}, Reason: "r", Owner: "o", Expires: "2026-06-30", Source: "code:1"},
		{Checks: []string{"a"}, Owner: "o", Expires: "June", Source: "code:2"},
	}}, now)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "exception code:1: the exception covers every object of every check")
	assert.Contains(t, err.Error(), "exception code:2: no reason")
	assert.Contains(t, err.Error(), `exception code:2: expires "June"`)
}
