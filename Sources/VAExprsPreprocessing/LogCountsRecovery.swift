import Foundation
import VAExprsCore

/// Values that are log-normalised counts, and how to go back and forth: each value is
/// log_b(1 + count × s) with one scale s per cell — Seurat's `NormalizeData` and scanpy's
/// `normalize_total` + `log1p` (base e, s = target sum / library size), scater's
/// `logNormCounts` (base 2, s = mean library size / library size). Recorded in a model fitted
/// on such values, so that its generated counts come back on the same scale.
package struct LogNormalizedInput: Codable, Sendable, Equatable {
    /// The logarithm's base.
    package enum Base: String, Codable, Sendable, CaseIterable {
        /// Natural logarithm (log1p): Seurat, scanpy.
        case e
        /// log2: scater, Bioconductor.
        case two = "2"
        /// log10.
        case ten = "10"

        /// The base as a number.
        package var value: Double {
            switch self {
            case .e: M_E
            case .two: 2
            case .ten: 10
            }
        }

        /// How messages name the transform.
        package var formula: String {
            switch self {
            case .e: "log1p(count × s)"
            case .two: "log2(1 + count × s)"
            case .ten: "log10(1 + count × s)"
            }
        }
    }

    /// The logarithm's base.
    package var base: Base
    /// Per training cell, in training order: the scale s times the cell's library size over the
    /// model's genes (Seurat's and scanpy's target sum, scater's mean library size; the same for
    /// every cell unless genes were dropped after normalising).
    package var targets: [Float]

    /// The transform of cells normalised to `targets`.
    package init(base: Base, targets: [Float]) {
        self.base = base
        self.targets = targets
    }

    /// The log-normalised value of `count` with scale `scale`.
    package func logValue(_ count: Float, scale: Double) -> Float {
        guard count > 0 else { return 0 }
        let v = 1 + Double(count) * scale
        return Float(base == .e ? log(v) : base == .two ? log2(v) : log10(v))
    }
}

/// Recognises log-normalised counts and recovers the counts exactly (`LogNormalizedInput`).
package enum LogCountsRecovery {
    /// Counts recovered from log-normalised values.
    package struct Recovered: Sendable {
        /// The logarithm's base.
        package var base: LogNormalizedInput.Base
        /// The counts, in the input's storage (dense or sparse).
        package var counts: ExpressionMatrix
        /// Each cell's scale s (value = log_b(1 + count × s)).
        package var scales: [Double]

        /// How the input was read, for the user.
        package var statement: String {
            """
            the values are log-normalised counts, \(base.formula) with one scale s per cell (the inverse gives \
            whole numbers in every cell)
            """
        }
    }

    /// Why values were not taken as log-normalised counts, when they could have been.
    package struct Refusal: Error, Sendable {
        /// The cell whose values do not invert to whole numbers.
        package var cell: Int
        /// One of its values.
        package var value: Float
    }

    /// Largest multiple of the smallest count a cell's smallest non-zero value may stand for.
    static let largestSmallestCount = 10
    /// Cells tried first (and alone, when they already refuse).
    static let leadingCells = 200
    /// Non-zero values the median cell must have: with fewer, whole numbers could be chance.
    static let minimumValuesPerCell = 10
    /// Fraction of cells whose smallest value must stand for a count of 1 (as in UMI and read
    /// counts), so that a scale is not found by dividing until anything looks whole.
    static let cellsWithOnes = 0.9

    /// The counts behind `data` when it holds log-normalised counts; a refusal naming a cell
    /// whose values invert to no whole numbers when the values are non-negative and not counts;
    /// nil for counts, data with negative values, or values too large to be logarithms.
    package static func recover(_ data: ExpressionMatrix) -> Result<Recovered, Refusal>? {
        // A first pass without copying anything: counts and signed values end here.
        var negative = false, whole = true, largest: Float = 0
        data.cells.forEachEntry { _, _, v in
            if v < 0 { negative = true }
            if v != v.rounded() { whole = false }
            largest = max(largest, v)
        }
        guard !negative, !whole, largest.isFinite else { return nil }
        // Continuous values are usually refused by the first cells: try those before holding a
        // copy of every value.
        if data.cellCount > Self.leadingCells {
            let head = LogCountsRecovery.recover(data.selectingCells(Array(0..<Self.leadingCells)))
            if case .failure? = head { return head }
        }
        var rows = [[(column: Int, value: Float)]](repeating: [], count: data.cellCount)
        data.cells.forEachEntry { i, j, v in if v != 0 { rows[i].append((j, v)) } }
        // Too few values per cell to tell whole numbers from chance.
        let sizes = rows.map(\.count).sorted()
        guard sizes[sizes.count / 2] >= minimumValuesPerCell else { return nil }
        var firstRefusal: Refusal? = nil
        for base in LogNormalizedInput.Base.allCases {
            // Beyond these the value is no logarithm of a count (1e30).
            guard Double(largest) * log(base.value) < 69 else { continue }
            var scales = [Double](repeating: 0, count: data.cellCount)
            var failed: Refusal? = nil
            var withOnes = 0
            for (i, entries) in rows.enumerated() where !entries.isEmpty {
                let linear = entries.map { pow(base.value, Double($0.value)) - 1 }
                guard let smallest = linear.min(), smallest > 0 else {
                    failed = Refusal(cell: i, value: entries[0].value)
                    break
                }
                guard
                    let smallestCount = (1...largestSmallestCount).first(where: { d in
                        linear.allSatisfy { isWhole($0 / (smallest / Double(d))) }
                    })
                else {
                    failed = Refusal(cell: i, value: entries[linear.indices.max { linear[$0] < linear[$1] }!].value)
                    break
                }
                if smallestCount == 1 { withOnes += 1 }
                scales[i] = smallest / Double(smallestCount)
            }
            let cellsWithValues = rows.filter { !$0.isEmpty }.count
            if failed == nil, Double(withOnes) < cellsWithOnes * Double(cellsWithValues) {
                failed = Refusal(cell: scales.indices.first { scales[$0] > 0 } ?? 0, value: rows[0].first?.value ?? 0)
            }
            if let failed {
                if firstRefusal == nil { firstRefusal = failed }
                continue
            }
            // A cell without values has no scale of its own: the median of the others'.
            let known = scales.filter { $0 > 0 }.sorted()
            let median = known.isEmpty ? 1 : known[known.count / 2]
            for i in scales.indices where scales[i] == 0 { scales[i] = median }
            let counts = data.cells.mappingValues { i, v in
                v == 0 ? 0 : Float(((pow(base.value, Double(v)) - 1) / scales[i]).rounded())
            }
            return .success(
                Recovered(
                    base: base,
                    counts: ExpressionMatrix(cellIDs: data.cellIDs, geneNames: data.geneNames, cells: counts),
                    scales: scales))
        }
        return firstRefusal.map { .failure($0) }
    }

    /// Whole within what float32 storage and 7-digit text keep of a logarithm.
    static func isWhole(_ r: Double) -> Bool { abs(r - r.rounded()) <= 0.02 + 1e-5 * r && r >= 0.98 }

    /// The counts of `data` given that it holds log-normalised counts in `base` (validation
    /// cells, normalised as the training cells were); nil when some cell does not invert.
    package static func counts(of data: ExpressionMatrix, base: LogNormalizedInput.Base) -> Recovered? {
        guard case .success(let r)? = Self.recover(data), r.base == base else { return nil }
        return r
    }
}
