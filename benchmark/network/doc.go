// Package network holds the "network" benchmark: network segmentation (whether
// NetworkPolicies isolate each namespace and workload, and what they let through) and
// exposure (Services and Ingresses that open workloads to the outside, or point at nothing).
// The controls answer from the reachability engine of package inventory/netreach.
//
// Each control lives in its own file (check_<name>.go, with its tests beside it) whose top
// comment says what it inspects and what passes. Policies of CNI plugins and of the Network
// Policy API (inventory.OtherNetworkPolicyKinds), which kspm does not model, make a control
// they could change notEvaluated with the reason, never a verdict on half the picture.
//
// Network returns the controls as a benchmark.
package network
