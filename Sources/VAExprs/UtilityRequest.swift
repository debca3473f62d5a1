import Foundation

/// Which reduced training sets the utility test augments.
public enum UtilityDesign: String, CaseIterable, Sendable, Codable {
    /// Each label in turn keeps only `kept` training cells; the others keep all of theirs.
    case perLabel = "per-label"
    /// Every label keeps at most `kept` training cells at once.
    case capped
}

/// `utility` as one library call: does augmenting a few real cells with generated ones help a
/// classifier recognise cells nobody trained on? The labelled cells are split into training and
/// held-out parts (stratified, seeded); each design reduces the training part, fits a model
/// with `fit`'s options on what is left, adds generated cells (or duplicated or SMOTE ones) and
/// scores a fixed classifier on the held-out cells.
public struct UtilityRequest {
    /// The labelled cells and every fit option (cells in a file or a matrix; one label column;
    /// a validation fraction is applied within each reduced set, stratified, never to a reduced
    /// label's cells).
    public var fit: FitRequest
    /// Training cells a reduced label keeps.
    public var kept = 5
    /// Cells added to each reduced label (generated, duplicated or interpolated).
    public var added = 50
    /// The designs run (the per-label design first when both are given).
    public var designs: [UtilityDesign] = [.perLabel, .capped]
    /// Fraction of each label's cells held out for scoring, in (0, 1).
    public var heldOutFraction = 0.5
    /// Repeats (each with a new split, new kept cells and new fit seeds), reported as mean ± sd.
    public var repeats = 3
    /// Seed of splits, reductions, baselines and generation (fit seeds are the fit's seed plus
    /// the repeat).
    public var seed: UInt64 = 1

    /// A request for the cells and fit options of `fit`.
    public init(fit: FitRequest) { self.fit = fit }
}

/// What `AugmentationUtility.run` found, and the files it can be written as.
public struct UtilityResult {
    /// Every number.
    package var report: UtilityReport
    /// What was done along the way (the likelihood chosen, labels left out).
    public var notes: [Notice]

    /// The terminal table.
    public var summary: String { UtilityReportOutput.summary(report) }

    /// The report as JSON (every number, each run's too).
    public func json() throws -> [UInt8] { try UtilityReportOutput.json(report) }

    /// The report as an HTML page (tables and a figure).
    public func html(registry: Registry) throws -> [UInt8] { try UtilityReportOutput.html(report, registry: registry) }
}
