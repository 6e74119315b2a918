package org

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/apiserver/pkg/admission"
	admissioncel "k8s.io/apiserver/pkg/admission/plugin/cel"
	"k8s.io/apiserver/pkg/admission/plugin/policy/validating"
	"k8s.io/apiserver/pkg/admission/plugin/webhook/matchconditions"
	"k8s.io/apiserver/pkg/cel/environment"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/kspm-dev/kspm/check/checktest"
	"github.com/kspm-dev/kspm/inventory"
)

// admissionForm is one file of vap/: the policy, its binding, and the ConfigMap of its
// parameters when it has any.
type admissionForm struct {
	file    string
	policy  *admissionregistrationv1.ValidatingAdmissionPolicy
	binding *admissionregistrationv1.ValidatingAdmissionPolicyBinding
	params  *corev1.ConfigMap
}

// loadAdmissionForm decodes a file of vap/ strictly: each document must be an
// admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy or ValidatingAdmissionPolicyBinding,
// or a v1 ConfigMap, with no field those types lack.
func loadAdmissionForm(t *testing.T, name string) admissionForm {
	t.Helper()
	data, err := vapFiles.ReadFile("vap/" + name)
	require.NoError(t, err)
	f := admissionForm{file: name}
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		var tm metav1.TypeMeta
		require.NoError(t, sigsyaml.Unmarshal(doc, &tm))
		switch tm.APIVersion + " " + tm.Kind {
		case "admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy":
			require.Nil(t, f.policy, "%s: one policy a file", name)
			f.policy = &admissionregistrationv1.ValidatingAdmissionPolicy{}
			require.NoError(t, sigsyaml.UnmarshalStrict(doc, f.policy), name)
		case "admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding":
			require.Nil(t, f.binding, "%s: one binding a file", name)
			f.binding = &admissionregistrationv1.ValidatingAdmissionPolicyBinding{}
			require.NoError(t, sigsyaml.UnmarshalStrict(doc, f.binding), name)
		case "v1 ConfigMap":
			require.Nil(t, f.params, "%s: one ConfigMap a file", name)
			f.params = &corev1.ConfigMap{}
			require.NoError(t, sigsyaml.UnmarshalStrict(doc, f.params), name)
		default:
			t.Fatalf("%s: unexpected document %s %s", name, tm.APIVersion, tm.Kind)
		}
	}
	require.NotNil(t, f.policy, "%s: no ValidatingAdmissionPolicy", name)
	require.NotNil(t, f.binding, "%s: no ValidatingAdmissionPolicyBinding", name)
	return f
}

// admissionForms returns every file of vap/ decoded, by control ID.
func admissionForms(t *testing.T) map[string]admissionForm {
	t.Helper()
	names, err := fs.Glob(vapFiles, "vap/*.yaml")
	require.NoError(t, err)
	out := map[string]admissionForm{}
	for _, n := range names {
		n = strings.TrimPrefix(n, "vap/")
		out["org:"+strings.TrimSuffix(n, ".yaml")] = loadAdmissionForm(t, n)
	}
	return out
}

// TestAdmissionPolicyFiles: one admission form per control that admission can judge, named
// after it (org:required-labels is policy, binding and ConfigMap org-required-labels), with
// the check's parameter values; and every expression compiles with the API server's CEL
// compiler, in the environment it checks new policies against.
func TestAdmissionPolicyFiles(t *testing.T) {
	forms := admissionForms(t)
	var ids []string
	for _, c := range Org().Checks {
		if id := c.Meta().ID; !strings.HasPrefix(id, "org:namespace-") {
			ids = append(ids, id)
		}
	}
	got := make([]string, 0, len(forms))
	for id := range forms {
		got = append(got, id)
	}
	assert.ElementsMatch(t, ids, got, "one admission form per control admission can judge")

	for id, f := range forms {
		t.Run(id, func(t *testing.T) {
			name := "org-" + strings.TrimPrefix(id, "org:")
			assert.Equal(t, name, f.policy.Name)
			assert.Equal(t, name, f.binding.Name)
			assert.Equal(t, name, f.binding.Spec.PolicyName)
			assert.Equal(t, []admissionregistrationv1.ValidationAction{admissionregistrationv1.Deny}, f.binding.Spec.ValidationActions)

			params := checkParams(t, id)
			if sel, ok := params["namespaceSelector"]; ok {
				require.NotNil(t, f.binding.Spec.MatchResources, "the check's namespaceSelector is the binding's")
				assert.Equal(t, sel, toGeneric(t, f.binding.Spec.MatchResources.NamespaceSelector))
				delete(params, "namespaceSelector")
			}
			if len(params) == 0 {
				assert.Nil(t, f.policy.Spec.ParamKind, "no parameters, no paramKind")
				assert.Nil(t, f.params)
			} else {
				require.NotNil(t, f.params, "parameters live in a ConfigMap")
				assert.Equal(t, &admissionregistrationv1.ParamKind{APIVersion: "v1", Kind: "ConfigMap"}, f.policy.Spec.ParamKind)
				require.NotNil(t, f.binding.Spec.ParamRef)
				assert.Equal(t, f.params.Name, f.binding.Spec.ParamRef.Name)
				assert.Equal(t, f.params.Namespace, f.binding.Spec.ParamRef.Namespace)
				assert.Equal(t, name, f.params.Name)
				want := map[string]string{}
				for k, v := range params {
					var items []string
					for _, s := range v.([]any) {
						items = append(items, s.(string))
					}
					want[k] = strings.Join(items, ",")
				}
				assert.Equal(t, want, f.params.Data, "the ConfigMap holds the check's default parameters, lists comma-separated")
			}

			for _, res := range compileForm(f, environment.NewExpressions) {
				if res.err != nil {
					t.Errorf("%s: %s: %v", f.file, res.what, res.err)
				}
			}
		})
	}
}

// checkParams returns the default parameters of a control, as its file writes them.
func checkParams(t *testing.T, id string) map[string]any {
	t.Helper()
	data, ok := CheckFile(id)
	require.True(t, ok)
	var doc struct {
		Checks []struct {
			Params map[string]any `yaml:"params"`
		} `yaml:"checks"`
	}
	require.NoError(t, yaml.Unmarshal(data, &doc))
	return doc.Checks[0].Params
}

// toGeneric converts v to the generic form YAML decodes to, for comparing with a check's
// parameters.
func toGeneric(t *testing.T, v any) any {
	t.Helper()
	data, err := sigsyaml.Marshal(v)
	require.NoError(t, err)
	var out any
	require.NoError(t, yaml.Unmarshal(data, &out))
	return out
}

type compiled struct {
	what string
	err  error
}

// compileForm compiles every expression of f's policy as the API server does (the compile
// path of k8s.io/apiserver's validating admission policy plugin): variables in order, then
// match conditions, validations and message expressions, with params declared when the
// policy has a paramKind.
func compileForm(f admissionForm, mode environment.Type) []compiled {
	spec := f.policy.Spec
	vars := admissioncel.OptionalVariableDeclarations{HasParams: spec.ParamKind != nil, HasAuthorizer: true}
	comp, err := admissioncel.NewCompositedCompiler(environment.MustBaseEnvSet(environment.DefaultCompatibilityVersion()))
	if err != nil {
		return []compiled{{"compiler", err}}
	}
	var out []compiled
	add := func(what string, r admissioncel.CompilationResult) {
		var err error
		if r.Error != nil {
			err = r.Error
		}
		out = append(out, compiled{what, err})
	}
	for _, v := range spec.Variables {
		add("variable "+v.Name, comp.CompileAndStoreVariable(&validating.Variable{Name: v.Name, Expression: v.Expression}, vars, mode))
	}
	for _, m := range spec.MatchConditions {
		add("matchCondition "+m.Name, comp.CompileCELExpression(&matchconditions.MatchCondition{Name: m.Name, Expression: m.Expression}, vars, mode))
	}
	for _, v := range spec.Validations {
		add("validation", comp.CompileCELExpression(&validating.ValidationCondition{Expression: v.Expression}, vars, mode))
		if v.MessageExpression != "" {
			add("messageExpression", comp.CompileCELExpression(&validating.MessageExpressionCondition{MessageExpression: v.MessageExpression},
				admissioncel.OptionalVariableDeclarations{HasParams: vars.HasParams}, mode))
		}
	}
	return out
}

// newValidator builds the validator of f's policy as the API server's plugin does.
func newValidator(t *testing.T, f admissionForm) validating.Validator {
	t.Helper()
	spec := f.policy.Spec
	hasParams := spec.ParamKind != nil
	vars := admissioncel.OptionalVariableDeclarations{HasParams: hasParams, HasAuthorizer: true}
	comp, err := admissioncel.NewCompositedCompiler(environment.MustBaseEnvSet(environment.DefaultCompatibilityVersion()))
	require.NoError(t, err)
	var variables []admissioncel.NamedExpressionAccessor
	for _, v := range spec.Variables {
		variables = append(variables, &validating.Variable{Name: v.Name, Expression: v.Expression})
	}
	comp.CompileAndStoreVariables(variables, vars, environment.StoredExpressions)
	var matcher matchconditions.Matcher
	if len(spec.MatchConditions) > 0 {
		conds := make([]admissioncel.ExpressionAccessor, len(spec.MatchConditions))
		for i := range spec.MatchConditions {
			conds[i] = (*matchconditions.MatchCondition)(&spec.MatchConditions[i])
		}
		matcher = matchconditions.NewMatcher(comp.CompileCondition(conds, vars, environment.StoredExpressions), spec.FailurePolicy, "policy", "validate", f.policy.Name)
	}
	validations := make([]admissioncel.ExpressionAccessor, len(spec.Validations))
	messages := make([]admissioncel.ExpressionAccessor, len(spec.Validations))
	for i, v := range spec.Validations {
		validations[i] = &validating.ValidationCondition{Expression: v.Expression, Message: v.Message, Reason: v.Reason}
		if v.MessageExpression != "" {
			messages[i] = &validating.MessageExpressionCondition{MessageExpression: v.MessageExpression}
		}
	}
	return validating.NewValidator(
		comp.CompileCondition(validations, vars, environment.StoredExpressions),
		matcher,
		comp.CompileCondition(nil, vars, environment.StoredExpressions),
		comp.CompileCondition(messages, admissioncel.OptionalVariableDeclarations{HasParams: hasParams}, environment.StoredExpressions),
		spec.FailurePolicy, nil)
}

// TestAdmissionPoliciesAgreeWithChecks runs each admission form, with the API server's own
// validator, on the fixtures of its control, as a create of each object: an object the check
// passes is admitted, one it fails is denied with the check's message, and one it does not
// judge is not matched (the binding's namespace selector or the match conditions leave it
// out). Objects the check cannot evaluate offline (their Namespace unknown) have no admission
// counterpart and are skipped.
func TestAdmissionPoliciesAgreeWithChecks(t *testing.T) {
	for id, f := range admissionForms(t) {
		t.Run(id, func(t *testing.T) {
			v := newValidator(t, f)
			dir := filepath.Join("testdata", strings.TrimPrefix(id, "org:"))
			paths, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
			require.NoError(t, err)
			require.NotEmpty(t, paths)
			judged := 0
			for _, p := range paths {
				inv, err := inventory.LoadManifests(context.Background(), []string{p})
				require.NoError(t, err)
				for _, o := range inv.Objects() {
					want, ok := o.Meta().GetAnnotations()[checktest.AnnotationExpect]
					if !ok || want == "notEvaluated" || o.GroupKind() == inventory.KindNamespace {
						continue
					}
					judged++
					verdict, msg := admit(t, v, f, inv, o)
					assert.Equal(t, want, verdict, "%s: %s (%s)", p, o, msg)
					if sub := o.Meta().GetAnnotations()[checktest.AnnotationExpectMessage]; want == "fail" && sub != "" {
						assert.Contains(t, msg, sub, "%s: %s: the policy's message is the check's", p, o)
					}
				}
			}
			assert.Positive(t, judged)
		})
	}
}

// admit runs the policy on a create of o and says what the API server would do: "pass"
// (admitted), "fail" (denied, with the message) or "none" (the policy does not apply).
func admit(t *testing.T, v validating.Validator, f admissionForm, inv *inventory.Inventory, o *inventory.Object) (string, string) {
	t.Helper()
	info, ok := inventory.LookupKind(o.GroupKind())
	require.True(t, ok, o.String())
	m, err := o.Map()
	require.NoError(t, err)
	obj := &unstructured.Unstructured{Object: runtime.DeepCopyJSON(m)}

	var ns *corev1.Namespace
	if o.Namespace() != "" {
		nsObj := inv.Get(inventory.KindNamespace, "", o.Namespace())
		ns = &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: o.Namespace(),
			Labels: map[string]string{"kubernetes.io/metadata.name": o.Namespace()}}}
		if nsObj != nil {
			nm, err := nsObj.Map()
			require.NoError(t, err)
			require.NoError(t, runtime.DefaultUnstructuredConverter.FromUnstructured(runtime.DeepCopyJSON(nm), ns))
		}
	}
	if mr := f.binding.Spec.MatchResources; mr != nil && mr.NamespaceSelector != nil && ns != nil {
		sel, err := metav1.LabelSelectorAsSelector(mr.NamespaceSelector)
		require.NoError(t, err)
		if !sel.Matches(labels.Set(ns.Labels)) {
			return "none", "the binding's namespace selector leaves it out"
		}
	}
	gvk, gvr := info.GroupVersionKind, info.GroupVersionResource()
	attr := admission.NewAttributesRecord(obj, nil, gvk, o.Namespace(), o.Name(), gvr, "", admission.Create,
		&metav1.CreateOptions{}, false, nil)
	va := &admission.VersionedAttributes{Attributes: attr, VersionedObject: admission.NewLazyObject(obj), VersionedKind: gvk}
	var params runtime.Object
	if f.params != nil {
		params = f.params
	}
	res := v.Validate(context.Background(), gvr, va, params, ns, 1_000_000_000, nil)
	if len(res.Decisions) == 0 {
		return "none", "not matched by the match conditions"
	}
	var msgs []string
	verdict := "pass"
	for _, d := range res.Decisions {
		switch d.Action {
		case validating.ActionAdmit:
		case validating.ActionDeny:
			verdict = "fail"
			if d.Evaluation == validating.EvalError {
				verdict = "error"
			}
			msgs = append(msgs, d.Message)
		}
	}
	slices.Sort(msgs)
	return verdict, strings.Join(msgs, "; ")
}
