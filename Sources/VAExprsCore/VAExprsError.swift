/// The one public error type of VAExprs: a code that the CLI maps to an exit status,
/// a message that says what went wrong and what to do, and an optional cause.
public struct VAExprsError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is; the CLI maps each code to one exit status.
    public enum Code: Sendable, Equatable {
        /// A bad option or argument (exit 64).
        case usage
        /// Input data that cannot be used (exit 65).
        case badData
        /// A missing or unreadable input file (exit 66).
        case missingInput
        /// A run-time plugin that cannot be used (exit 69).
        case unusablePlugin
        /// Output that cannot be written (exit 73).
        case cannotWrite
        /// Anything else (exit 1).
        case other
    }

    /// The failure's kind.
    public var code: Code
    /// A sentence naming the file, row, column or option and what to do.
    public var message: String
    /// The underlying error, when there is one.
    public var cause: (any Error & Sendable)?

    /// Creates an error with a code, a message and an optional cause.
    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        if let cause { return "\(message) (\(cause))" }
        return message
    }

    /// A usage error about one option.
    public static func usage(_ message: String) -> VAExprsError { VAExprsError(.usage, message) }
    /// A bad-data error.
    public static func badData(_ message: String) -> VAExprsError { VAExprsError(.badData, message) }
}
