//go:build integration

package integration

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/utils/ptr"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/testcluster"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report"
)

// repoRoot is the module's root folder.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// adminConfig returns a client configuration for the admin user (in system:masters). It
// drops the server's warnings (Pod Security "would violate" notes on synthetic workloads).
func adminConfig() *rest.Config {
	cfg := cluster.RESTConfig(testcluster.AdminUser)
	cfg.WarningHandler = rest.NoWarnings{}
	return cfg
}

// lowPrivConfig returns a client configuration for the low-privilege user.
func lowPrivConfig() *rest.Config {
	cfg := cluster.RESTConfig(testcluster.LowPrivUser)
	cfg.WarningHandler = rest.NoWarnings{}
	return cfg
}

// freshName returns prefix followed by a random suffix, so that names never repeat across
// tests or runs against one cluster.
func freshName(prefix string) string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

// newNamespace creates a namespace with a fresh name and its default ServiceAccount (no
// controller manager creates it here).
func newNamespace(t *testing.T, cs kubernetes.Interface, prefix string) string {
	t.Helper()
	ctx := t.Context()
	name := freshName(prefix)
	_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	require.NoError(t, err)
	_, err = cs.CoreV1().ServiceAccounts(name).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}, metav1.CreateOptions{})
	require.NoError(t, err)
	return name
}

// serviceAccountConfig returns a client configuration authenticating as a service account,
// with a token from the TokenRequest API.
func serviceAccountConfig(t *testing.T, cs kubernetes.Interface, namespace, name string) *rest.Config {
	t.Helper()
	tr, err := cs.CoreV1().ServiceAccounts(namespace).CreateToken(t.Context(), name, &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: new(int64(3600))},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	require.NotEmpty(t, tr.Status.Token)
	cfg := adminConfig()
	cfg.BearerToken = tr.Status.Token
	return cfg
}

// writeKubeconfig writes a kubeconfig for cfg (host, CA and bearer token) and returns its path.
func writeKubeconfig(t *testing.T, cfg *rest.Config) string {
	t.Helper()
	kc := clientcmdapi.NewConfig()
	kc.Clusters["c"] = &clientcmdapi.Cluster{Server: cfg.Host, CertificateAuthorityData: cfg.CAData}
	kc.AuthInfos["u"] = &clientcmdapi.AuthInfo{Token: cfg.BearerToken}
	kc.Contexts["c"] = &clientcmdapi.Context{Cluster: "c", AuthInfo: "u"}
	kc.CurrentContext = "c"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	require.NoError(t, clientcmd.WriteToFile(*kc, path))
	return path
}

// benchmarks returns every bundled benchmark.
func benchmarks(t *testing.T) []benchmark.Benchmark {
	t.Helper()
	bms, err := kspm.Benchmarks()
	require.NoError(t, err)
	return bms
}

// checksByID returns the metadata of every check of bms by ID.
func checksByID(bms []benchmark.Benchmark) map[string]check.Meta {
	out := make(map[string]check.Meta)
	for _, b := range bms {
		for _, c := range b.Checks {
			out[c.Meta().ID] = c.Meta()
		}
	}
	return out
}

func scan(t *testing.T, inv *inventory.Inventory, bms []benchmark.Benchmark) *report.Report {
	t.Helper()
	rep, err := kspm.Scan(t.Context(), inv, bms)
	require.NoError(t, err)
	return rep
}

// resultKey identifies a result for comparing scans: the check, the object, the field, the
// status and the message.
func resultKey(r check.Result) string {
	obj := "-"
	if r.Object != nil {
		obj = r.Object.String()
	}
	return strings.Join([]string{r.CheckID, obj, r.Field, string(r.Status), r.Message}, " | ")
}

// subjectKey identifies what a result is about: the check and the object.
func subjectKey(r check.Result) string {
	if r.Object == nil {
		return r.CheckID + " | -"
	}
	return r.CheckID + " | " + r.Object.String()
}

var (
	scannerOnce sync.Once
	scannerPath string
	scannerErr  error
)

// scanner returns the path of the examples/scan binary, built once per test run.
func scanner(t *testing.T) string {
	t.Helper()
	scannerOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kspm-scan-bin-")
		if err != nil {
			scannerErr = err
			return
		}
		scannerPath = filepath.Join(dir, "kspm-scan")
		cmd := exec.Command("go", "build", "-o", scannerPath, "./examples/scan")
		cmd.Dir = repoRoot()
		if out, err := cmd.CombinedOutput(); err != nil {
			scannerErr = fmt.Errorf("go build ./examples/scan: %w\n%s", err, out)
		}
	})
	require.NoError(t, scannerErr)
	return scannerPath
}

// runScanner runs the scanner binary and returns its stdout, stderr and exit code.
func runScanner(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	bin := scanner(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG=/nonexistent") // only --kubeconfig counts
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		require.NoError(t, err)
	}
	return out.String(), errOut.String(), code
}

// recorder is an http.RoundTripper that records every request and the full response body
// that reached the client.
type recorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	log  []exchange
}

type exchange struct {
	method, path, query, accept string
	contentType                 string // of the response
	status                      int
	body                        []byte
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	r.mu.Lock()
	r.log = append(r.log, exchange{method: req.Method, path: req.URL.Path, query: req.URL.RawQuery,
		accept: req.Header.Get("Accept"), contentType: resp.Header.Get("Content-Type"), status: resp.StatusCode, body: body})
	r.mu.Unlock()
	return resp, nil
}

func (r *recorder) exchanges() []exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.log)
}

// recordingConfig returns a copy of cfg whose transport records into a new recorder.
func recordingConfig(cfg *rest.Config) (*rest.Config, *recorder) {
	rec := &recorder{}
	c := rest.CopyConfig(cfg)
	c.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
		rec.next = rt
		return rec
	}
	return c, rec
}

// ignoreExists turns an AlreadyExists error into nil.
func ignoreExists(err error) error {
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}

// createPrivilegedPod creates the Pod root-shell, with a privileged container, in namespace
// ns, and returns how results name it ("Pod NS/root-shell").
func createPrivilegedPod(t *testing.T, cs kubernetes.Interface, ns string) string {
	t.Helper()
	_, err := cs.CoreV1().Pods(ns).Create(t.Context(), &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "root-shell"},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "sh", Image: "busybox:1.36",
			SecurityContext: &corev1.SecurityContext{Privileged: ptr.To(true)}}}},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	return "Pod " + ns + "/root-shell"
}

// createClusterRBAC creates the ClusterRoles and ClusterRoleBindings of manifests under fresh
// names (suffix added to each name and to the role each binding names), each binding's one
// subject moved to namespace ns.
func createClusterRBAC(t *testing.T, cs kubernetes.Interface, manifests *inventory.Inventory, suffix, ns string) {
	t.Helper()
	for _, cr := range manifests.ClusterRoles() {
		cr := cr.DeepCopy()
		cr.Name += suffix
		_, err := cs.RbacV1().ClusterRoles().Create(t.Context(), cr, metav1.CreateOptions{})
		require.NoError(t, err)
	}
	for _, crb := range manifests.ClusterRoleBindings() {
		crb := crb.DeepCopy()
		crb.Name += suffix
		crb.RoleRef.Name += suffix
		require.Len(t, crb.Subjects, 1)
		crb.Subjects[0].Namespace = ns
		_, err := cs.RbacV1().ClusterRoleBindings().Create(t.Context(), crb, metav1.CreateOptions{})
		require.NoError(t, err)
	}
}
