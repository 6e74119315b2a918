package pss_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark/pss"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// Evaluate manifests at the restricted level of a given policy version, and print the failures.
func ExampleRestricted() {
	ctx := context.Background()
	inv, err := inventory.LoadManifests(ctx, []string{"testdata/cluster"})
	if err != nil {
		log.Fatal(err)
	}
	b, err := pss.Restricted(pss.WithVersion("v1.24"))
	if err != nil {
		log.Fatal(err)
	}
	results, err := kspm.Run(ctx, inv, b.Checks)
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range results {
		if r.Status == check.StatusFail && r.Object.Name == "web" {
			fmt.Printf("%s %s: %s\n  at %s\n", r.CheckID, r.Object, r.Message, r.Field)
		}
	}
	// Output:
	// pss:allowPrivilegeEscalation Deployment shop/web: allowPrivilegeEscalation != false: container "nginx" must set securityContext.allowPrivilegeEscalation=false
	//   at spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation
	// pss:capabilities_restricted Deployment shop/web: unrestricted capabilities: container "nginx" must set securityContext.capabilities.drop=["ALL"]
	//   at spec.template.spec.containers[0].securityContext.capabilities
	// pss:runAsNonRoot Deployment shop/web: runAsNonRoot != true: pod or container "nginx" must set securityContext.runAsNonRoot=true
	//   at spec.template.spec.containers[0].securityContext.runAsNonRoot
	// pss:seccompProfile_restricted Deployment shop/web: seccompProfile: pod or container "nginx" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"
	//   at spec.template.spec.containers[0].securityContext.seccompProfile
}

// Ask which workloads would be rejected if namespaces shop and payments enforced restricted.
func ExampleWhatIf() {
	ctx := context.Background()
	inv, err := inventory.LoadManifests(ctx, []string{"testdata/cluster"})
	if err != nil {
		log.Fatal(err)
	}
	res, err := pss.WhatIf(ctx, inv, "restricted", "v1.30", []string{"shop", "payments"})
	if err != nil {
		log.Fatal(err)
	}
	if err := res.WriteText(os.Stdout); err != nil {
		log.Fatal(err)
	}
	// Output:
	// Pod Security what-if: enforce "restricted:v1.30"
	//
	// NAMESPACE  CURRENT            WORKLOADS  REJECTED  READY
	// payments   restricted:latest  1          0         yes
	// shop       baseline:v1.30     2          2         no
	//
	// Deployment shop/builder (spec.template.spec) would be rejected:
	//   - pss:allowPrivilegeEscalation: allowPrivilegeEscalation != false: container "builder" must set securityContext.allowPrivilegeEscalation=false
	//   - pss:capabilities_restricted: unrestricted capabilities: container "builder" must set securityContext.capabilities.drop=["ALL"]
	//   - pss:restrictedVolumes: restricted volume types: volume "docker" uses restricted volume type "hostPath"
	//   - pss:runAsNonRoot: runAsNonRoot != true: pod or container "builder" must set securityContext.runAsNonRoot=true
	//   - pss:seccompProfile_restricted: seccompProfile: pod or container "builder" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"
	//
	// Deployment shop/web (spec.template.spec) would be rejected:
	//   - pss:allowPrivilegeEscalation: allowPrivilegeEscalation != false: container "nginx" must set securityContext.allowPrivilegeEscalation=false
	//   - pss:capabilities_restricted: unrestricted capabilities: container "nginx" must set securityContext.capabilities.drop=["ALL"]
	//   - pss:runAsNonRoot: runAsNonRoot != true: pod or container "nginx" must set securityContext.runAsNonRoot=true
	//   - pss:seccompProfile_restricted: seccompProfile: pod or container "nginx" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"
}
