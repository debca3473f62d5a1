import Foundation
import VAExprsCore

/// Gene selection, one home for every command's `--top-genes N` (the N most variable genes; 0
/// keeps every gene): highly variable genes for training (`fit`, recorded in the model:
/// Seurat v3 on counts, dispersion otherwise), top variance of normalised values for
/// embeddings and the realism evaluation (`topVariance`).
public struct GeneSelection: Codable, Sendable, Equatable {
    /// How genes were ranked.
    public enum Flavor: String, Codable, Sendable, CaseIterable {
        /// scanpy's `highly_variable_genes(flavor="seurat_v3")`, on raw counts.
        case seuratV3 = "seurat_v3"
        /// scanpy's `flavor="seurat"`: dispersion normalised within 20 bins of mean expression.
        case dispersion
    }

    /// The ranking used.
    public var flavor: Flavor
    /// Genes of the input matrix.
    public var inputGenes: Int
    /// Column indices of the selected genes in the input, in input order.
    public var selected: [Int]

    /// The `count` top-ranked genes of `values` (cells × genes) by `flavor`, kept in input
    /// order. Seurat v3 needs raw counts; the dispersion flavour takes expression on a linear
    /// scale (normalised counts, intensities) and, for data with negative values, ranks by
    /// variance within the same bins.
    package static func select(_ values: Matrix, count: Int, flavor: Flavor) throws -> GeneSelection {
        try select(.dense(values), count: count, flavor: flavor)
    }

    /// The same ranking on dense or sparse values; sparse counts are never densified.
    package static func select(_ values: CellMatrix, count: Int, flavor: Flavor) throws -> GeneSelection {
        try select(rows: values.rows, columns: values.columns, count: count, flavor: flavor) { visit in
            try visit(values)
        }
    }

    /// The same ranking over cells handed out a block of rows at a time, in row order, as
    /// often as the ranking needs (Seurat v3 passes twice: moments, then clipped moments), so
    /// that cells streamed from disk are ranked exactly as the same cells in memory.
    /// - Parameter blocks: calls its argument on each block of cells, in row order.
    package static func select(
        rows n: Int, columns g: Int, count: Int, flavor: Flavor,
        blocks: ((CellMatrix) throws -> Void) throws -> Void
    ) throws -> GeneSelection {
        guard count >= 1 && count <= g else {
            throw VAExprsError.usage("top genes must be between 1 and the number of genes (\(g)), got \(count)")
        }
        guard n >= 2 else {
            throw VAExprsError.badData("selecting variable genes needs at least 2 cells, got \(n)")
        }
        let stats = try moments(rows: n, columns: g, blocks: blocks)
        if flavor == .seuratV3, let negative = stats.firstNegative {
            throw VAExprsError.usage(
                """
                \(parameter: "geneSelection") seurat_v3 ranks genes by a model of counts (a variance-stabilising \
                fit of mean and variance), and these values include negative ones (\(negative)): scaled or \
                centred data; give raw counts, or \(parameter: "geneSelection") dispersion
                """
            )
        }
        let scores = flavor == .seuratV3 ? try seuratV3Scores(stats, rows: n, blocks: blocks) : dispersionScores(stats)
        // Descending score, NaN last, ties by input order (a stable ranking).
        let order = (0..<g).sorted { a, b in
            let x = scores[a], y = scores[b]
            if x.isNaN != y.isNaN { return y.isNaN }
            if x != y && !x.isNaN { return x > y }
            return a < b
        }
        return GeneSelection(flavor: flavor, inputGenes: g, selected: order.prefix(count).sorted())
    }

    /// The `count` genes of largest variance of already normalised values (scater's `runPCA`
    /// `ntop`, as `reduce`, `plot aug` and `evaluate` rank them; ties to the earlier gene), in
    /// input order; every gene when `count` is 0 or not below the number of genes.
    package static func topVariance(_ x: DoubleMatrix, count: Int) -> [Int] {
        guard count > 0, count < x.columns else { return Array(0..<x.columns) }
        let variances = x.columnSquaredDeviations()
        return Array(variances.indices.sorted { (variances[$0], -$0) > (variances[$1], -$1) }.prefix(count)).sorted()
    }

    /// Per-gene mean and sample variance (n − 1), in double precision, and the first value
    /// below zero, if any.
    struct Moments {
        var mean: [Double]
        var variance: [Double]
        var firstNegative: Float?
    }

    /// The moments of cells handed out in blocks (sums in row order, as one pass would).
    static func moments(rows n: Int, columns g: Int, blocks: ((CellMatrix) throws -> Void) throws -> Void) throws
        -> Moments
    {
        var sum = [Double](repeating: 0, count: g), squares = [Double](repeating: 0, count: g)
        var firstNegative: Float? = nil
        try blocks { values in
            values.forEachEntry { _, j, value in
                let v = Double(value)
                sum[j] += v
                squares[j] += v * v
                if value < 0 && firstNegative == nil { firstNegative = value }
            }
        }
        let mean = sum.map { $0 / Double(n) }
        let variance = (0..<g).map { j in max(0, (squares[j] - Double(n) * mean[j] * mean[j]) / Double(n - 1)) }
        return Moments(mean: mean, variance: variance, firstNegative: firstNegative)
    }

    /// Seurat v3's normalised variance: a loess (span 0.3, degree 2) of log10 variance on
    /// log10 mean over the non-constant genes gives each gene's expected standard deviation
    /// σ̂; counts are clipped at mean + √n σ̂, and the variance of the clipped values,
    /// standardised by σ̂², is the score (0 for constant genes).
    static func seuratV3Scores(_ counts: Matrix) -> [Double] {
        let values = CellMatrix.dense(counts)
        let visit: ((CellMatrix) throws -> Void) throws -> Void = { try $0(values) }
        // A dense matrix in memory: neither pass can fail.
        return
            (try? seuratV3Scores(
                moments(rows: counts.rows, columns: counts.columns, blocks: visit), rows: counts.rows, blocks: visit))
            ?? []
    }

    /// Seurat v3 scores from the moments and a second pass over the blocks (zeros add nothing
    /// to the clipped sums).
    static func seuratV3Scores(_ stats: Moments, rows n: Int, blocks: ((CellMatrix) throws -> Void) throws -> Void)
        throws -> [Double]
    {
        let (mean, variance) = (stats.mean, stats.variance)
        let g = mean.count
        let varying = (0..<g).filter { variance[$0] > 0 }
        var expectedLogVariance = [Double](repeating: 0, count: g)
        let fitted = Loess.fit(x: varying.map { log10(mean[$0]) }, y: varying.map { log10(variance[$0]) }, span: 0.3)
        for (k, j) in varying.enumerated() { expectedLogVariance[j] = fitted[k] }
        let sd = expectedLogVariance.map { pow(10, $0).squareRoot() }
        let clip = (0..<g).map { mean[$0] + sd[$0] * Double(n).squareRoot() }
        var sum = [Double](repeating: 0, count: g), squares = [Double](repeating: 0, count: g)
        try blocks { counts in
            counts.forEachEntry { _, j, value in
                let v = min(Double(value), clip[j])
                sum[j] += v
                squares[j] += v * v
            }
        }
        return (0..<g).map { j in
            (Double(n) * mean[j] * mean[j] + squares[j] - 2 * sum[j] * mean[j]) / (Double(n - 1) * sd[j] * sd[j])
        }
    }

    /// Seurat's dispersion: log(variance / mean) (log variance for data with negative
    /// values), z-scored within 20 equal-width bins of log1p(mean); a gene alone in its bin
    /// scores 1, as scanpy sets it.
    static func dispersionScores(_ values: Matrix) -> [Double] {
        let cells = CellMatrix.dense(values)
        return dispersionScores(
            (try? moments(rows: values.rows, columns: values.columns) { try $0(cells) })
                ?? Moments(mean: [], variance: [], firstNegative: nil))
    }

    /// Dispersion scores from the moments.
    static func dispersionScores(_ stats: Moments) -> [Double] {
        let g = stats.mean.count
        let (rawMean, variance) = (stats.mean, stats.variance)
        let signed = stats.firstNegative != nil
        var mean = rawMean.map { $0 == 0 ? 1e-12 : $0 }
        var dispersion = (0..<g).map { j -> Double in
            let d = signed ? variance[j] : variance[j] / mean[j]
            return d == 0 ? .nan : log(d)
        }
        mean = signed ? rawMean : mean.map { log1p($0) }
        let lo = mean.min() ?? 0, hi = mean.max() ?? 0
        let width = (hi - lo) / 20
        let bin = mean.map { width > 0 ? min(19, max(0, NumberConversions.saturatingInt(($0 - lo) / width))) : 0 }
        var binValues = [[Double]](repeating: [], count: 20)
        for j in 0..<g where !dispersion[j].isNaN { binValues[bin[j]].append(dispersion[j]) }
        let stats = binValues.map { v -> (Double, Double) in
            guard v.count > 1 else { return (.nan, .nan) }
            let m = v.reduce(0, +) / Double(v.count)
            let s = (v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count - 1)).squareRoot()
            return (m, s)
        }
        for j in 0..<g where !dispersion[j].isNaN {
            let (m, s) = stats[bin[j]]
            dispersion[j] = m.isNaN ? 1 : (s > 0 ? (dispersion[j] - m) / s : 0)
        }
        return dispersion
    }
}
