import VAExprsCore

/// How real and generated cells are normalised before they are compared (`evaluate`,
/// `generate --evaluate`) or embedded together (`plot aug`): one rule for every command.
public enum ComparisonNormalization: String, Sendable, CaseIterable {
    /// Log-normalise when the real cells are counts (non-negative whole numbers); take any
    /// other data (logged, centred, intensities, Ct values) as given.
    case auto
    /// Always log-normalise (the values must be non-negative).
    case lognorm
    /// Never: the values as given.
    case none

    /// The value named by `option`, or an error listing the valid ones.
    package static func parse(_ text: String, option: String) throws -> ComparisonNormalization {
        guard let value = ComparisonNormalization(rawValue: text) else {
            throw VAExprsError.usage("\(option) must be one of: \(allCases.map(\.rawValue).joined(separator: ", ")); got '\(text)'")
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
