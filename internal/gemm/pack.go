package gemm

// packA packs rows [i0, i0+mc) and k steps [p0, p0+kc) of op(A) into dst as
// ceil(mc/mr) column panels: panel q holds, for each p, the mr values
// op(A)[i0+q·mr+r, p0+p], r < mr, zero beyond row mc.
func (g *gemmCall) packA(dst []float32, i0, mc, p0, kc int) {
	mr := g.kern.mr
	a, lda := g.a, g.lda
	for ip := 0; ip < mc; ip += mr {
		rows := min(mr, mc-ip)
		d := dst[ip*kc : (ip+mr)*kc]
		if g.aTrans {
			// op(A)[i, p] = a[p*lda+i]: each k step is a contiguous run.
			for p := range kc {
				src := a[(p0+p)*lda+i0+ip:]
				dd := d[p*mr : p*mr+mr]
				copy(dd, src[:rows])
				clear(dd[rows:])
			}
			continue
		}
		// op(A)[i, p] = a[i*lda+p]: gather one value from each row; groups
		// of 8 rows by 8×8 transposes in assembly where available.
		row := (i0+ip)*lda + p0
		r := 0
		if tr := g.kern.transpose; tr != nil && kc >= 8 && rows >= 8 {
			// Groups of 8 rows at 0, 8, …, and a last one ending at row
			// rows-1 that may overlap the previous (rewriting equal values).
			kc8 := kc &^ 7
			for r < rows {
				r0 := min(r, rows-8)
				_ = a[row+(r0+7)*lda+kc-1] // the last element read below
				tr(&d[r0], mr, &a[row+r0*lda], lda, 8, kc8)
				for rr := r0; rr < r0+8; rr++ {
					src := a[row+rr*lda+kc8 : row+rr*lda+kc]
					for p, v := range src {
						d[(kc8+p)*mr+rr] = v
					}
				}
				r = r0 + 8
			}
		}
		for ; r+6 <= rows; r += 6 {
			packRows6(d[r:], mr, a, row+r*lda, lda, kc)
		}
		for ; r+4 <= rows; r += 4 {
			packRows4(d[r:], mr, a, row+r*lda, lda, kc)
		}
		for ; r < rows; r++ {
			src := a[row+r*lda : row+r*lda+kc]
			for p, v := range src {
				d[p*mr+r] = v
			}
		}
		for ; r < mr; r++ {
			for p := range kc {
				d[p*mr+r] = 0
			}
		}
	}
}

// packRows6 interleaves six rows of length kc starting at a[off], stride lda,
// into d: d[p*ldd+r] = a[off+r*lda+p].
func packRows6(d []float32, ldd int, a []float32, off, lda, kc int) {
	r0 := a[off : off+kc]
	r1 := a[off+lda : off+lda+kc]
	r2 := a[off+2*lda : off+2*lda+kc]
	r3 := a[off+3*lda : off+3*lda+kc]
	r4 := a[off+4*lda : off+4*lda+kc]
	r5 := a[off+5*lda : off+5*lda+kc]
	for p := range r0 {
		dd := d[p*ldd : p*ldd+6 : p*ldd+6]
		dd[0] = r0[p]
		dd[1] = r1[p]
		dd[2] = r2[p]
		dd[3] = r3[p]
		dd[4] = r4[p]
		dd[5] = r5[p]
	}
}

// packRows4 is packRows6 for four rows.
func packRows4(d []float32, ldd int, a []float32, off, lda, kc int) {
	r0 := a[off : off+kc]
	r1 := a[off+lda : off+lda+kc]
	r2 := a[off+2*lda : off+2*lda+kc]
	r3 := a[off+3*lda : off+3*lda+kc]
	for p := range r0 {
		dd := d[p*ldd : p*ldd+4 : p*ldd+4]
		dd[0] = r0[p]
		dd[1] = r1[p]
		dd[2] = r2[p]
		dd[3] = r3[p]
	}
}

// packB packs column panels [q0, q1) (nr columns each, starting at column
// jc, nc columns in all) and k steps [p0, p0+kc) of op(B) into dst: panel q
// holds, for each p, the nr values op(B)[p0+p, jc+q·nr+j], j < nr, zero
// beyond column nc.
func (g *gemmCall) packB(dst []float32, p0, kc, jc, nc, q0, q1 int) {
	nr := g.kern.nr
	b, ldb := g.b, g.ldb
	for q := q0; q < q1; q++ {
		j0 := q * nr
		cols := min(nr, nc-j0)
		d := dst[q*nr*kc : (q+1)*nr*kc]
		if !g.bTrans {
			// op(B)[p, j] = b[p*ldb+j]: each k step is a contiguous run.
			if cols == nr && g.kern.copyRows != nil {
				first := p0*ldb + jc + j0
				_ = b[first+(kc-1)*ldb+nr-1] // the last element copyRows reads
				_ = d[kc*nr-1]
				g.kern.copyRows(&d[0], &b[first], ldb, kc, nr)
				continue
			}
			for p := range kc {
				src := b[(p0+p)*ldb+jc+j0:]
				dd := d[p*nr : p*nr+nr]
				copy(dd, src[:cols])
				clear(dd[cols:])
			}
			continue
		}
		// op(B)[p, j] = b[j*ldb+p]: scatter each stored row into a column,
		// 8×8 blocks in assembly where available.
		cols8, kc8 := 0, 0
		if tr := g.kern.transpose; tr != nil && cols >= 8 && kc >= 8 {
			cols8, kc8 = cols&^7, kc&^7
			_ = b[(jc+j0+cols8-1)*ldb+p0+kc8-1] // the last element tr reads
			tr(&d[0], nr, &b[(jc+j0)*ldb+p0], ldb, cols8, kc8)
		}
		for j := range cols {
			src := b[(jc+j0+j)*ldb+p0:]
			src = src[:kc]
			if j < cols8 {
				src = src[kc8:]
			}
			dd := d[(kc-len(src))*nr:]
			for p, v := range src {
				dd[p*nr+j] = v
			}
		}
		for j := cols; j < nr; j++ {
			for p := range kc {
				d[p*nr+j] = 0
			}
		}
	}
}
