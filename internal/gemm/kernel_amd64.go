//go:build !purego

package gemm

import "golang.org/x/sys/cpu"

//go:generate sh -c "cd _gen && go run . -out ../kernel_amd64.s"

// Assembly micro-kernels in kernel_amd64.s; see [kernel] for the contract.
//
//go:noescape
func kernAVX2(kc int, a, b, c *float32, ldc int, alpha, beta float32)

//go:noescape
func kernAVX512(kc int, a, b, c *float32, ldc int, alpha, beta float32)

// transposeAVX transposes the 8×8 blocks of a cols×kc matrix at src (row
// stride lds) into dst (row stride ldd); cols and kc are multiples of 8.
//
//go:noescape
func transposeAVX(dst *float32, ldd int, src *float32, lds int, cols, kc int)

// copyRowsAVX copies rows rows of width (16 or 32) values at src (row stride
// lds) to consecutive rows at dst.
//
//go:noescape
func copyRowsAVX(dst *float32, src *float32, lds int, rows, width int)

var (
	avx2Kernel   = &kernel{name: "avx2+fma 6x16", mr: 6, nr: 16, mcMax: 144, fn: kernAVX2, transpose: transposeAVX, copyRows: copyRowsAVX}
	avx512Kernel = &kernel{name: "avx512 12x32", mr: 12, nr: 32, mcMax: 144, fn: kernAVX512, transpose: transposeAVX, copyRows: copyRowsAVX}
)

// asmKernels lists the assembly kernels this CPU can run, preferred first.
func asmKernels() []*kernel {
	var ks []*kernel
	if cpu.X86.HasAVX512F {
		ks = append(ks, avx512Kernel)
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ks = append(ks, avx2Kernel)
	}
	return ks
}

// asmKernel is the preferred assembly kernel, nil if none runs here. Both
// kernels give bit-identical results (same roundings per element); on the
// development machine AVX-512 is about 1.8× faster than AVX2.
func asmKernel() *kernel {
	if ks := asmKernels(); len(ks) > 0 {
		return ks[0]
	}
	return nil
}
