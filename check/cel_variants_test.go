package check_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// TestCELVariants: where the input defines objects in several places (a prod and a dev
// variant of one app), namespaceObject and the inventory lookups of an object see the
// definitions nearest it, once, whatever the order of the input.
func TestCELVariants(t *testing.T) {
	variant := func(env, level string, automount bool) ([]runtime.Object, []string) {
		objs := []runtime.Object{
			namespace("shop", map[string]string{"level": level}),
			&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "app"}, AutomountServiceAccountToken: &automount},
			&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "cfg"}, Data: map[string]string{"env": env}},
			pod("shop", "p", func(p *corev1.Pod) { p.Spec.ServiceAccountName = "app" }),
		}
		return objs, []string{env + "/ns.yaml", env + "/sa.yaml", env + "/cfg.yaml", env + "/pod.yaml"}
	}
	prodObjs, prodFiles := variant("prod", "restricted", false)
	devObjs, devFiles := variant("dev", "baseline", true)
	objs, files := append(prodObjs, devObjs...), append(prodFiles, devFiles...)

	expr := `namespaceObject.metadata.labels.level == 'restricted' &&
		inventory.get('ServiceAccount', object.metadata.namespace, 'app').?automountServiceAccountToken.orValue(true) == false &&
		inventory.list('ConfigMap', object.metadata.namespace).map(c, c.data.env) == ['prod'] &&
		inventory.list('ConfigMap').size() == 1`
	specs := map[string]check.CELSpec{
		"objects": {Meta: testMeta("custom:variants", inventory.KindPod), Expression: expr},
		"pod templates": {Meta: testMeta("custom:variants-templates", inventory.KindPod), PodTemplates: true,
			Expression: expr + ` && podSpec.serviceAccountName == 'app'`},
	}
	for name, spec := range specs {
		t.Run(name, func(t *testing.T) {
			c := mustCEL(t, spec)
			for _, order := range []string{"given", "reversed"} {
				o, f := slices.Clone(objs), slices.Clone(files)
				if order == "reversed" {
					slices.Reverse(o)
					slices.Reverse(f)
				}
				b := inventory.NewBuilder(inventory.ModeManifests)
				for i := range o {
					require.NoError(t, b.Add(o[i].DeepCopyObject(), inventory.Source{File: f[i], Line: 1}))
				}
				inv := b.Build()
				var (
					mu  sync.Mutex
					got = map[string]check.Status{}
				)
				pass := check.NewPass(inv, c.Meta(), nil, func(f check.Finding) {
					mu.Lock()
					defer mu.Unlock()
					require.NotNil(t, f.Object, f.Message)
					got[f.Object.Source().File] = f.Status
				})
				require.NoError(t, c.Run(context.Background(), pass))
				assert.Equal(t, map[string]check.Status{"prod/pod.yaml": check.StatusPass, "dev/pod.yaml": check.StatusFail}, got, order)
			}
		})
	}
}
