import Foundation
import VAExprsCore

/// Model-based hierarchical agglomeration with mclust's VVV criterion (Fraley 1998; mclust's
/// `hcVVV` with α = 1, β = 1), used to initialise EM. Every point starts as its own cluster;
/// each step merges the pair whose merge increases the classification criterion least. A
/// cluster of l points with within-cluster scatter W (held as a triangular factor R, RᵀR = W,
/// updated by Givens rotations) and trace t contributes
///   l·log(β(t + α)/l)                       when l ≤ d,
///   l·log(det(W/l) + β(t + α)/l)            otherwise,
/// with α = tr(W_all)/(n·d). mclust's merge sequence depends on its exact bookkeeping — the
/// slot that moves into a freed one, the scan order that breaks ties (the last minimum wins),
/// and how it stores and re-reads the factors of merged clusters — so this type follows that
/// data flow step by step rather than recomputing the criterion from exact scatter matrices
/// (which gives the same merges until late ones between large clusters, where mclust's stored
/// factors differ from the exact ones).
struct HierarchicalVVV {
    /// A merge of the clusters labelled `first` < `second` (labels are 1-based point indices;
    /// a merged cluster keeps the smaller label), as in mclust's `hcPairs`.
    struct Merge: Equatable {
        var first: Int
        var second: Int
    }

    /// The merge sequence for `points` (rows), n − 1 merges.
    static func merges(_ points: DoubleMatrix) -> [Merge] {
        let n = points.rows, p = points.columns
        guard n > 1 else { return [] }
        var state = State(points)
        return state.run(n: n, p: p)
    }
}

/// mclust's working arrays (column-major, 1-based accessors) and the agglomeration itself.
private struct State {
    let n: Int, p: Int
    var x: [Double]  // n × (p + 1): scaled means, stored factor rows, traces/terms
    var ic: [Int]  // linked lists and flags, 1-based values
    var d: [Double]  // packed pair costs, then the merge record
    var v: [Double], u: [Double], s: [Double], r: [Double]
    /// Per column c of the packed costs (pairs (i, c), i < c): the minimum and its last row.
    var columnMin: [Double] = [], columnArg: [Int] = []
    let alpha: Double, beta = 1.0, ablog: Double

    init(_ points: DoubleMatrix) {
        n = points.rows
        p = points.columns
        x = [Double](repeating: 0, count: n * (p + 1))
        for i in 0..<n { for j in 0..<p { x[j * n + i] = points[i, j] } }
        ic = Array(1...n)
        let ll = n * (n - 1) / 2
        d = [Double](repeating: 0, count: max(n, ll + 1, 3 * (n - 1)))
        v = [Double](repeating: 0, count: p)
        u = [Double](repeating: 0, count: p * p)
        s = u
        r = u
        // α = traceW(data / √(n p)), at least machine ε.
        let scale = 1 / Double(n * p).squareRoot()
        var trace = 0.0
        for j in 0..<p {
            var mean = 0.0
            for i in 0..<n { mean += points[i, j] * scale }
            mean /= Double(n)
            for i in 0..<n {
                let e = points[i, j] * scale - mean
                trace += e * e
            }
        }
        alpha = max(trace, 2.220_446_049_250_313_1e-16)
        ablog = log(beta * alpha)
    }

    // MARK: 1-based accessors

    func X(_ i: Int, _ j: Int) -> Double { x[(j - 1) * n + (i - 1)] }
    mutating func setX(_ i: Int, _ j: Int, _ value: Double) { x[(j - 1) * n + (i - 1)] = value }

    /// A p × p column-major work matrix.
    enum Work { case u, s, r }
    func get(_ w: Work, _ i: Int, _ j: Int) -> Double {
        let k = (j - 1) * p + (i - 1)
        switch w {
        case .u: return u[k]
        case .s: return s[k]
        case .r: return r[k]
        }
    }
    mutating func set(_ w: Work, _ i: Int, _ j: Int, _ value: Double) {
        let k = (j - 1) * p + (i - 1)
        switch w {
        case .u: u[k] = value
        case .s: s[k] = value
        case .r: r[k] = value
        }
    }
    mutating func zero(_ w: Work) {
        switch w {
        case .u: for k in u.indices { u[k] = 0 }
        case .s: for k in s.indices { s[k] = 0 }
        case .r: for k in r.indices { r[k] = 0 }
        }
    }

    /// Copies the upper rows 1…min(count, p) (row k from column k) of one work matrix to another.
    mutating func copyUpperRows(_ from: Work, _ to: Work, rows: Int) {
        guard rows >= 1 else { return }
        for k in 1...rows { for c in k...p { set(to, k, c, get(from, k, c)) } }
    }

    /// v ← a·x(i, ·) − b·x(j, ·).
    mutating func difference(_ a: Double, _ i: Int, _ b: Double, _ j: Int) {
        for c in 1...p { v[c - 1] = a * X(i, c) - b * X(j, c) }
    }

    var vv: Double { v.reduce(0) { $0 + $1 * $1 } }

    // MARK: Givens updates (BLAS drotg / drot semantics)

    static func rotg(_ a: inout Double, _ b: inout Double) -> (c: Double, s: Double) {
        let roe = abs(a) > abs(b) ? a : b
        let scale = abs(a) + abs(b)
        if scale == 0 {
            a = 0
            b = 0
            return (1, 0)
        }
        var rr = scale * ((a / scale) * (a / scale) + (b / scale) * (b / scale)).squareRoot()
        if roe < 0 { rr = -rr }
        let c = a / rr, s = b / rr
        var z = 1.0
        if abs(a) > abs(b) { z = s }
        if abs(b) >= abs(a) && c != 0 { z = 1 / c }
        a = rr
        b = z
        return (c, s)
    }

    /// mclust's `mclrup(l, m, v, W(off, off), p)`: adds the row `v[0..<m]` to the triangular
    /// factor held in the trailing block of work matrix `w` starting at (off, off).
    mutating func mclrup(_ l: Int, _ m: Int, _ w: Work, off: Int) {
        if l == 1 { return }
        let k = l - 1
        func R(_ i: Int, _ j: Int) -> Double { get(w, off + i - 1, off + j - 1) }
        func setR(_ i: Int, _ j: Int, _ value: Double) { set(w, off + i - 1, off + j - 1, value) }
        if k <= m {
            for c in 1...m { setR(k, c, v[c - 1]) }
            if k == 1 { return }
            if m > 1 {
                var i = 1
                var len = m
                for j in 2...k {
                    var a = R(i, i), b = R(k, i)
                    let (c, sn) = Self.rotg(&a, &b)
                    setR(i, i, a)
                    setR(k, i, b)
                    len -= 1
                    for t in 0..<len {
                        let xi = R(i, j + t), yk = R(k, j + t)
                        setR(i, j + t, c * xi + sn * yk)
                        setR(k, j + t, c * yk - sn * xi)
                    }
                    i = j
                }
            } else {
                var a = R(1, 1), b = R(k, 1)
                _ = Self.rotg(&a, &b)
                setR(1, 1, a)
                setR(k, 1, b)
            }
        } else {
            if m > 1 {
                var i = 1
                var len = m
                for j in 2...m {
                    var a = R(i, i), b = v[i - 1]
                    let (c, sn) = Self.rotg(&a, &b)
                    setR(i, i, a)
                    v[i - 1] = b
                    len -= 1
                    for t in 0..<len {
                        let xi = R(i, j + t), yk = v[j + t - 1]
                        setR(i, j + t, c * xi + sn * yk)
                        v[j + t - 1] = c * yk - sn * xi
                    }
                    i = j
                }
            }
            var a = R(m, m), b = v[m - 1]
            _ = Self.rotg(&a, &b)
            setR(m, m, a)
            v[m - 1] = b
        }
    }

    // MARK: The criterion

    /// 2·Σ log|r_kk·s| over the diagonal of a work matrix, or −∞ for a zero pivot (det2mc).
    func det2mc(_ w: Work, _ s: Double) -> Double {
        var sum = 0.0
        for k in 1...p {
            let q = get(w, k, k) * s
            if abs(q) <= 0 { return -.infinity }
            sum += log(abs(q))
        }
        return 2 * sum
    }

    /// The criterion term of a cluster of l points (vvvtij).
    func vvvtij(_ l: Int, _ w: Work, _ s: Double, _ trace: Double) -> Double {
        let dl = Double(l)
        var value: Double
        if l <= p {
            value = log(beta * (trace + alpha) / dl)
        } else if trace == 0 {
            value = log(alpha * beta / dl)
        } else {
            let detlog = det2mc(w, s)
            if detlog == -.infinity {
                value = log(beta * (trace + alpha) / dl)
            } else if detlog <= 0 {
                value = log(exp(detlog) + beta * (trace + alpha) / dl)
            } else {
                value = log(1 + exp(-detlog) * (beta * (trace + alpha) / dl)) + detlog
            }
        }
        return dl * value
    }

    // MARK: Linked storage of factor rows

    /// Reads the stored factor rows of the cluster whose list starts at `head` into work
    /// matrix `w` (row k from column k); returns the cluster's size.
    mutating func readRows(from head: Int, into w: Work) -> Int {
        var row = 1, l = head
        while true {
            for c in row...p { set(w, row, c, X(l, c)) }
            row += 1
            l = ic[l - 1]
            if l > n { return l - n }
        }
    }

    /// Adds the stored rows of the cluster whose list starts at `head` to work matrix `w`, as
    /// mclust does: row t goes into the trailing block (t, t) with count `k0` (+ t − 1 when
    /// `incrementCount`); returns the cluster's size.
    mutating func addRows(from head: Int, into w: Work, count k0: Int, incrementCount: Bool) -> Int {
        var row = 1, l = head, k = k0, m = p
        while true {
            for c in 0..<m { v[c] = X(l, row + c) }
            mclrup(k, m, w, off: row)
            row += 1
            m -= 1
            if incrementCount { k += 1 }
            l = ic[l - 1]
            if l > n { return l - n }
        }
    }

    // MARK: The agglomeration

    struct Candidate {
        var cost = Double.greatestFiniteMagnitude
        var trace = 0.0, term = 0.0
        var size = 0, sizeI = 0, sizeJ = 0
        var si = 0.0, sj = 0.0
        var i = 0, j = 0
    }

    mutating func run(n: Int, p: Int) -> [HierarchicalVVV.Merge] {
        let ng = n, ns = n - 1
        let rthalf = 0.707_106_781_186_547_6
        var lg = ng
        var ld = ng * (ng - 1) / 2
        var lo = d.count
        // Every point is a singleton: ic(k) = 1 marks it.
        for k in 0..<ng { ic[k] = 1 }
        var best = Candidate()
        var ij = 0
        // Costs of every pair of singletons: 2·log(β(t + α)/2) − 2·log(αβ) with t = |x_i − x_j|²/2.
        // (mclust's routine also accepts an initial partition with larger clusters; VAExprs,
        // like mclustBIC's default, starts from singletons only.)
        for j in 2...ng {
            for i in 1...(j - 1) {
                var c = Candidate()
                c.size = 2
                c.sizeI = 1
                c.sizeJ = 1
                c.si = rthalf
                c.sj = rthalf
                for k in 1...p { v[k - 1] = rthalf * (X(i, k) - X(j, k)) }
                c.trace = vv
                c.term = 2 * log(beta * (c.trace + alpha) / 2)
                c.cost = c.term - (ablog + ablog)
                ij += 1
                d[ij - 1] = c.cost
                if c.cost <= best.cost {
                    c.i = i
                    c.j = j
                    best = c
                    zero(.r)
                    for k in 1...p { set(.r, 1, k, v[k - 1]) }
                }
            }
        }
        if ns == 1 { return [HierarchicalVVV.Merge(first: min(best.i, best.j), second: max(best.i, best.j))] }
        columnMin = [Double](repeating: .greatestFiniteMagnitude, count: ng + 1)
        columnArg = [Int](repeating: 0, count: ng + 1)
        for c in 2...ng { refreshColumn(c) }

        var ls = 1
        while true {
            // Merge slots best.i and best.j (i < j): the merged cluster goes to slot i, the last
            // slot moves into slot j.
            let iopt = best.i, jopt = best.j
            for c in 1...p { v[c - 1] = best.si * X(iopt, c) + best.sj * X(jopt, c) }
            if jopt != lg {
                MergeBookkeeping.wardSwap(&d, jopt, lg)
                for c in 1...p { setX(jopt, c, X(lg, c)) }
                let m = ic[jopt - 1], icj = ic[lg - 1]
                if icj != 1 { setX(jopt, p + 1, X(lg, p + 1)) }
                ic[jopt - 1] = icj
                ic[lg - 1] = m
            }
            if best.sizeI == 1 {
                ic[iopt - 1] = lg
            } else {
                var l = ic[iopt - 1], m = l
                for _ in 1...min(best.sizeI - 1, p) {
                    m = l
                    l = ic[l - 1]
                }
                ic[m - 1] = lg
            }
            var l = ic[iopt - 1], m = l
            for _ in 1...min(best.size - 1, p) {
                // mclust stores the factor's first row in each of the cluster's storage rows.
                for c in 1...p { setX(l, c, get(.r, 1, c)) }
                m = l
                l = ic[l - 1]
            }
            ic[m - 1] = best.size + n
            setX(iopt, p + 1, 0)
            if best.size >= 2 {
                setX(iopt, p + 1, best.trace)
                setX(ic[iopt - 1], p + 1, best.term)
            }
            for c in 1...p { setX(iopt, c, v[c - 1]) }
            d[lo - 1] = best.cost
            lo -= 1
            d[lo - 1] = Double(iopt)
            lo -= 1
            d[lo - 1] = Double(jopt)
            lo -= 1
            lg -= 1
            ld -= lg

            // Costs of the merged cluster with every other slot.
            let iold = iopt
            let ni = best.size
            let traci = best.trace, termi = best.term
            var loopBest = Candidate()
            ij = (iold - 1) * (iold - 2) / 2
            if iold > 1 {
                for j in 1...(iold - 1) {
                    let (c, nj) = candidateWithMerged(j, iold: iold, size: ni, trace: traci, term: termi)
                    ij += 1
                    d[ij - 1] = c.cost
                    if c.cost <= loopBest.cost {
                        // The merged slot is iold; j < iold becomes the candidate's first slot.
                        loopBest = c
                        loopBest.sizeI = nj
                        loopBest.sizeJ = ni
                        loopBest.si = c.sj
                        loopBest.sj = c.si
                        loopBest.i = j
                        loopBest.j = iold
                        copyUpperRows(.u, .s, rows: min(c.size - 1, p))
                    }
                }
            }
            if iold < lg {
                var i = iold
                ij += i
                for j in (iold + 1)...lg {
                    let (c, nj) = candidateWithMerged(j, iold: iold, size: ni, trace: traci, term: termi)
                    d[ij - 1] = c.cost
                    ij += i
                    i = j
                    if c.cost <= loopBest.cost {
                        loopBest = c
                        loopBest.sizeI = ni
                        loopBest.sizeJ = nj
                        loopBest.i = iold
                        loopBest.j = j
                        copyUpperRows(.u, .s, rows: min(c.size - 1, p))
                    }
                }
            }

            // The global minimum over the packed costs (the last minimum in packed order wins),
            // through per-column minima kept up to date: only the merged slot's and the moved
            // slot's costs changed.
            var jbest = 2, ibest = 1
            var dopt = d[0]
            if lg != 2 {
                for c in 2...lg {
                    if c == iold || c == jopt || columnArg[c] == iold || columnArg[c] == jopt {
                        refreshColumn(c)
                        continue
                    }
                    for row in [iold, jopt] where row < c {
                        let value = d[(c - 1) * (c - 2) / 2 + row - 1]
                        if value < columnMin[c] || (value == columnMin[c] && row > columnArg[c]) {
                            columnMin[c] = value
                            columnArg[c] = row
                        }
                    }
                }
                dopt = columnMin[2]
                jbest = 2
                ibest = columnArg[2]
                for c in 3...max(3, lg) where c <= lg && columnMin[c] <= dopt {
                    dopt = columnMin[c]
                    jbest = c
                    ibest = columnArg[c]
                }
            }
            zero(.r)
            if ibest != iold && jbest != iold {
                best = recompute(ibest, jbest, cost: dopt)
            } else {
                best = loopBest
                best.cost = dopt
                best.i = ibest
                best.j = jbest
                copyUpperRows(.s, .r, rows: min(best.size - 1, p))
                best.sizeI = size(ofSlot: ibest)
                best.sizeJ = size(ofSlot: jbest)
                best.size = best.sizeI + best.sizeJ
            }
            ls += 1
            if ls == ns || lg == 2 { break }
        }
        // Record the last merge and convert slot pairs to cluster labels (mclust's label 900).
        d[lo - 1] = best.cost
        lo -= 1
        d[lo - 1] = Double(best.i)
        lo -= 1
        d[lo - 1] = Double(best.j)
        return MergeBookkeeping.labelledPairs(d, slots: ng, merges: ns)
    }

    /// Recomputes column c's minimum (ties to the larger row, as mclust's scan keeps the last).
    mutating func refreshColumn(_ c: Int) {
        let base = (c - 1) * (c - 2) / 2
        var best = Double.greatestFiniteMagnitude, arg = 1
        for row in 1..<c where d[base + row - 1] <= best {
            best = d[base + row - 1]
            arg = row
        }
        columnMin[c] = best
        columnArg[c] = arg
    }

    /// The merge of slot j with the freshly merged slot `iold` (its factor in r, its size, trace
    /// and term given), as mclust's recompute loops build it; returns the candidate and j's size.
    mutating func candidateWithMerged(_ j: Int, iold: Int, size ni: Int, trace traci: Double, term termi: Double) -> (
        Candidate, Int
    ) {
        zero(.u)
        copyUpperRows(.r, .u, rows: min(ni - 1, p))
        var c = Candidate()
        let termj: Double
        var nj = 1
        if ic[j - 1] == 1 {
            let nij = ni + 1
            let qij = 1 / Double(nij)
            c.si = (Double(ni) * qij).squareRoot()
            c.sj = qij.squareRoot()
            difference(c.si, j, c.sj, iold)
            c.trace = traci + vv
            termj = ablog
            c.size = nij
        } else {
            nj = addRows(from: ic[j - 1], into: .u, count: ni + 1, incrementCount: true)
            let tracj = X(j, p + 1)
            termj = X(ic[j - 1], p + 1)
            let nij = ni + nj
            let qij = 1 / Double(nij)
            c.si = (Double(ni) * qij).squareRoot()
            c.sj = (Double(nj) * qij).squareRoot()
            difference(c.si, j, c.sj, iold)
            c.trace = (traci + tracj) + vv
            c.size = nij
        }
        mclrup(c.size, p, .u, off: 1)
        c.term = vvvtij(c.size, .u, (1 / Double(c.size)).squareRoot(), c.trace)
        c.cost = c.term - (termi + termj)
        return (c, nj)
    }

    /// The size of the cluster in a slot (walking its storage list).
    func size(ofSlot slot: Int) -> Int {
        var l = ic[slot - 1]
        if l == 1 { return 1 }
        while l <= n { l = ic[l - 1] }
        return l - n
    }

    /// The merge statistics of slots i < j when neither is the freshly merged one (the factor
    /// is rebuilt into r from the stored rows, as mclust does).
    mutating func recompute(_ i: Int, _ j: Int, cost: Double) -> Candidate {
        let rthalf = 0.707_106_781_186_547_6
        var c = Candidate()
        c.i = i
        c.j = j
        c.cost = cost
        let termi: Double, termj: Double
        if ic[j - 1] == 1 {
            termj = ablog
            if ic[i - 1] == 1 {
                c.size = 2
                c.sizeI = 1
                c.sizeJ = 1
                c.si = rthalf
                c.sj = rthalf
                for k in 1...p { v[k - 1] = rthalf * (X(i, k) - X(j, k)) }
                c.trace = vv
                for k in 1...p { set(.r, 1, k, v[k - 1]) }
                termi = ablog
            } else {
                let ni = readRows(from: ic[i - 1], into: .r)
                let traci = X(i, p + 1)
                termi = X(ic[i - 1], p + 1)
                let nij = ni + 1
                let qij = 1 / Double(nij)
                c.si = (Double(ni) * qij).squareRoot()
                c.sj = qij.squareRoot()
                difference(c.sj, i, c.si, j)
                c.trace = traci + vv
                mclrup(nij, p, .r, off: 1)
                c.size = nij
                c.sizeI = ni
                c.sizeJ = 1
            }
        } else {
            let nj = readRows(from: ic[j - 1], into: .r)
            let tracj = X(j, p + 1)
            termj = X(ic[j - 1], p + 1)
            if ic[i - 1] == 1 {
                let nij = nj + 1
                let qij = 1 / Double(nij)
                c.si = qij.squareRoot()
                c.sj = (Double(nj) * qij).squareRoot()
                difference(c.sj, i, c.si, j)
                c.trace = tracj + vv
                termi = ablog
                c.size = nij
                c.sizeI = 1
            } else {
                let ni = addRows(from: ic[i - 1], into: .r, count: nj + 1, incrementCount: false)
                let traci = X(i, p + 1)
                termi = X(ic[i - 1], p + 1)
                let nij = ni + nj
                let qij = 1 / Double(nij)
                c.si = (Double(ni) * qij).squareRoot()
                c.sj = (Double(nj) * qij).squareRoot()
                difference(c.sj, i, c.si, j)
                c.trace = (traci + tracj) + vv
                c.size = nij
                c.sizeI = ni
            }
            c.sizeJ = nj
            mclrup(c.size, p, .r, off: 1)
        }
        c.term = cost + (termi + termj)
        return c
    }

}
