import Foundation
import VAExprsCore

/// A plugin manifest read and checked without touching any library: its name, the library it
/// binds (a file in the manifest's own folder) and each function's kind, name, symbol and C
/// signature, already compared with what the kind needs. `FFIPlugin` then binds the symbols.
package struct PluginManifest: Sendable {
    /// One declared function.
    package struct Function: Sendable {
        /// `activation` or `reducer`.
        package var kind: String
        /// The component name it registers.
        package var name: String
        /// The symbol in the library.
        package var symbol: String
        /// For an activation, the symbol of its derivative.
        package var derivativeSymbol: String?
        /// The checked signature (the kind's canonical one).
        var signature: CSignature
    }

    /// The plugin's name.
    package var name: String
    /// Its version ("0" when not given).
    package var version: String
    /// Its description ("" when not given).
    package var description: String
    /// The library, relative to the manifest's folder (nil: the `.so` of the manifest's stem).
    package var library: String?
    /// The functions, in order.
    package var functions: [Function]

    /// The largest manifest read (a manifest is a few kilobytes).
    package static let maximumBytes = 1 << 20

    /// The signatures each kind accepts, in canonical form.
    static let activationSignature = CSignature(returns: "void", parameters: ["const float*", "float*", "int64_t"])
    static let reducerSignature = CSignature(
        returns: "int32_t", parameters: ["const double*", "int64_t", "int64_t", "int32_t", "double*"])

    /// Parses and checks a manifest's bytes; errors name `source` and the part at fault.
    package static func parse(_ data: Data, source: String) throws -> PluginManifest {
        func bad(_ message: String) -> VAExprsError { VAExprsError(.unusablePlugin, "\(source): \(message)") }
        guard data.count <= maximumBytes else {
            throw bad("larger than \(maximumBytes >> 20) MiB; a plugin manifest is a small JSON file")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw bad("not a JSON object; a plugin manifest has name, version, library and functions")
        }
        guard let name = object["name"] as? String, !name.isEmpty else { throw bad("no \"name\"") }
        var library: String? = nil
        if let given = object["library"] {
            guard let text = given as? String else { throw bad("\"library\" must be a file name") }
            let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            guard !text.isEmpty, !text.hasPrefix("/"), !parts.contains(".."), !parts.contains(""), !text.contains("\0")
            else {
                throw bad(
                    """
                    \"library\": \"\(text)\" is not a file in the manifest's folder; name the library relative to \
                    the manifest (no leading '/', no '..'); to use a system library, place a symbolic link to it \
                    beside the manifest
                    """
                )
            }
            library = text
        }
        guard let entries = object["functions"] as? [[String: Any]], !entries.isEmpty else {
            throw bad("no \"functions\" list")
        }
        var functions: [Function] = []
        for (index, entry) in entries.enumerated() {
            guard let kind = entry["kind"] as? String, let componentName = entry["name"] as? String,
                !componentName.isEmpty
            else {
                throw bad("function \(index + 1) needs \"kind\" and \"name\"")
            }
            let what = "\(kind) '\(componentName)'"
            func declared(_ entry: [String: Any], _ what: String, expecting needed: CSignature) throws -> String {
                guard let symbol = entry["symbol"] as? String, !symbol.isEmpty, let text = entry["signature"] as? String
                else {
                    throw bad("\(what) needs \"symbol\" and \"signature\"")
                }
                try CSignature(parsing: text, source: "\(source): \(what)").expect(needed, what: what, manifest: source)
                return symbol
            }
            switch kind {
            case "activation":
                let symbol = try declared(entry, what, expecting: activationSignature)
                guard let derivative = entry["derivative"] as? [String: Any] else {
                    throw bad("\(what) needs a \"derivative\" {symbol, signature} writing f'(x)")
                }
                let derivativeSymbol = try declared(derivative, "\(what) derivative", expecting: activationSignature)
                functions.append(
                    Function(
                        kind: kind, name: componentName, symbol: symbol, derivativeSymbol: derivativeSymbol,
                        signature: activationSignature))
            case "reducer":
                let symbol = try declared(entry, what, expecting: reducerSignature)
                functions.append(
                    Function(
                        kind: kind, name: componentName, symbol: symbol, derivativeSymbol: nil,
                        signature: reducerSignature))
            default:
                throw bad(
                    """
                    function \(index + 1) has kind '\(kind)'; manifests declare activation or reducer functions \
                    (other kinds need the vtable ABI)
                    """
                )
            }
        }
        return PluginManifest(
            name: name, version: object["version"] as? String ?? "0",
            description: object["description"] as? String ?? "", library: library, functions: functions)
    }
}
