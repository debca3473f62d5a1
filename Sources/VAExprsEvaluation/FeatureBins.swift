import VAExprsCore

/// Every feature of a training matrix cut into at most 256 ordered bins, as histogram-based
/// tree learners do (LightGBM; scikit-learn's `HistGradientBoosting*`, 255 bins at quantiles).
/// A feature with at most 256 distinct values keeps one bin per value (every partition of the
/// samples the exact learner can make stays possible); otherwise the cuts sit at the 255 inner
/// 1/256-quantiles of its values, moved to the midpoint between the two distinct values around
/// each. Every cut lies strictly between two training values, so `value ≤ cut` sends a training
/// value the same way as its bin code does, and new values can be sent by their value alone.
struct FeatureBins: Sendable {
    /// Most bins per feature (codes fit a byte).
    static let maxBins = 256
    /// Samples.
    let rows: Int
    /// Bin codes, column-major (`codes[feature * rows + sample]`).
    let codes: [UInt8]
    /// Per feature, its ascending cuts: code ≤ b ⇔ value ≤ `cuts[feature][b]`.
    let cuts: [[Double]]

    /// Bins `x` (rows = samples).
    init(_ x: DoubleMatrix) {
        let n = x.rows, d = x.columns
        rows = n
        var codes = [UInt8](repeating: 0, count: n * d)
        var cuts: [[Double]] = []
        cuts.reserveCapacity(d)
        var column = [Double](repeating: 0, count: n)
        for j in 0..<d {
            for i in 0..<n { column[i] = x[i, j] }
            let featureCuts = Self.cuts(sorted: column.sorted())
            for i in 0..<n { codes[j * n + i] = UInt8(Self.code(column[i], cuts: featureCuts)) }
            cuts.append(featureCuts)
        }
        self.codes = codes
        self.cuts = cuts
    }

    /// A value's bin: the number of cuts below it.
    static func code(_ value: Double, cuts: [Double]) -> Int {
        var low = 0, high = cuts.count
        while low < high {
            let middle = (low + high) / 2
            if cuts[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The cuts of one feature's sorted values.
    static func cuts(sorted values: [Double]) -> [Double] {
        let n = values.count
        guard n > 1 else { return [] }
        // Between neighbouring doubles the midpoint rounds onto one of them; fall back to the
        // lower so the cut still separates them.
        func between(_ a: Double, _ b: Double) -> Double {
            let midpoint = a + (b - a) / 2
            return midpoint < b ? midpoint : a
        }
        var distinct = 1
        for i in 1..<n where values[i] != values[i - 1] {
            distinct += 1
            if distinct > maxBins { break }
        }
        var cuts: [Double] = []
        if distinct <= maxBins {
            for i in 1..<n where values[i] != values[i - 1] { cuts.append(between(values[i - 1], values[i])) }
            return cuts
        }
        for k in 1..<maxBins {
            let below = values[k * n / maxBins - 1]
            // The first value above `below` (a heavy atom pushes the cut to its upper end).
            var low = k * n / maxBins, high = n
            while low < high {
                let middle = (low + high) / 2
                if values[middle] <= below { low = middle + 1 } else { high = middle }
            }
            guard low < n else { break }
            let cut = between(below, values[low])
            if cuts.last.map({ $0 < cut }) ?? true { cuts.append(cut) }
        }
        return cuts
    }
}
