module github.com/selabench/selabench/internal/gemm/_gen

go 1.26
