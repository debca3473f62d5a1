import VAExprsCore

/// The one normalisation setting of every command (`--normalize auto|lognorm|none`): `fit`
/// (before scaling, for continuous likelihoods; stored in the model, never `auto` there),
/// `reduce`, `plot aug`, `evaluate` and `generate --evaluate`. Log-normalisation is always
/// `LogNormalization` (scater's `logNormCounts`), and each command states what it applied.
public enum Normalization: String, Codable, Sendable, CaseIterable {
    /// Decided from the data: for comparisons and embeddings, log-normalise when the (real)
    /// cells are counts (non-negative whole numbers) and take any other data (logged,
    /// centred, intensities, Ct values) as given; for `fit`, the setup chosen from the values.
    case auto
    /// Always log-normalise (the values must be non-negative).
    case lognorm
    /// Never: the values as given.
    case none

    /// The value named by `option`, or an error listing the valid ones.
    package static func parse(_ text: String, option: String) throws -> Normalization {
        guard let value = Normalization(rawValue: text) else {
            throw VAExprsError.usage(
                "\(option) must be one of: \(allCases.map(\.rawValue).joined(separator: ", ")); got '\(text)'")
        }
        return value
    }

    /// Whether the cells are log-normalised, given the real cells.
    package func logNormalizes(real: ExpressionMatrix) -> Bool {
        switch self {
        case .lognorm: true
        case .none: false
        case .auto: Self.looksLikeCounts(real)
        }
    }

    /// What was done and why, for reports: e.g. "log-normalised (auto: the real cells are
    /// whole counts)".
    package func statement(logNormalized: Bool, method: String) -> String {
        switch (self, logNormalized) {
        case (.auto, true): "\(method) (normalize auto: the real cells are whole counts)"
        case (.auto, false): "values as given (normalize auto: the real cells are not whole counts)"
        case (_, true): "\(method) (normalize lognorm)"
        case (_, false): "values as given (normalize none)"
        }
    }

    /// Whether every value is a non-negative whole number (`ValueProfile.isCounts`).
    package static func looksLikeCounts(_ m: ExpressionMatrix) -> Bool { ValueProfile(m.cells).isCounts }
}
