import Foundation

/// A typed configuration for one component: its registered name plus positional and
/// named arguments, parsed from a spec string item (`dense:512:relu`) or a JSON object
/// (`{"type": "dense", "units": 512, "activation": "relu"}`).
public struct ComponentSpec: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The registered name (e.g. `dense`).
    public var name: String
    /// Positional arguments, in order.
    public var positional: [String]
    /// Named arguments.
    public var options: [String: String]
    /// Where the spec came from, for error messages (e.g. `--encoder`).
    public var source: String
    /// The arguments a component's factory asked for (shared by copies), so that the registry
    /// can reject the ones no factory reads. Not part of the spec's value.
    var reads = ArgumentReads()

    private enum CodingKeys: String, CodingKey { case name, positional, options, source }

    public static func == (a: ComponentSpec, b: ComponentSpec) -> Bool {
        a.name == b.name && a.positional == b.positional && a.options == b.options && a.source == b.source
    }

    /// A spec from its parts.
    public init(name: String, positional: [String] = [], options: [String: String] = [:], source: String = "spec") {
        self.name = name
        self.positional = positional
        self.options = options
        self.source = source
    }

    /// Parses one item such as `dense:512:relu` or `dropout:rate=0.1`.
    public static func parseItem(_ item: String, source: String) throws -> ComponentSpec {
        let parts = item.split(separator: ":", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard let first = parts.first, !first.isEmpty else {
            throw VAExprsError.usage("\(source): empty item in '\(item)'; write items like 'dense:512:relu'")
        }
        var spec = ComponentSpec(name: first.lowercased(), source: source)
        for part in parts.dropFirst() {
            if let eq = part.firstIndex(of: "=") {
                spec.options[String(part[..<eq])] = String(part[part.index(after: eq)...])
            } else {
                spec.positional.append(part)
            }
        }
        return spec
    }

    /// Parses a comma-separated list of items (`dense:512:relu,dropout:0.1`); empty gives [].
    public static func parseList(_ text: String, source: String) throws -> [ComponentSpec] {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || trimmed == "none" { return [] }
        return try trimmed.split(separator: ",", omittingEmptySubsequences: false).map {
            try parseItem(String($0), source: source)
        }
    }

    /// The raw text of argument `key` (named) or, failing that, positional `position`.
    public func raw(_ key: String, position: Int?) -> String? {
        reads.record(key, position: position)
        if let v = options[key] { return v }
        if let position, position < positional.count { return positional[position] }
        return nil
    }

    /// An integer argument, or `defaultValue` when absent; throws naming the argument when malformed.
    public func int(_ key: String, position: Int?, default defaultValue: Int? = nil) throws -> Int {
        guard let text = raw(key, position: position) else {
            if let defaultValue { return defaultValue }
            throw VAExprsError.usage("\(source): '\(name)' needs \(key) (e.g. '\(name):512')")
        }
        guard let v = Int(text) else {
            throw VAExprsError.usage("\(source): '\(name)' \(key) must be a whole number, got '\(text)'")
        }
        return v
    }

    /// A floating-point argument, or `defaultValue` when absent.
    public func double(_ key: String, position: Int?, default defaultValue: Double? = nil) throws -> Double {
        guard let text = raw(key, position: position) else {
            if let defaultValue { return defaultValue }
            throw VAExprsError.usage("\(source): '\(name)' needs \(key)")
        }
        guard let v = Double(text), v.isFinite else {
            throw VAExprsError.usage("\(source): '\(name)' \(key) must be a number, got '\(text)'")
        }
        return v
    }

    /// A string argument, or `defaultValue` when absent.
    public func string(_ key: String, position: Int?, default defaultValue: String?) -> String? {
        raw(key, position: position) ?? defaultValue
    }

    /// A spec from a JSON object: `type` is the name, every other key a named option.
    package static func fromJSONObject(_ object: [String: Any], source: String) throws -> ComponentSpec {
        guard let type = object["type"] as? String else {
            throw VAExprsError.usage(
                "\(source): each layer object needs a \"type\", e.g. {\"type\": \"dense\", \"units\": 512}")
        }
        var spec = ComponentSpec(name: type.lowercased(), source: source)
        for (key, value) in object where key != "type" {
            spec.options[key] = "\(value)"
        }
        return spec
    }

    /// The spec back as one item of spec text (positional first, then sorted named options).
    public var description: String {
        ([name] + positional + options.keys.sorted().map { "\($0)=\(options[$0]!)" }).joined(separator: ":")
    }
}

/// The argument names and positions a factory asked a spec for (see `ComponentSpec.reads`).
final class ArgumentReads: @unchecked Sendable {
    private let lock = NSLock()
    private var keys = Set<String>()
    private var positions = -1

    func record(_ key: String, position: Int?) {
        lock.lock()
        defer { lock.unlock() }
        keys.insert(key)
        if let position { positions = max(positions, position) }
    }

    /// The names asked for, and how many positional arguments could be read.
    var asked: (keys: Set<String>, positionalCount: Int) {
        lock.lock()
        defer { lock.unlock() }
        return (keys, positions + 1)
    }
}
