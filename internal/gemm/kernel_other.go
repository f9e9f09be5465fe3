//go:build !amd64 || purego

package gemm

// No assembly kernels: the portable Go kernel is used.

var avx2Kernel *kernel

func asmKernels() []*kernel { return nil }

func asmKernel() *kernel { return nil }
