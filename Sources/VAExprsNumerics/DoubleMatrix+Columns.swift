/// Column statistics and gathers of a cells × features matrix: one implementation for the
/// reducers, the mixture sampler, feature selection and the realism evaluation. Each column is summed over
/// its rows in order (so results do not depend on how the loops are arranged); the loops run
/// row by row for the cache.
extension DoubleMatrix {
    /// Each column's mean (0 for a matrix without rows).
    package func columnMeans() -> [Double] {
        var sums = [Double](repeating: 0, count: columns)
        for i in 0..<rows { for j in 0..<columns { sums[j] += self[i, j] } }
        return rows == 0 ? sums : sums.map { $0 / Double(rows) }
    }

    /// Each column's sum of squared deviations from `means` (the column means when nil).
    package func columnSquaredDeviations(from means: [Double]? = nil) -> [Double] {
        let centre = means ?? columnMeans()
        precondition(centre.count == columns, "columnSquaredDeviations: \(centre.count) means for \(columns) columns")
        var sums = [Double](repeating: 0, count: columns)
        for i in 0..<rows {
            for j in 0..<columns {
                let e = self[i, j] - centre[j]
                sums[j] += e * e
            }
        }
        return sums
    }

    /// Each column's sample variance (divisor rows − 1, or 1 for fewer than two rows).
    package func columnVariances(means: [Double]? = nil) -> [Double] {
        columnSquaredDeviations(from: means).map { $0 / Double(Swift.max(rows - 1, 1)) }
    }

    /// Each column's fraction of entries exactly zero.
    package func columnZeroFractions() -> [Double] {
        var zeros = [Double](repeating: 0, count: columns)
        for i in 0..<rows { for j in 0..<columns where self[i, j] == 0 { zeros[j] += 1 } }
        return rows == 0 ? zeros : zeros.map { $0 / Double(rows) }
    }
}

extension DoubleMatrix {
    /// The columns at `indices`, in that order (for feature selection).
    package func gatherColumns(_ indices: [Int]) -> DoubleMatrix {
        var out = DoubleMatrix(rows: rows, columns: indices.count)
        for i in 0..<rows {
            for (k, j) in indices.enumerated() { out[i, k] = self[i, j] }
        }
        return out
    }
}
