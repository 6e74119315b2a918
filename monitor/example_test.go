package monitor_test

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/monitor"
)

// A monitor keeps the workloads benchmark's results current over a cluster: a privileged pod
// created opens a finding, fixed it resolves it, and the report is there at any time.
func Example() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cs := fake.NewClientset(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}},
		&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "api", Namespace: "shop"},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx:1.27"}}}})
	bs, err := kspm.SelectBenchmarks([]string{"workloads"})
	if err != nil {
		panic(err)
	}
	updates := make(chan monitor.Update, 16)
	m, err := monitor.New(cs, bs, monitor.WithUpdates(func(u monitor.Update) { updates <- u }))
	if err != nil {
		panic(err)
	}
	go func() { _ = m.Run(ctx) }()
	<-updates // the first evaluation: its results are the report's

	findings := func(u monitor.Update) {
		for _, d := range u.Deltas {
			if d.Key.CheckID == "workloads:privileged" && d.Kind != monitor.Changed {
				fmt.Println(d.Kind, d.Key.CheckID, d.Key.Kind, d.Key.Namespace+"/"+d.Key.Name, d.Key.Field)
			}
		}
	}
	privileged := true
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop"},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx:1.27",
			SecurityContext: &corev1.SecurityContext{Privileged: &privileged}}}}}
	if _, err := cs.CoreV1().Pods("shop").Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		panic(err)
	}
	findings(<-updates)

	privileged = false
	if _, err := cs.CoreV1().Pods("shop").Update(ctx, pod, metav1.UpdateOptions{}); err != nil {
		panic(err)
	}
	u := <-updates
	findings(u)
	fmt.Println("checks re-run over the whole inventory:", u.Whole)

	rep, err := m.Report()
	if err != nil {
		panic(err)
	}
	fmt.Println("critical failures now:", rep.Summary.FailedBySeverity[check.Critical])
	// Output:
	// opened workloads:privileged Pod shop/web spec.containers[0].securityContext.privileged
	// resolved workloads:privileged Pod shop/web spec.containers[0].securityContext.privileged
	// checks re-run over the whole inventory: [workloads:allowed-registries]
	// critical failures now: 0
}
