package celenv

import (
	"testing"

	"github.com/google/cel-go/common/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kspm-dev/kspm/inventory"
)

func TestEnvsAreSharedAndDistinct(t *testing.T) {
	obj1, err := ObjectEnv()
	require.NoError(t, err)
	obj2, err := ObjectEnv()
	require.NoError(t, err)
	assert.Same(t, obj1, obj2, "built once")
	pod, err := PodEnv()
	require.NoError(t, err)

	_, iss := obj1.Compile("podSpec.hostPID == true")
	assert.Error(t, iss.Err(), "podSpec is not declared for per-object checks")
	_, iss = pod.Compile("podSpec.hostPID == true")
	assert.NoError(t, iss.Err())
}

func TestLibraries(t *testing.T) {
	env, err := ObjectEnv()
	require.NoError(t, err)
	tests := []string{
		"'a,b'.split(',') == ['a', 'b']",                          // strings
		"'Hello'.lowerAscii() == 'hello'",                         // strings
		"[3, 1, 2].sort() == [1, 2, 3]",                           // lists
		"lists.range(3) == [0, 1, 2]",                             // lists
		"sets.contains([1, 2, 3], [2])",                           // sets
		"math.greatest(1, 5, 3) == 5",                             // math
		"base64.encode(b'hi') == 'aGk='",                          // encoders
		"json.encode({'a': 1}) == '{\"a\":1}'",                    // encoders v1
		"regex.extract('img:1.2', ':(.*)') == optional.of('1.2')", // regex
		"'abc'.matches('^a')",                                     // standard
		"cel.bind(x, 2, x * x) == 4",                              // bindings
		"{'a': 1}.all(k, v, v > 0)",                               // two-variable comprehensions
		"cidr('10.0.0.0/8').containsIP('10.1.2.3')",               // network
		"{'a': 1}.?b.orValue(0) == 0",                             // optional types
		"1 < 2.5",                                                 // cross-type numeric comparisons
		// The Kubernetes libraries, as a ValidatingAdmissionPolicy sees them.
		"'abc 123'.find('[0-9]+') == '123'",                                            // regex
		"'1 a 22'.findAll('[0-9]+') == ['1', '22'] && 'x'.findAll('y', 1) == []",       // regex
		"[1, 2, 3].isSorted() && [1, 2, 3].sum() == 6 && [4, 9].max() == 9",            // lists
		"[1, 2].indexOf(2) == 1 && ['a', 'a'].lastIndexOf('a') == 1",                   // lists
		"[1, 2].includes(2) && 'abc'.indexOf('c') == 2",                                // lists v1, strings
		"url('https://example.com:8443/a?b=c').getPort() == '8443'",                    // url
		"isURL('/path') && url('https://example.com').getHostname() == 'example.com'",  // url
		"quantity('1Gi').isGreaterThan(quantity('512Mi'))",                             // quantity
		"quantity('1').add(quantity('2')).asInteger() == 3",                            // quantity
		"ip('10.0.0.1').family() == 4 && ip.isCanonical('::1')",                        // ip
		"cidr('10.0.0.0/8').containsIP(ip('10.1.2.3')) && cidr('10.0.0.0/8').isMask()", // cidr
		"!cidr('10.0.0.1/8').isMask() && cidr('10.0.0.1/8').masked() == cidr('10.0.0.0/8')",
		"format.dns1123Label().validate('web-1') == optional.none()",              // format
		"format.named('dns1123Label').value().validate('Not_A_Label').hasValue()", // format
		"semver('1.2.3').isLessThan(semver('1.10.0'))",                            // semver
		"semver('v1.0', true).patch() == 0 && isSemver('1.0.0')",                  // semver v1
	}
	for _, expr := range tests {
		t.Run(expr, func(t *testing.T) {
			ast, iss := env.Compile(expr)
			require.NoError(t, iss.Err())
			prg, err := env.Program(ast)
			require.NoError(t, err)
			out, _, err := prg.Eval(&Activation{})
			require.NoError(t, err)
			assert.Equal(t, types.True, out)
		})
	}
}

// TestNoAuthorizer: the authz library of admission policies has no meaning offline (there is
// no authorizer to ask), so the environment does not declare it.
func TestNoAuthorizer(t *testing.T) {
	env, err := ObjectEnv()
	require.NoError(t, err)
	for _, expr := range []string{
		"authorizer.group('apps').resource('deployments').check('create').allowed()",
		"request.userInfo.username == 'admin'",
	} {
		_, iss := env.Compile(expr)
		require.Error(t, iss.Err(), expr)
		assert.Contains(t, iss.Err().Error(), "undeclared reference", expr)
	}
}

func TestInventoryFunctions(t *testing.T) {
	inv, err := inventory.New(
		&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "p1"}},
		&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "b", Name: "p2"}},
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "a"}},
	)
	require.NoError(t, err)
	env, err := ObjectEnv()
	require.NoError(t, err)
	v := NewInventory(inv)
	eval := func(t *testing.T, expr string) (any, error) {
		t.Helper()
		ast, iss := env.Compile(expr)
		require.NoError(t, iss.Err())
		prg, err := env.Program(ast)
		require.NoError(t, err)
		out, _, err := prg.Eval(&Activation{Inventory: v})
		if err != nil {
			return nil, err
		}
		return out.Value(), nil
	}
	tests := []struct {
		expr string
		want any
	}{
		{"inventory.list('Pod').size()", int64(2)},
		{"inventory.list('pods', 'a').map(p, p.metadata.name) == ['p1']", true},
		{"inventory.list('v1/Pod', 'c').size()", int64(0)},
		{"inventory.get('Pod', 'b', 'p2').hasValue()", true},
		{"inventory.get('Pod', 'b', 'p9').hasValue()", false},
		{"inventory.get('Namespace', '', 'a').value().kind", "Namespace"},
		{"type(inventory) == kspm.Inventory", true},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			got, err := eval(t, tt.expr)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	t.Run("lists are cached per run", func(t *testing.T) {
		a := v.list("Pod", "a", false)
		b := v.list("pods", "a", false)
		assert.Same(t, a, b, "same kind, however written")
	})
	t.Run("incomplete kinds", func(t *testing.T) {
		for _, expr := range []string{
			"inventory.list('NetworkPolicy').size() == 0",
			"inventory.list('NetworkPolicy', 'a').size() == 0",
			"!inventory.get('NetworkPolicy', 'a', 'x').hasValue()",
		} {
			_, err := eval(t, expr)
			var inc *IncompleteError
			require.ErrorAs(t, err, &inc, expr)
			assert.Equal(t, inventory.KindNetworkPolicy, inc.Kind)
			assert.Contains(t, inc.Error(), "networkpolicies absent")
		}
	})
}

func TestPodTemplateMaps(t *testing.T) {
	dep := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "web", Labels: map[string]string{"tier": "owner"}},
		Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"tier": "pod"}},
			Spec:       corev1.PodSpec{HostPID: true},
		}},
	}
	cj := &batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "nightly"},
		Spec: batchv1.CronJobSpec{JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{
			Spec: corev1.PodSpec{ServiceAccountName: "batch"},
		}}}},
	}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "p", Labels: map[string]string{"tier": "bare"}},
		Spec: corev1.PodSpec{HostIPC: true}}
	inv, err := inventory.New(dep, cj, pod)
	require.NoError(t, err)
	got := map[string][2]map[string]any{}
	for _, tmpl := range inv.PodTemplates() {
		spec, meta, err := PodTemplateMaps(tmpl)
		require.NoError(t, err)
		got[tmpl.Owner.Name()] = [2]map[string]any{spec, meta}
	}
	require.Len(t, got, 3)
	assert.Equal(t, true, got["web"][0]["hostPID"])
	assert.Equal(t, map[string]any{"tier": "pod"}, got["web"][1]["labels"])
	assert.Equal(t, "batch", got["nightly"][0]["serviceAccountName"])
	assert.NotNil(t, got["nightly"][1], "empty template metadata is an empty map, not null")
	assert.Equal(t, true, got["p"][0]["hostIPC"])
	assert.Equal(t, map[string]any{"tier": "bare"}, got["p"][1]["labels"])
}

func TestNormalizeParams(t *testing.T) {
	got, err := NormalizeParams(map[string]any{
		"n": 3, "u": uint8(2), "f": float32(1.5), "s": []string{"a"}, "m": map[string]int{"x": 1},
		"nested": map[any]any{"k": []any{int32(1), "v"}}, "nil": nil,
	})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{
		"n": int64(3), "u": uint64(2), "f": 1.5, "s": []any{"a"}, "m": map[string]any{"x": int64(1)},
		"nested": map[string]any{"k": []any{int64(1), "v"}}, "nil": nil,
	}, got)

	_, err = NormalizeParams(map[string]any{"bad": map[any]any{1: "x"}})
	assert.ErrorContains(t, err, `param "bad": map key 1 is not a string`)
	_, err = NormalizeParams(map[string]any{"s": struct{}{}})
	assert.ErrorContains(t, err, "unsupported value of type struct {}")

	defaults := map[string]any{"a": 1, "b": 2}
	merged := MergeParams(defaults, map[string]any{"b": 3})
	assert.Equal(t, map[string]any{"a": 1, "b": 3}, merged)
	assert.Equal(t, map[string]any{"a": 1, "b": 2}, defaults, "defaults untouched")
}
