// Package netpolicy tells checks which network policies other than NetworkPolicies may
// isolate the pods of a namespace: the policies of CNI plugins (Cilium, Calico, Antrea) and of
// the Network Policy API, whose kinds inventory.OtherNetworkPolicyKinds names. kspm does not
// model their selectors, so a check that finds no NetworkPolicy isolating a namespace asks
// this package whether such a policy may still do it (then its verdict is notEvaluated, not
// fail), and whether those kinds were seen completely. Nothing here is part of the public API.
package netpolicy
