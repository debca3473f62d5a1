import VAExprsCore

/// scater's default feature selection for reducers: the `count` features with the largest
/// variance (ties to the earlier feature); all features when there are fewer.
package enum FeatureSelection {
    /// Indices of the selected columns, in their original order.
    package static func topVariance(_ x: DoubleMatrix, count: Int) -> [Int] {
        guard count > 0, count < x.columns else { return Array(0..<x.columns) }
        let variances = x.columnSquaredDeviations()
        return Array(variances.indices.sorted { (variances[$0], -$0) > (variances[$1], -$1) }.prefix(count)).sorted()
    }
}
