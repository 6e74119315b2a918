package cis

import (
	"maps"
	"strconv"
	"strings"

	"github.com/kspm-dev/kspm/internal/flags"
	"github.com/kspm-dev/kspm/inventory"
)

// kubeletFlagFields maps the kubelet's command-line flags to the configuration fields they
// override, for the fields section 4.2 reads. Flags win over the configuration file.
var kubeletFlagFields = map[string]struct {
	field string
	kind  byte // 'b' bool, 'i' integer, 's' string, 'l' list, 'm' map of booleans
}{
	"anonymous-auth":                    {"authentication.anonymous.enabled", 'b'},
	"authorization-mode":                {"authorization.mode", 's'},
	"client-ca-file":                    {"authentication.x509.clientCAFile", 's'},
	"read-only-port":                    {"readOnlyPort", 'i'},
	"streaming-connection-idle-timeout": {"streamingConnectionIdleTimeout", 's'},
	"make-iptables-util-chains":         {"makeIPTablesUtilChains", 'b'},
	"event-qps":                         {"eventRecordQPS", 'i'},
	"tls-cert-file":                     {"tlsCertFile", 's'},
	"tls-private-key-file":              {"tlsPrivateKeyFile", 's'},
	"rotate-certificates":               {"rotateCertificates", 'b'},
	"feature-gates":                     {"featureGates", 'm'},
	"tls-cipher-suites":                 {"tlsCipherSuites", 'l'},
	"pod-max-pids":                      {"podPidsLimit", 'i'},
	"seccomp-default":                   {"seccompDefault", 'b'},
	"rotate-server-certificates":        {"serverTLSBootstrap", 'b'},
}

// withoutFileDefaults returns fields (a kubelet's --config-dir drop-ins, if any) completed
// with the defaults of a kubelet started without --config where they differ from the file
// defaults: anonymous authentication on, authorization AlwaysAllow, read-only port 10255
// (kubelet's applyLegacyDefaults).
func withoutFileDefaults(fields map[string]any) map[string]any {
	out := deepCopyMap(fields)
	for path, val := range map[string]any{
		"authentication.anonymous.enabled": true,
		"authorization.mode":               "AlwaysAllow",
		"readOnlyPort":                     int64(10255),
	} {
		if _, ok := (kubeletConfig{fields: out}).get(path); !ok {
			setPath(out, path, val)
		}
	}
	return out
}

// kubeletFlags is what a kubelet's command-line flags make of its configuration fields.
type kubeletFlags struct {
	fields map[string]any
	// applied are the flags applied and fromFlag the fields they set.
	applied  []string
	fromFlag map[string]bool
	// alt, when set, is the configuration read without the flag occurrences whose reading is
	// in doubt (see flags.Parse).
	alt *kubeletAlt
	// problem says why the kubelet would not start with its command line.
	problem string
}

// withKubeletFlags returns the configuration fields with the kubelet's command-line flags
// (from a node scan of the same node, as view sees it) applied over them.
func withKubeletFlags(view inventory.View, node string, fields map[string]any) kubeletFlags {
	o := view.Get(inventory.KindNodeFiles, "", node)
	if o == nil {
		return kubeletFlags{fields: fields}
	}
	m, err := o.Map()
	if err != nil {
		return kubeletFlags{fields: fields}
	}
	spec, _ := m["spec"].(map[string]any)
	list, _ := spec["kubeletArgs"].([]any)
	args := make([]string, 0, len(list))
	for _, a := range list {
		if s, ok := a.(string); ok {
			args = append(args, s)
		}
	}
	fs := flags.Parse(args, flags.KubeletSpec())
	out := applyKubeletFlags(fields, fs)
	if p := fs.Problems(); len(p) > 0 {
		out.problem = "the kubelet would not start with its command line: " + p[0]
	}
	why := ""
	for _, name := range fs.Names() {
		if _, mapped := kubeletFlagFields[name]; mapped && why == "" {
			why = fs.Why(name)
		}
	}
	if why != "" {
		certain := &flags.Set{}
		for _, name := range fs.Names() {
			for _, v := range fs.All(name) {
				if !v.Unknown {
					certain.Add(v)
				}
			}
		}
		alt := applyKubeletFlags(fields, certain)
		out.alt = &kubeletAlt{fields: alt.fields, fromFlag: alt.fromFlag, why: "the kubelet's command line can be read more than one way: " + why}
	}
	return out
}

// applyKubeletFlags applies the flags of fs that set configuration fields over fields.
func applyKubeletFlags(fields map[string]any, fs *flags.Set) kubeletFlags {
	var applied []string
	set := map[string]bool{}
	out := fields
	for _, name := range fs.Names() {
		target, ok := kubeletFlagFields[name]
		if !ok {
			continue
		}
		v, _ := fs.Lookup(name)
		var val any
		switch target.kind {
		case 'b':
			b, err := v.Bool()
			if err != nil {
				continue
			}
			val = b
		case 'i':
			n, err := strconv.ParseInt(strings.TrimSpace(v.Raw), 10, 64)
			if err != nil {
				continue
			}
			val = n
		case 's':
			val = v.Raw
		case 'l':
			items, _, _ := fs.List(name)
			l := make([]any, len(items))
			for i, it := range items {
				l[i] = it
			}
			val = l
		case 'm':
			gates, _, _ := fs.Map(name)
			g := map[string]any{}
			if old, ok := fields["featureGates"].(map[string]any); ok {
				maps.Copy(g, old)
			}
			for k, s := range gates {
				if b, err := strconv.ParseBool(s); err == nil {
					g[k] = b
				}
			}
			val = g
		}
		if len(applied) == 0 {
			out = deepCopyMap(fields)
		}
		setPath(out, target.field, val)
		set[target.field] = true
		applied = append(applied, "--"+name)
	}
	return kubeletFlags{fields: out, applied: applied, fromFlag: set}
}

func deepCopyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			out[k] = deepCopyMap(sub)
		} else {
			out[k] = v
		}
	}
	return out
}

func setPath(m map[string]any, path string, val any) {
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		sub, ok := m[p].(map[string]any)
		if !ok {
			sub = map[string]any{}
			m[p] = sub
		}
		m = sub
	}
	m[parts[len(parts)-1]] = val
}
