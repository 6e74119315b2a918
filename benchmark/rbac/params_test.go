package rbac

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/check"
)

// A misspelt parameter would leave a check running with its defaults (the default allow-list
// still hiding grants the caller meant to see): every check rejects parameters it does not read.
func TestUnknownParams(t *testing.T) {
	inv := load(t, filepath.Join("testdata", "defaults", "cluster.yaml"), asCluster)
	for _, c := range RBAC().Checks {
		t.Run(c.Meta().ID, func(t *testing.T) {
			run := func(params map[string]any) error {
				p := check.NewPass(inv, c.Meta(), params, func(check.Finding) {})
				return c.Run(context.Background(), p)
			}
			err := run(map[string]any{"defaultAllowlist": false})
			require.Error(t, err)
			assert.ErrorIs(t, err, errBadParam)
			assert.Contains(t, err.Error(), `unknown parameter "defaultAllowlist"`)
			assert.NoError(t, run(map[string]any{ParamDefaultAllowList: true, ParamAllow: []string{}}))
		})
	}
	t.Run("subjects is a parameter of rbac:system-group-bindings", func(t *testing.T) {
		c := findCheck(t, "rbac:system-group-bindings")
		p := check.NewPass(inv, c.Meta(), map[string]any{ParamSubjects: []string{"Group x"}}, func(check.Finding) {})
		assert.NoError(t, c.Run(context.Background(), p))
	})
}
