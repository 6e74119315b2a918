package rbac

import (
	"sync"

	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/authz"
)

// RBACName is the benchmark's name.
const RBACName = "rbac"

// Section is the section every check of the benchmark reports.
const Section = "RBAC"

// RBAC returns the rbac benchmark. Its checks share an engine cache: the engine for an
// inventory is built once, by the first check that needs it.
func RBAC() benchmark.Benchmark {
	c := &engineCache{}
	return benchmark.Benchmark{
		Name:  RBACName,
		Title: "RBAC: risky permissions, who holds them, and dangling bindings",
		Description: "Who can read secrets, run pods, exec into them, bind or escalate roles, impersonate, " +
			"mint tokens, approve certificates, reach the kubelet, or rewrite admission, answered from the " +
			"inventory with the RBAC authorizer's semantics; plus bindings to broad system groups, default " +
			"service accounts, workloads whose service account holds such permissions, bindings to missing " +
			"roles or service accounts, and unused service accounts.",
		Checks: []check.Check{
			clusterAdminBinding(c),
			wildcardRules(c),
			secretsReadClusterWide(c),
			secretsReadNamespaced(c),
			createPods(c),
			podExec(c),
			bindEscalate(c),
			impersonate(c),
			serviceAccountToken(c),
			csrApproval(c),
			nodesProxy(c),
			admissionWrite(c),
			createPersistentVolumes(c),
			systemGroupBindings(c),
			defaultServiceAccountBindings(c),
			workloadServiceAccount(c),
			missingRole(c),
			missingServiceAccount(c),
			unusedServiceAccount(c),
		},
	}
}

// engineCache holds the engine of the last inventory seen. Inventories are immutable, so an
// engine keyed by the inventory's identity stays right.
type engineCache struct {
	mu  sync.Mutex
	inv *inventory.Inventory
	e   *authz.Engine
}

func (c *engineCache) get(inv *inventory.Inventory) *authz.Engine {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inv != inv || c.e == nil {
		c.inv, c.e = inv, authz.New(inv)
	}
	return c.e
}
