package celenv

import (
	"fmt"
	"sync"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/ext"
	"k8s.io/apiserver/pkg/cel/library"
)

// Variable names visible to expressions.
const (
	// VarObject is the object being evaluated (for pod templates, the template's owner).
	VarObject = "object"
	// VarNamespaceObject is the Namespace object of the object's namespace: null for a
	// cluster-scoped object or a Namespace known not to exist, an error when it is not known
	// (see NamespaceUnseen).
	VarNamespaceObject = "namespaceObject"
	// VarParams is the check's parameters: defaults overridden key by key by the caller's.
	VarParams = "params"
	// VarPodSpec is the pod specification in pod-template mode.
	VarPodSpec = "podSpec"
	// VarPodMetadata is the pod (template) metadata in pod-template mode.
	VarPodMetadata = "podMetadata"
	// VarInventory is the inventory being scanned (see InventoryType for its functions).
	VarInventory = "inventory"
)

// Pinned library versions. Raising one changes what expressions may call; do it on purpose.
const (
	stringsVersion   = 5 // includes runtime cost tracking of string functions
	listsVersion     = 3 // includes runtime cost tracking of list functions
	setsVersion      = 0
	mathVersion      = 3
	encodersVersion  = 1 // adds json.encode
	bindingsVersion  = 0
	regexVersion     = 0
	optionalVersion  = 2
	twoVarVersion    = 0
	maxRangeListSize = 10000
	// The Kubernetes libraries, as the API server of k8s.io/apiserver's version (v0.37)
	// offers them to ValidatingAdmissionPolicy expressions.
	k8sListsVersion  = 1 // adds includes
	k8sSemverVersion = 1 // adds normalization: semver('1.0', true)
)

// baseOptions are the declarations and libraries shared by every kspm CEL environment.
func baseOptions() []cel.EnvOption {
	return []cel.EnvOption{
		cel.Variable(VarObject, cel.DynType),
		cel.Variable(VarNamespaceObject, cel.DynType),
		cel.Variable(VarParams, cel.MapType(cel.StringType, cel.DynType)),
		cel.Variable(VarInventory, InventoryType),
		inventoryFunctions(),
		cel.OptionalTypes(cel.OptionalTypesVersion(optionalVersion)), // before regex, which needs it
		ext.Strings(ext.StringsVersion(stringsVersion)),
		ext.Lists(ext.ListsVersion(listsVersion), ext.ListsMaxRangeSize(maxRangeListSize)),
		ext.Sets(ext.SetsVersion(setsVersion)),
		ext.Math(ext.MathVersion(mathVersion)),
		ext.Encoders(ext.EncodersVersion(encodersVersion)),
		ext.Bindings(ext.BindingsVersion(bindingsVersion)),
		ext.Regex(ext.RegexVersion(regexVersion)),
		ext.TwoVarComprehensions(ext.TwoVarComprehensionsVersion(twoVarVersion)),
		// The Kubernetes CEL libraries a ValidatingAdmissionPolicy author knows, from the API
		// server's own code: k8s's ip and cidr (the same functions as cel-go's ext.Network,
		// which kspm offered before, and whose types and names they would collide with), then
		// regex (find, findAll), lists (isSorted, sum, min, max, indexOf, lastIndexOf,
		// includes), url, quantity, format and semver. Not authz: no authorizer offline.
		library.IP(),
		library.CIDR(),
		cidrIsMask(), // ext.Network's, which k8s's cidr library lacks: kept for older files
		library.Regex(),
		library.Lists(library.ListsVersion(k8sListsVersion)),
		library.URLs(),
		library.Quantity(),
		library.Format(),
		library.SemverLib(library.SemverVersion(k8sSemverVersion)),
		cel.CrossTypeNumericComparisons(true),
		cel.DefaultUTCTimeZone(true),
		cel.EagerlyValidateDeclarations(true),
	}
}

type envs struct {
	object, pod *cel.Env
}

var buildEnvs = sync.OnceValues(func() (envs, error) {
	object, err := cel.NewEnv(baseOptions()...)
	if err != nil {
		return envs{}, fmt.Errorf("build CEL environment: %w", err)
	}
	pod, err := object.Extend(
		cel.Variable(VarPodSpec, cel.DynType),
		cel.Variable(VarPodMetadata, cel.DynType),
	)
	if err != nil {
		return envs{}, fmt.Errorf("build CEL pod-template environment: %w", err)
	}
	return envs{object: object, pod: pod}, nil
})

// ProgramOptions returns the options every kspm CEL program is planned with: cel-go's
// optimizations, patterns of matches compiled once (CachedMatches) and kspm's cost meter
// (Metered), which replaces cel-go's cost tracking. An evaluation of such a program must be
// given an *Activation whose Meter was Reset.
func ProgramOptions() []cel.ProgramOption {
	return []cel.ProgramOption{
		cel.EvalOptions(cel.OptOptimize),
		CachedMatches(), // before Metered, which hides calls from the decorators after it
		Metered(),
	}
}

// ObjectEnv returns the environment for checks evaluated once per object: variables object,
// namespaceObject, params and inventory. It is built once and shared.
func ObjectEnv() (*cel.Env, error) {
	e, err := buildEnvs()
	return e.object, err
}

// PodEnv returns the environment for checks evaluated once per pod template: ObjectEnv's
// variables plus podSpec and podMetadata. It is built once and shared.
func PodEnv() (*cel.Env, error) {
	e, err := buildEnvs()
	return e.pod, err
}
