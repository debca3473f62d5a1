/// Text from data files (labels, gene and cell ids, file names) made safe to show where
/// control characters would be interpreted: a terminal, where an escape sequence in a label
/// could move the cursor, recolour or retitle the window.
package enum DisplayText {
    /// `text` with every control character shown as `\u{…}` (so `ESC` cannot start an escape
    /// sequence and a carriage return cannot overwrite the line), except line ends and tabs
    /// when `keepingNewlines` (a message's own layout).
    package static func neutralised(_ text: String, keepingNewlines: Bool = true) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if isControl(scalar) && !(keepingNewlines && (scalar == "\n" || scalar == "\t")) {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// C0 and C1 controls and DEL.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}
