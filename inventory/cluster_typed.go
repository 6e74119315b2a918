package inventory

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes"
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
