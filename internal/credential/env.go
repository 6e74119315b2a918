package credential

import (
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"

	"github.com/kspm-dev/kspm/inventory"
)

// Found is one environment variable of a container that holds a literal credential.
type Found struct {
	// Field is the field path within the container: "env[1].value",
	// "env[0].valueFrom.configMapKeyRef" or "envFrom[0].configMapRef".
	Field string
	// Message says which variable and where its value comes from, and why it is a
	// credential, after a subject naming the container: "sets DB_PASSWORD to a literal
	// value, ...". It never holds the value.
	Message string
}

// ConfigMaps looks up the data of a ConfigMap of the pod's namespace by name. seen is false
// when the ConfigMap may exist but its data is not known (not in the manifests read, or not
// listed); a ConfigMap known not to exist is seen, with no data.
type ConfigMaps func(name string) (data map[string]string, seen bool)

// InEnv returns the literal credentials a container's env and envFrom give it: literal
// values (see Literal), and ConfigMap values read through configMapKeyRef and envFrom (the
// key, with envFrom's prefix, is then the variable's name). A variable whose name says it
// holds a credential and that reads a ConfigMap whose data is not known is reported too: a
// credential has no place in a ConfigMap, whatever its value. unseen names, once each, the
// other ConfigMaps whose data is not known: the values they give were not checked.
func InEnv(env []corev1.EnvVar, envFrom []corev1.EnvFromSource, configMaps ConfigMaps) (found []Found, unseen []string) {
	addUnseen := func(name string) {
		if !slices.Contains(unseen, name) {
			unseen = append(unseen, name)
		}
	}
	for i, e := range env {
		if e.ValueFrom == nil {
			if why, ok := Literal(e.Name, e.Value); ok {
				found = append(found, Found{fmt.Sprintf("env[%d].value", i), fmt.Sprintf("sets %s to %s", e.Name, why)})
			}
			continue
		}
		ref := e.ValueFrom.ConfigMapKeyRef
		if ref == nil {
			continue
		}
		field := fmt.Sprintf("env[%d].valueFrom.configMapKeyRef", i)
		data, seen := configMaps(ref.Name)
		switch {
		case !seen && Named(e.Name):
			found = append(found, Found{field, fmt.Sprintf("sets %s from key %q of ConfigMap %q, which was not seen; "+
				"its name says it holds a credential, which has no place in a ConfigMap", e.Name, ref.Key, ref.Name)})
		case !seen:
			addUnseen(ref.Name)
		default:
			if v, ok := data[ref.Key]; ok {
				if why, ok := Literal(e.Name, v); ok {
					found = append(found, Found{field, fmt.Sprintf("sets %s from key %q of ConfigMap %q, whose value is %s",
						e.Name, ref.Key, ref.Name, why)})
				}
			}
		}
	}
	for i, src := range envFrom {
		if src.ConfigMapRef == nil {
			continue
		}
		data, seen := configMaps(src.ConfigMapRef.Name)
		if !seen {
			addUnseen(src.ConfigMapRef.Name)
			continue
		}
		keys := make([]string, 0, len(data))
		for k := range data {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			name := src.Prefix + k
			if why, ok := Literal(name, data[k]); ok {
				found = append(found, Found{fmt.Sprintf("envFrom[%d].configMapRef", i),
					fmt.Sprintf("takes %s from key %q of ConfigMap %q, whose value is %s", name, k, src.ConfigMapRef.Name, why)})
			}
		}
	}
	return found, unseen
}

// InventoryConfigMaps returns the ConfigMaps lookup of namespace ns through view, the
// inventory as the pod reading them sees it: of a ConfigMap the input defines in several
// places, the definition nearest the pod. A ConfigMap the inventory does not hold is known not
// to exist only when it stands for the whole cluster (Inventory.Whole) and its ConfigMaps were
// seen completely; from other manifests, it may be defined elsewhere.
func InventoryConfigMaps(view inventory.View, ns string) ConfigMaps {
	inv := view.Inventory()
	return func(name string) (map[string]string, bool) {
		if o := view.Get(inventory.KindConfigMap, ns, name); o != nil {
			if cm, ok := o.Object().(*corev1.ConfigMap); ok {
				return cm.Data, true
			}
			return nil, false
		}
		return nil, inv.Whole() && inv.Coverage(inventory.KindConfigMap).Complete()
	}
}
