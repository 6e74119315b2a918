package inventory

import (
	"context"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
)

// typedPages returns the pager of a built-in kind's typed client, listing all namespaces,
// or nil for a kind that is not built in.
func typedPages(cs kubernetes.Interface, gk schema.GroupKind) pageFunc {
	core, apps, batch := cs.CoreV1(), cs.AppsV1(), cs.BatchV1()
	rbac, netw, adm := cs.RbacV1(), cs.NetworkingV1(), cs.AdmissionregistrationV1()
	switch gk {
	case KindNamespace:
		return listPages(core.Namespaces().List, func(l *corev1.NamespaceList) []corev1.Namespace { return l.Items })
	case KindNode:
		return listPages(core.Nodes().List, func(l *corev1.NodeList) []corev1.Node { return l.Items })
	case KindPod:
		return listPages(core.Pods("").List, func(l *corev1.PodList) []corev1.Pod { return l.Items })
	case KindReplicationController:
		return listPages(core.ReplicationControllers("").List,
			func(l *corev1.ReplicationControllerList) []corev1.ReplicationController { return l.Items })
	case KindServiceAccount:
		return listPages(core.ServiceAccounts("").List,
			func(l *corev1.ServiceAccountList) []corev1.ServiceAccount { return l.Items })
	case KindService:
		return listPages(core.Services("").List, func(l *corev1.ServiceList) []corev1.Service { return l.Items })
	case KindSecret:
		return listPages(core.Secrets("").List, scrubSecrets)
	case KindConfigMap:
		return listPages(core.ConfigMaps("").List, func(l *corev1.ConfigMapList) []corev1.ConfigMap { return l.Items })
	case KindResourceQuota:
		return listPages(core.ResourceQuotas("").List,
			func(l *corev1.ResourceQuotaList) []corev1.ResourceQuota { return l.Items })
	case KindLimitRange:
		return listPages(core.LimitRanges("").List, func(l *corev1.LimitRangeList) []corev1.LimitRange { return l.Items })
	case KindDeployment:
		return listPages(apps.Deployments("").List, func(l *appsv1.DeploymentList) []appsv1.Deployment { return l.Items })
	case KindReplicaSet:
		return listPages(apps.ReplicaSets("").List, func(l *appsv1.ReplicaSetList) []appsv1.ReplicaSet { return l.Items })
	case KindStatefulSet:
		return listPages(apps.StatefulSets("").List,
			func(l *appsv1.StatefulSetList) []appsv1.StatefulSet { return l.Items })
	case KindDaemonSet:
		return listPages(apps.DaemonSets("").List, func(l *appsv1.DaemonSetList) []appsv1.DaemonSet { return l.Items })
	case KindJob:
		return listPages(batch.Jobs("").List, func(l *batchv1.JobList) []batchv1.Job { return l.Items })
	case KindCronJob:
		return listPages(batch.CronJobs("").List, func(l *batchv1.CronJobList) []batchv1.CronJob { return l.Items })
	case KindRole:
		return listPages(rbac.Roles("").List, func(l *rbacv1.RoleList) []rbacv1.Role { return l.Items })
	case KindClusterRole:
		return listPages(rbac.ClusterRoles().List, func(l *rbacv1.ClusterRoleList) []rbacv1.ClusterRole { return l.Items })
	case KindRoleBinding:
		return listPages(rbac.RoleBindings("").List, func(l *rbacv1.RoleBindingList) []rbacv1.RoleBinding { return l.Items })
	case KindClusterRoleBinding:
		return listPages(rbac.ClusterRoleBindings().List,
			func(l *rbacv1.ClusterRoleBindingList) []rbacv1.ClusterRoleBinding { return l.Items })
	case KindNetworkPolicy:
		return listPages(netw.NetworkPolicies("").List,
			func(l *networkingv1.NetworkPolicyList) []networkingv1.NetworkPolicy { return l.Items })
	case KindIngress:
		return listPages(netw.Ingresses("").List, func(l *networkingv1.IngressList) []networkingv1.Ingress { return l.Items })
	case KindValidatingWebhookConfiguration:
		return listPages(adm.ValidatingWebhookConfigurations().List,
			func(l *admissionregistrationv1.ValidatingWebhookConfigurationList) []admissionregistrationv1.ValidatingWebhookConfiguration {
				return l.Items
			})
	case KindMutatingWebhookConfiguration:
		return listPages(adm.MutatingWebhookConfigurations().List,
			func(l *admissionregistrationv1.MutatingWebhookConfigurationList) []admissionregistrationv1.MutatingWebhookConfiguration {
				return l.Items
			})
	case KindValidatingAdmissionPolicy:
		return listPages(adm.ValidatingAdmissionPolicies().List,
			func(l *admissionregistrationv1.ValidatingAdmissionPolicyList) []admissionregistrationv1.ValidatingAdmissionPolicy {
				return l.Items
			})
	case KindValidatingAdmissionPolicyBinding:
		return listPages(adm.ValidatingAdmissionPolicyBindings().List,
			func(l *admissionregistrationv1.ValidatingAdmissionPolicyBindingList) []admissionregistrationv1.ValidatingAdmissionPolicyBinding {
				return l.Items
			})
	}
	return nil
}

// typedListWatch returns the lister-watcher of a built-in kind's typed client, over all
// namespaces, or nil for a kind that is not built in.
func typedListWatch(cs kubernetes.Interface, gk schema.GroupKind) *cache.ListWatch {
	core, apps, batch := cs.CoreV1(), cs.AppsV1(), cs.BatchV1()
	rbac, netw, adm := cs.RbacV1(), cs.NetworkingV1(), cs.AdmissionregistrationV1()
	switch gk {
	case KindNamespace:
		return listWatch(core.Namespaces().List, core.Namespaces().Watch)
	case KindNode:
		return listWatch(core.Nodes().List, core.Nodes().Watch)
	case KindPod:
		return listWatch(core.Pods("").List, core.Pods("").Watch)
	case KindReplicationController:
		return listWatch(core.ReplicationControllers("").List, core.ReplicationControllers("").Watch)
	case KindServiceAccount:
		return listWatch(core.ServiceAccounts("").List, core.ServiceAccounts("").Watch)
	case KindService:
		return listWatch(core.Services("").List, core.Services("").Watch)
	case KindSecret:
		return listWatch(core.Secrets("").List, core.Secrets("").Watch)
	case KindConfigMap:
		return listWatch(core.ConfigMaps("").List, core.ConfigMaps("").Watch)
	case KindResourceQuota:
		return listWatch(core.ResourceQuotas("").List, core.ResourceQuotas("").Watch)
	case KindLimitRange:
		return listWatch(core.LimitRanges("").List, core.LimitRanges("").Watch)
	case KindDeployment:
		return listWatch(apps.Deployments("").List, apps.Deployments("").Watch)
	case KindReplicaSet:
		return listWatch(apps.ReplicaSets("").List, apps.ReplicaSets("").Watch)
	case KindStatefulSet:
		return listWatch(apps.StatefulSets("").List, apps.StatefulSets("").Watch)
	case KindDaemonSet:
		return listWatch(apps.DaemonSets("").List, apps.DaemonSets("").Watch)
	case KindJob:
		return listWatch(batch.Jobs("").List, batch.Jobs("").Watch)
	case KindCronJob:
		return listWatch(batch.CronJobs("").List, batch.CronJobs("").Watch)
	case KindRole:
		return listWatch(rbac.Roles("").List, rbac.Roles("").Watch)
	case KindClusterRole:
		return listWatch(rbac.ClusterRoles().List, rbac.ClusterRoles().Watch)
	case KindRoleBinding:
		return listWatch(rbac.RoleBindings("").List, rbac.RoleBindings("").Watch)
	case KindClusterRoleBinding:
		return listWatch(rbac.ClusterRoleBindings().List, rbac.ClusterRoleBindings().Watch)
	case KindNetworkPolicy:
		return listWatch(netw.NetworkPolicies("").List, netw.NetworkPolicies("").Watch)
	case KindIngress:
		return listWatch(netw.Ingresses("").List, netw.Ingresses("").Watch)
	case KindValidatingWebhookConfiguration:
		return listWatch(adm.ValidatingWebhookConfigurations().List, adm.ValidatingWebhookConfigurations().Watch)
	case KindMutatingWebhookConfiguration:
		return listWatch(adm.MutatingWebhookConfigurations().List, adm.MutatingWebhookConfigurations().Watch)
	case KindValidatingAdmissionPolicy:
		return listWatch(adm.ValidatingAdmissionPolicies().List, adm.ValidatingAdmissionPolicies().Watch)
	case KindValidatingAdmissionPolicyBinding:
		return listWatch(adm.ValidatingAdmissionPolicyBindings().List, adm.ValidatingAdmissionPolicyBindings().Watch)
	}
	return nil
}

// listWatch adapts a typed client's List and Watch.
func listWatch[L runtime.Object](list func(context.Context, metav1.ListOptions) (L, error),
	watch func(context.Context, metav1.ListOptions) (watch.Interface, error)) *cache.ListWatch {
	return &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
			l, err := list(ctx, opts)
			if err != nil {
				return nil, err
			}
			return l, nil
		},
		WatchFuncWithContext: watch,
	}
}
