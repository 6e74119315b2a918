//go:build integration

// Package integration runs kspm against a real kube-apiserver and etcd on loopback.
// Build the binaries first with hack/build-controlplane.sh (hack/test.sh does).
package integration

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"

	"github.com/kspm-dev/kspm/internal/testcluster"
)

var cluster *testcluster.Cluster

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "kspm-integration-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	start := time.Now()
	cluster, err = testcluster.Start(ctx, dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "integration: cannot start the test cluster:", err)
		return 1
	}
	defer cluster.Stop()
	fmt.Fprintf(os.Stderr, "integration: kube-apiserver ready at %s in %s\n", cluster.URL, time.Since(start).Round(time.Millisecond))
	return m.Run()
}

func adminClient(t *testing.T) kubernetes.Interface {
	t.Helper()
	cs, err := kubernetes.NewForConfig(cluster.RESTConfig(testcluster.AdminUser))
	if err != nil {
		t.Fatal(err)
	}
	return cs
}
