/// An append-only UTF-8 buffer with fast fixed-point number formatting (SVG with 100 000
/// markers is millions of numbers; `String(format:)` would dominate the time).
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 1 << 16) { bytes.reserveCapacity(capacity) }

    mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }

    mutating func append(_ byte: UInt8) { bytes.append(byte) }

    /// Appends text with XML's five special characters escaped and control characters XML forbids
    /// replaced by U+FFFD.
    mutating func appendEscaped(_ text: String) {
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "&"): append("&amp;")
            case UInt8(ascii: "<"): append("&lt;")
            case UInt8(ascii: ">"): append("&gt;")
            case UInt8(ascii: "\""): append("&quot;")
            case UInt8(ascii: "'"): append("&#39;")
            // Control characters other than tab and line ends are not allowed in XML at all.
            case 0..<0x09, 0x0B, 0x0C, 0x0E..<0x20, 0x7F: append("\u{FFFD}")
            default: bytes.append(b)
            }
        }
    }

    /// Appends `value` rounded to 2 decimals, without trailing zeros.
    mutating func append(number value: Double) {
        guard value.isFinite else {
            append("0")
            return
        }
        // Beyond 2 decimals' exact range: the shortest round-trip form ("1e+300" is a valid
        // SVG and JSON number), never an integer conversion that would trap.
        guard abs(value) < 1e15 else {
            append(value.description)
            return
        }
        var scaled = Int64((abs(value) * 100).rounded())
        if scaled == 0 {
            bytes.append(UInt8(ascii: "0"))
            return
        }
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var fraction = Int(scaled % 100)
        scaled /= 100
        appendInteger(scaled)
        if fraction != 0 {
            bytes.append(UInt8(ascii: "."))
            bytes.append(UInt8(ascii: "0") + UInt8(fraction / 10))
            fraction %= 10
            if fraction != 0 { bytes.append(UInt8(ascii: "0") + UInt8(fraction)) }
        }
    }

    mutating func appendInteger(_ value: Int64) {
        if value < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0, v = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            while v > 0 {
                buffer[count] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
                count += 1
            }
            for i in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[i]) }
        }
    }
}
