package inventory

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/kspm-dev/kspm/internal/nodefs"
)

// TestNodeFileRolesMatchTheNodeScan: the exported roles are written as literals, so that
// their values show in the documentation; they must stay the node scan's own.
func TestNodeFileRolesMatchTheNodeScan(t *testing.T) {
	for got, want := range map[string]string{
		NodeFileAPIServerManifest:           nodefs.RoleAPIServerManifest,
		NodeFileControllerManagerManifest:   nodefs.RoleControllerManagerManifest,
		NodeFileSchedulerManifest:           nodefs.RoleSchedulerManifest,
		NodeFileEtcdManifest:                nodefs.RoleEtcdManifest,
		NodeFileCNI:                         nodefs.RoleCNI,
		NodeFileEtcdDataDir:                 nodefs.RoleEtcdDataDir,
		NodeFileAdminKubeconfig:             nodefs.RoleAdminKubeconfig,
		NodeFileSuperAdminKubeconfig:        nodefs.RoleSuperAdminKubeconfig,
		NodeFileSchedulerKubeconfig:         nodefs.RoleSchedulerKubeconfig,
		NodeFileControllerManagerKubeconfig: nodefs.RoleControllerManagerKubeconfig,
		NodeFilePKI:                         nodefs.RolePKI,
		NodeFileKubeletService:              nodefs.RoleKubeletService,
		NodeFileKubeProxyKubeconfig:         nodefs.RoleKubeProxyKubeconfig,
		NodeFileKubeletKubeconfig:           nodefs.RoleKubeletKubeconfig,
		NodeFileKubeletClientCA:             nodefs.RoleKubeletClientCA,
		NodeFileKubeletConfig:               nodefs.RoleKubeletConfig,
		NodeFileEncryptionConfig:            nodefs.RoleEncryptionConfig,
		NodeFileAuditPolicy:                 nodefs.RoleAuditPolicy,
	} {
		assert.Equal(t, want, got)
	}
}
