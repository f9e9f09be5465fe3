//go:build openblas

package openblas

/*
#cgo LDFLAGS: -lopenblas
int openblas_get_num_threads(void);
void openblas_set_num_threads(int);
char* openblas_get_corename(void);
*/
import "C"

// Threads returns the number of threads OpenBLAS uses.
func Threads() int { return int(C.openblas_get_num_threads()) }

// SetThreads sets the number of threads OpenBLAS uses and returns the
// previous number.
func SetThreads(n int) (prev int) {
	prev = Threads()
	C.openblas_set_num_threads(C.int(n))
	return prev
}

// CoreName is the core type whose kernels OpenBLAS runs (it honours the
// OPENBLAS_CORETYPE environment variable).
func CoreName() string { return C.GoString(C.openblas_get_corename()) }
