package workloads_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/benchmark/workloads"
	"github.com/kspm-dev/kspm/inventory"
)

func TestDefaultSAAutomountFixtures(t *testing.T) {
	runFixtures(t, workloads.DefaultSAAutomount())
}

func serviceAccount(ns, name string, automount *bool) *corev1.ServiceAccount {
	return &corev1.ServiceAccount{ObjectMeta: meta(ns, name), AutomountServiceAccountToken: automount}
}

func TestDefaultSAAutomount(t *testing.T) {
	c := workloads.DefaultSAAutomount()
	tests := []struct {
		name string
		objs []runtime.Object
		want []verdict
	}{
		{
			name: "false passes",
			objs: []runtime.Object{serviceAccount("shop", "default", ptr(false))},
			want: []verdict{pass("ServiceAccount shop/default", "sets automountServiceAccountToken: false")},
		},
		{
			name: "unset fails",
			objs: []runtime.Object{serviceAccount("shop", "default", nil)},
			want: []verdict{fail("ServiceAccount shop/default", "automountServiceAccountToken", "does not set automountServiceAccountToken")},
		},
		{
			name: "true fails",
			objs: []runtime.Object{serviceAccount("shop", "default", ptr(true))},
			want: []verdict{fail("ServiceAccount shop/default", "automountServiceAccountToken", "sets automountServiceAccountToken: true")},
		},
		{
			name: "only default ServiceAccounts are judged, every namespace's",
			objs: []runtime.Object{
				serviceAccount("shop", "web", nil),
				serviceAccount("kube-system", "default", nil),
				serviceAccount("shop", "default", ptr(false)),
			},
			want: []verdict{
				fail("ServiceAccount kube-system/default", "automountServiceAccountToken", "does not set"),
				pass("ServiceAccount shop/default", "sets automountServiceAccountToken: false"),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertVerdicts(t, c, run(t, c, newInventory(t, tt.objs...)), tt.want)
		})
	}
}

func TestDefaultSAAutomountForbidden(t *testing.T) {
	c := workloads.DefaultSAAutomount()
	inv := clusterInventory(t, []inventory.Coverage{{Kind: "ServiceAccount", State: inventory.Forbidden, Reason: "no list"}})
	assertVerdicts(t, c, run(t, c, inv), []verdict{notEvaluated("", "serviceaccounts forbidden: no list")})
}
