import Foundation

/// Every number of a utility test (written as JSON; arms are keyed by
/// `UtilityComparison.Arm`'s raw values).
package struct UtilityReport: Codable, Sendable {
    /// A figure over repeats.
    package struct Score: Codable, Sendable {
        /// Mean over repeats.
        package var mean: Double
        /// Sample standard deviation over repeats (0 for one repeat).
        package var sd: Double
        /// Each repeat's value.
        package var runs: [Double]

        /// The summary of `runs` (NaN runs, e.g. a label absent from a split, left out).
        package init(_ runs: [Double]) {
            let valid = runs.filter { !$0.isNaN }
            self.runs = runs
            mean = valid.isEmpty ? .nan : valid.reduce(0, +) / Double(valid.count)
            let m = mean
            sd =
                valid.count > 1
                ? (valid.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(valid.count - 1)).squareRoot() : 0
        }
    }

    /// One label reduced to `kept` training cells (the per-label design).
    package struct ReducedLabel: Codable, Sendable {
        /// The label.
        package var label: String
        /// Its training cells before the reduction (the same in every repeat).
        package var trainingCells: Int
        /// Its held-out cells (the same number in every repeat).
        package var heldOutCells: Int
        /// Held-out F1 of this label, per arm.
        package var f1: [String: Score]
        /// Held-out macro-F1 over all labels, per arm.
        package var macroF1: [String: Score]
        /// Held-out F1 of this label with every training cell (the ceiling).
        package var ceilingF1: Score
    }

    /// Every label capped at `kept` training cells at once.
    package struct Capped: Codable, Sendable {
        /// Held-out F1 per label, per arm.
        package var f1: [String: [String: Score]]
        /// Held-out macro-F1, per arm.
        package var macroF1: [String: Score]
    }

    /// A label left out of the per-label design, and why.
    package struct Skipped: Codable, Sendable {
        /// The label.
        package var label: String
        /// Why.
        package var reason: String
    }

    /// Training cells a reduced label keeps.
    package var kept: Int
    /// Cells added to each reduced label.
    package var added: Int
    /// Repeats.
    package var repeats: Int
    /// Fraction of each label held out.
    package var heldOutFraction: Double
    /// Seed.
    package var seed: UInt64
    /// The arms, in report order.
    package var arms: [String]
    /// The classifier, stated.
    package var classifier: String
    /// The fit's likelihood and setup, as the first fit chose them.
    package var model: String
    /// Models fitted, and the seconds the whole test took.
    package var fits: Int
    /// Seconds the whole test took.
    package var seconds: Double
    /// The per-label design (nil: not run).
    package var perLabel: [ReducedLabel]?
    /// Per arm, the mean over reduced labels of their F1 (per repeat, then mean ± sd).
    package var perLabelMeanF1: [String: Score]?
    /// Per arm, the mean over reduced labels of the macro-F1.
    package var perLabelMeanMacroF1: [String: Score]?
    /// The mean over reduced labels of their F1 with every training cell (per repeat, then mean ± sd).
    package var perLabelMeanCeilingF1: Score?
    /// The capped design (nil: not run).
    package var capped: Capped?
    /// Macro-F1 and per-label F1 of the classifier trained on every training cell (the ceiling).
    package var ceilingMacroF1: Score
    /// Per label, F1 of the classifier trained on every training cell.
    package var ceilingF1: [String: Score]
    /// Labels left out of the per-label design.
    package var skipped: [Skipped]
}
