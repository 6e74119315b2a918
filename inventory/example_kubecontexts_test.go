package inventory_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kspm-dev/kspm/inventory"
)

// A tool that scans several clusters reads the kubeconfig once, then loads each context's
// cluster with FromConfig (here only the configurations are shown: no cluster is reached).
func ExampleKubeconfigContexts() {
	dir, err := os.MkdirTemp("", "kubeconfig")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "config")
	if err := os.WriteFile(path, []byte(`apiVersion: v1
kind: Config
clusters:
- {name: eu, cluster: {server: "https://eu.example:6443"}}
- {name: us, cluster: {server: "https://us.example:6443"}}
users:
- {name: ops, user: {token: ops-token}}
contexts:
- {name: prod-us, context: {cluster: us, user: ops}}
- {name: prod-eu, context: {cluster: eu, user: ops}}
current-context: prod-eu
`), 0o600); err != nil {
		panic(err)
	}

	ctx := context.Background()
	contexts, err := inventory.KubeconfigContexts(ctx, path)
	if err != nil {
		panic(err)
	}
	for _, c := range contexts {
		cfg, err := c.Config()
		if err != nil {
			fmt.Printf("%s: %v\n", c.Name, err)
			continue
		}
		// inv, err := inventory.FromConfig(ctx, cfg) would load this cluster.
		fmt.Printf("%s (current: %v): %s\n", c.Name, c.Current, cfg.Host)
	}
	// Output:
	// prod-eu (current: true): https://eu.example:6443
	// prod-us (current: false): https://us.example:6443
}
