package pss

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"k8s.io/pod-security-admission/api"
)

// Option configures the benchmarks and WhatIf.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	version   string
	lv        api.Version
	cluster   *api.Version    // the cluster's version, when known (WithClusterVersion)
	exemptNS  map[string]bool // skipped by pss:namespace-enforce-label
	admission admissionConfig
	errs      []error
}

// admissionConfig mirrors the parts of the PodSecurity AdmissionConfiguration that change a
// verdict: the defaults for unlabelled namespaces and the exemptions.
type admissionConfig struct {
	defaults       api.Policy
	exemptNS       map[string]bool
	exemptRuntimes map[string]bool
}

// DefaultExemptNamespaces are the namespaces pss:namespace-enforce-label skips unless
// WithExemptNamespaces says otherwise: the system namespaces, which run privileged
// components by design.
func DefaultExemptNamespaces() []string {
	return []string{"kube-system", "kube-public", "kube-node-lease"}
}

func newConfig(opts []Option) (*config, error) {
	priv := api.LevelVersion{Level: api.LevelPrivileged, Version: api.LatestVersion()}
	c := &config{
		version:  api.VersionLatest,
		lv:       api.LatestVersion(),
		exemptNS: setOf(DefaultExemptNamespaces()),
		admission: admissionConfig{
			defaults: api.Policy{Enforce: priv, Audit: priv, Warn: priv},
		},
	}
	for _, o := range opts {
		if o != nil {
			o.apply(c)
		}
	}
	if err := errors.Join(c.errs...); err != nil {
		return nil, err
	}
	return c, nil
}

// ErrInvalidVersion is wrapped by the error for a policy version that is neither "latest" nor
// "v1.N".
var ErrInvalidVersion = errors.New("invalid Pod Security Standards version")

// ErrInvalidLevel is wrapped by the error for a level that is not privileged, baseline or
// restricted.
var ErrInvalidLevel = errors.New("invalid Pod Security Standards level")

// WithVersion sets the policy version the pss-baseline and pss-restricted benchmarks evaluate
// at: "latest" (the default) or "v1.N", as in the pod-security.kubernetes.io/enforce-version
// label. A version newer than the newest policy known evaluates as that newest policy, as the
// admission controller does. Any other value makes the constructor fail.
func WithVersion(v string) Option {
	return optionFunc(func(c *config) {
		v = strings.TrimSpace(v)
		if v == "" {
			return
		}
		pv, err := parseVersion(v)
		if err != nil {
			c.errs = append(c.errs, err)
			return
		}
		c.version, c.lv = v, pv
	})
}

// WithClusterVersion tells the Kubernetes version ("v1.N") of the cluster the inventory
// describes. Its Pod Security admission controller knows the policies up to that version only,
// so there "latest" (in namespace labels, WithVersion, WhatIf) and any newer version evaluate
// as that version. Without it they evaluate as the newest policy this module knows, which is
// what an older cluster's admission controller says only where the policies did not change
// since (they did, for example, for pods in user namespaces in v1.35 and for sysctls in v1.37).
// Any other value than "v1.N" makes the constructor fail.
func WithClusterVersion(v string) Option {
	return optionFunc(func(c *config) {
		v = strings.TrimSpace(v)
		pv, err := parseVersion(v)
		if err == nil && pv.Latest() {
			err = fmt.Errorf("%w %q: a cluster version is v1.N", ErrInvalidVersion, v)
		}
		if err != nil {
			c.errs = append(c.errs, fmt.Errorf("cluster version: %w", err))
			return
		}
		c.cluster = &pv
	})
}

// WithExemptNamespaces replaces the namespaces pss:namespace-enforce-label skips (by default
// DefaultExemptNamespaces). It does not change how workloads are judged: for namespaces the
// admission controller itself exempts, use WithAdmissionExemptions.
func WithExemptNamespaces(namespaces ...string) Option {
	return optionFunc(func(c *config) { c.exemptNS = setOf(namespaces) })
}

// WithAdmissionDefaults mirrors the defaults of the cluster's PodSecurity
// AdmissionConfiguration: the policy applied to a namespace that has no label for a mode. Each
// argument is "LEVEL" or "LEVEL:VERSION" (e.g. "baseline:v1.30"); an empty argument keeps the
// built-in default, privileged:latest. Invalid values make the constructor fail.
func WithAdmissionDefaults(enforce, audit, warn string) Option {
	return optionFunc(func(c *config) {
		for _, m := range []struct {
			name string
			spec string
			dst  *api.LevelVersion
		}{
			{"enforce", enforce, &c.admission.defaults.Enforce},
			{"audit", audit, &c.admission.defaults.Audit},
			{"warn", warn, &c.admission.defaults.Warn},
		} {
			if strings.TrimSpace(m.spec) == "" {
				continue
			}
			lv, err := parseLevelVersion(m.spec)
			if err != nil {
				c.errs = append(c.errs, fmt.Errorf("admission default %s: %w", m.name, err))
				continue
			}
			*m.dst = lv
		}
	})
}

// WithAdmissionExemptions mirrors the exemptions of the cluster's PodSecurity
// AdmissionConfiguration: pods in the given namespaces, or with the given runtime classes, are
// never checked by admission, so the namespace controls and WhatIf report them not applicable.
func WithAdmissionExemptions(namespaces, runtimeClasses []string) Option {
	return optionFunc(func(c *config) {
		c.admission.exemptNS = setOf(namespaces)
		c.admission.exemptRuntimes = setOf(runtimeClasses)
	})
}

// ParseLevelVersion parses "LEVEL" or "LEVEL:VERSION" (e.g. "restricted", "baseline:v1.30",
// "restricted:latest"), the form scanner flags take, and returns the level and the version
// ("latest" when none is given) for WhatIf and WhatIfBenchmark.
func ParseLevelVersion(s string) (level, version string, err error) {
	lv, err := parseLevelVersion(s)
	if err != nil {
		return "", "", err
	}
	return string(lv.Level), lv.Version.String(), nil
}

func parseLevelVersion(s string) (api.LevelVersion, error) {
	levelStr, versionStr, hasVersion := strings.Cut(strings.TrimSpace(s), ":")
	level, err := parseLevel(levelStr)
	if err != nil {
		return api.LevelVersion{}, err
	}
	v := api.LatestVersion()
	if hasVersion {
		if v, err = parseVersion(versionStr); err != nil {
			return api.LevelVersion{}, err
		}
	}
	return api.LevelVersion{Level: level, Version: v}, nil
}

func parseLevel(s string) (api.Level, error) {
	l, err := api.ParseLevel(s)
	if err != nil {
		return "", fmt.Errorf("%w %q: %w", ErrInvalidLevel, s, err)
	}
	return l, nil
}

func parseVersion(s string) (api.Version, error) {
	v, err := api.ParseVersion(s)
	if err != nil {
		return api.Version{}, fmt.Errorf("%w %q: %w", ErrInvalidVersion, s, err)
	}
	return v, nil
}

func setOf(items []string) map[string]bool {
	m := make(map[string]bool, len(items))
	for _, s := range items {
		if s = strings.TrimSpace(s); s != "" {
			m[s] = true
		}
	}
	return m
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
