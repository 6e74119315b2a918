package main

import (
	"errors"
	"flag"

	"github.com/kspm-dev/kspm/inventory/helm"
)

// helmOptions are the flags for the Helm charts among the -f paths.
type helmOptions struct {
	values  []string // --helm-values
	sets    []string // --helm-set
	release string   // --helm-release
}

func addHelmFlags(fs *flag.FlagSet, h *helmOptions) {
	fs.Var(listFlag{values: &h.values}, "helm-values", "")
	fs.Var(listFlag{values: &h.sets}, "helm-set", "")
	fs.StringVar(&h.release, "helm-release", "", "")
}

const helmUsage = `Helm charts (with -f): a directory holding a Chart.yaml, named or met in a walk, is
rendered as "helm template RELEASE DIR" would, in process (no helm binary, cluster or
network), and its files are not read as manifests. Its dependencies must be in its charts/
directory (as "helm dependency build" leaves them). Each object's source is the chart's
template and line.
  --helm-values FILE      values file for the charts, as helm template -f FILE; repeatable,
                          later files win
  --helm-set KEY=VALUE    value for the charts, as helm template --set; repeatable
  --helm-release NAME     release name (default release-name)
  --default-namespace NS  is also the release namespace (default: default)
`

// validateHelm checks the Helm flags: they go with -f, and the renderer they configure must
// be valid.
func validateHelm(o *options) error {
	h := o.helm
	if len(o.files) == 0 && (len(h.values) > 0 || len(h.sets) > 0 || h.release != "") {
		return errors.New("--helm-values, --helm-set and --helm-release apply to charts among -f paths: use them with -f")
	}
	_, err := newHelmRenderer(o)
	return err
}

// newHelmRenderer returns the renderer of the charts among the -f paths, as the flags
// configure it.
func newHelmRenderer(o *options) (*helm.Renderer, error) {
	opts := []helm.Option{}
	for _, f := range o.helm.values {
		opts = append(opts, helm.WithValuesFile(f))
	}
	for _, s := range o.helm.sets {
		opts = append(opts, helm.WithSet(s))
	}
	if o.helm.release != "" {
		opts = append(opts, helm.WithReleaseName(o.helm.release))
	}
	if o.defaultNS != "" {
		opts = append(opts, helm.WithNamespace(o.defaultNS))
	}
	return helm.New(opts...)
}
