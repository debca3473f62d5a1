import Foundation
import VAExprsCore
import VAExprsPreprocessing
import VAExprsReducers

/// Every number `vaexprs evaluate` reports; JSON keys are the snake_case names scripts read.
public struct RealismReport: Codable, Sendable, Equatable {
    /// Random-forest ROC AUC of generated against held-out real cells: the mean over `repeats`
    /// runs of the cross-validated design, each with its own balanced subsample, folds and
    /// forest seed (0.5 = indistinguishable).
    public var rfAUC: Double
    /// The same for a logistic regression.
    public var lrAUC: Double
    /// The standard deviation of `rfAUC` over the runs.
    public var rfAUCSD: Double
    /// The standard deviation of `lrAUC` over the runs.
    public var lrAUCSD: Double
    /// `rfAUC` for two random halves of the compared real cells (a new halving per run): the floor.
    public var rfAUCFloor: Double
    /// `lrAUC`'s floor.
    public var lrAUCFloor: Double
    /// The standard deviation of `rfAUCFloor`.
    public var rfAUCFloorSD: Double
    /// The standard deviation of `lrAUCFloor`.
    public var lrAUCFloorSD: Double
    /// Runs behind each AUC and floor.
    public var repeats: Int
    /// `rfAUC` on principal components of real and generated cells pooled.
    public var rfAUCPooled: Double
    /// `lrAUC` on the pooled principal components.
    public var lrAUCPooled: Double
    /// Random-forest AUC of the real cells the PCs were fitted on against held-out real cells:
    /// what projecting new cells onto fitted PCs costs by itself (why the headline AUCs
    /// compare held-out real cells with generated ones).
    public var rfAUCFittedVsHeldOut: Double
    /// Squared maximum mean discrepancy (Gaussian kernel) between generated and held-out real cells on the PCs.
    public var mmd2: Double
    /// Its permutation p-value.
    public var mmd2PValue: Double
    /// `mmd2` between the two halves of the real cells: the floor.
    public var mmd2Floor: Double
    /// The kernel's bandwidth (the median pairwise distance).
    public var mmdBandwidth: Double
    /// Pearson correlation of per-gene means, real against generated.
    public var geneMeanR: Double
    /// Pearson correlation of per-gene variances.
    public var geneVarR: Double
    /// Pearson correlation of per-gene fractions of zeros.
    public var zeroFractionR: Double
    /// Least-squares slopes of generated on real per-gene means and variances (1 = unbiased;
    /// above 1: generated genes spread wider than real ones).
    public var geneMeanSlope: Double
    /// The slope for per-gene variances.
    public var geneVarSlope: Double
    /// Fraction of zero values over all genes of the real cells (raw values).
    public var zeroFractionReal: Double
    /// The same for the generated cells.
    public var zeroFractionGenerated: Double
    /// Median cell total over all genes (library size for counts) of the real cells.
    public var medianTotalReal: Double
    /// The same for the generated cells.
    public var medianTotalGenerated: Double
    /// Memorisation: median distance (on the PCs) of a generated cell to its nearest training
    /// cell over the same for a real cell the model never trained on; near 1 = no copying,
    /// well below = generated cells sit on training cells. nil without training cells (or
    /// without real cells outside them).
    public var copyRatio: Double?
    /// The median nearest-training-cell distance of generated cells (`copyRatio`'s numerator).
    public var nearestTrainingGenerated: Double?
    /// The same for unseen real cells (its denominator).
    public var nearestTrainingReal: Double?
    /// Training cells used for `copyRatio`.
    public var trainingCells: Int?
    /// Unseen real cells used for `copyRatio`.
    public var heldOutRealCells: Int?
    /// The control: a generated cell's nearest-neighbour distance to training cells over that
    /// to unseen real cells, both sets cut to the same size. Copies sit near training cells
    /// only (well below 1); cells that are merely less varied than real ones sit as near
    /// unseen real cells (about 1).
    public var trainingOverUnseen: Double?
    /// The fraction of generated cells whose label a forest trained on the compared real cells' labels predicts (nil
    /// without labels).
    public var labelAccuracy: Double?
    /// `rfAUC` within each label with at least 10 cells on each side (nil without labels).
    public var perLabelRFAUC: [String: Double]?
    /// Real cells compared.
    public var realCells: Int
    /// Generated cells compared.
    public var generatedCells: Int
    /// Genes compared.
    public var genes: Int
    /// Principal components the classifiers and MMD work on.
    public var components: Int
    /// Real cells the PCs were fitted on (the others are compared with the generated cells).
    public var referenceCells: Int
    /// True when the cells were log-normalised before comparing.
    public var logNormalized: Bool
    /// How the cells were normalised and why (`Normalization`).
    public var normalization: String
    /// The seed of subsampling, folds, forests and permutations.
    public var seed: UInt64

    /// Copy ratios below this are flagged as memorisation.
    public static let copyRatioFlag = 0.8

    /// True when generated cells sit markedly closer to training cells than unseen real cells
    /// do, and closer to training cells than to unseen real ones (the control).
    public var memorises: Bool {
        (copyRatio ?? 1) < Self.copyRatioFlag && (trainingOverUnseen ?? 1) < Self.copyRatioFlag
    }

    enum CodingKeys: String, CodingKey {
        case rfAUC = "rf_auc", lrAUC = "lr_auc", rfAUCFloor = "rf_auc_floor", lrAUCFloor = "lr_auc_floor"
        case rfAUCSD = "rf_auc_sd", lrAUCSD = "lr_auc_sd", rfAUCFloorSD = "rf_auc_floor_sd", lrAUCFloorSD =
            "lr_auc_floor_sd", repeats
        case geneMeanSlope = "gene_mean_slope", geneVarSlope = "gene_var_slope"
        case zeroFractionReal = "zero_fraction_real", zeroFractionGenerated = "zero_fraction_generated"
        case medianTotalReal = "median_total_real", medianTotalGenerated = "median_total_generated"
        case copyRatio = "copy_ratio", nearestTrainingGenerated = "nearest_training_generated", nearestTrainingReal =
            "nearest_training_real"
        case trainingCells = "training_cells", heldOutRealCells = "held_out_real_cells", normalization
        case trainingOverUnseen = "training_over_unseen"
        case rfAUCPooled = "rf_auc_pooled", lrAUCPooled = "lr_auc_pooled", rfAUCFittedVsHeldOut =
            "rf_auc_fitted_vs_held_out"
        case mmd2, mmd2PValue = "mmd2_p_value", mmd2Floor = "mmd2_floor", mmdBandwidth = "mmd_bandwidth"
        case geneMeanR = "gene_mean_r", geneVarR = "gene_var_r", zeroFractionR = "zero_fraction_r"
        case labelAccuracy = "label_accuracy", perLabelRFAUC = "per_label_rf_auc"
        case realCells = "real_cells", generatedCells = "generated_cells", genes, components, referenceCells =
            "reference_cells"
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
        /// Whether to log-normalise (library size scaled to 10 000, log1p) first.
        public var normalization: Normalization = .auto
        /// Seed of subsampling, folds, forests and permutations.
        public var seed: UInt64 = 1
        /// Runs of each classifier design (and of the floor), reported as mean ± sd.
        public var repeats = 5
        /// Genes kept: the most variable of the real cells' (normalised) expression; 0 keeps every gene.
        public var topGenes = 2000
        /// Principal components of the real cells the classifiers and MMD see.
        public var components = 50
        /// Cross-validation folds of each classifier design.
        public var folds = 5
        /// Trees of each random forest.
        public var trees = 100
        /// Permutations of the MMD test.
        public var permutations = 200
        /// The report's defaults.
        public init() {}
    }

    /// What the report's figures draw besides the numbers.
    package struct Details: Sendable {
        /// Real and generated cells on the real cells' first two PCs.
        package var realPCs: DoubleMatrix
        /// The generated cells on the same PCs.
        package var generatedPCs: DoubleMatrix
        /// Per-gene means and variances (log scale) of real and generated cells.
        package var realMeans: [Double], generatedMeans: [Double]
        /// Per-gene variances (log scale) of real and generated cells.
        package var realVariances: [Double], generatedVariances: [Double]
        /// The real-vs-generated classifier design: rows (0 = real comparison cell, 1 = generated), index
        /// (into the comparison cells or the generated cells), fold.
        package var design: [(set: Int, index: Int, fold: Int)]
        /// Original indices of the comparison cells among the real cells.
        package var comparisonCells: [Int]
        /// All PC coordinates the classifiers saw (real comparison cells, generated).
        package var realScores: DoubleMatrix
        /// The generated cells' PC coordinates the classifiers saw.
        package var generatedScores: DoubleMatrix
    }

    /// Evaluates `generated` against `real` (same genes, same order). With the model's
    /// `training` cells (same genes), also whether generated cells copy them: real cells whose
    /// ids are among the training cells' are left out of that comparison, which needs real
    /// cells the model never saw.
    package static func evaluate(
        real: ExpressionMatrix, generated: ExpressionMatrix, realLabels: [String]? = nil,
        generatedLabels: [String]? = nil, training: ExpressionMatrix? = nil,
        options: Options = Options()
    ) throws -> (report: RealismReport, details: Details) {
        guard real.geneNames == generated.geneNames else {
            throw VAExprsError.badData("evaluate: real and generated cells must have the same genes in the same order")
        }
        if let training, training.geneNames != real.geneNames {
            throw VAExprsError.badData("evaluate: the training cells must have the real cells' genes in the same order")
        }
        guard real.cellIDs.count >= 10, generated.cellIDs.count >= 10 else {
            throw VAExprsError.badData(
                """
                evaluate: needs at least 10 real and 10 generated cells, got \(real.cellIDs.count) and \
                \(generated.cellIDs.count)
                """
            )
        }
        guard options.topGenes >= 0 else {
            throw VAExprsError.usage(
                "evaluate: \(parameter: "topGenes") must be ≥ 0 (0 keeps every gene), got \(options.topGenes)")
        }
        guard options.repeats >= 1 else {
            throw VAExprsError.usage("evaluate: repeats must be at least 1, got \(options.repeats)")
        }
        let realValues = real.dense(), generatedValues = generated.dense(), trainingValues = training?.dense()
        let logNormalized = options.normalization.logNormalizes(real: real)
        if logNormalized,
            let bad = (realValues.storage + generatedValues.storage + (trainingValues?.storage ?? [])).first(where: {
                $0 < 0
            })
        {
            throw VAExprsError.badData(
                """
                evaluate: a value is negative (\(bad)), so the cells cannot be log-normalised; compare the values \
                as given (normalization none)
                """
            )
        }
        var rng = SeededGenerator(seed: options.seed)
        // One depth for every cell compared (size factors over all of them together).
        let parts = [realValues, generatedValues] + (trainingValues.map { [$0] } ?? [])
        let normalized = (logNormalized ? LogNormalization.normalizedTogether(parts) : parts).map(DoubleMatrix.init)
        var x = normalized[0], y = normalized[1]
        var t = trainingValues == nil ? nil : normalized[2]
        let genes = GeneSelection.topVariance(x, count: options.topGenes)
        if genes.count < x.columns {
            x = x.gatherColumns(genes)
            y = y.gatherColumns(genes)
            t = t.map { $0.gatherColumns(genes) }
        }
        // Gene statistics.
        func columnStats(_ m: DoubleMatrix) -> (mean: [Double], variance: [Double], zeros: [Double]) {
            let mean = m.columnMeans()
            return (mean, m.columnVariances(means: mean), m.columnZeroFractions())
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
            DoubleMatrix(
                rows: idx.count, columns: m.columns, storage: idx.flatMap { i in (0..<m.columns).map { m[i, $0] } })
        }
        let referenceIndex = Array(order[..<half]).sorted(), comparisonIndex = Array(order[half...]).sorted()
        let axes = try PrincipalAxes(fitting: rows(x, referenceIndex[...]), components: options.components)
        let realScores = axes.project(x), generatedScores = axes.project(y)
        let comparison = rows(realScores, comparisonIndex[...])
        var mainRuns: [ClassifierTwoSampleTest.Result] = []
        for _ in 0..<options.repeats {
            mainRuns.append(
                try ClassifierTwoSampleTest.run(
                    comparison, generatedScores, folds: options.folds, trees: options.trees, rng: &rng))
        }
        let mmd = MaximumMeanDiscrepancy.test(
            comparison, generatedScores, permutations: options.permutations, rng: &rng)
        // Floors: the comparison cells split at random in two, through the same pipeline (a
        // new halving per run).
        var floorRuns: [ClassifierTwoSampleTest.Result] = []
        var firstHalf = comparison, secondHalf = comparison
        for _ in 0..<options.repeats {
            var split = Array(0..<comparisonIndex.count)
            for i in stride(from: split.count - 1, to: 0, by: -1) { split.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
            let quarter = split.count / 2
            firstHalf = rows(comparison, split[..<quarter])
            secondHalf = rows(comparison, split[quarter...])
            let floorFolds = min(options.folds, max(2, quarter / 2))
            floorRuns.append(
                try ClassifierTwoSampleTest.run(
                    firstHalf, secondHalf, folds: floorFolds, trees: options.trees, rng: &rng))
        }
        let mmdFloor = MaximumMeanDiscrepancy.test(firstHalf, secondHalf, permutations: 0, rng: &rng)
        // Memorisation: nearest training cell of generated cells and of unseen real cells, on
        // PCs fitted on the three sets pooled, so that every cell is scored alike (projected
        // cells would sit closer together than fitted ones).
        var copies: (ratio: Double, generated: Double, real: Double, training: Int, heldOut: Int, control: Double)? =
            nil
        if let t, let training {
            let trainingIDs = Set(training.cellIDs)
            let unseen = real.cellIDs.indices.filter { !trainingIDs.contains(real.cellIDs[$0]) }
            if !unseen.isEmpty, t.rows > 0 {
                let unseenValues = rows(x, unseen[...])
                let all = DoubleMatrix(
                    rows: t.rows + unseenValues.rows + y.rows, columns: x.columns,
                    storage: t.storage + unseenValues.storage + y.storage)
                let memoryAxes = try PrincipalAxes(fitting: all, components: options.components)
                let trainingScores = memoryAxes.project(t), unseenScores = memoryAxes.project(unseenValues)
                let generatedAxisScores = memoryAxes.project(y)
                let queries = NearestTraining.sample(generatedAxisScores.rows, rng: &rng)
                let generatedDistance = NearestTraining.medianDistance(
                    generatedAxisScores, to: trainingScores, at: queries)
                let realDistance = NearestTraining.medianDistance(
                    unseenScores, to: trainingScores, at: NearestTraining.sample(unseenScores.rows, rng: &rng))
                // The control: generated cells against equal numbers of training and unseen cells.
                let size = min(trainingScores.rows, unseenScores.rows)
                let toTraining = NearestTraining.medianDistance(
                    generatedAxisScores, to: rows(trainingScores, rng.choose(size, of: trainingScores.rows)[...]),
                    at: queries)
                let toUnseen = NearestTraining.medianDistance(
                    generatedAxisScores, to: rows(unseenScores, rng.choose(size, of: unseenScores.rows)[...]),
                    at: queries)
                copies = (
                    realDistance > 0 ? generatedDistance / realDistance : .infinity, generatedDistance, realDistance,
                    t.rows, unseen.count,
                    toUnseen > 0 ? toTraining / toUnseen : .infinity
                )
            }
        }
        // Pooled PCs (all real and generated cells treated alike).
        let pooledData = DoubleMatrix(rows: x.rows + y.rows, columns: x.columns, storage: x.storage + y.storage)
        let pooledAxes = try PrincipalAxes(fitting: pooledData, components: options.components)
        let pooled = try ClassifierTwoSampleTest.run(
            pooledAxes.project(x), pooledAxes.project(y), folds: options.folds, trees: options.trees, rng: &rng)
        // What the projection alone costs: the reference cells (fitted) against the comparison cells (held out).
        let bias = try ClassifierTwoSampleTest.run(
            rows(realScores, referenceIndex[...]), comparison, folds: options.folds,
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
            labelAccuracy =
                Double(zip(predicted, generatedLabels).filter { $0 == $1 }.count) / Double(generatedLabels.count)
            var aucs: [String: Double] = [:]
            for label in Array(Set(realLabels)).sorted() {
                let a = comparisonLabels.indices.filter { comparisonLabels[$0] == label },
                    b = generatedLabels.indices.filter { generatedLabels[$0] == label }
                guard a.count >= 10, b.count >= 10 else { continue }
                let result = try ClassifierTwoSampleTest.run(
                    rows(comparison, a[...]), rows(generatedScores, b[...]), folds: options.folds,
                    trees: options.trees, rng: &rng)
                aucs[label] = result.randomForestAUC
            }
            perLabel = aucs
        }
        let raw = (real: CellTotals(realValues), generated: CellTotals(generatedValues))
        let rf = MeanAndSD(mainRuns.map(\.randomForestAUC)), lr = MeanAndSD(mainRuns.map(\.logisticRegressionAUC))
        let rfFloor = MeanAndSD(floorRuns.map(\.randomForestAUC)),
            lrFloor = MeanAndSD(floorRuns.map(\.logisticRegressionAUC))
        let report = RealismReport(
            rfAUC: rf.mean, lrAUC: lr.mean, rfAUCSD: rf.sd, lrAUCSD: lr.sd,
            rfAUCFloor: rfFloor.mean, lrAUCFloor: lrFloor.mean, rfAUCFloorSD: rfFloor.sd, lrAUCFloorSD: lrFloor.sd,
            repeats: options.repeats,
            rfAUCPooled: pooled.randomForestAUC, lrAUCPooled: pooled.logisticRegressionAUC,
            rfAUCFittedVsHeldOut: bias.randomForestAUC,
            mmd2: mmd.mmd2, mmd2PValue: mmd.pValue, mmd2Floor: mmdFloor.mmd2, mmdBandwidth: mmd.bandwidth,
            geneMeanR: pearson(rs.mean, gs.mean), geneVarR: pearson(rs.variance, gs.variance),
            zeroFractionR: pearson(rs.zeros, gs.zeros),
            geneMeanSlope: slope(rs.mean, gs.mean), geneVarSlope: slope(rs.variance, gs.variance),
            zeroFractionReal: raw.real.zeroFraction, zeroFractionGenerated: raw.generated.zeroFraction,
            medianTotalReal: raw.real.median, medianTotalGenerated: raw.generated.median,
            copyRatio: copies?.ratio, nearestTrainingGenerated: copies?.generated, nearestTrainingReal: copies?.real,
            trainingCells: copies?.training, heldOutRealCells: copies?.heldOut, trainingOverUnseen: copies?.control,
            labelAccuracy: labelAccuracy, perLabelRFAUC: perLabel, realCells: x.rows, generatedCells: y.rows,
            genes: genes.count,
            components: axes.axes.rows, referenceCells: referenceIndex.count, logNormalized: logNormalized,
            normalization: options.normalization.statement(
                logNormalized: logNormalized,
                method: LogNormalization.statement + ", over the cells compared together"),
            seed: options.seed)
        func firstTwo(_ m: DoubleMatrix) -> DoubleMatrix {
            DoubleMatrix(
                rows: m.rows, columns: 2, storage: (0..<m.rows).flatMap { i in [m[i, 0], m.columns > 1 ? m[i, 1] : 0] })
        }
        let details = Details(
            realPCs: firstTwo(comparison), generatedPCs: firstTwo(generatedScores), realMeans: rs.mean,
            generatedMeans: gs.mean,
            realVariances: rs.variance, generatedVariances: gs.variance, design: mainRuns[0].rows,
            comparisonCells: comparisonIndex, realScores: comparison, generatedScores: generatedScores)
        return (report, details)
    }
}
