package inventory

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// maxKubeconfigBytes is the size of the largest kubeconfig file read: far more than a
// kubeconfig of a thousand clusters with their certificates.
const maxKubeconfigBytes = 32 << 20

// kubeconfig returns the client configuration of path (a kubeconfig file; "" for the usual
// loading rules) and contextName ("" for the current context). It reads path itself, with
// a size limit and ctx; the files of the usual rules are checked to be regular files within
// the limit before client-go reads them. An error wrapping ErrNoKubeconfig says what is
// missing, naming the files it looked at.
func kubeconfig(ctx context.Context, path, contextName string) (*rest.Config, error) {
	if path != "" {
		return explicitKubeconfig(ctx, path, contextName)
	}
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	var found []string
	for _, f := range rules.GetLoadingPrecedence() {
		fi, err := os.Stat(f)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			return nil, fmt.Errorf("load kubeconfig: %w", err)
		case !fi.Mode().IsRegular():
			return nil, fmt.Errorf("load kubeconfig: %s is not a regular file; pass it with --kubeconfig", f)
		case fi.Size() > maxKubeconfigBytes:
			return nil, fmt.Errorf("load kubeconfig %s: %w", f, inputTooLarge(maxKubeconfigBytes))
		}
		found = append(found, f)
	}
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules,
		&clientcmd.ConfigOverrides{CurrentContext: contextName})
	// The deferred loader falls back to the in-cluster configuration by itself when the
	// kubeconfig is empty or missing and the process runs in a pod.
	cfg, err := cc.ClientConfig()
	switch {
	case err == nil:
		return cfg, nil
	case clientcmd.IsEmptyConfig(err) && len(found) > 0:
		if raw, lerr := rules.Load(); lerr == nil {
			if problem := kubeconfigProblem(raw, contextName); problem != "" {
				return nil, fmt.Errorf("%w: %s %s; and not running in a cluster", ErrNoKubeconfig, strings.Join(found, ", "), problem)
			}
		}
		return nil, fmt.Errorf("load kubeconfig %s: %w", strings.Join(found, ", "), err)
	case clientcmd.IsEmptyConfig(err):
		where := strings.Join(rules.GetLoadingPrecedence(), ", ")
		if where == "" {
			where = "$KUBECONFIG and ~/.kube/config"
		}
		return nil, fmt.Errorf("%w: none found at %s and not running in a cluster; pass --kubeconfig, or scan manifests with -f",
			ErrNoKubeconfig, where)
	default:
		return nil, fmt.Errorf("load kubeconfig: %w", err)
	}
}

// explicitKubeconfig reads the kubeconfig file path, as client-go's loader reads a file
// named with --kubeconfig, but with a size limit and ctx (path may be a FIFO: <(...)).
func explicitKubeconfig(ctx context.Context, path, contextName string) (*rest.Config, error) {
	data, err := readAbandonable(ctx, func() ([]byte, error) { return readPath(ctx, path, maxKubeconfigBytes) })
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%w: %s does not exist; pass an existing file with --kubeconfig, or scan manifests with -f",
			ErrNoKubeconfig, path)
	case err != nil && ctx.Err() != nil:
		return nil, fmt.Errorf("load kubeconfig %s: %w", path, err)
	case err != nil:
		return nil, fmt.Errorf("load kubeconfig %s: read: %w", path, err)
	}
	raw, err := clientcmd.Load(data)
	if err != nil {
		return nil, fmt.Errorf("load kubeconfig %s: %w", path, err)
	}
	// As clientcmd.LoadFromFile: where each entry comes from, so that the files it names
	// (certificates, keys, token files) are found relative to it.
	for _, c := range raw.Clusters {
		c.LocationOfOrigin = path
	}
	for _, a := range raw.AuthInfos {
		a.LocationOfOrigin = path
	}
	for _, c := range raw.Contexts {
		c.LocationOfOrigin = path
	}
	if err := clientcmd.ResolveLocalPaths(raw); err != nil {
		return nil, fmt.Errorf("load kubeconfig %s: %w", path, err)
	}
	if problem := kubeconfigProblem(raw, contextName); problem != "" {
		return nil, fmt.Errorf("%w: %s %s", ErrNoKubeconfig, path, problem)
	}
	cfg, err := clientcmd.NewNonInteractiveClientConfig(*raw, contextName, &clientcmd.ConfigOverrides{CurrentContext: contextName}, nil).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("load kubeconfig %s: %w", path, err)
	}
	return cfg, nil
}

// kubeconfigProblem says why raw names no cluster to use with contextName ("": the current
// context), or returns "" when it names one (or when the problem is one client-go's own
// validation names well: a context that does not exist, a bad user).
func kubeconfigProblem(raw *clientcmdapi.Config, contextName string) string {
	if clientcmdapi.IsConfigEmpty(raw) {
		return "is empty: it defines no clusters, users or contexts"
	}
	if len(raw.Contexts) == 0 {
		return fmt.Sprintf("defines no contexts (a context names the cluster and user to use; clusters: %s)", names(raw.Clusters))
	}
	name := contextName
	if name == "" {
		name = raw.CurrentContext
	}
	if name == "" {
		contexts := names(raw.Contexts)
		first, _, _ := strings.Cut(contexts, ", ")
		return fmt.Sprintf("sets no current-context: name %s with --context (contexts: %s)", first, contexts)
	}
	c, ok := raw.Contexts[name]
	if !ok {
		return ""
	}
	cluster, ok := raw.Clusters[c.Cluster]
	switch {
	case c.Cluster == "":
		return fmt.Sprintf("context %q names no cluster", name)
	case !ok:
		return fmt.Sprintf("context %q: cluster %q is not defined", name, c.Cluster)
	case cluster.Server == "":
		return fmt.Sprintf("context %q: cluster %q has no server", name, c.Cluster)
	}
	return ""
}

// names lists the keys of m, sorted, comma-separated; "none" when there are none.
func names[V any](m map[string]V) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return strings.Join(keys, ", ")
}
