package admission

import (
	"fmt"
	"slices"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission/plugin/policy/generic"
	"k8s.io/client-go/informers"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/cache"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// Params are found as the API server finds them, by its own function (generic.CollectParams),
// over an informer that holds the inventory's objects of the param kind as the object judged
// sees them.

// paramInformer is an informers.GenericInformer over the params of one kind: always synced,
// its lister the inventory's objects. CollectParams asks only HasSynced of the informer.
type paramInformer struct {
	lister cache.GenericLister
}

var _ informers.GenericInformer = (*paramInformer)(nil)

func (p *paramInformer) Informer() cache.SharedIndexInformer { return syncedInformer{} }
func (p *paramInformer) Lister() cache.GenericLister         { return p.lister }

// syncedInformer answers HasSynced; nothing else of it is used.
type syncedInformer struct{ cache.SharedIndexInformer }

func (syncedInformer) HasSynced() bool { return true }

// paramsOf returns the informer of the params of kind gk as view sees them.
func (r *run) paramsOf(view inventory.View, gk schema.GroupKind, resource string) *paramInformer {
	key := paramKey{view: view, gk: gk}
	if p, ok := r.params[key]; ok {
		return p
	}
	idx := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	for _, o := range view.ByKind(gk) {
		_ = idx.Add(o.Object()) // keys are namespace/name: they cannot fail for inventory objects
	}
	p := &paramInformer{lister: cache.NewGenericLister(idx, schema.GroupResource{Group: gk.Group, Resource: resource})}
	r.params[key] = p
	return p
}

// paramsFor returns the params to evaluate the policy with for o through binding b ([nil]
// when the policy takes none), and, when they may be fewer than the API server would find
// (a selector over input that may not hold every param), why. A non-nil outcome is the
// verdict instead: the params could not be found, or the binding needs them and has none.
func (r *run) paramsFor(o *inventory.Object, d *policyDef, b *bindingDef, namespace string) ([]runtime.Object, string, *outcome) {
	pk, pr := d.policy.Spec.ParamKind, b.binding.Spec.ParamRef
	if pk == nil || pr == nil {
		return []runtime.Object{nil}, "", nil
	}
	gv, err := schema.ParseGroupVersion(pk.APIVersion)
	if err != nil { // validatePolicy refused it already
		out := outcome{status: check.StatusError, message: err.Error()}
		return nil, "", &out
	}
	gk := schema.GroupKind{Group: gv.Group, Kind: pk.Kind}
	if r.inv.Gap(gk) {
		out := notEvaluated("the binding's params, of kind %s, were not seen: %s", pk.Kind, r.inv.Unseen(gk))
		return nil, "", &out
	}
	namespaced, _ := r.res.namespaced(r.inv, gk)
	scope := meta.RESTScopeRoot
	if namespaced {
		scope = meta.RESTScopeNamespace
	}
	plural, _ := builtinResource(gv.WithKind(pk.Kind))
	// Not found is decided below, with what the input may lack in mind: collect as if it were
	// allowed.
	allow := *pr
	a := admissionregistrationv1.AllowAction
	allow.ParameterNotFoundAction = &a
	params, err := generic.CollectParams(pk, r.paramsOf(r.inv.From(o), gk, plural), scope, &allow, namespace, nil, nil)
	if err != nil {
		out := d.failed("failed to configure binding: " + err.Error())
		return nil, "", &out
	}
	what := fmt.Sprintf("no %s named %q", pk.Kind, pr.Name)
	if pr.Selector != nil {
		what = fmt.Sprintf("no %s matching the binding's paramRef.selector", pk.Kind)
	}
	partial := !r.inv.Whole()
	switch {
	case len(params) == 0 && partial:
		out := notEvaluated("%s in the input, which may not hold every %s (the cluster's may differ)", what, pk.Kind)
		return nil, "", &out
	case len(params) == 0 && pr.ParameterNotFoundAction != nil && *pr.ParameterNotFoundAction == admissionregistrationv1.DenyAction:
		out := d.failed("failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction")
		return nil, "", &out
	case len(params) == 0:
		out := outcome{status: check.StatusNotApplicable,
			message: what + ": with parameterNotFoundAction Allow the API server admits the object without the policy's verdict"}
		return nil, "", &out
	case pr.Selector != nil && partial:
		return params, fmt.Sprintf("the params are chosen by a selector over input that may not hold every %s: "+
			"those found admit the object, the cluster's may not", pk.Kind), nil
	}
	return params, "", nil
}

// paramKindProblem says why the API server could not resolve pk to a resource (it then fails
// every request the policy matches: "failed to find resource referenced by paramKind"), and
// whether that is certain; "" when it can, or when pk is nil. A kind the input knows nothing
// of, in input that may lack its CustomResourceDefinition, is not certain either way.
func (r *run) paramKindProblem(pk *admissionregistrationv1.ParamKind) (problem string, certain bool) {
	if pk == nil {
		return "", false
	}
	gv, err := schema.ParseGroupVersion(pk.APIVersion)
	if err != nil { // validatePolicy refused it already
		return err.Error(), true
	}
	gvk := gv.WithKind(pk.Kind)
	gk := gvk.GroupKind()
	named := fmt.Sprintf("%s %s", pk.APIVersion, pk.Kind)
	if k, ok := inventory.LookupKind(gk); ok || !strings.Contains(gk.Group, ".") {
		// A kind of Kubernetes' own API groups (which no CustomResourceDefinition may define
		// outside *.k8s.io): served at the versions client-go knows at most.
		switch {
		case !clientgoscheme.Scheme.Recognizes(gvk):
			return fmt.Sprintf("paramKind %s: the API server serves no such kind at that version", named), true
		case ok && gvk != k.GroupVersionKind && !slices.ContainsFunc(multiVersion, func(set []schema.GroupVersionKind) bool {
			return slices.Contains(set, gvk)
		}):
			return fmt.Sprintf("paramKind %s: the API server serves %s at %s; other versions only when the cluster enables them",
				named, pk.Kind, k.GroupVersion()), false
		}
		return "", false
	}
	if c, ok := r.res.crds[gk]; ok {
		if !slices.Contains(c.Served, gv.Version) {
			return fmt.Sprintf("paramKind %s: the CustomResourceDefinition of %s does not serve version %s", named, gk, gv.Version), true
		}
		return "", false
	}
	if len(r.inv.ByKind(gk)) > 0 {
		return "", false // the input holds objects of the kind: it says the kind exists
	}
	if r.inv.Whole() && !r.inv.Gap(inventory.KindCustomResourceDefinition) {
		return fmt.Sprintf("paramKind %s: no CustomResourceDefinition defines %s", named, gk), true
	}
	msg := fmt.Sprintf("the policy's paramKind %s is neither a built-in kind nor defined by a CustomResourceDefinition "+
		"in the input: whether the API server can resolve it (or rejects every object the policy matches) is not known", named)
	if r.inv.Gap(gk) {
		msg += fmt.Sprintf(" (its objects were not seen: %s)", r.inv.Unseen(gk))
	}
	return msg, false
}
