package celenv

import (
	"testing"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCachedMatches checks that a program with CachedMatches gives the same value, error and
// cost as one without, evaluated twice so the second evaluation uses the cache.
func TestCachedMatches(t *testing.T) {
	env, err := ObjectEnv()
	require.NoError(t, err)
	params := ParamsValue(map[string]any{
		"pattern": "(?i)pass(word)?|token",
		"bad":     "(unclosed",
		"num":     int64(3),
	})
	tests := []struct {
		name, expr string
		want       any    // the value, when there is no error
		wantErr    string // a part of the error
	}{
		{"member match", "'DB_PASSWORD'.matches(params.pattern)", true, ""},
		{"member no match", "'user'.matches(params.pattern)", false, ""},
		{"global form", "matches('api_token', params.pattern)", true, ""},
		{"in a comprehension", "['a', 'token', 'b'].filter(k, k.matches(params.pattern)) == ['token']", true, ""},
		{"invalid pattern", "'x'.matches(params.bad)", nil, "missing closing )"},
		{"pattern not a string", "'x'.matches(params.num)", nil, "no such overload"},
		{"receiver not a string", "params.num.matches(params.pattern)", nil, "no such overload"},
		{"error argument", "'x'.matches(params.missing)", nil, "no such key"},
		{"many distinct patterns", "lists.range(200).all(i, ('a' + string(i)).matches('^a' + string(i) + '$'))", true, ""},
		{"constant pattern", "'abc'.matches('^a')", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ast, iss := env.Compile(tt.expr)
			require.NoError(t, iss.Err())
			plain, err := env.Program(ast, cel.CostLimit(1_000_000))
			require.NoError(t, err)
			cached, err := env.Program(ast, cel.CostLimit(1_000_000), CachedMatches())
			require.NoError(t, err)
			act := &Activation{Params: params}
			wantOut, wantDet, wantErr := plain.Eval(act)
			for range 2 {
				out, det, err := cached.Eval(act)
				if tt.wantErr != "" {
					require.Error(t, err)
					assert.Contains(t, err.Error(), tt.wantErr)
					require.Error(t, wantErr)
					assert.Equal(t, wantErr.Error(), err.Error())
				} else {
					require.NoError(t, wantErr)
					require.NoError(t, err)
					assert.Equal(t, tt.want, out.Value())
					assert.Equal(t, wantOut, out)
				}
				require.NotNil(t, det.ActualCost())
				assert.Equal(t, *wantDet.ActualCost(), *det.ActualCost(), "same cost as the standard matches")
			}
		})
	}
}

func TestParamsValue(t *testing.T) {
	env, err := ObjectEnv()
	require.NoError(t, err)
	params, err := NormalizeParams(map[string]any{
		"list": []any{1, "x", 2.5, nil},
		"map":  map[string]any{"b": true, "n": map[string]any{"deep": "y"}},
		"s":    "str",
	})
	require.NoError(t, err)
	tests := []struct {
		params map[string]any
		expr   string
	}{
		{params, "params.list == [1, 'x', 2.5, null]"},
		{params, "params.map == {'b': true, 'n': {'deep': 'y'}}"},
		{params, "params.map.n.deep == 'y' && params.s == 'str'"},
		{params, "'x' in params.list && 'map' in params && !('other' in params)"},
		{params, "params.?other.orValue(7) == 7 && params.list.size() == 4"},
		{params, "params.map.all(k, k in ['b', 'n'])"},
		{params, "json.encode(params.map.n) == '{\"deep\":\"y\"}'"},
		{nil, "params.size() == 0 && params == {}"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			ast, iss := env.Compile(tt.expr)
			require.NoError(t, iss.Err())
			prg, err := env.Program(ast)
			require.NoError(t, err)
			out, _, err := prg.Eval(&Activation{Params: ParamsValue(tt.params)})
			require.NoError(t, err)
			assert.Equal(t, types.True, out)
		})
	}
}
