package check_test

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// bigConfigMap is a ConfigMap of 2,000 keys and one 10 KB value, "blob".
func bigConfigMap(ns, name string) *corev1.ConfigMap {
	data := make(map[string]string, 2001)
	for i := range 2000 {
		data[fmt.Sprintf("key-%04d", i)] = strings.Repeat("v", 100)
	}
	data["blob"] = strings.Repeat("a", 10_000)
	return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Data: data}
}

// cpuTime returns the CPU time the process has used: on a machine shared with other work, it
// measures a run better than the wall-clock time, which includes waiting for a core.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func configMaps(n int) []runtime.Object {
	objs := make([]runtime.Object, n)
	for i := range objs {
		objs[i] = &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: fmt.Sprintf("ns-%d", i%50), Name: fmt.Sprintf("cm-%05d", i)},
			Data: map[string]string{"mode": "production"}}
	}
	return objs
}

// Under the default limits, an expression whose work runs away is stopped within a fraction
// of a second and yields an error result naming the check and the object: the cost of an
// operation follows the work and memory it takes, whatever the static types of its operands.
func TestCELRunawayExpressionsAreStopped(t *testing.T) {
	inv := mustInventory(t, bigConfigMap("shop", "big"))
	blob := "object.data.blob"
	// Nine doublings of the 10 KB value make 5 MB; cel-go's own cost tracking charged each
	// concatenation of two fields 1 unit.
	doubling := "a0 + a0 != ''"
	for i := range 9 {
		doubling = fmt.Sprintf("cel.bind(a%d, a%d + a%d, %s)", i, i+1, i+1, doubling)
	}
	doubling = strings.ReplaceAll(doubling, "a9 + a9", blob+" + "+blob)
	tests := []struct{ name, expr string }{
		{"nested ranges", "lists.range(10000).all(i, lists.range(10000).all(j, i + j >= 0))"},
		{"string doubling", doubling},
		{"size of a long string in a loop", "lists.range(10000).all(i, " + blob + ".size() > 0)"},
		{"join of a repeated string", "lists.range(10000).map(i, " + blob + ").join('').size() > 0"},
		{"replace by a long string", blob + ".replace('a', " + blob + ").size() > 0"},
		{"deep equality in a loop", "lists.range(10000).all(i, object == object)"},
		{"json of the object in a loop", "lists.range(10000).all(i, json.encode(object).size() > 0)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustCEL(t, check.CELSpec{Meta: testMeta("custom:runaway", inventory.KindConfigMap), Expression: tt.expr})
			start := cpuTime()
			got := mustRun(t, c, inv, nil)
			elapsed := cpuTime() - start
			require.Len(t, got, 1)
			assert.Equal(t, check.StatusError, got[0].Status)
			assert.Contains(t, got[0].Message, "check custom:runaway: evaluating ConfigMap shop/big: cost limit")
			assert.Less(t, elapsed, raceSlowdown*time.Second, "stopped well under a second of CPU time")
		})
	}
}

// A check whose expression runs away on every object stops evaluating after a few of them;
// one that is merely costly on every object stops when its scan budget is spent. Either way
// the run ends in seconds, and every object gets an error result, never a verdict it was not
// evaluated for.
func TestCELRunawayCheckEnds(t *testing.T) {
	inv := mustInventory(t, configMaps(5_000)...)
	tests := []struct {
		name, expr, message string
		skipRace            bool
	}{
		{name: "over the limit on every object", expr: "lists.range(10000).all(i, lists.range(10000).all(j, i + j >= 0))",
			message: "on 10 of the 10 objects evaluated"},
		{name: "costly on every object", expr: "lists.range(10000).all(i, i >= 0)",
			message: "scan cost budget", skipRace: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.skipRace && raceSlowdown > 1 {
				t.Skip("a measure of time, meaningless under the race detector")
			}
			c := mustCEL(t, check.CELSpec{Meta: testMeta("custom:runaway", inventory.KindConfigMap), Expression: tt.expr})
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			start := cpuTime()
			got, err := runCheck(t, ctx, c, inv, nil)
			elapsed := cpuTime() - start
			require.NoError(t, err)
			require.Len(t, got, 5_000)
			var errs, stopped int
			for _, f := range got {
				switch f.Status {
				case check.StatusPass:
				case check.StatusError:
					errs++
					if strings.Contains(f.Message, tt.message) {
						stopped++
					}
				default:
					t.Fatalf("unexpected %+v", f)
				}
			}
			assert.Positive(t, errs)
			assert.Greater(t, stopped, 4_000, "most objects are not evaluated")
			assert.Less(t, elapsed, raceSlowdown*8*time.Second, "the run ends in seconds of CPU time")
			t.Logf("%v of CPU time", elapsed)
		})
	}
}

// Cost limits are bounded: a check may raise them up to MaxCELCostLimit and
// MaxCELScanCostLimit, not to whatever a file says.
func TestCELCostLimitsAreCapped(t *testing.T) {
	meta := testMeta("custom:greedy", inventory.KindPod)
	_, err := check.CEL(check.CELSpec{Meta: meta, Expression: "true", CostLimit: check.MaxCELCostLimit})
	require.NoError(t, err)
	_, err = check.CEL(check.CELSpec{Meta: meta, Expression: "true", ScanCostLimit: check.MaxCELScanCostLimit})
	require.NoError(t, err)

	_, err = check.CEL(check.CELSpec{Meta: meta, Expression: "true", CostLimit: 18446744073709551615})
	var ce *check.CELError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "costLimit", ce.Field)
	assert.EqualError(t, err, fmt.Sprintf("check custom:greedy: costLimit: 18446744073709551615 is above the maximum, %d", check.MaxCELCostLimit))

	_, err = check.CEL(check.CELSpec{Meta: meta, Expression: "true", ScanCostLimit: check.MaxCELScanCostLimit + 1})
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "scanCostLimit", ce.Field)
}
