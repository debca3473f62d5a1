import VAExprsCore

/// What a matrix's values are, in one pass over the values that may be non-zero: the one
/// "are these counts?" test, used to choose a likelihood (`DataSetup`) and a comparison's
/// normalisation (`Normalization`). Counts are whole numbers ≥ 0.
package struct ValueProfile: Sendable {
    /// The first value below zero (row, column, value), if any.
    package var firstNegative: (row: Int, column: Int, value: Float)?
    /// Every value is a whole number.
    package var allWhole = true
    /// Some value is zero (sparse storage's implicit zeros count).
    package var hasZeros = false
    /// The values above zero, when asked for (for the scale of intensities).
    package var positive: [Float] = []

    /// Whole numbers ≥ 0: counts.
    package var isCounts: Bool { firstNegative == nil && allWhole }

    /// The profile of `cells`; `collectingPositive` keeps the positive values too.
    package init(_ cells: CellMatrix, collectingPositive: Bool = false) {
        var visited = 0
        var profile = self
        cells.forEachEntry { i, j, v in
            visited += 1
            if v < 0 && profile.firstNegative == nil { profile.firstNegative = (i, j, v) }
            if v != v.rounded() { profile.allWhole = false }
            if v == 0 { profile.hasZeros = true } else if v > 0 && collectingPositive { profile.positive.append(v) }
        }
        if visited < cells.rows * cells.columns { profile.hasZeros = true }
        self = profile
    }
}
