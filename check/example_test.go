package check_test

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// examplePods returns an inventory of two pods, one of them on the host network.
func examplePods() *inventory.Inventory {
	inv, err := inventory.New(
		&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web"},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "registry.example.com/web:1"}}}},
		&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "agent"},
			Spec: corev1.PodSpec{HostNetwork: true, Containers: []corev1.Container{{Name: "agent", Image: "docker.io/agent:3"}}}},
	)
	if err != nil {
		panic(err)
	}
	return inv
}

// printFindings runs c over inv with a pass that prints each finding. Runners (kspm.Run,
// checktest.Run) do the same and turn findings into results.
func printFindings(c check.Check, inv *inventory.Inventory, params map[string]any) {
	pass := check.NewPass(inv, c.Meta(), params, func(f check.Finding) {
		line := fmt.Sprintf("%s %s:", f.Status, f.Object)
		for _, s := range []string{f.Field, f.Message} {
			if s != "" {
				line += " " + s
			}
		}
		fmt.Println(line)
	})
	if err := c.Run(context.Background(), pass); err != nil {
		fmt.Println("error:", err)
	}
}

// A Go check: metadata plus a function over the inventory's typed objects.
func ExampleNew() {
	hostNetwork := check.New(check.Meta{
		ID:          "custom:host-network",
		Title:       "Pods do not use the host network",
		Severity:    check.High,
		Remediation: "Remove spec.hostNetwork.",
		Kinds:       []schema.GroupKind{inventory.KindPod},
	}, func(ctx context.Context, pass *check.Pass) error {
		for _, o := range pass.Inventory.ByKind(inventory.KindPod) {
			if o.Object().(*corev1.Pod).Spec.HostNetwork {
				pass.Fail(o, "spec.hostNetwork", "uses the host network")
			} else {
				pass.Pass(o, "")
			}
		}
		return nil
	})
	if err := check.Validate([]check.Check{hostNetwork}); err != nil {
		fmt.Println(err)
		return
	}
	printFindings(hostNetwork, examplePods(), nil)
	// Output:
	// fail Pod shop/agent: spec.hostNetwork uses the host network
	// pass Pod shop/web:
}

// A CEL check: the expression is compiled once; params defaults can be overridden per run.
func ExampleCEL() {
	registries, err := check.CEL(check.CELSpec{
		Meta: check.Meta{
			ID:          "custom:allowed-registries",
			Title:       "Images come from approved registries",
			Severity:    check.High,
			Remediation: "Pull images from an approved registry.",
			Kinds:       []schema.GroupKind{inventory.KindPod},
		},
		Expression: "object.spec.containers.all(c, params.registries.exists(r, c.image.startsWith(r + '/')))",
		Message: `'not from ' + params.registries.join(' or ') + ': ' +
			object.spec.containers.map(c, c.image).join(', ')`,
		Params: map[string]any{"registries": []string{"registry.example.com"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	inv := examplePods()
	printFindings(registries, inv, nil)
	fmt.Println("-- with docker.io allowed:")
	printFindings(registries, inv, map[string]any{"registries": []string{"registry.example.com", "docker.io"}})

	// A mistake is reported when the check is built, with its position.
	_, err = check.CEL(check.CELSpec{Meta: check.Meta{ID: "custom:typo"}, Expression: "object.spec.hostNetwork == flase"})
	fmt.Println(err)
	// Output:
	// fail Pod shop/agent: not from registry.example.com: docker.io/agent:3
	// pass Pod shop/web:
	// -- with docker.io allowed:
	// pass Pod shop/agent:
	// pass Pod shop/web:
	// check custom:typo: expression: line 1, column 28: undeclared reference to 'flase'
}
