import Foundation
import VAExprsCore
import VAExprsReducers

/// Every number `vaexprs evaluate` reports; JSON keys are the snake_case names scripts read.
public struct RealismReport: Codable, Sendable, Equatable {
    public var rfAUC: Double
    public var lrAUC: Double
    public var rfAUCFloor: Double
    public var lrAUCFloor: Double
    /// The same AUCs on principal components of real and generated cells pooled.
    public var rfAUCPooled: Double
    public var lrAUCPooled: Double
    /// Random-forest AUC of the real cells the PCs were fitted on against held-out real cells:
    /// what projecting new cells onto fitted PCs costs by itself (why the headline AUCs
    /// compare held-out real cells with generated ones).
    public var rfAUCFittedVsHeldOut: Double
    public var mmd2: Double
    public var mmd2PValue: Double
    public var mmd2Floor: Double
    public var mmdBandwidth: Double
    public var geneMeanR: Double
    public var geneVarR: Double
    public var zeroFractionR: Double
    public var labelAccuracy: Double?
    public var perLabelRFAUC: [String: Double]?
    public var realCells: Int
    public var generatedCells: Int
    public var genes: Int
    public var components: Int
    /// Real cells the PCs were fitted on (the others are compared with the generated cells).
    public var referenceCells: Int
    public var logNormalized: Bool
    public var seed: UInt64

    enum CodingKeys: String, CodingKey {
        case rfAUC = "rf_auc", lrAUC = "lr_auc", rfAUCFloor = "rf_auc_floor", lrAUCFloor = "lr_auc_floor"
        case rfAUCPooled = "rf_auc_pooled", lrAUCPooled = "lr_auc_pooled", rfAUCFittedVsHeldOut = "rf_auc_fitted_vs_held_out"
        case mmd2, mmd2PValue = "mmd2_p_value", mmd2Floor = "mmd2_floor", mmdBandwidth = "mmd_bandwidth"
        case geneMeanR = "gene_mean_r", geneVarR = "gene_var_r", zeroFractionR = "zero_fraction_r"
        case labelAccuracy = "label_accuracy", perLabelRFAUC = "per_label_rf_auc"
        case realCells = "real_cells", generatedCells = "generated_cells", genes, components, referenceCells = "reference_cells"
        case logNormalized = "log_normalized", seed
    }
}

/// How real are generated cells? The field's realism metrics (scGAN, ACTIVA, scDesign):
/// classifier two-sample AUCs with a real-vs-real floor, MMD² with a permutation p-value and
/// floor, per-gene statistic correlations, and label recovery. Classifiers and MMD work on the
/// top principal components of the real cells, fitted on a random half of them; the other half
/// is what the generated cells are compared with (see `rf_auc_fitted_vs_held_out` for why).
public enum RealismEvaluation {
    /// Settings (the defaults are the report's).
    public struct Options: Sendable {
        /// The data are already log-scale: skip normalisation.
        public var alreadyLog = false
        public var seed: UInt64 = 1
        /// Highly variable genes kept (by variance of the real cells' log expression).
        public var topGenes = 2000
        /// Principal components of the real cells the classifiers and MMD see.
        public var components = 50
        public var folds = 5
        public var trees = 100
        public var permutations = 200
        public init() {}
    }

    /// What the report's figures draw besides the numbers.
    public struct Details: Sendable {
        /// Real and generated cells on the real cells' first two PCs.
        public var realPCs: DoubleMatrix
        public var generatedPCs: DoubleMatrix
        /// Per-gene means and variances (log scale) of real and generated cells.
        public var realMeans: [Double], generatedMeans: [Double]
        public var realVariances: [Double], generatedVariances: [Double]
        /// The real-vs-generated classifier design: rows (0 = real comparison cell, 1 = generated), index
        /// (into the comparison cells or the generated cells), fold.
        public var design: [(set: Int, index: Int, fold: Int)]
        /// Original indices of the comparison cells among the real cells.
        public var comparisonCells: [Int]
        /// All PC coordinates the classifiers saw (real comparison cells, generated).
        public var realScores: DoubleMatrix
        public var generatedScores: DoubleMatrix
    }

    /// Library size scaled to 10 000, then log1p (scanpy's normalize_total + log1p).
    public static func logNormalize(_ m: Matrix) -> DoubleMatrix {
        var out = DoubleMatrix(m)
        for i in 0..<m.rows {
            var total = 0.0
            for j in 0..<m.columns { total += out[i, j] }
            let scale = total > 0 ? 10_000 / total : 0
            for j in 0..<m.columns { out[i, j] = log1p(max(out[i, j], 0) * scale) }
        }
        return out
    }

    /// Evaluates `generated` against `real` (same genes, same order).
    public static func evaluate(real: ExpressionMatrix, generated: ExpressionMatrix, realLabels: [String]? = nil,
                                generatedLabels: [String]? = nil, options: Options = Options()) throws -> (report: RealismReport, details: Details) {
        guard real.geneNames == generated.geneNames else { throw VAExprsError.badData("evaluate: real and generated cells must have the same genes in the same order") }
        guard real.cellIDs.count >= 10, generated.cellIDs.count >= 10 else {
            throw VAExprsError.badData("evaluate: needs at least 10 real and 10 generated cells, got \(real.cellIDs.count) and \(generated.cellIDs.count)")
        }
        let realValues = real.dense(), generatedValues = generated.dense()
        if !options.alreadyLog, let bad = (realValues.storage + generatedValues.storage).first(where: { $0 < 0 }) {
            throw VAExprsError.badData("evaluate: a value is negative (\(bad)); counts are log-normalised here, so give --already-log for logged or centred data")
        }
        var rng = SeededGenerator(seed: options.seed)
        var x = options.alreadyLog ? DoubleMatrix(realValues) : logNormalize(realValues)
        var y = options.alreadyLog ? DoubleMatrix(generatedValues) : logNormalize(generatedValues)
        let genes = FeatureSelection.topVariance(x, count: options.topGenes)
        if genes.count < x.columns {
            x = DoubleMatrix(rows: x.rows, columns: genes.count, storage: (0..<x.rows).flatMap { i in genes.map { x[i, $0] } })
            y = DoubleMatrix(rows: y.rows, columns: genes.count, storage: (0..<y.rows).flatMap { i in genes.map { y[i, $0] } })
        }
        // Gene statistics.
        func columnStats(_ m: DoubleMatrix) -> (mean: [Double], variance: [Double], zeros: [Double]) {
            var mean = [Double](repeating: 0, count: m.columns), variance = mean, zeros = mean
            for j in 0..<m.columns {
                for i in 0..<m.rows { mean[j] += m[i, j]; if m[i, j] == 0 { zeros[j] += 1 } }
                mean[j] /= Double(m.rows)
                zeros[j] /= Double(m.rows)
                for i in 0..<m.rows { variance[j] += (m[i, j] - mean[j]) * (m[i, j] - mean[j]) }
                variance[j] /= Double(max(m.rows - 1, 1))
            }
            return (mean, variance, zeros)
        }
        let rs = columnStats(x), gs = columnStats(y)
        // Principal components of the real cells, fitted on a random half of them (the
        // reference); the other half (the comparison cells) and the generated cells are both
        // projected onto them, so neither side enjoys the in-sample inflation of fitted scores
        // (which alone lets a random forest tell held-out real cells from fitted ones).
        var order = Array(0..<x.rows)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        let half = order.count / 2
        func rows(_ m: DoubleMatrix, _ idx: ArraySlice<Int>) -> DoubleMatrix {
            DoubleMatrix(rows: idx.count, columns: m.columns, storage: idx.flatMap { i in (0..<m.columns).map { m[i, $0] } })
        }
        let referenceIndex = Array(order[..<half]).sorted(), comparisonIndex = Array(order[half...]).sorted()
        let axes = try PrincipalAxes(fitting: rows(x, referenceIndex[...]), components: options.components)
        let realScores = axes.project(x), generatedScores = axes.project(y)
        let comparison = rows(realScores, comparisonIndex[...])
        let main = try ClassifierTwoSampleTest.run(comparison, generatedScores, folds: options.folds, trees: options.trees, rng: &rng)
        let mmd = MaximumMeanDiscrepancy.test(comparison, generatedScores, permutations: options.permutations, rng: &rng)
        // Floors: the comparison cells split at random in two, through the same pipeline.
        var split = Array(0..<comparisonIndex.count)
        for i in stride(from: split.count - 1, to: 0, by: -1) { split.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        let quarter = split.count / 2
        let firstHalf = rows(comparison, split[..<quarter]), secondHalf = rows(comparison, split[quarter...])
        let floorFolds = min(options.folds, max(2, quarter / 2))
        let floor = try ClassifierTwoSampleTest.run(firstHalf, secondHalf, folds: floorFolds, trees: options.trees, rng: &rng)
        let mmdFloor = MaximumMeanDiscrepancy.test(firstHalf, secondHalf, permutations: 0, rng: &rng)
        // Pooled PCs (all real and generated cells treated alike).
        let pooledData = DoubleMatrix(rows: x.rows + y.rows, columns: x.columns, storage: x.storage + y.storage)
        let pooledAxes = try PrincipalAxes(fitting: pooledData, components: options.components)
        let pooled = try ClassifierTwoSampleTest.run(pooledAxes.project(x), pooledAxes.project(y), folds: options.folds, trees: options.trees, rng: &rng)
        // What the projection alone costs: the reference cells (fitted) against the comparison cells (held out).
        let bias = try ClassifierTwoSampleTest.run(rows(realScores, referenceIndex[...]), comparison, folds: options.folds,
                                                   trees: options.trees, rng: &rng)
        // Labels: a forest trained on the comparison cells (projected like the generated ones).
        var labelAccuracy: Double?, perLabel: [String: Double]?
        if let realLabels, let generatedLabels {
            let comparisonLabels = comparisonIndex.map { realLabels[$0] }
            let classes = Array(Set(comparisonLabels)).sorted()
            let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
            var forest = RandomForest(trees: options.trees)
            forest.fit(comparison, comparisonLabels.map { index[$0]! }, classes: classes.count, rng: &rng)
            let predicted = forest.probabilities(generatedScores).map { p in classes[p.indices.max { p[$0] < p[$1] }!] }
            labelAccuracy = Double(zip(predicted, generatedLabels).filter { $0 == $1 }.count) / Double(generatedLabels.count)
            var aucs: [String: Double] = [:]
            for label in Array(Set(realLabels)).sorted() {
                let a = comparisonLabels.indices.filter { comparisonLabels[$0] == label }, b = generatedLabels.indices.filter { generatedLabels[$0] == label }
                guard a.count >= 10, b.count >= 10 else { continue }
                let result = try ClassifierTwoSampleTest.run(rows(comparison, a[...]), rows(generatedScores, b[...]), folds: options.folds,
                                                             trees: options.trees, rng: &rng)
                aucs[label] = result.randomForestAUC
            }
            perLabel = aucs
        }
        let report = RealismReport(
            rfAUC: main.randomForestAUC, lrAUC: main.logisticRegressionAUC, rfAUCFloor: floor.randomForestAUC, lrAUCFloor: floor.logisticRegressionAUC,
            rfAUCPooled: pooled.randomForestAUC, lrAUCPooled: pooled.logisticRegressionAUC, rfAUCFittedVsHeldOut: bias.randomForestAUC,
            mmd2: mmd.mmd2, mmd2PValue: mmd.pValue, mmd2Floor: mmdFloor.mmd2, mmdBandwidth: mmd.bandwidth,
            geneMeanR: pearson(rs.mean, gs.mean), geneVarR: pearson(rs.variance, gs.variance), zeroFractionR: pearson(rs.zeros, gs.zeros),
            labelAccuracy: labelAccuracy, perLabelRFAUC: perLabel, realCells: x.rows, generatedCells: y.rows, genes: genes.count,
            components: axes.axes.rows, referenceCells: referenceIndex.count, logNormalized: !options.alreadyLog, seed: options.seed)
        func firstTwo(_ m: DoubleMatrix) -> DoubleMatrix {
            DoubleMatrix(rows: m.rows, columns: 2, storage: (0..<m.rows).flatMap { i in [m[i, 0], m.columns > 1 ? m[i, 1] : 0] })
        }
        let details = Details(realPCs: firstTwo(comparison), generatedPCs: firstTwo(generatedScores), realMeans: rs.mean, generatedMeans: gs.mean,
                              realVariances: rs.variance, generatedVariances: gs.variance, design: main.rows,
                              comparisonCells: comparisonIndex, realScores: comparison, generatedScores: generatedScores)
        return (report, details)
    }
}
