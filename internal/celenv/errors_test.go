package celenv

import (
	"errors"
	"testing"

	"github.com/google/cel-go/common/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// DescribeError reports fixed descriptions only: a message it does not know is "failed", not
// repeated, since cel-go's messages quote the values they failed on.
func TestDescribeErrorNeverRepeatsTheMessage(t *testing.T) {
	env, err := ObjectEnv()
	require.NoError(t, err)
	a, iss := env.Compile("object.data.x.lowerAscii() == 'y'")
	require.NoError(t, iss.Err())
	const secret = "hunter2"
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"unknown message", errors.New("weird failure on " + secret), "failed"},
		{"unknown message at a node", types.NewErrWithNodeID(4, "weird failure on %s", secret).(*types.Err),
			"line 1, column 15: lowerAscii(): failed"},
		{"known problem", types.NewErrWithNodeID(4, "error parsing regexp: `%s`", secret).(*types.Err),
			"line 1, column 15: lowerAscii(): invalid regular expression"},
		{"key not in the expression", types.NewErrWithNodeID(3, "no such key: %s", secret).(*types.Err),
			"line 1, column 12: field access: no such key"},
		{"key in the expression", types.NewErrWithNodeID(3, "no such key: data").(*types.Err),
			"line 1, column 7: no such key 'data'"},
		{"no expression", types.NewErrWithNodeID(4, "no such key: %s", secret).(*types.Err), "no such key"},
		{"unknown node", types.NewErrWithNodeID(99, "division by zero").(*types.Err), "division by zero"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ast := a
			if tt.name == "no expression" {
				ast = nil
			}
			got := DescribeError(ast, tt.err)
			assert.Equal(t, tt.want, got)
			assert.NotContains(t, got, secret)
		})
	}
}
