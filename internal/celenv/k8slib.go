package celenv

import (
	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	apiservercel "k8s.io/apiserver/pkg/cel"
	"k8s.io/apiserver/pkg/cel/library"
)

// cidrIsMask declares <cidr>.isMask(), which cel-go's ext.Network (the network library kspm
// offered before the Kubernetes ones) has and k8s.io/apiserver's cidr library lacks: true when
// the CIDR's address has no bits set past its prefix (cidr('10.0.0.0/8').isMask()).
func cidrIsMask() cel.EnvOption {
	return cel.Function("isMask",
		cel.MemberOverload("cidr_is_mask", []*cel.Type{apiservercel.CIDRType}, cel.BoolType,
			cel.UnaryBinding(func(v ref.Val) ref.Val {
				c, ok := v.(apiservercel.CIDR)
				if !ok {
					return types.MaybeNoSuchOverloadErr(v)
				}
				return types.Bool(c.Prefix.Addr() == c.Prefix.Masked().Addr())
			})))
}

// k8sCost is the Kubernetes libraries' own runtime cost estimator, as the API server wires it
// into every CEL program (cel.CostTracking(&library.CostEstimator{})). Its units are cel-go's,
// which kspm's follow (a step, 10 bytes of a string, an element of a list), so the meter adds
// its estimate to what it charges a call of one of these libraries' functions.
var k8sCost = &library.CostEstimator{}

// k8sFunctions are the functions of the Kubernetes libraries the environment holds (see
// baseOptions) whose runtime cost k8sCost estimates. The names shared with other libraries
// (indexOf and lastIndexOf on strings, string()) are listed by their Kubernetes overloads in
// k8sOverloads instead.
var k8sFunctions = map[string]bool{
	// regex
	"find": true, "findAll": true,
	// lists
	"isSorted": true, "sum": true, "max": true, "min": true, "includes": true,
	// url
	"url": true, "isURL": true, "getScheme": true, "getHostname": true, "getHost": true,
	"getPort": true, "getEscapedPath": true, "getQuery": true,
	// ip and cidr
	"ip": true, "cidr": true, "isIP": true, "isCIDR": true, "ip.isCanonical": true,
	"containsIP": true, "containsCIDR": true, "masked": true, "prefixLength": true,
	"family": true, "isUnspecified": true, "isLoopback": true, "isLinkLocalMulticast": true,
	"isLinkLocalUnicast": true, "isGlobalUnicast": true,
	// quantity and semver
	"quantity": true, "isQuantity": true, "semver": true, "isSemver": true, "sign": true,
	"asInteger": true, "isInteger": true, "asApproximateFloat": true, "isGreaterThan": true,
	"isLessThan": true, "compareTo": true, "add": true, "sub": true, "major": true,
	"minor": true, "patch": true,
	// format
	"validate": true, "format.named": true,
}

// k8sOverloads are Kubernetes overloads of functions other libraries also define.
var k8sOverloads = map[string]bool{
	"list_a_index_of_int":      true,
	"list_a_last_index_of_int": true,
}

// isK8sCall reports whether a call of function fn through overload is one of the Kubernetes
// libraries' (whose cost k8sCost estimates).
func isK8sCall(fn, overload string) bool {
	return k8sFunctions[fn] || k8sOverloads[overload]
}

// k8sCallCost is the Kubernetes libraries' estimate of the cost of a call, 0 when they have
// none for it.
func k8sCallCost(fn, overload string, args []ref.Val, result ref.Val) uint64 {
	if c := k8sCost.CallCost(fn, overload, args, result); c != nil {
		return *c
	}
	return 0
}
