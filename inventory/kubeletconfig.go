package inventory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// KindKubeletConfiguration is the kubelet's configuration file kind
// (kubelet.config.k8s.io/v1beta1 KubeletConfiguration). The inventory holds it as an
// unstructured object: read from a manifest file, fetched live from a node's /configz
// (FetchKubeletConfigs), or written by a node scanner.
var KindKubeletConfiguration = schema.GroupKind{Group: "kubelet.config.k8s.io", Kind: "KubeletConfiguration"}

// Annotations that kspm sets on objects it derives from nodes.
const (
	// AnnotationNode names the node an object describes.
	AnnotationNode = "kspm.dev/node"
	// AnnotationKubeletConfigSource says where a KubeletConfiguration came from:
	// KubeletConfigFromConfigz (the running kubelet, defaults applied), KubeletConfigFromFile
	// (a node's configuration file, read by a node scanner) or KubeletConfigWithoutFile (a
	// node scan found the kubelet running without --config).
	AnnotationKubeletConfigSource = "kspm.dev/kubelet-config-source"
	// AnnotationKubeletConfigError, on a KubeletConfiguration from a node scan, says why the
	// kubelet's configuration is not known (its --config file or a --config-dir drop-in
	// could not be read); the object then holds no settings.
	AnnotationKubeletConfigError = "kspm.dev/kubelet-config-error"
)

// Values of AnnotationKubeletConfigSource.
const (
	KubeletConfigFromConfigz = "configz"
	KubeletConfigFromFile    = "file"
	// KubeletConfigWithoutFile marks the settings of a kubelet started without --config: the
	// object holds only its --config-dir drop-ins (usually nothing), and a missing field has
	// the kubelet's command-line default, which for anonymous authentication (on),
	// authorization (AlwaysAllow) and the read-only port (10255) differs from the
	// configuration file defaults. The node's kubelet flags are in its NodeFiles object.
	KubeletConfigWithoutFile = "none"
)

// FetchKubeletConfigs reads the running configuration of each named node's kubelet from the
// API server's node proxy (GET /api/v1/nodes/NAME/proxy/configz), at most concurrency at a
// time (1 when concurrency < 1). Each becomes a KubeletConfiguration object named after its
// node and annotated with AnnotationNode and AnnotationKubeletConfigSource=configz, ready for
// Builder.Add. The live configuration has every default applied, unlike a configuration file.
//
// Nodes that fail (nodes/proxy forbidden, kubelet unreachable, an answer over
// MaxConfigzBytes) are skipped; each failure is returned as an error naming the node. The objects are in the order of nodes.
func FetchKubeletConfigs(ctx context.Context, cs kubernetes.Interface, nodes []string, concurrency int) ([]*unstructured.Unstructured, []error) {
	if concurrency < 1 {
		concurrency = 1
	}
	rc := cs.CoreV1().RESTClient()
	if rc == nil || (reflect.ValueOf(rc).Kind() == reflect.Pointer && reflect.ValueOf(rc).IsNil()) {
		return nil, []error{errors.New("fetch kubelet configuration: the clientset has no REST client")}
	}
	objs := make([]*unstructured.Unstructured, len(nodes))
	errs := make([]error, len(nodes))
	sem := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	for i, node := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				errs[i] = fmt.Errorf("node %s: kubelet configuration: %w", node, ctx.Err())
				return
			}
			defer func() { <-sem }()
			raw, err := getBounded(ctx, rc, MaxConfigzBytes, "/api/v1/nodes", node, "proxy", "configz")
			if err != nil {
				errs[i] = fmt.Errorf("node %s: kubelet configuration: %w", node, err)
				return
			}
			obj, err := ParseConfigz(node, raw)
			if err != nil {
				errs[i] = err
				return
			}
			objs[i] = obj
		}()
	}
	wg.Wait()
	var out []*unstructured.Unstructured
	var outErrs []error
	for i := range nodes {
		if objs[i] != nil {
			out = append(out, objs[i])
		}
		if errs[i] != nil {
			outErrs = append(outErrs, errs[i])
		}
	}
	return out, outErrs
}

// MaxConfigzBytes bounds the response FetchKubeletConfigs reads from a kubelet's /configz,
// whatever its status: the kubelet answers through the API server's proxy, and a node is not
// trusted to answer with a configuration (a few kilobytes) rather than without end.
const MaxConfigzBytes = 4 << 20

// getBounded gets the path of rc's server and returns the body of a successful response, or
// the error the response says (the API server's Status when it sends one), reading at most
// limit bytes of it either way: a larger body is an error. Without a client of its own (a
// RESTClient made otherwise than by client-go's constructors) it reads through rc as any
// request does, unbounded.
func getBounded(ctx context.Context, rc rest.Interface, limit int64, path ...string) ([]byte, error) {
	req := rc.Get().AbsPath(path...)
	c, ok := rc.(*rest.RESTClient)
	if !ok || c.Client == nil {
		return req.Do(ctx).Raw()
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, req.URL().String(), nil)
	if err != nil {
		return nil, err
	}
	hreq.Header.Set("Accept", "application/json, */*")
	resp, err := c.Client.Do(hreq)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("GET %s: the response is larger than %d bytes", strings.Join(path, "/"), limit)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		var status metav1.Status
		if json.Unmarshal(body, &status) == nil && status.Kind == "Status" && status.Message != "" {
			return nil, apierrors.FromObject(&status)
		}
		return nil, apierrors.NewGenericServerResponse(resp.StatusCode, http.MethodGet,
			schema.GroupResource{Resource: "nodes"}, "", string(body[:min(len(body), 200)]), 0, false)
	}
	return body, nil
}

// ParseConfigz turns the body of a kubelet's /configz response ({"kubeletconfig": {...}})
// into a KubeletConfiguration object for node. Whole numbers are held as int64, as in other
// unstructured objects.
func ParseConfigz(node string, body []byte) (*unstructured.Unstructured, error) {
	var resp struct {
		KubeletConfig map[string]any `json:"kubeletconfig"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, fmt.Errorf("node %s: kubelet configuration: decode /configz: %w", node, err)
	}
	if resp.KubeletConfig == nil {
		return nil, fmt.Errorf("node %s: kubelet configuration: /configz has no kubeletconfig", node)
	}
	u := &unstructured.Unstructured{Object: normalizeJSON(resp.KubeletConfig).(map[string]any)}
	u.SetAPIVersion("kubelet.config.k8s.io/v1beta1")
	u.SetKind("KubeletConfiguration")
	u.SetName(node)
	u.SetAnnotations(map[string]string{AnnotationNode: node, AnnotationKubeletConfigSource: KubeletConfigFromConfigz})
	return u, nil
}
