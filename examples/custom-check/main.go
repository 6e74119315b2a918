// Command custom-check shows how to write checks in Go and run them with kspm, without any
// bundled benchmark. It defines two checks:
//
//   - custom:memory-limits walks every pod template (bare pods and workload templates) and
//     fails containers that set no memory limit;
//   - custom:replicas-and-pdb is a cross-object check: a Deployment must run at least two
//     replicas and be covered by a PodDisruptionBudget. It reports notEvaluated, never pass,
//     when PodDisruptionBudgets could not be seen (a cluster scan does not list them, and
//     manifests may not include them).
//
// Run it on the demo inventory:
//
//	go run ./examples/custom-check -f examples/demo
//	go run ./examples/custom-check --kubeconfig ~/.kube/config
//
// It exits 1 when a check fails, 2 on a usage or load error or when the input holds no object.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/helm"
	"github.com/kspm-dev/kspm/report"
)

// kindPDB is the kind of PodDisruptionBudgets. It is not one of the inventory's built-in
// kinds, so its objects are held as unstructured objects.
var kindPDB = schema.GroupKind{Group: "policy", Kind: "PodDisruptionBudget"}

// memoryLimits fails every container, in any pod template, that sets no memory limit.
var memoryLimits = check.New(check.Meta{
	ID:          "custom:memory-limits",
	Title:       "Containers have a memory limit",
	Description: "Every container and init container of every pod template sets resources.limits.memory.",
	Severity:    check.Medium,
	Remediation: "Set resources.limits.memory on each container (or add a LimitRange default).",
	Kinds: []schema.GroupKind{inventory.KindPod, inventory.KindDeployment, inventory.KindStatefulSet,
		inventory.KindDaemonSet, inventory.KindReplicaSet, inventory.KindJob, inventory.KindCronJob,
		inventory.KindReplicationController},
}, func(ctx context.Context, pass *check.Pass) error {
	for _, t := range pass.Inventory.PodTemplates() {
		if err := ctx.Err(); err != nil {
			return err
		}
		var missing []string
		for i, c := range t.Spec.InitContainers {
			if _, ok := c.Resources.Limits["memory"]; !ok {
				missing = append(missing, fmt.Sprintf("%s.initContainers[%d]", t.Path, i))
			}
		}
		for i, c := range t.Spec.Containers {
			if _, ok := c.Resources.Limits["memory"]; !ok {
				missing = append(missing, fmt.Sprintf("%s.containers[%d]", t.Path, i))
			}
		}
		if len(missing) == 0 {
			pass.Pass(t.Owner, "every container has a memory limit")
			continue
		}
		pass.Failf(t.Owner, missing[0]+".resources.limits.memory",
			"%d container(s) without a memory limit: %s", len(missing), strings.Join(missing, ", "))
	}
	return nil
})

// replicasAndPDB checks that each Deployment runs at least two replicas and that a
// PodDisruptionBudget in its namespace selects its pods.
var replicasAndPDB = check.New(check.Meta{
	ID:    "custom:replicas-and-pdb",
	Title: "Deployments are highly available",
	Description: "A Deployment runs at least 2 replicas and a PodDisruptionBudget selects its pods, " +
		"so that node drains and upgrades do not take it down.",
	Severity:    check.Low,
	Remediation: "Set spec.replicas to 2 or more and add a PodDisruptionBudget whose selector matches the pod template's labels.",
	Kinds:       []schema.GroupKind{inventory.KindDeployment},
}, func(ctx context.Context, pass *check.Pass) error {
	inv := pass.Inventory
	// Whether "no PDB" is a fact or a blind spot depends on how PDBs were seen.
	unseen := inv.Unseen(kindPDB)
	for _, d := range inv.ByKind(inventory.KindDeployment) {
		if err := ctx.Err(); err != nil {
			return err
		}
		dep, ok := d.Object().(*appsv1.Deployment)
		if !ok {
			return fmt.Errorf("%s: unexpected type %T", d, d.Object())
		}
		replicas := int32(1) // the API server's default
		if dep.Spec.Replicas != nil {
			replicas = *dep.Spec.Replicas
		}
		if replicas < 2 {
			pass.Failf(d, "spec.replicas", "runs %d replica(s); a single pod is lost on every node drain", replicas)
			continue
		}
		if unseen != "" {
			pass.NotEvaluated(d, "cannot tell whether a PodDisruptionBudget covers it: "+unseen)
			continue
		}
		pdb, err := coveringPDB(inv.From(d), d.Namespace(), dep.Spec.Template.Labels)
		if err != nil {
			pass.Error(d, err)
			continue
		}
		if pdb == "" {
			pass.Failf(d, "", "%d replicas but no PodDisruptionBudget selects its pods", replicas)
			continue
		}
		pass.Pass(d, fmt.Sprintf("%d replicas, PodDisruptionBudget %s", replicas, pdb))
	}
	return nil
})

// coveringPDB returns the name of a PodDisruptionBudget in namespace whose selector matches
// podLabels, or "". It looks through view, the inventory as the Deployment sees it: where
// manifests define a PodDisruptionBudget in several places (per environment, say), the
// definition nearest the Deployment.
func coveringPDB(view inventory.View, namespace string, podLabels map[string]string) (string, error) {
	for _, o := range view.InNamespace(kindPDB, namespace) {
		u, ok := o.Object().(*unstructured.Unstructured)
		if !ok {
			continue
		}
		var pdb policyv1.PodDisruptionBudget
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &pdb); err != nil {
			return "", fmt.Errorf("read %s: %w", o, err)
		}
		if pdb.Spec.Selector == nil {
			continue // selects nothing in policy/v1
		}
		sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
		if err != nil {
			return "", fmt.Errorf("%s: selector: %w", o, err)
		}
		if !sel.Empty() && sel.Matches(labels.Set(podLabels)) {
			return pdb.Name, nil
		}
	}
	return "", nil
}

// files is a repeatable -f flag.
type files []string

func (f *files) String() string     { return strings.Join(*f, ",") }
func (f *files) Set(v string) error { *f = append(*f, v); return nil }

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("custom-check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		paths       files
		kubeconfig  string
		kubeContext string
		asJSON      bool
	)
	fs.Var(&paths, "f", "manifest file or directory; - for standard input (repeatable)")
	fs.StringVar(&kubeconfig, "kubeconfig", "", "kubeconfig of the cluster to scan (without -f)")
	fs.StringVar(&kubeContext, "context", "", "kubeconfig context")
	fs.BoolVar(&asJSON, "json", false, "write the report as JSON")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}

	// 1. Load an inventory: an immutable snapshot of the objects to check.
	var (
		inv *inventory.Inventory
		err error
	)
	if len(paths) > 0 {
		// A Helm chart among the paths is rendered as helm template would (inventory/helm).
		var charts *helm.Renderer
		if charts, err = helm.New(); err != nil {
			report.Fprintf(stderr, "custom-check: %v\n", err)
			return 2
		}
		inv, err = inventory.LoadManifests(ctx, paths, inventory.WithStdin(stdin), inventory.WithRenderer(charts))
	} else {
		inv, err = inventory.FromKubeconfig(ctx, kubeconfig, kubeContext)
	}
	if err != nil {
		report.Fprintf(stderr, "custom-check: %v\n", err)
		return 2
	}
	if inv.Len() == 0 { // checks over nothing would report success for nothing
		for _, e := range inv.Errors() {
			report.Fprintf(stderr, "custom-check: load error: %v\n", e)
		}
		report.Fprintf(stderr, "custom-check: nothing to check: no object loaded from %s\n", strings.Join(inv.Sources(), ", "))
		return 2
	}

	// 2. Run the checks. kspm.Run validates them, runs them concurrently and returns their
	// results in a fixed order.
	checks := []check.Check{memoryLimits, replicasAndPDB}
	results, err := kspm.Run(ctx, inv, checks)
	if err != nil {
		report.Fprintf(stderr, "custom-check: %v\n", err)
		return 2
	}

	// 3. Write a report.
	rep := report.New(inv, nil, results, report.Tool{Name: "custom-check", Version: kspm.Version}, time.Now())
	if asJSON {
		err = report.WriteJSON(stdout, rep)
	} else {
		err = report.WriteText(stdout, rep, report.TextOptions{})
	}
	if err != nil {
		report.Fprintf(stderr, "custom-check: %v\n", err)
		return 2
	}
	for _, e := range inv.Errors() {
		report.Fprintf(stderr, "custom-check: load error: %v\n", e) // escaped: errors quote the input
	}
	if len(inv.Errors()) > 0 {
		return 2
	}
	if rep.Summary.ByStatus[check.StatusFail] > 0 {
		return 1
	}
	return 0
}
