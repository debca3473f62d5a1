import VAExprsCore

/// mclust's `hcEII` (Ward's criterion: the merge cost of clusters i and j is
/// n_i n_j/(n_i + n_j)·|m_i − m_j|², updated by the Lance–Williams formula), used to
/// initialise EM when there are no more points than dimensions. Slot bookkeeping and tie
/// breaking follow mclust, as in `HierarchicalVVV`.
enum HierarchicalEII {
    static func merges(_ points: DoubleMatrix) -> [HierarchicalVVV.Merge] {
        let n = points.rows, p = points.columns
        guard n > 1 else { return [] }
        let ng = n, ns = n - 1
        var x = (0..<n).map { i in (0..<p).map { points[i, $0] } }  // scaled means per slot
        var size = [Int](repeating: 1, count: n)
        let ll = ng * (ng - 1) / 2
        var d = [Double](repeating: 0, count: max(n, ll + 1, 3 * (n - 1)))
        var lg = ng, ld = ll, lo = d.count
        var dopt = Double.greatestFiniteMagnitude, iopt = 0, jopt = 0
        var ij = 0
        for j in 2...lg {
            for i in 1...(j - 1) {
                let ri = Double(size[i - 1]), rj = Double(size[j - 1]), rij = ri + rj
                let si = (ri / rij).squareRoot(), sj = (rj / rij).squareRoot()
                var dij = 0.0
                for c in 0..<p {
                    let v = sj * x[i - 1][c] - si * x[j - 1][c]
                    dij += v * v
                }
                ij += 1
                d[ij - 1] = dij
                if dij <= dopt {
                    dopt = dij
                    iopt = i
                    jopt = j
                }
            }
        }
        if ns == 1 { return [HierarchicalVVV.Merge(first: min(iopt, jopt), second: max(iopt, jopt))] }
        var ls = 1
        while true {
            let ni = size[iopt - 1], nj = size[jopt - 1], nij = ni + nj
            // The merged cluster's scaled mean √n·m goes to slot iopt.
            let a = (Double(ni) / Double(nij)).squareRoot(), b = (Double(nj) / Double(nij)).squareRoot()
            for c in 0..<p { x[iopt - 1][c] = a * x[iopt - 1][c] + b * x[jopt - 1][c] }
            size[iopt - 1] = nij
            if jopt != lg {
                MergeBookkeeping.wardSwap(&d, jopt, lg)
                x[jopt - 1] = x[lg - 1]
                size[jopt - 1] = size[lg - 1]
            }
            let si = Double(ni), sj = Double(nj), sij = Double(nij)
            let dold = dopt, iold = iopt, jold = jopt
            lg -= 1
            ld -= lg
            let ii = iold * (iold - 1) / 2
            if iold > 1 {
                var ik = ii - iold + 1
                for j in 1...(iold - 1) {
                    let rj = Double(size[j - 1])
                    ik += 1
                    let jk = ld + j
                    d[ik - 1] = ((rj + si) * d[ik - 1] + (rj + sj) * d[jk - 1] - rj * dold) / (rj + sij)
                }
            }
            if iold < lg {
                var ik = ii + iold, i = iold
                for j in (iold + 1)...lg {
                    let rj = Double(size[j - 1])
                    let jk = ld + j
                    d[ik - 1] = ((rj + si) * d[ik - 1] + (rj + sj) * d[jk - 1] - rj * dold) / (rj + sij)
                    ik += i
                    i = j
                }
            }
            d[lo - 1] = dold
            lo -= 1
            d[lo - 1] = Double(iold)
            lo -= 1
            d[lo - 1] = Double(jold)
            lo -= 1
            jopt = 2
            iopt = 1
            dopt = d[0]
            if lg != 2 {
                var arg = 1
                for k in 2...ld where d[k - 1] <= dopt {
                    arg = k
                    dopt = d[k - 1]
                }
                if arg > 1 {
                    for _ in 2...arg {
                        iopt += 1
                        if iopt >= jopt {
                            jopt += 1
                            iopt = 1
                        }
                    }
                }
            }
            ls += 1
            if ls == ns || lg == 2 { break }
        }
        d[lo - 1] = dopt
        lo -= 1
        d[lo - 1] = Double(iopt)
        lo -= 1
        d[lo - 1] = Double(jopt)
        return MergeBookkeeping.labelledPairs(d, slots: ng, merges: ns)
    }
}
