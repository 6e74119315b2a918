// Package testcluster starts a real etcd and kube-apiserver on loopback for integration tests.
//
// The binaries come from hack/build-controlplane.sh (built from the Go module proxy into
// .cache/controlplane/bin, or the folder named by KSPM_CONTROLPLANE_DIR). There is no
// controller manager: tests create the objects controllers would (default service accounts),
// and aggregated ClusterRoles keep empty rules.
package testcluster

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Users the cluster knows, by bearer token (--token-auth-file).
const (
	// AdminUser is in system:masters.
	AdminUser = "kspm-admin"
	// LowPrivUser has no permissions beyond what tests grant it.
	LowPrivUser = "kspm-lowpriv"
)

// Cluster is a running etcd + kube-apiserver pair.
type Cluster struct {
	// Dir holds the cluster's files (data, certificates, kubeconfigs, logs).
	Dir string
	// URL is the API server's https address.
	URL string
	// AdminKubeconfig and LowPrivKubeconfig are kubeconfig files for the two users.
	AdminKubeconfig, LowPrivKubeconfig string

	caData []byte
	tokens map[string]string
	procs  []*exec.Cmd
}

// BinDir returns the folder holding etcd and kube-apiserver.
func BinDir() string {
	if d := os.Getenv("KSPM_CONTROLPLANE_DIR"); d != "" {
		return filepath.Join(d, "bin")
	}
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", ".cache", "controlplane", "bin")
}

// ErrNoBinaries is returned by Start when the binaries have not been built.
var ErrNoBinaries = errors.New("etcd/kube-apiserver not built: run hack/build-controlplane.sh")

// Start starts etcd and kube-apiserver under dir and waits until /readyz answers.
// Stop the cluster with Stop; it kills exactly the processes it started.
func Start(ctx context.Context, dir string) (_ *Cluster, err error) {
	bin := BinDir()
	for _, b := range []string{"etcd", "kube-apiserver"} {
		if _, err := os.Stat(filepath.Join(bin, b)); err != nil {
			return nil, fmt.Errorf("%w (%s missing)", ErrNoBinaries, filepath.Join(bin, b))
		}
	}
	c := &Cluster{Dir: dir, tokens: map[string]string{}}
	defer func() {
		if err != nil {
			c.Stop()
		}
	}()
	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	etcdClient := fmt.Sprintf("http://127.0.0.1:%d", ports[0])
	etcdPeer := fmt.Sprintf("http://127.0.0.1:%d", ports[1])
	if err := c.start(ctx, "etcd", filepath.Join(bin, "etcd"),
		"--name=kspm-test",
		"--data-dir="+filepath.Join(dir, "etcd"),
		"--listen-client-urls="+etcdClient, "--advertise-client-urls="+etcdClient,
		"--listen-peer-urls="+etcdPeer, "--initial-advertise-peer-urls="+etcdPeer,
		"--initial-cluster=kspm-test="+etcdPeer,
		"--unsafe-no-fsync=true", "--log-level=error"); err != nil {
		return nil, err
	}
	if err := waitHTTP(ctx, etcdClient+"/health", nil, 30*time.Second); err != nil {
		return nil, fmt.Errorf("etcd did not become healthy: %w (log: %s)", err, c.logTail("etcd"))
	}

	// Service-account signing key.
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	keyFile, pubFile := filepath.Join(dir, "sa.key"), filepath.Join(dir, "sa.pub")
	pub, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600); err != nil {
		return nil, err
	}
	if err := os.WriteFile(pubFile, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}), 0o600); err != nil {
		return nil, err
	}
	var tokens bytes.Buffer
	for i, u := range []struct{ name, groups string }{{AdminUser, "system:masters"}, {LowPrivUser, "kspm-testers"}} {
		tok := fmt.Sprintf("token-%d-%x", i, randBytes(12))
		c.tokens[u.name] = tok
		fmt.Fprintf(&tokens, "%s,%s,%s,\"%s\"\n", tok, u.name, u.name, u.groups)
	}
	tokenFile := filepath.Join(dir, "tokens.csv")
	if err := os.WriteFile(tokenFile, tokens.Bytes(), 0o600); err != nil {
		return nil, err
	}
	certDir := filepath.Join(dir, "certs")
	c.URL = fmt.Sprintf("https://127.0.0.1:%d", ports[2])
	if err := c.start(ctx, "kube-apiserver", filepath.Join(bin, "kube-apiserver"),
		"--etcd-servers="+etcdClient,
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", ports[2]),
		"--cert-dir="+certDir,
		"--authorization-mode=RBAC",
		"--token-auth-file="+tokenFile,
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file="+pubFile,
		"--service-account-signing-key-file="+keyFile,
		"--service-cluster-ip-range=10.96.0.0/16",
		"--allow-privileged=true",
		"--endpoint-reconciler-type=none", // loopback cannot be an endpoint; no controller needs one
		"--enable-priority-and-fairness=false",
		"--v=0"); err != nil {
		return nil, err
	}
	insecure := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}} // only to poll readiness before the CA is known
	if err := waitHTTP(ctx, c.URL+"/readyz", insecure, 90*time.Second, "Authorization", "Bearer "+c.tokens[AdminUser]); err != nil {
		return nil, fmt.Errorf("kube-apiserver did not become ready: %w (log: %s)", err, c.logTail("kube-apiserver"))
	}
	c.caData, err = os.ReadFile(filepath.Join(certDir, "apiserver.crt"))
	if err != nil {
		return nil, fmt.Errorf("read serving certificate: %w", err)
	}
	c.AdminKubeconfig = filepath.Join(dir, "admin.kubeconfig")
	c.LowPrivKubeconfig = filepath.Join(dir, "lowpriv.kubeconfig")
	for file, user := range map[string]string{c.AdminKubeconfig: AdminUser, c.LowPrivKubeconfig: LowPrivUser} {
		if err := clientcmd.WriteToFile(c.kubeconfig(user), file); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// RESTConfig returns a client configuration for user (AdminUser or LowPrivUser). Its rate
// limit is high (2000 requests per second): the test server has no priority and fairness to
// protect, and tests create thousands of objects.
func (c *Cluster) RESTConfig(user string) *rest.Config {
	return &rest.Config{
		Host:            c.URL,
		BearerToken:     c.tokens[user],
		TLSClientConfig: rest.TLSClientConfig{CAData: c.caData},
		QPS:             2000,
		Burst:           4000,
	}
}

// CAData returns the PEM certificate that the API server serves with; clients trust it.
func (c *Cluster) CAData() []byte { return c.caData }

func (c *Cluster) kubeconfig(user string) clientcmdapi.Config {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["test"] = &clientcmdapi.Cluster{Server: c.URL, CertificateAuthorityData: c.caData}
	cfg.AuthInfos[user] = &clientcmdapi.AuthInfo{Token: c.tokens[user]}
	cfg.Contexts["test"] = &clientcmdapi.Context{Cluster: "test", AuthInfo: user}
	cfg.CurrentContext = "test"
	return *cfg
}

// Stop kills the processes Start started, newest first, and waits for them.
func (c *Cluster) Stop() {
	for i := len(c.procs) - 1; i >= 0; i-- {
		p := c.procs[i]
		if p.Process == nil {
			continue
		}
		_ = p.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = p.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = p.Process.Kill()
			<-done
		}
	}
	c.procs = nil
}

func (c *Cluster) start(ctx context.Context, name, path string, args ...string) error {
	logf, err := os.Create(filepath.Join(c.Dir, name+".log"))
	if err != nil {
		return err
	}
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("start %s: %w", name, err)
	}
	c.procs = append(c.procs, cmd)
	return nil
}

func (c *Cluster) logTail(name string) string {
	b, _ := os.ReadFile(filepath.Join(c.Dir, name+".log"))
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return strings.TrimSpace(string(b))
}

func waitHTTP(ctx context.Context, url string, tr *http.Transport, timeout time.Duration, header ...string) error {
	client := &http.Client{Timeout: 2 * time.Second}
	if tr != nil {
		client.Transport = tr
	}
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("%s: %s", url, resp.Status)
		}
		last = err
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return last
}

func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func randBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}
