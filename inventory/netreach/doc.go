// Package netreach answers "may the pods of A open a connection to those of B on port P?"
// from an inventory's NetworkPolicies, with the semantics of the NetworkPolicy API
// (networking.k8s.io/v1), and names the policies that decide each direction.
//
// An Engine is built once from an inventory (New) and is then safe for concurrent use. Reach
// answers for two pod templates (Pod and the templates of workloads, see PodOf); Isolation
// says whether a pod template is isolated in one direction; FromEveryNamespace and
// OpenToEveryNamespace say on which ports a pod template admits a pod of every namespace.
//
// The rules followed are the API's:
//   - a connection passes when egress from the source's pods and ingress to the
//     destination's pods both allow it; a pod is isolated in a direction when a
//     NetworkPolicy of its namespace selects it (podSelector; an empty one selects every pod)
//     and lists the direction in policyTypes, and an isolated pod allows in that direction
//     only what a rule of one of the policies that select it allows (rules add up across
//     policies); a pod no policy isolates allows everything in that direction;
//   - policyTypes left out is defaulted as the API server does: Ingress, plus Egress when
//     the policy has egress rules; rules of a direction the policy does not list have no
//     effect;
//   - no rules (ingress or egress absent or empty) allow nothing; a rule with from (to)
//     absent or empty admits every peer, and with ports absent or empty every port;
//   - a peer with podSelector only selects pods of the policy's namespace; with
//     namespaceSelector only, every pod of the selected namespaces; with both, the selected
//     pods of the selected namespaces; an empty selector selects everything;
//   - namespaces are selected by their labels, every namespace carrying
//     kubernetes.io/metadata.name with its name, which the control plane sets;
//   - a port entry matches one protocol (TCP when not given: TCP, UDP, SCTP) and the port
//     (every port of the protocol when not given), a range port..endPort, or a named port:
//     the destination pod's container port of that name and protocol, in either direction;
//   - a NetworkPolicy the API server would reject (an invalid selector, CIDR or port) is
//     left out of every answer: it cannot exist (Policy.Err says why).
//
// Manifests may define one object in several places (variants: per environment, HA or not;
// see inventory.View). The engine answers for each definition in its own world, as every
// reference resolves to the definition nearest the object that makes it:
//   - the NetworkPolicies that may select a pod are those nearest its object
//     (Engine.PoliciesFrom);
//   - the labels a namespaceSelector reads are those of the Namespace definition nearest the
//     peer's object, the namespace its pods are deployed into. When the object the policy
//     selects sees another definition of that Namespace, with other labels (the two objects
//     come from different variants), which one is live is not known: the keys on which the
//     definitions differ are unknown, and so is a verdict that reads them;
//   - "some pod of namespace X" (SelectFrom, SelectedBy, PodsFrom) means the pods of the
//     workloads and Pods the world of the object holding the selector holds: every object
//     defined once, and of one defined in several places only the definition nearest that
//     object. The other definitions are alternatives deployed elsewhere, never beside it, so
//     a Service or NetworkPolicy does not select pods through another variant's workload.
//     PodsIn and Select count every definition.
//
// What the inventory cannot tell makes a verdict Unknown, with the reason, and never a guess:
//   - ipBlock: pod IP addresses are assigned at run time (and change as pods are replaced),
//     so whether an ipBlock holds a pod's address is unknown, offline and on a live cluster
//     alike, except for 0.0.0.0/0 and ::/0 without except, which hold every address of their
//     family; the answer is computed for a connection over IPv4 and over IPv6, and is Unknown
//     when the two differ;
//   - labels set at run time: a workload's pods carry its template's labels (they are the
//     pod's labels) plus those its controller sets (pod-template-hash,
//     controller-revision-hash, statefulset.kubernetes.io/pod-name, job-name, ...), whose
//     values are unknown: a selector reading one of those keys gives Unknown. Read from
//     manifests, that is all there is to know. Listed from a cluster, the Pods of each
//     workload show every label they carry (an operator may add some) and the container
//     ports they were created with (an older revision's may differ), and are asked about
//     besides the template: when their answers differ from the template's, the answer is
//     Unknown;
//   - namespaces without a Namespace object in the inventory: only their
//     kubernetes.io/metadata.name label is known;
//   - host-network pods: NetworkPolicy behaviour for them is undefined (a plugin may apply
//     policies to them, or see their traffic as their node's, and a pod always accepts
//     connections from its own node), so a verdict that hangs on how they are treated is
//     Unknown;
//   - NetworkPolicies not all seen, and network policies of CNI plugins or of the Network
//     Policy API (inventory.OtherNetworkPolicyKinds) that may apply to a namespace's pods:
//     the engine does not model those, and answers about such pods are Unknown (see
//     Engine.Unseen). A direction's answer is the NetworkPolicies': with some of them not
//     seen, only a pod isolated and allowed by those seen is known to be so (policies add
//     up allows); the rest is Unknown.
package netreach
