package kspm_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark/rbac"
)

// The bundled RBAC checks declare their parameters, so a misspelt or mistyped one is an
// error of the run, before anything runs, as for a user's Go or CEL check; a right one is
// taken.
func TestBundledRBACParamsAreDeclared(t *testing.T) {
	inv := pods(t, 1)
	checks := rbac.RBAC().Checks
	for _, c := range checks {
		assert.NotEmpty(t, c.Meta().Params, "%s declares its parameters", c.Meta().ID)
	}
	_, err := kspm.Run(context.Background(), inv, checks,
		kspm.WithParams("rbac:wildcard-rules", map[string]any{"allows": []string{"x"}}))
	require.ErrorIs(t, err, kspm.ErrInvalidParams, "a misspelt key")
	_, err = kspm.Run(context.Background(), inv, checks,
		kspm.WithParams("rbac:wildcard-rules", map[string]any{rbac.ParamDefaultAllowList: "no"}))
	require.ErrorIs(t, err, kspm.ErrInvalidParams, "a mistyped value")
	results, err := kspm.Run(context.Background(), inv, checks,
		kspm.WithParams("rbac:system-group-bindings", map[string]any{rbac.ParamSubjects: []any{"Group ops"}}))
	require.NoError(t, err)
	for _, r := range results {
		assert.NotEqual(t, "error", string(r.Status), "%s: %s", r.CheckID, r.Message)
	}
}
