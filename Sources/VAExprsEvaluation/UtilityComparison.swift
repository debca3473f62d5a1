import Foundation
import VAExprsCore
import VAExprsPreprocessing
import VAExprsReducers

/// One comparison of the augmentation-utility test: the same classifier trained on a reduced
/// real training set with and without added cells, scored on held-out real cells.
///
/// The classifier is fixed: values log-normalised as scater does when they are counts (size
/// factors relative to the real training cells' mean library size, so no added cell changes
/// the real cells' values), the 2 000 genes of largest variance and the first 30 principal
/// components of the real training cells, then a multinomial logistic regression (C = 1).
/// Every arm of a comparison sees the same features; SMOTE interpolates on those components.
package enum UtilityComparison {
    /// What the classifier is trained on, besides or instead of the real training cells.
    package enum Arm: String, CaseIterable, Codable, Sendable {
        /// The reduced real training cells alone.
        case real
        /// Plus the augmented classes' real cells drawn again with replacement.
        case duplicated
        /// Plus SMOTE interpolations between the augmented classes' real cells.
        case smote
        /// Plus the model's generated cells of the augmented classes.
        case generated
        /// The model's generated cells of every class alone (no real cell).
        case generatedOnly = "generated_only"

        /// How tables name it.
        package var title: String {
            switch self {
            case .real: "real"
            case .duplicated: "duplicated"
            case .smote: "SMOTE"
            case .generated: "generated"
            case .generatedOnly: "generated only"
            }
        }
    }

    /// Cells of one set: values (cells × genes, the input's scale) and class indices.
    package struct Cells: Sendable {
        /// Cells × genes.
        package var values: Matrix
        /// Each cell's class, 0..<classes.
        package var classes: [Int]

        /// A set from its parts.
        package init(values: Matrix, classes: [Int]) {
            precondition(values.rows == classes.count)
            self.values = values
            self.classes = classes
        }
    }

    /// The classifier's fixed settings.
    package struct Settings: Sendable {
        /// Log-normalise (the values are counts) or take them as given.
        package var logNormalize: Bool
        /// Genes of largest variance kept (0: all).
        package var genes = 2000
        /// Principal components of the real training cells.
        package var components = 30
        /// Nearest neighbours SMOTE interpolates towards.
        package var neighbours = 5

        /// Settings for counts (`logNormalize`) or other values.
        package init(logNormalize: Bool) { self.logNormalize = logNormalize }

        /// How reports state the classifier.
        package var statement: String {
            """
            \(logNormalize ? "scater log-normalisation (size factors over the real training cells' mean), " : "")\
            \(genes) genes of largest variance, \(components) PCs of the real training cells, multinomial \
            logistic regression (L2, C = 1); SMOTE with \(neighbours) neighbours on those PCs
            """
        }
    }

    /// Per class F1 (classes with held-out cells) and macro-F1 of one arm on the held-out cells.
    package struct Scores: Sendable {
        /// F1 of each class with held-out cells.
        package var f1: [Int: Double]
        /// Mean F1 over the classes held out or predicted.
        package var macroF1: Double
    }

    /// Trains each arm's classifier and scores it on `heldOut`.
    /// - Parameters:
    ///   - augmented: the classes that get added cells, and how many each (duplication, SMOTE).
    ///   - generated: the model's cells of the augmented classes (for `.generated`).
    ///   - generatedOnly: the model's cells of every class (for `.generatedOnly`).
    package static func run(
        training: Cells, heldOut: Cells, classes: Int, augmented: [(class: Int, count: Int)], generated: Cells?,
        generatedOnly: Cells?, arms: [Arm], settings: Settings, rng: inout SeededGenerator
    ) throws -> [Arm: Scores] {
        let features = try Features(training: training.values, settings: settings)
        let trainingScores = features.project(training.values), heldOutScores = features.project(heldOut.values)
        var results: [Arm: Scores] = [:]
        for arm in arms {
            var x = trainingScores, y = training.classes
            switch arm {
            case .real: break
            case .duplicated, .smote:
                for (k, count) in augmented {
                    let members = y.indices.filter { y[$0] == k }
                    guard !members.isEmpty, count > 0 else { continue }
                    let own = trainingScores.gatherRows(members)
                    let extra =
                        arm == .smote
                        ? MinorityInterpolation.interpolate(
                            own, count: count, neighbours: settings.neighbours, rng: &rng)
                        : own.gatherRows((0..<count).map { _ in Int(rng.next() % UInt64(members.count)) })
                    x = x.appendingRows(extra)
                    y += [Int](repeating: k, count: count)
                }
            case .generated:
                guard let generated else { continue }
                x = x.appendingRows(features.project(generated.values))
                y += generated.classes
            case .generatedOnly:
                guard let generatedOnly else { continue }
                x = features.project(generatedOnly.values)
                y = generatedOnly.classes
            }
            var classifier = MultinomialLogisticRegression()
            try classifier.fit(x, y, classes: classes)
            let predicted = classifier.predict(heldOutScores)
            let present = Set(heldOut.classes).sorted()
            results[arm] = Scores(
                f1: Dictionary(
                    uniqueKeysWithValues: present.map {
                        ($0, ClassificationScores.f1(predicted: predicted, truth: heldOut.classes, class: $0))
                    }),
                macroF1: ClassificationScores.macroF1(predicted: predicted, truth: heldOut.classes))
        }
        return results
    }

    /// The fixed feature map, fitted on the real training cells.
    struct Features {
        let settings: Settings
        let meanLibrary: Double
        let genes: [Int]
        let axes: PrincipalAxes

        init(training: Matrix, settings: Settings) throws {
            self.settings = settings
            let libraries = Self.libraries(training)
            meanLibrary = libraries.reduce(0, +) / Double(max(libraries.count, 1))
            let normalized = DoubleMatrix(Self.normalize(training, settings: settings, meanLibrary: meanLibrary))
            genes = GeneSelection.topVariance(normalized, count: settings.genes)
            axes = try PrincipalAxes(
                fitting: normalized.gatherColumns(genes),
                components: min(settings.components, max(1, training.rows - 1)))
        }

        static func libraries(_ m: Matrix) -> [Double] {
            (0..<m.rows).map { i in (0..<m.columns).reduce(0.0) { $0 + Double(max(0, m[i, $1])) } }
        }

        static func normalize(_ values: Matrix, settings: Settings, meanLibrary: Double) -> Matrix {
            guard settings.logNormalize else { return values }
            var normalized = values
            LogNormalization.apply(
                &normalized, sizeFactors: LogNormalization.sizeFactors(libraries(values), mean: meanLibrary))
            return normalized
        }

        func project(_ values: Matrix) -> DoubleMatrix {
            axes.project(
                DoubleMatrix(Self.normalize(values, settings: settings, meanLibrary: meanLibrary)).gatherColumns(genes))
        }
    }
}
