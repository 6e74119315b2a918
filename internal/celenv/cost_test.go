package celenv

import (
	"fmt"
	"math"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/interpreter"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/inventory"
)

// costCase is an expression and the object it is evaluated on, for measuring what a unit of
// cost is worth in time.
type costCase struct {
	name, expr string
	obj        func(testing.TB) map[string]any
	runaway    bool // evaluated until it reaches the limit
}

// typicalPod is a pod as real manifests have them: three containers with resources, probes,
// mounts and labels.
func typicalPod(t testing.TB) map[string]any {
	t.Helper()
	c := func(name, image string) corev1.Container {
		return corev1.Container{
			Name: name, Image: image, Ports: []corev1.ContainerPort{{ContainerPort: 8080}},
			Resources:       corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("256Mi")}},
			SecurityContext: &corev1.SecurityContext{RunAsNonRoot: new(bool)},
			VolumeMounts:    []corev1.VolumeMount{{Name: "config", MountPath: "/etc/app"}},
			Env:             []corev1.EnvVar{{Name: "MODE", Value: "production"}, {Name: "LOG", Value: "info"}},
		}
	}
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web-7d9f", Labels: map[string]string{
			"app.kubernetes.io/name": "web", "app.kubernetes.io/part-of": "shop", "team": "payments"},
			Annotations: map[string]string{"helm.sh/chart": "web-1.2.3"}},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{c("app", "registry.example.com/shop/web:1.4"),
				c("proxy", "ghcr.io/example/proxy:2"), c("metrics", "quay.io/prometheus/exporter:0.9")},
			Volumes: []corev1.Volume{{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
				LocalObjectReference: corev1.LocalObjectReference{Name: "web"}}}}},
		},
	}
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(p)
	require.NoError(t, err)
	return m
}

// bigObject is a ConfigMap near the API server's size limit: 2,000 keys of 100 bytes, and
// one value of 512 KiB.
func bigObject(testing.TB) map[string]any {
	data := make(map[string]any, 2001)
	for i := range 2000 {
		data[fmt.Sprintf("key-%04d", i)] = strings.Repeat("v", 100)
	}
	data["blob"] = strings.Repeat("a", 512<<10)
	data["mid"] = strings.Repeat("abcdefghij", 5<<10)
	data["pattern"] = "([a-z]{2,50}){1,20}"
	list := make([]any, 5000)
	for i := range list {
		list[i] = map[string]any{"name": fmt.Sprintf("item-%d", i), "value": int64(i)}
	}
	return map[string]any{"kind": "ConfigMap", "metadata": map[string]any{"name": "big", "namespace": "shop"},
		"data": data, "items": list}
}

var costCases = []costCase{
	// Typical checks.
	{name: "field", expr: "object.spec.?hostNetwork.orValue(false) == false", obj: typicalPod},
	{name: "containers", expr: "object.spec.containers.all(c, c.?securityContext.?runAsNonRoot.orValue(false) == false && has(c.resources.limits.memory))", obj: typicalPod},
	{name: "registries", expr: "object.spec.containers.all(c, ['registry.example.com/', 'ghcr.io/example/', 'quay.io/prometheus/'].exists(r, c.image.startsWith(r)))", obj: typicalPod},
	{name: "labels", expr: "object.metadata.labels.all(k, !k.matches('(?i)(secret|token)')) && object.metadata.labels.team != ''", obj: typicalPod},
	{name: "message", expr: "'containers: ' + object.spec.containers.map(c, c.name + '=' + c.image).join(', ') != ''", obj: typicalPod},
	// Runaway expressions, evaluated until they reach the limit.
	{name: "nested-ranges", expr: "lists.range(10000).all(i, lists.range(10000).all(j, i + j >= 0))", obj: typicalPod, runaway: true},
	{name: "long-loop", expr: "lists.range(10000).map(i, lists.range(50)).flatten().all(i, i >= 0) && false", obj: typicalPod, runaway: true},
	{name: "nested-object-lists", expr: "object.items.all(x, object.items.all(y, x.value + y.value >= 0))", obj: bigObject, runaway: true},
	{name: "string-doubling", expr: "cel.bind(a, object.data.blob + object.data.blob, cel.bind(b, a + a, cel.bind(c, b + b, cel.bind(d, c + c, d.size() == 0))))", obj: bigObject, runaway: true},
	{name: "string-size-loop", expr: "lists.range(10000).all(i, object.data.blob.size() > 0) && false", obj: bigObject, runaway: true},
	{name: "join-blowup", expr: "lists.range(10000).map(i, object.data.blob).join('').size() == 0", obj: bigObject, runaway: true},
	{name: "replace-blowup", expr: "object.data.blob.replace('a', object.data.blob).size() == 0", obj: bigObject, runaway: true},
	{name: "regex-long-string", expr: "lists.range(100).all(i, object.data.blob.matches('^(a|aa)+b$') == false) && false", obj: bigObject, runaway: true},
	{name: "regex-program-size", expr: "lists.range(100).all(i, !object.data.mid.matches('([a-z]{2,50}){1,20}x')) && false", obj: bigObject, runaway: true},
	{name: "regex-compile", expr: "lists.range(10000).all(i, !'abc'.matches(object.data.pattern + string(i))) && false", obj: bigObject, runaway: true},
	{name: "regex-keys", expr: "lists.range(1000).all(i, object.data.all(k, !k.matches('(?i)(passw(or)?d|secret|token|api[_-]?key)'))) && false", obj: bigObject, runaway: true},
	{name: "deep-equality", expr: "lists.range(10000).all(i, object == object) && false", obj: bigObject, runaway: true},
	{name: "sort", expr: "lists.range(1000).all(i, object.items.map(x, x.name).sort().size() > 0) && false", obj: bigObject, runaway: true},
	{name: "distinct", expr: "object.items.map(x, x.name).distinct().size() == 0", obj: bigObject, runaway: true},
	{name: "keys-in-list", expr: "object.items.all(x, x.name in object.items.map(y, y.name)) && false", obj: bigObject, runaway: true},
	{name: "inventory-lookups", expr: "lists.range(10000).all(i, !inventory.list('ConfigMap').exists(c, c.metadata.name == 'none')) && false", obj: typicalPod, runaway: true},
	{name: "json-encode", expr: "lists.range(10000).all(i, json.encode(object).size() > 0) && false", obj: bigObject, runaway: true},
	// The Kubernetes libraries.
	{name: "k8s-typical", expr: "object.spec.containers.all(c, url('https://' + c.image).getHost() != '' && quantity(c.resources.limits.memory).isLessThan(quantity('1Gi')))", obj: typicalPod},
	{name: "k8s-find-long-string", expr: "lists.range(100).all(i, object.data.blob.find('(a|aa)+b') == '') && false", obj: bigObject, runaway: true},
	{name: "k8s-find-pattern", expr: "lists.range(10000).all(i, 'abc'.find(object.data.pattern + string(i)) == '') && false", obj: bigObject, runaway: true},
	{name: "k8s-findall", expr: "lists.range(100).all(i, object.data.mid.findAll('[a-j]').size() > 0) && false", obj: bigObject, runaway: true},
	{name: "k8s-url", expr: "lists.range(10000).all(i, url('https://h/' + object.data.mid).getHost() != '') && false", obj: bigObject, runaway: true},
	{name: "k8s-quantity", expr: "lists.range(10000).all(i, lists.range(100).all(j, quantity(string(j) + 'Mi').isLessThan(quantity('1Gi')))) && false", obj: typicalPod, runaway: true},
	{name: "k8s-lists", expr: "lists.range(10000).all(i, object.items.map(x, x.value).isSorted() && object.items.map(x, x.value).sum() > 0) && false", obj: bigObject, runaway: true},
	{name: "k8s-semver", expr: "lists.range(10000).all(i, lists.range(100).all(j, semver('1.' + string(j) + '.0').isGreaterThan(semver('0.1.0')))) && false", obj: typicalPod, runaway: true},
	{name: "k8s-format", expr: "lists.range(10000).all(i, format.dns1123Subdomain().validate(object.data.mid).hasValue()) && false", obj: bigObject, runaway: true},
}

// TestK8sLibraryCost: a call of a Kubernetes library function is charged, besides kspm's own
// charges for its operands and result, what the API server's cost estimator charges it; and
// find with a constant pattern compiles it once, as matches does, while a pattern computed at
// run time is charged its compilation on every call.
func TestK8sLibraryCost(t *testing.T) {
	obj := bigObject(t)
	cost := func(t *testing.T, expr string) uint64 {
		t.Helper()
		act := &Activation{Object: obj}
		c, _, stopped := measureCost(t, compileCost(t, expr), act, math.MaxUint64)
		require.False(t, stopped)
		return c
	}
	mid := uint64(len(obj["data"].(map[string]any)["mid"].(string)))
	t.Run("url", func(t *testing.T) {
		// Both calls are charged their operand (1 unit per 10 bytes) by kspm; url() is also
		// charged the library's estimate of parsing it, as much again.
		got := cost(t, "url('https://h/' + object.data.mid).getHost() == 'h'")
		base := cost(t, "('https://h/' + object.data.mid).size() == 1")
		assert.GreaterOrEqual(t, got-base, mid/10, "url() costs the library's estimate on top of kspm's charges")
		assert.Less(t, got-base, mid/10+20)
	})
	t.Run("find compiles a constant pattern once", func(t *testing.T) {
		constant := cost(t, "'abc'.find('([a-z]{2,50}){1,20}') != ''")
		dynamic := cost(t, "'abc'.find(object.data.pattern) != ''")
		assert.Greater(t, dynamic, constant+regexCompileCost*100, "a computed pattern is charged its compilation")
	})
	t.Run("lists", func(t *testing.T) {
		sum := cost(t, "object.items.map(x, x.value).sum() > 0")
		mapped := cost(t, "object.items.map(x, x.value).size() > 0")
		assert.GreaterOrEqual(t, sum-mapped, uint64(5000), "sum() traverses the 5,000 values")
	})
}

// costInventory holds 2,000 ConfigMaps for the lookup cases.
func costInventory(t testing.TB) *Inventory {
	t.Helper()
	objs := make([]runtime.Object, 2000)
	for i := range objs {
		objs[i] = &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: fmt.Sprintf("ns-%d", i%20), Name: fmt.Sprintf("cm-%d", i)},
			Data: map[string]string{"a": "b"}}
	}
	inv, err := inventory.New(objs...)
	require.NoError(t, err)
	return NewInventory(inv)
}

func compileCost(t testing.TB, expr string) cel.Program {
	t.Helper()
	env, err := ObjectEnv()
	require.NoError(t, err)
	ast, iss := env.Compile(expr)
	require.NoError(t, iss.Err())
	prg, err := env.Program(ast, ProgramOptions()...)
	require.NoError(t, err)
	return prg
}

// cpuTime returns the CPU time the process has used: on a machine shared with other work, the
// time an evaluation takes is its CPU time, not the wall-clock time it waits for a core.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measureCost evaluates prg under limit and returns the units spent, the CPU time taken and
// whether the limit stopped it.
func measureCost(t testing.TB, prg cel.Program, act *Activation, limit uint64) (uint64, time.Duration, bool) {
	t.Helper()
	act.Meter.Reset(limit, nil)
	start := cpuTime()
	_, _, err := prg.Eval(act)
	d := cpuTime() - start
	stopped := false
	if err != nil {
		var cancelled interpreter.EvalCancelledError
		require.ErrorAs(t, err, &cancelled, "only the cost limit may stop these")
		stopped = cancelled.Cause == interpreter.CostLimitExceeded
	}
	return act.Meter.Cost(), d, stopped
}

// TestCostUnitTime measures the CPU time a unit of cost stands for: every runaway expression
// must reach a limit of 1,000,000 units, and do so in bounded time per unit, so that the limit
// bounds the time of an evaluation. The figures are logged (go test -v -run CostUnitTime).
func TestCostUnitTime(t *testing.T) {
	if testing.Short() {
		t.Skip("measurement")
	}
	const limit = 1_000_000
	inv := costInventory(t)
	worst, worstName := 0.0, ""
	for _, tc := range costCases {
		prg := compileCost(t, tc.expr)
		act := &Activation{Object: tc.obj(t), Inventory: inv}
		measureCost(t, prg, act, limit) // warm up caches (inventory lists, patterns)
		best := time.Duration(math.MaxInt64)
		var cost uint64
		var stopped bool
		for range 3 {
			var d time.Duration
			cost, d, stopped = measureCost(t, prg, act, limit)
			best = min(best, d)
		}
		assert.Equal(t, tc.runaway, stopped, "%s: stopped by the limit", tc.name)
		perUnit := float64(best.Nanoseconds()) / float64(max(cost, 1))
		t.Logf("%-20s %9d units %12v %8.1f ns/unit", tc.name, cost, best, perUnit)
		if tc.runaway && perUnit > worst {
			worst, worstName = perUnit, tc.name
		}
	}
	t.Logf("worst runaway: %s, %.1f ns/unit", worstName, worst)
	assert.Less(t, worst, 1000.0*raceSlowdown, "a unit of cost must stand for bounded time")
}

// BenchmarkCostUnit reports the time per unit of cost of each case (see TestCostUnitTime).
func BenchmarkCostUnit(b *testing.B) {
	inv := costInventory(b)
	for _, tc := range costCases {
		b.Run(tc.name, func(b *testing.B) {
			prg := compileCost(b, tc.expr)
			act := &Activation{Object: tc.obj(b), Inventory: inv}
			var units uint64
			for b.Loop() {
				units, _, _ = measureCost(b, prg, act, 1_000_000)
			}
			b.ReportMetric(float64(units), "units/op")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(max(units, 1)), "ns/unit")
		})
	}
}
