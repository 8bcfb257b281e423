package model

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Volume is a pod volume. Modeled sources: persistentVolumeClaim, emptyDir,
// hostPath, configMap, secret, projected, nfs, csi and the in-tree block
// devices the VolumeRestrictions filter looks at.
type Volume struct {
	_ unmodeled `unmodeled:"downwardAPI,ephemeral,image,gitRepo,cephfs,cinder,fc,flexVolume,flocker,glusterfs,iscsi,photonPersistentDisk,portworxVolume,quobyte,scaleIO,storageos,vsphereVolume,azureFile,azureDisk"`

	Name                  string                             `yaml:"name"`
	PersistentVolumeClaim *PersistentVolumeClaimVolumeSource `yaml:"persistentVolumeClaim,omitempty"`
	EmptyDir              *EmptyDirVolumeSource              `yaml:"emptyDir,omitempty"`
	HostPath              *HostPathVolumeSource              `yaml:"hostPath,omitempty"`
	ConfigMap             *ConfigMapVolumeSource             `yaml:"configMap,omitempty"`
	Secret                *SecretVolumeSource                `yaml:"secret,omitempty"`
	Projected             *ProjectedVolumeSource             `yaml:"projected,omitempty"`
	NFS                   *NFSVolumeSource                   `yaml:"nfs,omitempty"`
	CSI                   *CSIVolumeSource                   `yaml:"csi,omitempty"`
	GCEPersistentDisk     *GCEPersistentDiskVolumeSource     `yaml:"gcePersistentDisk,omitempty"`
	AWSElasticBlockStore  *AWSElasticBlockStoreVolumeSource  `yaml:"awsElasticBlockStore,omitempty"`
	RBD                   *RBDVolumeSource                   `yaml:"rbd,omitempty"`
}

// PersistentVolumeClaimVolumeSource references a claim in the pod's namespace.
type PersistentVolumeClaimVolumeSource struct {
	ClaimName string `yaml:"claimName"`
	ReadOnly  bool   `yaml:"readOnly,omitempty"`
}

// EmptyDirVolumeSource is scratch space; medium Memory counts against memory.
type EmptyDirVolumeSource struct {
	Medium    string    `yaml:"medium,omitempty"`
	SizeLimit *Quantity `yaml:"sizeLimit,omitempty"`
}

// HostPathVolumeSource mounts a path of the node.
type HostPathVolumeSource struct {
	Path string  `yaml:"path"`
	Type *string `yaml:"type,omitempty"`
}

// ConfigMapVolumeSource mounts a ConfigMap; the pod waits while it is missing
// unless optional.
type ConfigMapVolumeSource struct {
	_ unmodeled `unmodeled:"items,defaultMode"`

	Name     string `yaml:"name,omitempty"`
	Optional *bool  `yaml:"optional,omitempty"`
}

// SecretVolumeSource mounts a Secret; the pod waits while it is missing
// unless optional.
type SecretVolumeSource struct {
	_ unmodeled `unmodeled:"items,defaultMode"`

	SecretName string `yaml:"secretName,omitempty"`
	Optional   *bool  `yaml:"optional,omitempty"`
}

// ProjectedVolumeSource combines ConfigMaps, Secrets and tokens.
type ProjectedVolumeSource struct {
	_ unmodeled `unmodeled:"defaultMode"`

	Sources []VolumeProjection `yaml:"sources,omitempty"`
}

// VolumeProjection is one source of a projected volume.
type VolumeProjection struct {
	_ unmodeled `unmodeled:"downwardAPI,serviceAccountToken,clusterTrustBundle,podCertificate"`

	ConfigMap *ConfigMapProjection `yaml:"configMap,omitempty"`
	Secret    *SecretProjection    `yaml:"secret,omitempty"`
}

// ConfigMapProjection names a ConfigMap in a projected volume.
type ConfigMapProjection struct {
	_ unmodeled `unmodeled:"items"`

	Name     string `yaml:"name,omitempty"`
	Optional *bool  `yaml:"optional,omitempty"`
}

// SecretProjection names a Secret in a projected volume.
type SecretProjection struct {
	_ unmodeled `unmodeled:"items"`

	Name     string `yaml:"name,omitempty"`
	Optional *bool  `yaml:"optional,omitempty"`
}

// NFSVolumeSource is a shared ReadWriteMany network volume.
type NFSVolumeSource struct {
	Server   string `yaml:"server"`
	Path     string `yaml:"path"`
	ReadOnly bool   `yaml:"readOnly,omitempty"`
}

// CSIVolumeSource is an inline CSI volume.
type CSIVolumeSource struct {
	_ unmodeled `unmodeled:"fsType,volumeAttributes,nodePublishSecretRef"`

	Driver   string `yaml:"driver"`
	ReadOnly *bool  `yaml:"readOnly,omitempty"`
}

// GCEPersistentDiskVolumeSource is an in-tree GCE PD (VolumeRestrictions).
type GCEPersistentDiskVolumeSource struct {
	PDName    string `yaml:"pdName"`
	FSType    string `yaml:"fsType,omitempty"`
	Partition int32  `yaml:"partition,omitempty"`
	ReadOnly  bool   `yaml:"readOnly,omitempty"`
}

// AWSElasticBlockStoreVolumeSource is an in-tree EBS volume.
type AWSElasticBlockStoreVolumeSource struct {
	VolumeID  string `yaml:"volumeID"`
	FSType    string `yaml:"fsType,omitempty"`
	Partition int32  `yaml:"partition,omitempty"`
	ReadOnly  bool   `yaml:"readOnly,omitempty"`
}

// RBDVolumeSource is an in-tree Ceph RBD volume.
type RBDVolumeSource struct {
	_ unmodeled `unmodeled:"fsType,keyring,secretRef,user"`

	CephMonitors []string `yaml:"monitors"`
	RBDImage     string   `yaml:"image"`
	RBDPool      string   `yaml:"pool,omitempty"`
	ReadOnly     bool     `yaml:"readOnly,omitempty"`
}

// PersistentVolume is a core/v1 PersistentVolume. Modeled: capacity, access
// modes, class, claimRef, reclaim policy, volume mode, node affinity,
// mount options presence, the CSI/NFS/hostPath/local source; status phase.
type PersistentVolume struct {
	TypeMeta   `yaml:",inline"`
	ObjectMeta `yaml:"metadata,omitempty"`
	Spec       PersistentVolumeSpec   `yaml:"spec,omitempty"`
	Status     PersistentVolumeStatus `yaml:"status,omitempty"`
}

// PersistentVolumeSpec is the modeled part of a PV's spec.
type PersistentVolumeSpec struct {
	_ unmodeled `unmodeled:"mountOptions,volumeAttributesClassName,cephfs,cinder,fc,flexVolume,flocker,glusterfs,iscsi,photonPersistentDisk,portworxVolume,quobyte,scaleIO,storageos,vsphereVolume,azureFile,azureDisk"`

	Capacity                      ResourceList                      `yaml:"capacity,omitempty"`
	AccessModes                   []PersistentVolumeAccessMode      `yaml:"accessModes,omitempty"`
	ClaimRef                      *ObjectReference                  `yaml:"claimRef,omitempty"`
	PersistentVolumeReclaimPolicy PersistentVolumeReclaimPolicy     `yaml:"persistentVolumeReclaimPolicy,omitempty"`
	StorageClassName              string                            `yaml:"storageClassName,omitempty"`
	VolumeMode                    *PersistentVolumeMode             `yaml:"volumeMode,omitempty"`
	NodeAffinity                  *VolumeNodeAffinity               `yaml:"nodeAffinity,omitempty"`
	CSI                           *CSIPersistentVolumeSource        `yaml:"csi,omitempty"`
	NFS                           *NFSVolumeSource                  `yaml:"nfs,omitempty"`
	HostPath                      *HostPathVolumeSource             `yaml:"hostPath,omitempty"`
	Local                         *LocalVolumeSource                `yaml:"local,omitempty"`
	GCEPersistentDisk             *GCEPersistentDiskVolumeSource    `yaml:"gcePersistentDisk,omitempty"`
	AWSElasticBlockStore          *AWSElasticBlockStoreVolumeSource `yaml:"awsElasticBlockStore,omitempty"`
	RBD                           *RBDVolumeSource                  `yaml:"rbd,omitempty"`
}

// CSIPersistentVolumeSource is a volume served by a CSI driver.
type CSIPersistentVolumeSource struct {
	_ unmodeled `unmodeled:"fsType,volumeAttributes,controllerPublishSecretRef,nodeStageSecretRef,nodePublishSecretRef,controllerExpandSecretRef,nodeExpandSecretRef"`

	Driver       string `yaml:"driver"`
	VolumeHandle string `yaml:"volumeHandle"`
	ReadOnly     bool   `yaml:"readOnly,omitempty"`
}

// LocalVolumeSource is a local disk; it needs node affinity.
type LocalVolumeSource struct {
	Path   string  `yaml:"path"`
	FSType *string `yaml:"fsType,omitempty"`
}

// VolumeNodeAffinity restricts the nodes a PV can be used from.
type VolumeNodeAffinity struct {
	Required *NodeSelector `yaml:"required,omitempty"`
}

// ObjectReference points at another object (a PV's claimRef).
type ObjectReference struct {
	_ unmodeled `unmodeled:"fieldPath"`

	Kind            string `yaml:"kind,omitempty"`
	Namespace       string `yaml:"namespace,omitempty"`
	Name            string `yaml:"name,omitempty"`
	UID             string `yaml:"uid,omitempty"`
	APIVersion      string `yaml:"apiVersion,omitempty"`
	ResourceVersion string `yaml:"resourceVersion,omitempty"`
}

// PersistentVolumeStatus holds the PV phase.
type PersistentVolumeStatus struct {
	Phase                   PersistentVolumePhase `yaml:"phase,omitempty"`
	Message                 string                `yaml:"message,omitempty"`
	Reason                  string                `yaml:"reason,omitempty"`
	LastPhaseTransitionTime *time.Time            `yaml:"lastPhaseTransitionTime,omitempty"`
}

// PersistentVolumeClaim is a core/v1 PersistentVolumeClaim. Modeled: access
// modes, selector, requested storage, class, volume name, volume mode;
// status phase, capacity and access modes.
type PersistentVolumeClaim struct {
	TypeMeta   `yaml:",inline"`
	ObjectMeta `yaml:"metadata,omitempty"`
	Spec       PersistentVolumeClaimSpec   `yaml:"spec,omitempty"`
	Status     PersistentVolumeClaimStatus `yaml:"status,omitempty"`
}

// PersistentVolumeClaimSpec is the modeled part of a claim's spec.
type PersistentVolumeClaimSpec struct {
	_ unmodeled `unmodeled:"dataSource,dataSourceRef,volumeAttributesClassName"`

	AccessModes      []PersistentVolumeAccessMode `yaml:"accessModes,omitempty"`
	Selector         *LabelSelector               `yaml:"selector,omitempty"`
	Resources        VolumeResourceRequirements   `yaml:"resources,omitempty"`
	VolumeName       string                       `yaml:"volumeName,omitempty"`
	StorageClassName *string                      `yaml:"storageClassName,omitempty"`
	VolumeMode       *PersistentVolumeMode        `yaml:"volumeMode,omitempty"`
}

// VolumeResourceRequirements holds the storage a claim requests.
type VolumeResourceRequirements struct {
	Limits   ResourceList `yaml:"limits,omitempty"`
	Requests ResourceList `yaml:"requests,omitempty"`
}

// PersistentVolumeClaimStatus holds the claim's phase and what it got.
type PersistentVolumeClaimStatus struct {
	_ unmodeled `unmodeled:"conditions,allocatedResources,allocatedResourceStatuses,currentVolumeAttributesClassName,modifyVolumeStatus"`

	Phase       PersistentVolumeClaimPhase   `yaml:"phase,omitempty"`
	AccessModes []PersistentVolumeAccessMode `yaml:"accessModes,omitempty"`
	Capacity    ResourceList                 `yaml:"capacity,omitempty"`
}

// Enumerations of the volume API.
type (
	PersistentVolumeAccessMode    string
	PersistentVolumeReclaimPolicy string
	PersistentVolumeMode          string
	PersistentVolumePhase         string
	PersistentVolumeClaimPhase    string
)

// Values of the volume enumerations.
const (
	ReadWriteOnce    PersistentVolumeAccessMode = "ReadWriteOnce"
	ReadOnlyMany     PersistentVolumeAccessMode = "ReadOnlyMany"
	ReadWriteMany    PersistentVolumeAccessMode = "ReadWriteMany"
	ReadWriteOncePod PersistentVolumeAccessMode = "ReadWriteOncePod"

	PersistentVolumeReclaimRecycle PersistentVolumeReclaimPolicy = "Recycle"
	PersistentVolumeReclaimDelete  PersistentVolumeReclaimPolicy = "Delete"
	PersistentVolumeReclaimRetain  PersistentVolumeReclaimPolicy = "Retain"

	PersistentVolumeBlock      PersistentVolumeMode = "Block"
	PersistentVolumeFilesystem PersistentVolumeMode = "Filesystem"

	VolumePending   PersistentVolumePhase = "Pending"
	VolumeAvailable PersistentVolumePhase = "Available"
	VolumeBound     PersistentVolumePhase = "Bound"
	VolumeReleased  PersistentVolumePhase = "Released"
	VolumeFailed    PersistentVolumePhase = "Failed"

	ClaimPending PersistentVolumeClaimPhase = "Pending"
	ClaimBound   PersistentVolumeClaimPhase = "Bound"
	ClaimLost    PersistentVolumeClaimPhase = "Lost"
)

// StorageClass is a storage.k8s.io/v1 StorageClass. Modeled: provisioner,
// parameters, reclaim policy, expansion, binding mode, allowed topologies.
type StorageClass struct {
	_ unmodeled `unmodeled:"mountOptions"`

	TypeMeta             `yaml:",inline"`
	ObjectMeta           `yaml:"metadata,omitempty"`
	Provisioner          string                         `yaml:"provisioner"`
	Parameters           map[string]string              `yaml:"parameters,omitempty"`
	ReclaimPolicy        *PersistentVolumeReclaimPolicy `yaml:"reclaimPolicy,omitempty"`
	AllowVolumeExpansion *bool                          `yaml:"allowVolumeExpansion,omitempty"`
	VolumeBindingMode    *VolumeBindingMode             `yaml:"volumeBindingMode,omitempty"`
	AllowedTopologies    []TopologySelectorTerm         `yaml:"allowedTopologies,omitempty"`
}

// VolumeBindingMode says when claims of a class are bound.
type VolumeBindingMode string

// Volume binding modes.
const (
	VolumeBindingImmediate            VolumeBindingMode = "Immediate"
	VolumeBindingWaitForFirstConsumer VolumeBindingMode = "WaitForFirstConsumer"
)

// TopologySelectorTerm restricts provisioning topology.
type TopologySelectorTerm struct {
	MatchLabelExpressions []TopologySelectorLabelRequirement `yaml:"matchLabelExpressions,omitempty"`
}

// TopologySelectorLabelRequirement is key in values.
type TopologySelectorLabelRequirement struct {
	Key    string   `yaml:"key"`
	Values []string `yaml:"values"`
}

// CSIDriver is a storage.k8s.io/v1 CSIDriver: what the kubelet and the
// attach/detach controller need to know of a driver. Modeled:
// attachRequired.
type CSIDriver struct {
	TypeMeta   `yaml:",inline"`
	ObjectMeta `yaml:"metadata,omitempty"`
	Spec       CSIDriverSpec `yaml:"spec,omitempty"`
}

// CSIDriverSpec is the modeled part of a driver's spec.
type CSIDriverSpec struct {
	_ unmodeled `unmodeled:"podInfoOnMount,volumeLifecycleModes,storageCapacity,fsGroupPolicy,tokenRequests,requiresRepublish,seLinuxMount,nodeAllocatableUpdatePeriodSeconds"`

	// AttachRequired says volumes must be attached (ControllerPublish)
	// before they are mounted; default true.
	AttachRequired *bool `yaml:"attachRequired,omitempty"`
}

// VolumeAttachment is a storage.k8s.io/v1 VolumeAttachment: the
// attach/detach controller's request that a driver's external attacher
// attach a PersistentVolume to a node, and the attacher's answer.
type VolumeAttachment struct {
	TypeMeta   `yaml:",inline"`
	ObjectMeta `yaml:"metadata,omitempty"`
	Spec       VolumeAttachmentSpec   `yaml:"spec"`
	Status     VolumeAttachmentStatus `yaml:"status,omitempty"`
}

// VolumeAttachmentSpec names the attacher, the node and the volume.
type VolumeAttachmentSpec struct {
	Attacher string                 `yaml:"attacher"`
	NodeName string                 `yaml:"nodeName"`
	Source   VolumeAttachmentSource `yaml:"source"`
}

// VolumeAttachmentSource is the PersistentVolume to attach.
type VolumeAttachmentSource struct {
	_ unmodeled `unmodeled:"inlineVolumeSpec"`

	PersistentVolumeName *string `yaml:"persistentVolumeName,omitempty"`
}

// VolumeAttachmentStatus is the attacher's answer.
type VolumeAttachmentStatus struct {
	_ unmodeled `unmodeled:"attachmentMetadata"`

	Attached    bool         `yaml:"attached"`
	AttachError *VolumeError `yaml:"attachError,omitempty"`
	DetachError *VolumeError `yaml:"detachError,omitempty"`
}

// VolumeError is an attach or detach failure.
type VolumeError struct {
	Time    *time.Time `yaml:"time,omitempty"`
	Message string     `yaml:"message,omitempty"`
}

// AttachmentName is the name of the VolumeAttachment that attaches a CSI
// volume (by its handle) of a driver to a node: "csi-" and the hex SHA-256
// of the three concatenated (pkg/volume/csi/csi_attacher.go
// getAttachmentName). The attach/detach controller creates it and the
// kubelet looks it up.
func AttachmentName(volumeHandle, driver, node string) string {
	sum := sha256.Sum256([]byte(volumeHandle + driver + node))
	return "csi-" + hex.EncodeToString(sum[:])
}
