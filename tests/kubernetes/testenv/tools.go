//go:build tools

// The control-plane programs this module builds; importing them keeps them in go.mod.
package testenv

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
)
