import Foundation
import VAExprs

/// One call's options: a JSON object with the library's parameter names. Every key must be
/// read by the call (an unknown or misspelt one is refused, naming it), and every value must
/// have the right type.
final class Options {
    private var values: [String: Any]
    private var read = Set<String>()

    /// The options of `json` (NULL or empty: none).
    init(_ json: UnsafePointer<CChar>?) throws {
        guard let json, json.pointee != 0 else {
            values = [:]
            return
        }
        let text = try Inputs.string(json, parameter: "options")
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw usage(
                "options", "is not a JSON object: give {\"name\": value, ...} with the library's parameter names")
        }
        values = object
    }

    /// Refuses any key no getter asked for.
    func checkAllRead(call: String) throws {
        let unknown = Set(values.keys).subtracting(read).sorted()
        guard unknown.isEmpty else {
            throw VAExprsError.usage(
                """
                \(call): unknown option\(unknown.count > 1 ? "s" : "") \
                \(unknown.map { "'\($0)'" }.joined(separator: ", ")); see docs/c-library.md for the options of \
                each call
                """
            )
        }
    }

    private func value(_ key: String) -> Any? {
        read.insert(key)
        guard let v = values[key], !(v is NSNull) else { return nil }
        return v
    }

    func int(_ key: String) throws -> Int? {
        guard let v = value(key) else { return nil }
        guard !isBoolean(v), let n = v as? NSNumber, let i = Int(exactly: n.doubleValue) else {
            throw VAExprsError.usage("\(parameter: key) must be a whole number, got \(v)")
        }
        return i
    }

    func double(_ key: String) throws -> Double? {
        guard let v = value(key) else { return nil }
        guard !isBoolean(v), let n = v as? NSNumber, n.doubleValue.isFinite else {
            throw VAExprsError.usage("\(parameter: key) must be a finite number, got \(v)")
        }
        return n.doubleValue
    }

    func string(_ key: String) throws -> String? {
        guard let v = value(key) else { return nil }
        guard let s = v as? String else { throw VAExprsError.usage("\(parameter: key) must be a string, got \(v)") }
        return s
    }

    func bool(_ key: String) throws -> Bool? {
        guard let v = value(key) else { return nil }
        guard isBoolean(v), let b = v as? Bool else {
            throw VAExprsError.usage("\(parameter: key) must be true or false, got \(v)")
        }
        return b
    }

    /// A seed: a whole number from 0 to 2⁶⁴ − 1 (JSON numbers above 2⁵³ lose digits: give those as strings).
    func seed(_ key: String) throws -> UInt64? {
        guard let v = value(key) else { return nil }
        if let s = v as? String, let n = UInt64(s) { return n }
        guard !isBoolean(v), let n = v as? NSNumber, n.doubleValue >= 0,
            n.doubleValue <= 9_007_199_254_740_992, let u = UInt64(exactly: n.doubleValue)
        else {
            throw VAExprsError.usage(
                "\(parameter: key) must be a whole number from 0 to 2⁶⁴ − 1 (as a string above 2⁵³), got \(v)")
        }
        return u
    }

    /// A component spec (`name:positional:key=value`).
    func spec(_ key: String) throws -> ComponentSpec? {
        try string(key).map { try ComponentSpec.parseItem($0, source: key) }
    }

    /// A list of component specs: a comma-separated string or an array of strings.
    /// A string or an array of strings.
    func stringList(_ key: String) throws -> [String]? {
        guard let v = value(key) else { return nil }
        if let s = v as? String { return [s] }
        guard let items = v as? [String] else {
            throw VAExprsError.usage("\(parameter: key) must be a string or an array of strings, got \(v)")
        }
        return items
    }

    func specList(_ key: String) throws -> [ComponentSpec]? {
        guard let v = value(key) else { return nil }
        if let s = v as? String { return try ComponentSpec.parseList(s, source: key) }
        guard let items = v as? [String] else {
            throw VAExprsError.usage(
                "\(parameter: key) must be a string such as \"dense:512:relu,dropout:0.1\" or an array of such items")
        }
        return try items.map { try ComponentSpec.parseItem($0, source: key) }
    }

    /// An object of label → count.
    func counts(_ key: String) throws -> [(label: String, count: Int)]? {
        guard let v = value(key) else { return nil }
        guard let object = v as? [String: Any] else {
            throw VAExprsError.usage("\(parameter: key) must be an object of label → count, e.g. {\"B cell\": 50}")
        }
        return try object.keys.sorted().map { label in
            guard let raw = object[label], !isBoolean(raw), let n = raw as? NSNumber,
                let count = Int(exactly: n.doubleValue), count >= 0
            else { throw VAExprsError.usage("\(parameter: key): the count of '\(label)' must be a whole number ≥ 0") }
            return (label, count)
        }
    }

    /// An object of name → string.
    func names(_ key: String) throws -> [String: String]? {
        guard let v = value(key) else { return nil }
        guard let object = v as? [String: Any], object.values.allSatisfy({ $0 is String }) else {
            throw VAExprsError.usage(
                "\(parameter: key) must be an object of name → string, e.g. {\"encoder\": \"tomato\"}")
        }
        return object.mapValues { $0 as! String }
    }

    /// A value of a string enum.
    func choice<T: RawRepresentable & CaseIterable>(_ key: String, _ type: T.Type) throws -> T?
    where T.RawValue == String {
        guard let s = try string(key) else { return nil }
        guard let value = T(rawValue: s) else {
            throw VAExprsError.usage(
                "\(parameter: key) must be one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), got '\(s)'")
        }
        return value
    }
}

/// Whether a JSON value is true or false (a number 0 or 1 converts to Bool too, so the
/// boolean is told by its storage type).
private func isBoolean(_ value: Any) -> Bool {
    guard let number = value as? NSNumber else { return false }
    return String(cString: number.objCType) == "c"
}
