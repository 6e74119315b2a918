package pss

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

func readiness(res *WhatIfResult) map[string][]string {
	out := map[string][]string{}
	for _, ns := range res.Namespaces {
		rej := []string{}
		for _, r := range ns.Rejected {
			rej = append(rej, r.Object.Kind+"/"+r.Object.Name)
		}
		out[ns.Namespace] = rej
	}
	return out
}

func TestWhatIf(t *testing.T) {
	inv := newInventory(t, namespaceFixture()...)
	tests := []struct {
		name, level, version string
		namespaces           []string
		opts                 []Option
		want                 map[string][]string
	}{
		{
			name: "baseline everywhere", level: "baseline",
			want: map[string][]string{
				"kube-system": {"Pod/kube-proxy"}, "open": {"Deployment/anything"}, "priv": {"Deployment/agent"},
				"base": {"Deployment/miner"}, "strict": {}, "typo": {}, "badver": {}, "staged": {}, "badaudit": {},
				"ghost": {},
			},
		},
		{
			name: "restricted on two namespaces", level: "restricted", version: "v1.24",
			namespaces: []string{"base", "strict"},
			want:       map[string][]string{"base": {"Deployment/miner", "Deployment/sandboxed", "Deployment/web"}, "strict": {"Pod/root"}},
		},
		{
			name: "admission exemptions", level: "restricted", namespaces: []string{"base", "strict"},
			opts: []Option{WithAdmissionExemptions([]string{"strict"}, []string{"kata"})},
			want: map[string][]string{"base": {"Deployment/miner", "Deployment/web"}, "strict": {}},
		},
		{
			name: "privileged rejects nothing", level: "privileged", namespaces: []string{"base"},
			want: map[string][]string{"base": {}},
		},
		{
			name: "a namespace with nothing in it is ready", level: "restricted", namespaces: []string{"empty"},
			want: map[string][]string{"empty": {}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := WhatIf(t.Context(), inv, tt.level, tt.version, tt.namespaces, tt.opts...)
			require.NoError(t, err)
			assert.Equal(t, tt.want, readiness(res))
		})
	}

	t.Run("details", func(t *testing.T) {
		res, err := WhatIf(t.Context(), inv, "restricted", "", []string{"base", "strict", "ghost"},
			WithAdmissionExemptions(nil, []string{"kata"}))
		require.NoError(t, err)
		assert.Equal(t, "restricted:latest", res.Policy)
		assert.Equal(t, "restricted:v1.37", res.EvaluatedAs)
		assert.Equal(t, 4, res.Rejected(), "base: miner, web; ghost: web; strict: root")
		require.Len(t, res.Namespaces, 3)
		base, ghost, strict := res.Namespaces[0], res.Namespaces[1], res.Namespaces[2]
		assert.Equal(t, "baseline:latest", base.Current)
		assert.Equal(t, 2, base.Workloads)
		require.Len(t, base.Skipped, 1)
		assert.Equal(t, "sandboxed", base.Skipped[0].Name)
		assert.False(t, base.Ready())
		assert.Equal(t, "", ghost.Current, "no Namespace object")
		assert.Equal(t, 1, ghost.Workloads)
		assert.Equal(t, "restricted:v1.24", strict.Current)

		miner := base.Rejected[0]
		assert.Equal(t, "miner", miner.Object.Name)
		assert.Equal(t, "spec.template.spec", miner.Field)
		require.NotEmpty(t, miner.Violations)
		assert.Equal(t, "pss:privileged", miner.Violations[0].CheckID)
		assert.Equal(t, "spec.template.spec.containers[0].securityContext.privileged", miner.Violations[0].Field)
		assert.True(t, strings.HasPrefix(miner.Message, `privileged (container "app" must not set securityContext.privileged=true), `), miner.Message)

		data, err := json.Marshal(res)
		require.NoError(t, err)
		assert.Contains(t, string(data), `"checkID":"pss:runAsNonRoot"`)
		assert.Contains(t, string(data), `"evaluatedAs":"restricted:v1.37"`)

		var b strings.Builder
		require.NoError(t, res.WriteText(&b))
		assert.Contains(t, b.String(), `Pod Security what-if: enforce "restricted:latest" (evaluated as "restricted:v1.37")`)
		assert.Contains(t, b.String(), "Deployment base/sandboxed: not checked (exempt runtime class)")
	})

	t.Run("errors", func(t *testing.T) {
		_, err := WhatIf(t.Context(), inv, "strict", "", nil)
		assert.ErrorIs(t, err, ErrInvalidLevel)
		_, err = WhatIf(t.Context(), inv, "baseline", "1.30", nil)
		assert.ErrorIs(t, err, ErrInvalidVersion)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err = WhatIf(ctx, inv, "baseline", "", nil)
		assert.ErrorIs(t, err, context.Canceled)
	})
}

func TestWhatIfBenchmark(t *testing.T) {
	inv := newInventory(t, namespaceFixture()...)
	b, err := WhatIfBenchmark("restricted", "v1.24", []string{"base", "strict"}, WithAdmissionExemptions(nil, []string{"kata"}))
	require.NoError(t, err)
	require.NoError(t, b.Validate())
	assert.Equal(t, "pss-what-if", b.Name)
	require.Len(t, b.Checks, 1)
	assert.Equal(t, WhatIfID, b.Checks[0].Meta().ID)
	got := runCheck(t, inv, b.Checks[0])
	assert.Equal(t, map[string]check.Status{
		"Deployment base/web":       check.StatusFail,
		"Deployment base/miner":     check.StatusFail,
		"Deployment base/sandboxed": check.StatusNotApplicable,
		"Pod strict/root":           check.StatusFail,
		"Deployment strict/good":    check.StatusPass,
	}, statuses(got))
	assert.True(t, strings.HasPrefix(got["Pod strict/root"].message, `would violate PodSecurity "restricted:v1.24": `))

	for _, spec := range []string{"restricted", "baseline:v1.30", "restricted:latest", "privileged"} {
		level, version, err := ParseLevelVersion(spec)
		require.NoError(t, err, spec)
		_, err = WhatIfBenchmark(level, version, nil)
		require.NoError(t, err, spec)
	}
	level, version, err := ParseLevelVersion("baseline:v1.30")
	require.NoError(t, err)
	assert.Equal(t, []string{"baseline", "v1.30"}, []string{level, version})
	for _, bad := range []string{"", "strict", "restricted:1.30", "restricted:"} {
		_, _, err := ParseLevelVersion(bad)
		assert.Error(t, err, bad)
	}
}

// TestWhatIfIncomplete: workloads that could not be read make the assessment incomplete, and
// the text says so, rather than calling namespaces ready on part of their workloads.
func TestWhatIfIncomplete(t *testing.T) {
	b := inventory.NewBuilder(inventory.ModeManifests)
	for _, o := range namespaceFixture() {
		require.NoError(t, b.Add(o, inventory.Source{}))
	}
	b.AddError(&inventory.SourceError{Source: inventory.Source{File: "strict.yaml", Line: 12},
		Object: "Deployment strict/hidden", Err: errors.New("spec: wrong type")})
	res, err := WhatIf(t.Context(), b.Build(), "restricted", "", []string{"strict"})
	require.NoError(t, err)
	assert.Contains(t, res.Incomplete, "Deployment incomplete (1 document failed to load: strict.yaml:12)")
	var out strings.Builder
	require.NoError(t, res.WriteText(&out))
	assert.Contains(t, out.String(), "\nThe assessment may be incomplete: some workloads could not be read: Deployment incomplete (1 document failed to load: strict.yaml:12).\n")

	res, err = WhatIf(t.Context(), newInventory(t, namespaceFixture()...), "restricted", "", []string{"strict"})
	require.NoError(t, err)
	assert.Empty(t, res.Incomplete)
	out.Reset()
	require.NoError(t, res.WriteText(&out))
	assert.NotContains(t, out.String(), "incomplete")
}

// TestWhatIfWriteTextEscapes: names and messages from the input are written escaped.
func TestWhatIfWriteTextEscapes(t *testing.T) {
	res := &WhatIfResult{Policy: "restricted:latest", EvaluatedAs: "restricted:latest", Incomplete: "Deployment incomplete (a\rb.yaml:3)",
		Namespaces: []NamespaceReadiness{{Namespace: "shop\x1b[2K", Current: "x\u202e", Workloads: 1,
			Rejected: []Rejection{{Object: inventory.Ref{Kind: "Pod", Namespace: "shop\x1b[2K", Name: "web\x1b[1A\r"}, Field: "spec\a",
				Violations: []Violation{{CheckID: "pss:privileged", Reason: "privileged", Detail: "container \"a\x1b]0;t\a\""}}}},
			Skipped: []inventory.Ref{{Kind: "Pod", Namespace: "shop\x1b[2K", Name: "k\x7f"}}}}}
	var out strings.Builder
	require.NoError(t, res.WriteText(&out))
	for i, r := range out.String() {
		require.True(t, r == '\n' || unicode.IsPrint(r), "%U at %d in\n%s", r, i, out.String())
	}
	for _, w := range []string{`shop\x1b[2K`, `x\u202e`, `Pod shop\x1b[2K/web\x1b[1A\r (spec\a)`, `container "a\x1b]0;t\a"`, `Pod shop\x1b[2K/k\x7f`, `a\rb.yaml:3`} {
		assert.Contains(t, out.String(), w)
	}
}
