package rbac

import (
	"fmt"
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
// engine keyed by the inventory's identity stays right; and one built for an inventory stays
// right for another that holds the very same RBAC objects (inventory.SameKind), as the
// inventories a monitor derives one from the other mostly do: a pod's change then costs no
// new engine. The risk indexes of rbac:workload-serviceaccount are kept with their engine.
type engineCache struct {
	mu   sync.Mutex
	inv  *inventory.Inventory
	e    *authz.Engine
	risk map[string]*riskIndex // by allow-list
}

func (c *engineCache) get(inv *inventory.Inventory) *authz.Engine {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.engine(inv)
}

// engine returns the engine for inv; c.mu must be held.
func (c *engineCache) engine(inv *inventory.Inventory) *authz.Engine {
	if c.e == nil || c.inv != inv && !sameRBAC(c.inv, inv) {
		c.e, c.risk = authz.New(inv), nil
	}
	c.inv = inv
	return c.e
}

// riskIndex returns the risk index of the engine for inv under allow-list allow, built once.
func (c *engineCache) riskIndex(inv *inventory.Inventory, allow allowList) (*authz.Engine, *riskIndex) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.engine(inv)
	k := fmt.Sprintf("%#v", allow)
	x, ok := c.risk[k]
	if !ok {
		x = newRiskIndex(e, riskyPermissions(), allow)
		if c.risk == nil {
			c.risk = make(map[string]*riskIndex)
		}
		c.risk[k] = x
	}
	return e, x
}

// sameRBAC reports whether a and b hold the very same RBAC objects, as the engine reads them.
func sameRBAC(a, b *inventory.Inventory) bool {
	for _, gk := range authz.Kinds() {
		if !inventory.SameKind(a, b, gk) {
			return false
		}
	}
	return true
}
