// Package org holds the "org" benchmark: an organisation's own policies, written only as CEL
// check files (kspm's CheckList format), to be copied and adapted. Each control is one file of
// checks/, whose top comment says what it inspects and what passes:
//
//   - org:allowed-registries: images only from the organisation's registries, in the
//     namespaces a label selector picks;
//   - org:no-latest-in-production: no latest or untagged image in production namespaces;
//   - org:namespace-resource-quota and org:namespace-limit-range: every namespace has a
//     ResourceQuota and a LimitRange;
//   - org:required-labels: workloads carry ownership labels (owner, team);
//   - org:loadbalancer-namespaces: no Service of type LoadBalancer outside the namespaces
//     allowed to have one;
//   - org:ingress-allowed-domains: Ingress hosts under the organisation's domains.
//
// Their parameters (params in each file, documented in its description) default to the
// example organisation of the demo (registry.example.com, example.com, production namespaces
// labelled environment=production); a real organisation sets its own, with kspm.WithParams or
// by copying the files. The benchmark is not among the scanner's defaults for that reason.
//
// Each policy but the two namespace ones is also offered as an equivalent
// ValidatingAdmissionPolicy, binding and parameters ConfigMap, in vap/ (see vap/README.md for
// the mapping): the API server then enforces on new objects what kspm audits on those that
// already run. Admission sees one object at a time, so "every namespace has a ResourceQuota"
// has no admission form.
package org
