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
        /// The caller stopped the call (a progress callback asked to; exit 130, as an interrupt).
        case cancelled
        /// Anything else (exit 1).
        case other
    }

    /// The failure's kind.
    public var code: Code
    /// The sentence as written, with the caller's parameters marked (`\(parameter: "topGenes")`);
    /// `message` and `message(naming:)` render it.
    public var template: String
    /// A sentence naming the file, row, column or parameter and what to do; parameters appear
    /// under the library's names (e.g. `topGenes`, the property of the typed options).
    public var message: String { message(naming: { _ in nil }) }
    /// The underlying error, when there is one.
    public var cause: (any Error & Sendable)?
    /// True when every process of a group (MPI ranks) raised this same error at the same point,
    /// so one of them reports it and all end alike; false for a failure of one process, which
    /// must stop the others.
    package var raisedOnEveryProcess = false

    /// Creates an error with a code, a message and an optional cause.
    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.template = message
        self.cause = cause
    }

    /// The message with each marked parameter shown as `name(parameter)` gives (a front end's
    /// option name, e.g. `--top-genes`), or as the parameter's own name when that is nil.
    public func message(naming name: (String) -> String?) -> String { ParameterText.render(template, naming: name) }

    /// The parameters a message refers to, in order.
    public var parameters: [String] { ParameterText.parameters(template) }

    public var description: String {
        if let cause { return "\(message) (\(cause))" }
        return message
    }

    /// A usage error about one option.
    public static func usage(_ message: String) -> VAExprsError { VAExprsError(.usage, message) }
    /// A bad-data error.
    public static func badData(_ message: String) -> VAExprsError { VAExprsError(.badData, message) }
}

extension String.StringInterpolation {
    /// A caller's parameter in an error message, by its library name (`topGenes`): shown so to
    /// library users, and as the front end's own option name (`--top-genes`) by a front end
    /// that renders the message with `VAExprsError.message(naming:)`.
    public mutating func appendInterpolation(parameter name: String) {
        appendLiteral("\(ParameterText.open)\(name)\(ParameterText.close)")
    }
}

/// Text that refers to a caller's parameters (error messages, notices): marked in the
/// template, rendered by the library's names or a front end's.
package enum ParameterText {
    /// Marks around a parameter's name in a template (single angle quotation marks, which no
    /// message uses otherwise).
    static let open: Character = "\u{2039}", close: Character = "\u{203A}"

    /// `template` with each marked parameter shown as `name(parameter)` gives, or as itself.
    package static func render(_ template: String, naming name: (String) -> String?) -> String {
        var text = "", rest = Substring(template)
        while let start = rest.firstIndex(of: open), let end = rest[start...].firstIndex(of: close) {
            text += rest[..<start]
            let parameter = String(rest[rest.index(after: start)..<end])
            text += name(parameter) ?? parameter
            rest = rest[rest.index(after: end)...]
        }
        return text + rest
    }

    /// The parameters `template` refers to, in order.
    package static func parameters(_ template: String) -> [String] {
        var found: [String] = []
        _ = render(
            template,
            naming: {
                found.append($0)
                return nil
            })
        return found
    }
}

/// A line for the user from a library call — a choice made, a subsample taken, a warning —
/// referring to parameters as error messages do.
public struct Notice: Sendable, Equatable, CustomStringConvertible {
    /// The line with its parameters marked.
    public var template: String
    /// A notice from its text (parameters marked with `\(parameter:)`).
    public init(_ template: String) { self.template = template }
    /// The line with parameters under the library's names.
    public var description: String { ParameterText.render(template, naming: { _ in nil }) }
    /// The line with parameters under a front end's names.
    public func text(naming name: (String) -> String?) -> String { ParameterText.render(template, naming: name) }
}
