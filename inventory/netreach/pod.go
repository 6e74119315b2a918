package netreach

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kspm-dev/kspm/inventory"
)

// Pod is one end of a connection: the pods of one pod template (a bare Pod's own, or a
// workload's), as NetworkPolicies see them. A workload's pods carry its template's labels
// plus those its controller sets when it creates them (pod-template-hash, ...), whose values
// the template does not show: those keys are unknown.
type Pod struct {
	// Object is the Pod or the workload that holds the template.
	Object *inventory.Object
	// Namespace is the namespace the pods run in.
	Namespace string
	// Labels are the pods' labels.
	Labels map[string]string
	// RuntimeKeys are the label keys the workload's controller sets on the pods it creates,
	// whose values are unknown; none for a Pod.
	RuntimeKeys []string
	// HostNetwork: the pods use the node's network namespace, where NetworkPolicy behaviour
	// is undefined.
	HostNetwork bool
	// Ports are the container ports of the pods' containers and sidecar (restartable init)
	// containers, which named ports in policies resolve against.
	Ports []corev1.ContainerPort

	workload *inventory.Object // for a Pod listed for a workload, the workload
}

// Workload returns the object whose template the pods come from: the workload of a Pod
// listed for one, else Object.
func (p *Pod) Workload() *inventory.Object {
	if p.workload != nil {
		return p.workload
	}
	return p.Object
}

// String names the pod's object: "Deployment shop/web".
func (p *Pod) String() string { return p.Object.String() }

// controllerKeys are the label keys each controller sets on the pods it creates.
var controllerKeys = map[schema.GroupKind][]string{
	inventory.KindDeployment:  {"pod-template-hash"},
	inventory.KindStatefulSet: {"controller-revision-hash", "statefulset.kubernetes.io/pod-name", "apps.kubernetes.io/pod-index"},
	inventory.KindDaemonSet:   {"controller-revision-hash", "pod-template-generation"},
	inventory.KindJob:         jobKeys,
	inventory.KindCronJob:     jobKeys,
}

var jobKeys = []string{"controller-uid", "job-name", "batch.kubernetes.io/controller-uid",
	"batch.kubernetes.io/job-name", "batch.kubernetes.io/job-completion-index"}

// PodOf returns the pods of template t.
func PodOf(t inventory.PodTemplate) Pod {
	p := Pod{Object: t.Owner, Namespace: t.Namespace(), Labels: t.Metadata.Labels, HostNetwork: t.Spec.HostNetwork}
	if t.Owner.GroupKind() != inventory.KindPod {
		p.RuntimeKeys = controllerKeys[t.Owner.GroupKind()]
	}
	for i := range t.Spec.Containers {
		p.Ports = append(p.Ports, t.Spec.Containers[i].Ports...)
	}
	for i := range t.Spec.InitContainers {
		c := &t.Spec.InitContainers[i]
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			p.Ports = append(p.Ports, c.Ports...)
		}
	}
	return p
}

// view returns the pod's labels for selectors: the keys its controller sets are unknown.
func (p *Pod) view() labelView {
	v := labelView{labels: labels.Set(p.Labels)}
	if len(p.RuntimeKeys) > 0 {
		v.unknown = func(k string) bool { return slices.Contains(p.RuntimeKeys, k) }
		v.why = "the " + p.Object.GroupKind().Kind + "'s controller sets when it creates the pods"
	}
	return v
}

// hasPort reports whether a container of the pod declares port number n for protocol
// proto under name (any name when name is "").
func (p *Pod) hasPort(name string, n int32, proto corev1.Protocol) bool {
	return slices.ContainsFunc(p.Ports, func(cp corev1.ContainerPort) bool {
		return (name == "" || cp.Name == name) && cp.ContainerPort == n && protocolOf(cp.Protocol) == proto
	})
}

// protocolOf defaults a container port's protocol as the API server does.
func protocolOf(p corev1.Protocol) corev1.Protocol {
	if p == "" {
		return corev1.ProtocolTCP
	}
	return p
}

// Port is a port number and protocol a connection is made to.
type Port struct {
	// Number is the port number, 1 to 65535.
	Number int32
	// Protocol is TCP, UDP or SCTP.
	Protocol corev1.Protocol
}

// String writes the port as "8080/TCP".
func (p Port) String() string { return strconv.Itoa(int(p.Number)) + "/" + string(p.Protocol) }

// MarshalText writes the port as String does, so that JSON shows "8080/TCP".
func (p Port) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText reads what MarshalText writes.
func (p *Port) UnmarshalText(b []byte) error {
	name, port, err := ParsePort(string(b))
	if err == nil && name != "" {
		err = fmt.Errorf("port %q: want a number", b)
	}
	if err != nil {
		return err
	}
	*p = port
	return nil
}

// ParsePort parses PORT[/PROTOCOL]: a port number or a container port name, and TCP (the
// default), UDP or SCTP in any case. For a name, it returns the name and the protocol; the
// caller resolves the name against a pod's container ports (Engine.ResolvePort).
func ParsePort(s string) (name string, port Port, err error) {
	port.Protocol = corev1.ProtocolTCP
	num, proto, hasProto := strings.Cut(s, "/")
	if hasProto {
		switch p := corev1.Protocol(strings.ToUpper(proto)); p {
		case corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP:
			port.Protocol = p
		default:
			return "", port, fmt.Errorf("port %q: protocol %q is not TCP, UDP or SCTP", s, proto)
		}
	}
	if n, err := strconv.Atoi(num); err == nil {
		if n < 1 || n > 65535 {
			return "", port, fmt.Errorf("port %q: %d is not between 1 and 65535", s, n)
		}
		port.Number = int32(n)
		return "", port, nil
	}
	if errs := validation.IsValidPortName(num); len(errs) > 0 {
		return "", port, fmt.Errorf("port %q: neither a number nor a port name: %s", s, strings.Join(errs, "; "))
	}
	return num, port, nil
}

// ResolvePort parses PORT[/PROTOCOL] as ParsePort does and resolves a port name against the
// container ports of the destination to: the port its container of that name declares (and
// with that protocol, when one is given).
func ResolvePort(to Pod, s string) (Port, error) {
	name, port, err := ParsePort(s)
	if err != nil || name == "" {
		return port, err
	}
	_, hasProto := strings.CutPrefix(s, name+"/")
	for _, cp := range to.Ports {
		if cp.Name == name && (!hasProto || protocolOf(cp.Protocol) == port.Protocol) {
			return Port{Number: cp.ContainerPort, Protocol: protocolOf(cp.Protocol)}, nil
		}
	}
	return port, fmt.Errorf("port %q: %s has no container port named %q", s, to.String(), name)
}

// namespaceLabel is the label the control plane sets on every Namespace, its name as value.
const namespaceLabel = corev1.LabelMetadataName

// nameSelector selects the namespace named ns by its namespaceLabel: a podSelector peer
// without namespaceSelector means the policy's own namespace.
func nameSelector(ns string) *selector {
	// Not validated: a namespace name read from manifests may be no valid label value, and
	// the selector must still match that namespace only.
	reqs, _ := labels.SelectorFromValidatedSet(labels.Set{namespaceLabel: ns}).Requirements()
	return &selector{reqs: reqs, text: namespaceLabel + "=" + ns}
}
