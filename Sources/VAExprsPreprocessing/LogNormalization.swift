import Foundation
import VAExprsCore

/// The one log-normalisation of the package, scater's `logNormCounts`: each cell's size
/// factor is its library size (total count) over the mean library size, and each value
/// becomes log2(x / size factor + 1). `fit --normalize lognorm`, `reduce`, `plot aug`,
/// `evaluate` and `generate --evaluate` all use it, and each says so
/// (`LogNormalization.statement`). (A count model's encoder input, log1p of counts per
/// 10 000, is part of the model, not a normalisation of the user's data: `Preprocessing`.)
package enum LogNormalization {
    /// How reports name it.
    package static let statement =
        "log2(x / size factor + 1), size factor = library size / mean library size (scater logNormCounts)"

    /// Each cell's library size (sum of its values), after checking that the values are
    /// ≥ 0 and every cell has some.
    /// - Throws: `VAExprsError.badData` naming `source`, the cell and the gene.
    package static func librarySizes(_ data: ExpressionMatrix, source: String) throws -> [Double] {
        try data.cells.forEachEntry { i, j, v in
            if v < 0 {
                throw VAExprsError.badData(
                    """
                    \(source): cell '\(data.cellIDs[i])', gene '\(data.geneNames[j])' is negative (\(v)); \
                    log-normalisation needs counts ≥ 0 (\(parameter: "normalization") none takes logged or \
                    centred data as given)
                    """
                )
            }
        }
        let sizes = data.cells.rowSums()
        if let empty = sizes.firstIndex(of: 0) {
            throw VAExprsError.badData(
                """
                \(source): cell '\(data.cellIDs[empty])' has no counts (library size 0), so it cannot be \
                log-normalised; remove it
                """
            )
        }
        return sizes
    }

    /// Size factors: library sizes over `mean` (their own mean when nil).
    package static func sizeFactors(_ libraries: [Double], mean: Double? = nil) -> [Float] {
        let mean = mean ?? libraries.reduce(0, +) / Double(max(libraries.count, 1))
        return libraries.map { Float($0 / mean) }
    }

    /// log2(x / size factor + 1) of every value, in place (a cell without counts, size
    /// factor 0, stays at zero).
    package static func apply(_ values: inout Matrix, sizeFactors: [Float]) {
        let g = values.columns
        for i in 0..<values.rows {
            let inverse = sizeFactors[i] > 0 ? 1 / sizeFactors[i] : 0
            for j in 0..<g { values[i, j] = log2f(values[i, j] * inverse + 1) }
        }
    }

    /// The inverse: (2^y − 1) × size factor, floored at 0.
    package static func invert(_ values: inout Matrix, sizeFactors: [Float]?) {
        for i in 0..<values.rows {
            let factor = sizeFactors?[i] ?? 1
            for j in 0..<values.columns { values[i, j] = max(0, (exp2f(values[i, j]) - 1) * factor) }
        }
    }

    /// Log-normalised copies of several matrices of cells (same genes) with size factors
    /// relative to the mean library size of all their cells together, so that every cell is
    /// brought to one depth (`evaluate` compares real and generated cells this way). Values
    /// must be ≥ 0; cells without counts stay at zero.
    package static func normalizedTogether(_ parts: [Matrix]) -> [Matrix] {
        let libraries = parts.map { part in
            (0..<part.rows).map { i in (0..<part.columns).reduce(0.0) { $0 + Double(part[i, $1]) } }
        }
        let all = libraries.flatMap { $0 }
        let mean = all.reduce(0, +) / Double(max(all.count, 1))
        return zip(parts, libraries).map { part, libraries in
            var values = part
            apply(&values, sizeFactors: sizeFactors(libraries, mean: mean))
            return values
        }
    }

    /// The log-normalised values of `data`, with size factors relative to its own mean
    /// library size.
    package static func normalized(_ data: ExpressionMatrix, source: String) throws -> Matrix {
        var values = data.dense()
        apply(&values, sizeFactors: sizeFactors(try librarySizes(data, source: source)))
        return values
    }

    /// x / size factor, not logged: expression on a linear scale (for ranking genes by
    /// dispersion).
    package static func linear(_ data: ExpressionMatrix, source: String) throws -> Matrix {
        let libraries = try librarySizes(data, source: source)
        let mean = libraries.reduce(0, +) / Double(libraries.count)
        var values = data.dense()
        for i in 0..<values.rows {
            let inverse = Float(mean / libraries[i])
            for j in 0..<values.columns { values[i, j] *= inverse }
        }
        return values
    }
}
