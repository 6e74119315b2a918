// Command node-scan evaluates the CIS Kubernetes Benchmark controls that need a node's own
// files: the modes and owners of control-plane and kubelet files (sections 1.1 and 4.1), the
// API server's encryption providers (1.2.28), the kubelet's flags (4.2.7) and its
// configuration file (4.2), and the control-plane components' flags (1.2-1.4, 2) as the node
// runs them: its static pod manifests (kubeadm, RKE2, with etcd's --config-file) or k3s's
// configuration. It recognises kubeadm, RKE2 and k3s nodes, and says which in every result;
// on a node whose control plane it cannot account for it reports "not evaluated", never "not
// applicable". It reads the node's filesystem mounted read-only at -root (a hostPath mount
// of / at /host in the DaemonSet of daemonset.yaml) and never reads key material: private
// keys and kubeconfigs are only stat'ed.
//
//	node-scan -root /host -node "$NODE_NAME"            # report of this node (text)
//	node-scan -root /host -o json                        # the same as JSON
//	node-scan -root /host -o objects > node-a.yaml       # the scan as objects, to merge into
//	                                                     # a cluster scan: scan -f node-a.yaml ...
//	                                                     # (the static pods are left out: the
//	                                                     # cluster has them as mirror pods)
//
// Exit codes: 0 scanned, 1 a control failed (with -fail), 2 the scan could not run.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/benchmark/cis"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("node-scan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	root := fs.String("root", "/host", "where the node's root filesystem is mounted")
	node := fs.String("node", os.Getenv("NODE_NAME"), "the node's name (default $NODE_NAME, else the host name)")
	output := fs.String("o", "text", "output: text, json, or objects (a YAML stream of the scan's objects)")
	bench := fs.String("b", "cis-1.12", "benchmark: cis-1.12 or cis-2.0")
	failOn := fs.Bool("fail", false, "exit 1 when a control fails")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0 // -h asked for the usage, which Parse printed
		}
		return 2
	}
	if *node == "" {
		h, err := os.Hostname()
		if err != nil {
			report.Fprintf(stderr, "node-scan: no -node and no host name: %v\n", err)
			return 2
		}
		*node = h
	}
	var b benchmark.Benchmark
	switch *bench {
	case "cis-1.12":
		b = cis.V112()
	case "cis-2.0":
		b = cis.V20()
	default:
		report.Fprintf(stderr, "node-scan: unknown benchmark %q (want cis-1.12 or cis-2.0)\n", *bench)
		return 2
	}

	objs, err := inventory.ReadNodeFiles(ctx, *root, *node)
	if err != nil {
		report.Fprintf(stderr, "node-scan: %v\n", err)
		return 2
	}
	if *output == "objects" {
		if err := writeObjects(stdout, objs); err != nil {
			report.Fprintf(stderr, "node-scan: %v\n", err)
			return 2
		}
		return 0
	}

	ib := inventory.NewBuilder(inventory.ModeManifests)
	ib.AddSource(*root + " (node " + *node + ")")
	for _, o := range objs {
		if err := ib.Add(o, inventory.Source{}); err != nil {
			report.Fprintf(stderr, "node-scan: %v\n", err)
			return 2
		}
	}
	// The control-plane static pods the kubelet runs from the node's files, for the
	// components' flags. A manifest that cannot be read is named; the scan records it as
	// something no layout accounts for, and the controls it decides are not evaluated.
	pods, err := inventory.ReadNodeStaticPods(ctx, *root, *node)
	if err != nil {
		report.Fprintf(stderr, "node-scan: %v\n", err)
	}
	for _, p := range pods {
		if err := ib.Add(p.Object, p.Source); err != nil {
			report.Fprintf(stderr, "node-scan: %v\n", err)
		}
	}
	inv := ib.Build()
	b.Checks = nodeChecks(b.Checks)
	rep, err := kspm.Scan(ctx, inv, []benchmark.Benchmark{b})
	if err != nil {
		report.Fprintf(stderr, "node-scan: %v\n", err)
		return 2
	}
	switch *output {
	case "json":
		err = report.WriteJSON(stdout, rep)
	case "text":
		err = report.WriteText(stdout, rep, report.TextOptions{Remediation: true})
	default:
		report.Fprintf(stderr, "node-scan: unknown output %q (want text, json or objects)\n", *output)
		return 2
	}
	if err != nil {
		report.Fprintf(stderr, "node-scan: %v\n", err)
		return 2
	}
	if *failOn && rep.Summary.ByStatus[check.StatusFail] > 0 {
		return 1
	}
	return 0
}

// nodeChecks keeps the checks that read node data: the others need the API server.
func nodeChecks(cs []check.Check) []check.Check {
	return slices.DeleteFunc(slices.Clone(cs), func(c check.Check) bool {
		m := c.Meta()
		return !slices.Contains(m.Kinds, inventory.KindNodeFiles) && !slices.Contains(m.Kinds, inventory.KindKubeletConfiguration)
	})
}

// writeObjects writes objs as a YAML stream that a manifest scan can read.
func writeObjects(w io.Writer, objs []*unstructured.Unstructured) error {
	fmt.Fprintf(w, "# kspm node scan, %s\n", time.Now().UTC().Format(time.RFC3339))
	for _, o := range objs {
		data, err := yaml.Marshal(o.Object)
		if err != nil {
			return fmt.Errorf("encode %s %s: %w", o.GetKind(), o.GetName(), err)
		}
		if _, err := fmt.Fprintf(w, "---\n%s", data); err != nil {
			return err
		}
	}
	return nil
}
