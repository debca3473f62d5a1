import Foundation
import VAExprsCore
import VAExprsPreprocessing

/// The preprocessing of `fit`, stored in the model so that generation can undo it.
///
/// For the continuous likelihoods: optional scater-style `logNormCounts`, then per-gene
/// min-max scaling with the training cells' statistics (constant genes scale to 0 and come
/// back exactly, never NaN); the scaled values are both the encoder input and the target.
/// For a count likelihood (`target == .counts`): the likelihood scores the raw counts with
/// each cell's library size, and the encoder reads log1p(counts per 10 000), as scVI's
/// `log_variational` but depth-normalised so that the latent space describes composition,
/// not sequencing depth; nothing is undone at generation (draws are counts).
public struct Preprocessing: Codable, Sendable, Equatable {
    /// The normalisation.
    public var normalization: Normalization
    /// Mean library size of the training cells (lognorm only).
    package var meanLibrarySize: Double
    /// Size factors of the training cells, in training order (lognorm only); generation
    /// draws from them to give generated cells realistic library sizes.
    package var trainingSizeFactors: [Float]
    /// Per-gene minimum of the (normalised) training data (continuous likelihoods).
    package var geneMinimum: [Float]
    /// Per-gene range (max − min) of the (normalised) training data; 0 for constant genes.
    package var geneRange: [Float]
    /// What the likelihood scores (absent in models fitted before count likelihoods: scaled).
    package var target: LikelihoodData?
    /// Library sizes (total counts over the model's genes) of the training cells, in
    /// training order (count likelihoods); generation draws library sizes from them.
    package var trainingLibrarySizes: [Float]?
    /// The input was log-normalised counts, recovered for a count likelihood: generated counts
    /// are given back on that scale (absent otherwise, and in older models).
    package var logInput: LogNormalizedInput? = nil

    /// True when the likelihood scores raw counts.
    public var modelsCounts: Bool { target == .counts }

    /// Depth the encoder input of count models is normalised to (counts per 10 000).
    package static let countInputScale: Float = 10_000

    /// Fits the preprocessing to training data and returns it with the prepared cells
    /// (no conditions).
    package static func fit(
        _ data: ExpressionMatrix, normalization: Normalization, target: LikelihoodData,
        source: String
    ) throws -> (Preprocessing, TrainingData) {
        var prep = Preprocessing(
            normalization: normalization, meanLibrarySize: 0, trainingSizeFactors: [],
            geneMinimum: [], geneRange: [], target: target, trainingLibrarySizes: nil)
        if target == .counts {
            let prepared = try countData(data, source: source)
            prep.normalization = .none
            prep.trainingLibrarySizes = prepared.context.librarySize
            return (prep, prepared)
        }
        var values = data.dense()
        if normalization == .lognorm {
            let libraries = try LogNormalization.librarySizes(data, source: source)
            prep.meanLibrarySize = libraries.reduce(0, +) / Double(libraries.count)
            prep.trainingSizeFactors = LogNormalization.sizeFactors(libraries, mean: prep.meanLibrarySize)
            LogNormalization.apply(&values, sizeFactors: prep.trainingSizeFactors)
        }
        let g = values.columns
        var lo = [Float](repeating: .infinity, count: g), hi = [Float](repeating: -.infinity, count: g)
        for i in 0..<values.rows {
            for j in 0..<g {
                let v = values[i, j]
                lo[j] = min(lo[j], v)
                hi[j] = max(hi[j], v)
            }
        }
        prep.geneMinimum = lo
        prep.geneRange = zip(hi, lo).map { $0 - $1 }
        prep.scale(&values)
        return (prep, TrainingData(input: values))
    }

    /// The preprocessing of a count likelihood for cells prepared elsewhere (training streamed
    /// from disk prepares each batch itself), with the training cells' library sizes.
    package static func counts(trainingLibrarySizes: [Float]) -> Preprocessing {
        Preprocessing(
            normalization: .none, meanLibrarySize: 0, trainingSizeFactors: [], geneMinimum: [], geneRange: [],
            target: .counts, trainingLibrarySizes: trainingLibrarySizes)
    }

    /// Raw counts as targets with their library sizes, and log1p(counts per 10 000) as input,
    /// in the data's storage (sparse counts stay sparse: log1p keeps zeros at zero).
    /// Every value must be a whole number ≥ 0 and every cell must have counts.
    static func countData(_ data: ExpressionMatrix, source: String) throws -> TrainingData {
        let counts = data.cells
        let libraries = try checkedLibrarySizes(
            counts, source: source, cellID: { data.cellIDs[$0] }, geneName: { data.geneNames[$0] })
        let input = counts.mappingValues { i, v in encoderInput(v, library: libraries[i]) }
        return TrainingData(input: input, separateTarget: counts, context: CellContext(librarySize: libraries))
    }

    /// A count model's encoder input for a count of a cell with `library` counts: log1p of
    /// counts per 10 000 (zero stays zero, so sparse cells stay sparse).
    @inline(__always)
    package static func encoderInput(_ count: Float, library: Float) -> Float {
        log1pf(count * (countInputScale / library))
    }

    /// Each cell's library size (total count) after checking that every value is a count and
    /// every cell has counts: the one check of count-model input, in memory and streamed.
    /// - Throws: `VAExprsError.badData` naming `source`, the cell and the gene.
    package static func checkedLibrarySizes(
        _ counts: CellMatrix, source: String, cellID: (Int) -> String,
        geneName: (Int) -> String
    ) throws -> [Float] {
        try counts.forEachEntry { i, j, v in
            guard CountRange.contains(v) else {
                throw VAExprsError.badData(
                    """
                    \(source): cell '\(cellID(i))', gene '\(geneName(j))' is \(v), not a count (a whole number \
                    from 0 to 2³¹ − 1); the count likelihoods (nb, zinb, poisson) need raw counts: give the raw \
                    matrix, or use a continuous likelihood (\(parameter: "likelihood") censored_gaussian or \
                    gaussian, trained in memory)
                    """
                )
            }
        }
        let totals = counts.rowSums()
        if let empty = totals.firstIndex(of: 0) {
            throw VAExprsError.badData(
                """
                \(source): cell '\(cellID(empty))' has no counts in the model's genes (library size 0); remove it \
                (or select more genes)
                """
            )
        }
        return totals.map { Float($0) }
    }

    /// Applies the stored preprocessing to other cells (e.g. validation), with the training
    /// statistics (lognorm size factors relative to the training mean library size).
    package func transform(_ data: ExpressionMatrix, source: String) throws -> TrainingData {
        if modelsCounts { return try Preprocessing.countData(data, source: source) }
        guard data.geneCount == geneMinimum.count else {
            throw VAExprsError.badData("\(source): \(data.geneCount) genes, the training data has \(geneMinimum.count)")
        }
        var values = data.dense()
        if normalization == .lognorm {
            let libraries = try LogNormalization.librarySizes(data, source: source)
            LogNormalization.apply(&values, sizeFactors: LogNormalization.sizeFactors(libraries, mean: meanLibrarySize))
        }
        scale(&values)
        return TrainingData(input: values)
    }

    /// Maps scaled values back to the input's scale: clamps to the training range per gene,
    /// undoes min-max, then (lognorm) undoes the log with the given per-cell size factors.
    package func invert(_ scaled: Matrix, sizeFactors: [Float]?) -> Matrix {
        var out = scaled
        let g = out.columns
        for i in 0..<out.rows {
            for j in 0..<g {
                let v = min(max(out[i, j], 0), 1)
                out[i, j] = geneRange[j] == 0 ? geneMinimum[j] : geneMinimum[j] + v * geneRange[j]
            }
        }
        if normalization == .lognorm { LogNormalization.invert(&out, sizeFactors: sizeFactors) }
        return out
    }

    private func scale(_ values: inout Matrix) {
        let g = values.columns
        let inverse = geneRange.map { $0 > 0 ? 1 / $0 : 0 }
        for i in 0..<values.rows { for j in 0..<g { values[i, j] = (values[i, j] - geneMinimum[j]) * inverse[j] } }
    }
}
