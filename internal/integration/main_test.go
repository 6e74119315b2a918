//go:build integration

package integration

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"

	"github.com/kspm-dev/kspm/internal/testcluster"
)

var cluster *testcluster.Cluster

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) (code int) {
	dir, err := os.MkdirTemp("", "kspm-integration-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() {
		if code != 0 { // keep the server's logs for the post-mortem
			fmt.Fprintf(os.Stderr, "integration: logs of etcd and kube-apiserver kept in %s\n", dir)
			return
		}
		os.RemoveAll(dir)
	}()
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
	code = m.Run()
	if scannerPath != "" {
		os.RemoveAll(filepath.Dir(scannerPath))
	}
	return code
}

func adminClient(t *testing.T) kubernetes.Interface {
	t.Helper()
	cs, err := kubernetes.NewForConfig(adminConfig())
	if err != nil {
		t.Fatal(err)
	}
	return cs
}
