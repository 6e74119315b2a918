package inventory

import (
	"cmp"
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

// KubeconfigRESTConfig returns the client configuration FromKubeconfig would load the cluster
// with, for a program that makes its own clients: path and contextName, the kubeconfig files
// read (regular files up to 32 MiB; a FIFO elsewhere than /dev/fd/N is refused, not waited
// on; the read stops when ctx is done), the in-cluster fallback and the errors are
// FromKubeconfig's.
func KubeconfigRESTConfig(ctx context.Context, path, contextName string) (*rest.Config, error) {
	return kubeconfig(ctx, path, contextName)
}

// kubeconfig returns the client configuration of path (a kubeconfig file; "" for the usual
// loading rules) and contextName ("" for the current context). It reads path itself, with
// a size limit and ctx; the files of the usual rules are checked to be regular files within
// the limit before client-go reads them. An error wrapping ErrNoKubeconfig says what is
// missing, naming the files it looked at.
func kubeconfig(ctx context.Context, path, contextName string) (*rest.Config, error) {
	if path != "" {
		return explicitKubeconfig(ctx, path, contextName)
	}
	rules, err := newBoundedRules(ctx)
	if err != nil {
		return nil, err
	}
	found := rules.found
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules,
		&clientcmd.ConfigOverrides{CurrentContext: contextName})
	// The deferred loader falls back to the in-cluster configuration by itself when the
	// kubeconfig is empty or missing and the process runs in a pod.
	cfg, err := cc.ClientConfig()
	switch {
	case err == nil:
		return cfg, nil
	case clientcmd.IsEmptyConfig(err) && len(found) > 0:
		if raw, lerr := rules.Load(); lerr == nil { // what was read: no file is read again
			if problem := kubeconfigProblem(raw, contextName); problem != "" {
				return nil, fmt.Errorf("%w: %s %s; and not running in a cluster", ErrNoKubeconfig, strings.Join(found, ", "), problem)
			}
		}
		return nil, fmt.Errorf("load kubeconfig %s: %w", strings.Join(found, ", "), err)
	case clientcmd.IsEmptyConfig(err):
		return nil, fmt.Errorf("%w: none found at %s and not running in a cluster; pass --kubeconfig, or scan manifests with -f",
			ErrNoKubeconfig, lookedAt(rules.ClientConfigLoadingRules))
	default:
		return nil, fmt.Errorf("load kubeconfig: %w", err)
	}
}

// boundedRules are client-go's usual loading rules ($KUBECONFIG, else ~/.kube/config) whose
// files are read once, by newBoundedRules, with the bounds readKubeconfig reads with (regular
// files of at most maxKubeconfigBytes, ctx): client-go reads none of them itself, so none can
// be replaced, grow or turn into a FIFO between our checks and its reading. Load merges them
// as ClientConfigLoadingRules.Load does; the rest (where refreshed credentials are written
// back, the in-cluster fallback) is client-go's.
type boundedRules struct {
	*clientcmd.ClientConfigLoadingRules
	found  []string             // the files that exist, in order of precedence
	merged *clientcmdapi.Config // their merge; never modified
}

// newBoundedRules reads the files of the usual loading rules that exist.
func newBoundedRules(ctx context.Context) (*boundedRules, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	var configs []*clientcmdapi.Config
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
		}
		raw, err := readKubeconfig(ctx, f)
		if errors.Is(err, ErrNoKubeconfig) {
			continue // removed since: as client-go, a missing file is skipped
		}
		if err != nil {
			return nil, err
		}
		configs = append(configs, raw)
		found = append(found, f)
	}
	return &boundedRules{ClientConfigLoadingRules: rules, found: found, merged: mergeKubeconfigs(configs)}, nil
}

// Load returns the merged kubeconfig (a copy: client-go may modify what it is given).
func (r *boundedRules) Load() (*clientcmdapi.Config, error) { return r.merged.DeepCopy(), nil }

// mergeKubeconfigs merges kubeconfigs as ClientConfigLoadingRules.Load does: the first file
// to define a cluster, user, context or extension by a name gives it whole, and the first to
// set the current context, a preference or the kind and version of the file sets it.
func mergeKubeconfigs(configs []*clientcmdapi.Config) *clientcmdapi.Config {
	out := clientcmdapi.NewConfig()
	for _, c := range configs {
		out.Kind = cmp.Or(out.Kind, c.Kind)
		out.APIVersion = cmp.Or(out.APIVersion, c.APIVersion)
		out.CurrentContext = cmp.Or(out.CurrentContext, c.CurrentContext)
		out.Preferences.Colors = out.Preferences.Colors || c.Preferences.Colors
		addNew(out.Preferences.Extensions, c.Preferences.Extensions)
		addNew(out.Clusters, c.Clusters)
		addNew(out.AuthInfos, c.AuthInfos)
		addNew(out.Contexts, c.Contexts)
		addNew(out.Extensions, c.Extensions)
	}
	return out
}

// addNew adds to dst the entries of src whose keys it does not have.
func addNew[V any](dst, src map[string]V) {
	for k, v := range src {
		if _, ok := dst[k]; !ok {
			dst[k] = v
		}
	}
}

// lookedAt names the files the usual loading rules look at, for messages.
func lookedAt(rules *clientcmd.ClientConfigLoadingRules) string {
	if where := strings.Join(rules.GetLoadingPrecedence(), ", "); where != "" {
		return where
	}
	return "$KUBECONFIG and ~/.kube/config"
}

// explicitKubeconfig reads the kubeconfig file path, as client-go's loader reads a file
// named with --kubeconfig, but with a size limit and ctx (path may be a FIFO: <(...)).
func explicitKubeconfig(ctx context.Context, path, contextName string) (*rest.Config, error) {
	raw, err := readKubeconfig(ctx, path)
	if err != nil {
		return nil, err
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

// readKubeconfig reads and parses the kubeconfig file path, with a size limit and ctx, and
// resolves the files it names (certificates, keys, token files) relative to it, as
// clientcmd.LoadFromFile does. A missing file is an error wrapping ErrNoKubeconfig.
func readKubeconfig(ctx context.Context, path string) (*clientcmdapi.Config, error) {
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
	return raw, nil
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

// KubeconfigContext is one context of a kubeconfig: a cluster, and the user to reach it as.
// KubeconfigContexts returns them; Config gives the client configuration to load the
// cluster with (FromConfig), as FromKubeconfig would build it for the context's name.
type KubeconfigContext struct {
	// Name is the context's name, as FromKubeconfig and kubectl's --context take it.
	Name string
	// Cluster names the context's cluster entry; Server is that cluster's address, as the
	// kubeconfig writes it ("" when the entry is missing or has none).
	Cluster, Server string
	// User names the context's user entry.
	User string
	// Current is true for the kubeconfig's current context.
	Current bool

	raw    *clientcmdapi.Config   // the whole kubeconfig, shared by its contexts and never modified
	access clientcmd.ConfigAccess // where client-go may persist refreshed credentials; nil for an explicit file
	where  string                 // the file or files read, for messages
}

// KubeconfigContexts returns the contexts of a kubeconfig, sorted by name: of the file path,
// or with an empty path of the files the usual loading rules name ($KUBECONFIG, else
// ~/.kube/config), merged as kubectl merges them. It reads the kubeconfig once, as
// FromKubeconfig does (up to 32 MiB, stopping when ctx is done), so that a tool scanning
// several clusters loads each with FromConfig(ctx, c.Config()) from one reading of it, even of
// a pipe. When there is no kubeconfig, or it is empty or defines no contexts, the error wraps
// ErrNoKubeconfig and says what is missing; the in-cluster configuration has no contexts.
func KubeconfigContexts(ctx context.Context, path string) ([]KubeconfigContext, error) {
	var (
		raw    *clientcmdapi.Config
		access clientcmd.ConfigAccess
		where  = path
		err    error
	)
	if path != "" {
		if raw, err = readKubeconfig(ctx, path); err != nil {
			return nil, err
		}
	} else {
		rules, err := newBoundedRules(ctx)
		if err != nil {
			return nil, err
		}
		if len(rules.found) == 0 {
			return nil, fmt.Errorf("%w: none found at %s (the in-cluster configuration has no contexts); pass --kubeconfig",
				ErrNoKubeconfig, lookedAt(rules.ClientConfigLoadingRules))
		}
		where = strings.Join(rules.found, ", ")
		raw = rules.merged
		access = rules.ClientConfigLoadingRules
	}
	if clientcmdapi.IsConfigEmpty(raw) || len(raw.Contexts) == 0 {
		return nil, fmt.Errorf("%w: %s %s", ErrNoKubeconfig, where, kubeconfigProblem(raw, ""))
	}
	out := make([]KubeconfigContext, 0, len(raw.Contexts))
	for name, c := range raw.Contexts {
		kc := KubeconfigContext{Name: name, Cluster: c.Cluster, User: c.AuthInfo, Current: name == raw.CurrentContext,
			raw: raw, access: access, where: where}
		if cl, ok := raw.Clusters[c.Cluster]; ok {
			kc.Server = cl.Server
		}
		out = append(out, kc)
	}
	slices.SortFunc(out, func(a, b KubeconfigContext) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// Config returns the client configuration of the context, as FromKubeconfig builds it for
// the context's name: pass it to FromConfig. It may be called from several goroutines. When
// the context names no cluster with a server, the error wraps ErrNoKubeconfig; other errors
// (a user entry that is missing or invalid, a certificate file that cannot be read) name the
// kubeconfig and the context.
func (c KubeconfigContext) Config() (*rest.Config, error) {
	if c.raw == nil {
		return nil, fmt.Errorf("inventory: context %q does not come from KubeconfigContexts", c.Name)
	}
	if c.Name == "" {
		// client-go would take "" for the current context: another cluster under this name.
		return nil, fmt.Errorf("load kubeconfig %s: a context with an empty name cannot be selected", c.where)
	}
	raw := c.raw.DeepCopy() // client-go's merging is not documented to leave its input alone
	if problem := kubeconfigProblem(raw, c.Name); problem != "" {
		return nil, fmt.Errorf("%w: %s %s", ErrNoKubeconfig, c.where, problem)
	}
	cfg, err := clientcmd.NewNonInteractiveClientConfig(*raw, c.Name, &clientcmd.ConfigOverrides{CurrentContext: c.Name}, c.access).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("load kubeconfig %s: context %q: %w", c.where, c.Name, err)
	}
	return cfg, nil
}
