package publish_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/monitor"
	"github.com/kspm-dev/kspm/monitor/publish"
)

// lines hands each line written to it on, as a dry run's objects.
type lines chan string

func (l lines) Write(p []byte) (int, error) {
	for _, s := range strings.Split(strings.TrimSpace(string(p)), "\n") {
		l <- s
	}
	return len(p), nil
}

// A monitor's results written as report objects: here a dry run, which prints the objects
// instead of writing them (New takes a dynamic client to write them to a cluster).
func Example() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	privileged := true
	cs := fake.NewClientset(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}},
		&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop"},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx:1.27",
				SecurityContext: &corev1.SecurityContext{Privileged: &privileged}}}}})
	bs, err := kspm.SelectBenchmarks([]string{"workloads"})
	if err != nil {
		panic(err)
	}
	out := make(lines, 16)
	pub, err := publish.New(nil, publish.WithDryRun(out), publish.WithDelay(0))
	if err != nil {
		panic(err)
	}
	var m *monitor.Monitor
	m, err = monitor.New(cs, bs, monitor.WithClock(func() time.Time { return time.Unix(1767225600, 0) }),
		monitor.WithUpdates(func(u monitor.Update) { pub.Update(m, u) }))
	if err != nil {
		panic(err)
	}
	go func() { _ = pub.Run(ctx) }()
	go func() { _ = m.Run(ctx) }()

	var objects []string
	for range 2 { // the namespace's Report and the ClusterReport
		var obj struct {
			Kind     string
			Metadata struct{ Namespace, Name string }
			Summary  map[string]int
			Results  []struct {
				Policy, Result string
				Properties     map[string]string
			}
		}
		if err := json.Unmarshal([]byte(<-out), &obj); err != nil {
			panic(err)
		}
		s := fmt.Sprintf("%s %s/%s fail=%d error=%d:", obj.Kind, obj.Metadata.Namespace, obj.Metadata.Name,
			obj.Summary["fail"], obj.Summary["error"])
		for _, r := range obj.Results {
			if r.Policy == "workloads:privileged" || r.Result == "error" {
				s += fmt.Sprintf(" %s=%s(%s)", r.Policy, r.Result, r.Properties["status"])
			}
		}
		objects = append(objects, s)
	}
	slices.Sort(objects)
	for _, s := range objects {
		fmt.Println(s)
	}
	// Output:
	// ClusterReport /kspm-0 fail=0 error=2: workloads:allowed-registries=error(notEvaluated) workloads:default-namespace=error(notEvaluated)
	// Report shop/kspm-0 fail=10 error=1: workloads:privileged=fail(fail) workloads:workload-default-sa=error(notEvaluated)
}
