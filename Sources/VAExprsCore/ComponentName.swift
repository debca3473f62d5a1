/// The one rule for the names of components (layers, likelihoods, renderers, ...) a plugin
/// adds: ASCII lower-case letters, digits and `_`, starting with a letter, at most 64 bytes.
/// Names are what users type (`--encoder dense:128`); letters from other scripts would let a
/// plugin's `dense` (with a Cyrillic `е`) stand beside the built-in and be chosen by mistake.
package enum ComponentName {
    /// The longest name.
    package static let maximumLength = 64

    /// Whether `name` follows the rule.
    package static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first),
            bytes.count <= maximumLength
        else { return false }
        return bytes.allSatisfy {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                || $0 == UInt8(ascii: "_")
        }
    }

    /// The rule in words, for messages.
    package static let rule = "ASCII a–z, 0–9 and _, starting with a letter, at most 64 characters"

    /// `name` with anything but printable ASCII shown as `\u{XXXX}`, for messages about a bad name.
    package static func shown(_ name: String) -> String {
        name.unicodeScalars.map {
            $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F ? String($0) : "\\u{\(String($0.value, radix: 16))}"
        }.joined()
    }
}
