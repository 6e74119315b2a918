package pss

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// upstreamFixtureDir returns the directory of the official Pod Security fixtures shipped in the
// k8s.io/pod-security-admission module.
func upstreamFixtureDir(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "k8s.io/pod-security-admission").Output()
	require.NoError(t, err, "locate the k8s.io/pod-security-admission module")
	dir := filepath.Join(strings.TrimSpace(string(out)), "test", "testdata")
	_, err = os.Stat(dir)
	require.NoError(t, err, "upstream fixtures")
	return dir
}

// fixtureCheckID returns the upstream check a fixture file is about: upstream names fail and
// pass fixtures "<lower-cased check ID><N>.yaml" (and the minimal valid pods "base*.yaml").
func fixtureCheckID(file string, byLower map[string]policy.CheckID) (policy.CheckID, bool) {
	name := strings.TrimSuffix(filepath.Base(file), ".yaml")
	id, ok := byLower[strings.TrimRight(name, "0123456789")]
	return id, ok
}

// evalFindings runs checks over inv without the runner and returns the findings per check ID.
func evalFindings(t *testing.T, inv *inventory.Inventory, checks []check.Check) map[string][]check.Finding {
	t.Helper()
	out := make(map[string][]check.Finding, len(checks))
	for _, c := range checks {
		m := c.Meta()
		pass := check.NewPass(inv, m, nil, func(f check.Finding) { out[m.ID] = append(out[m.ID], f) })
		require.NoError(t, c.Run(context.Background(), pass))
	}
	return out
}

// TestUpstreamFixtures runs every official fixture of k8s.io/pod-security-admission through
// the manifest loader and the pss-baseline or pss-restricted benchmark at the fixture's level
// and version: a pass fixture passes every control; a fail fixture fails the control named in
// its file (or the restricted control that replaces it at that version). It also checks that
// the controls' failures are exactly the upstream evaluator's, in order.
func TestUpstreamFixtures(t *testing.T) {
	root := upstreamFixtureDir(t)
	byLower := map[string]policy.CheckID{}
	for _, c := range policy.DefaultChecks() {
		byLower[strings.ToLower(string(c.ID))] = c.ID
	}
	upstream, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	require.NoError(t, err)

	var total, passFiles, failFiles atomic.Int64
	t.Run("levels", func(t *testing.T) {
		for _, level := range []api.Level{api.LevelBaseline, api.LevelRestricted} {
			dirs, err := filepath.Glob(filepath.Join(root, string(level), "v1.*"))
			require.NoError(t, err)
			require.GreaterOrEqual(t, len(dirs), rules().newest.Minor()+1, "a fixture directory per version up to the newest policy")
			for _, dir := range dirs {
				version := filepath.Base(dir)
				v, err := api.ParseVersion(version)
				require.NoError(t, err, dir)
				t.Run(string(level)+"/"+version, func(t *testing.T) {
					t.Parallel()
					lv := api.LevelVersion{Level: level, Version: v}
					checks, err := Checks(string(level), version)
					require.NoError(t, err)
					ids := make([]string, len(checks))
					for i, c := range checks {
						ids[i] = c.Meta().ID
					}
					rs := rules().rulesFor(lv, nil)
					for _, outcome := range []string{"pass", "fail"} {
						files, err := filepath.Glob(filepath.Join(dir, outcome, "*.yaml"))
						require.NoError(t, err)
						require.NotEmpty(t, files, "no %s fixtures in %s", outcome, dir)
						for _, file := range files {
							total.Add(1)
							inv := loadFixture(t, file)
							pods := inv.Pods()
							require.Len(t, pods, 1, file)
							findings := evalFindings(t, inv, checks)
							var failed []string
							for _, id := range ids {
								fs := findings[id]
								require.Len(t, fs, 1, "%s: %s", file, id)
								require.Contains(t, []check.Status{check.StatusPass, check.StatusFail}, fs[0].Status, "%s: %s", file, id)
								if fs[0].Status == check.StatusFail {
									failed = append(failed, id)
								}
							}
							// The controls' failures are upstream's aggregate, check by check. The pod
							// is given to upstream as loaded: the loader must have defaulted it.
							var want []string
							for _, r := range upstream.EvaluatePod(lv, &pods[0].ObjectMeta, &pods[0].Spec) {
								if !r.Allowed {
									want = append(want, violation{reason: r.ForbiddenReason, detail: r.ForbiddenDetail}.message())
								}
							}
							var got []string
							for _, id := range failed {
								got = append(got, findings[id][0].Message)
							}
							assert.Equal(t, want, got, "%s: failures differ from the upstream evaluator", file)

							rel, _ := filepath.Rel(root, file)
							if outcome == "pass" {
								passFiles.Add(1)
								assert.Empty(t, failed, "pass fixture %s failed", rel)
								continue
							}
							failFiles.Add(1)
							named, ok := fixtureCheckID(file, byLower)
							require.True(t, ok, "fail fixture %s names no known check", rel)
							expect := IDPrefix + string(named)
							if !slices.Contains(ids, expect) {
								r, ok := replacedBy(rs, named)
								require.True(t, ok, "%s: check %s is neither in force nor replaced at %s", rel, named, lv)
								expect = IDPrefix + string(r.id)
							}
							assert.Contains(t, failed, expect, "fail fixture %s", rel)
							for _, id := range failed {
								f := findings[id][0]
								assert.True(t, strings.HasPrefix(f.Field, "spec") || strings.HasPrefix(f.Field, "metadata"),
									"%s: %s field %q", rel, id, f.Field)
							}
						}
					}
				})
			}
		}
	})
	t.Logf("ran %d upstream fixtures (%d pass, %d fail)", total.Load(), passFiles.Load(), failFiles.Load())
	var onDisk int
	require.NoError(t, filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yaml") {
			onDisk++
		}
		return err
	}))
	if !t.Failed() {
		assert.Equal(t, int64(onDisk), total.Load(), "every fixture on disk must be run")
		assert.GreaterOrEqual(t, onDisk, 4537, "k8s.io/pod-security-admission v0.37.2 ships 4,537 fixtures")
	}
}
