package cis

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// problem is one reason a pod specification does not comply.
type problem struct {
	field string // relative to the pod spec, e.g. "containers[0].securityContext.privileged"
	msg   string
	// unknown marks what cannot be judged from the input: a template whose only problems
	// are unknown is not evaluated rather than failed.
	unknown bool
}

// podRule returns the problems of one pod specification (none: it complies).
type podRule func(t inventory.PodTemplate) []problem

// podKinds are the kinds that hold pod specifications.
var podKinds = []schema.GroupKind{
	inventory.KindPod, inventory.KindReplicationController, inventory.KindDeployment,
	inventory.KindReplicaSet, inventory.KindStatefulSet, inventory.KindDaemonSet,
	inventory.KindJob, inventory.KindCronJob,
}

// runPods returns a check body that applies rule to every pod specification: a pass or a
// fail per owning object. Kinds not completely seen (see unseenPresent) are reported as not
// evaluated.
func runPods(rule podRule) check.RunFunc {
	return func(ctx context.Context, pass *check.Pass) error {
		inv := pass.Inventory
		unseen := unseenPresent(inv, podKinds...)
		if unseen != "" {
			pass.NotEvaluated(nil, "some pod specifications could not be read: "+unseen)
		}
		tmpls := pass.PodTemplates()
		if len(tmpls) == 0 {
			if unseen == "" {
				pass.NotApplicable(nil, "no pod specifications in the input")
			}
			return nil
		}
		for i, t := range tmpls {
			if i%1024 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			probs := rule(t)
			if len(probs) == 0 {
				pass.Pass(t.Owner, "")
				continue
			}
			var msgs, unknown []string
			field := ""
			for _, p := range probs {
				if p.unknown {
					unknown = append(unknown, p.msg)
					continue
				}
				if field == "" {
					field = p.field
				}
				msgs = append(msgs, p.msg)
			}
			if len(msgs) == 0 {
				pass.NotEvaluated(t.Owner, strings.Join(unknown, "; "))
				continue
			}
			pass.Fail(t.Owner, t.Path+"."+field, strings.Join(msgs, "; "))
		}
		return nil
	}
}

// containerRef is one container of a pod spec with its field path and kind.
type containerRef struct {
	c     *corev1.Container
	field string // "containers[0]"
	// ephemeral containers have no securityContext field of their own that matters less:
	// they are checked like the others.
}

// containersOf returns every container of spec: init containers, containers and ephemeral
// containers (whose common fields share the Container layout).
func containersOf(spec *corev1.PodSpec) []containerRef {
	out := make([]containerRef, 0, len(spec.InitContainers)+len(spec.Containers)+len(spec.EphemeralContainers))
	for i := range spec.InitContainers {
		out = append(out, containerRef{&spec.InitContainers[i], listField(initContainerFields, i)})
	}
	for i := range spec.Containers {
		out = append(out, containerRef{&spec.Containers[i], listField(containerFields, i)})
	}
	for i := range spec.EphemeralContainers {
		c := corev1.Container(spec.EphemeralContainers[i].EphemeralContainerCommon)
		out = append(out, containerRef{&c, listField(ephemeralContainerFields, i)})
	}
	return out
}

// The field paths of the first items of the container lists: every pod control names every
// container, and most pods have few.
var (
	initContainerFields      = listFields("initContainers")
	containerFields          = listFields("containers")
	ephemeralContainerFields = listFields("ephemeralContainers")
)

func listFields(list string) []string {
	out := make([]string, 8)
	for i := range out {
		out[i] = fmt.Sprintf("%s[%d]", list, i)
	}
	return out
}

// listField returns the field path of item i of the list whose first paths are fields, e.g.
// "containers[12]".
func listField(fields []string, i int) string {
	if i < len(fields) {
		return fields[i]
	}
	list, _, _ := strings.Cut(fields[0], "[")
	return fmt.Sprintf("%s[%d]", list, i)
}

func (r containerRef) name() string { return fmt.Sprintf("container %q", r.c.Name) }

// eachContainer builds a pod rule from a per-container test.
func eachContainer(test func(spec *corev1.PodSpec, c containerRef) *problem) podRule {
	return func(t inventory.PodTemplate) []problem {
		var out []problem
		for _, c := range containersOf(t.Spec) {
			if p := test(t.Spec, c); p != nil {
				out = append(out, *p)
			}
		}
		return out
	}
}

func isWindows(spec *corev1.PodSpec) bool {
	return spec.OS != nil && spec.OS.Name == corev1.Windows
}

// podControl is a policy control decided by each pod specification.
type podControl struct {
	id, title string
	level     string
	severity  check.Severity
	what, fix string
	rule      podRule
	// ruleOf, when set instead of rule, builds the rule for one inventory: for rules that
	// read other objects than the pod specification (the ConfigMaps its env reads).
	ruleOf func(inv *inventory.Inventory) podRule
}

func (pc podControl) control() control {
	run := runPods(pc.rule)
	if pc.ruleOf != nil {
		run = func(ctx context.Context, pass *check.Pass) error {
			return runPods(pc.ruleOf(pass.Inventory))(ctx, pass)
		}
	}
	deps := podDeps
	if pc.ruleOf != nil {
		deps = secretEnvDeps
	}
	return control{
		id: pc.id, title: pc.title, level: pc.level, cisManual: true, severity: pc.severity,
		what:        "Reads every pod specification (pods and workload templates): " + pc.what,
		remediation: pc.fix,
		kinds:       podKinds,
		run:         run,
		depends:     deps,
	}
}

// unseenPresent returns why some of kinds were not completely seen, or "" when all were (see
// inventory.Inventory.Gap), for checks that judge the objects present.
func unseenPresent(inv *inventory.Inventory, kinds ...schema.GroupKind) string {
	return check.UnseenKinds(inv, kinds...)
}
