import VAExprsCore

/// Small helpers for delimited text: delimiter choice, line splitting and quoted fields.
enum DelimitedText {
    /// A delimited file read whole: its bytes, non-empty lines, delimiter and header fields.
    struct Table {
        var bytes: [UInt8]
        var lines: [(number: Int, range: Range<Int>)]
        var delimiter: UInt8
        var header: [String]
    }

    /// Reads `path` (gzip or plain); an empty file is an error whose message ends with `expected`.
    static func read(_ path: String, expected: String) throws -> Table {
        let bytes = try Gzip.readAll(path)
        let lines = Self.lines(bytes)
        guard let first = lines.first else {
            throw VAExprsError.badData("\(path): the file is empty; expected \(expected)")
        }
        let delimiter = Self.delimiter(for: path, firstLine: bytes[first.range])
        return Table(
            bytes: bytes, lines: lines, delimiter: delimiter, header: fields(bytes[first.range], delimiter: delimiter))
    }

    /// The delimiter of a file, sniffed from its header line: tab when it has tabs and no
    /// commas, comma when it has commas and no tabs; when it has both (or neither), tab for
    /// `.tsv`/`.tab`/`.txt` names (optionally `.gz`) and comma otherwise.
    static func delimiter(for path: String, firstLine: ArraySlice<UInt8>) -> UInt8 {
        let tab = UInt8(ascii: "\t"), comma = UInt8(ascii: ",")
        let hasTab = firstLine.contains(tab), hasComma = firstLine.contains(comma)
        if hasTab != hasComma { return hasTab ? tab : comma }
        let name = path.lowercased().replacingSuffix(".gz", with: "")
        return name.hasSuffix(".tsv") || name.hasSuffix(".tab") || name.hasSuffix(".txt") ? tab : comma
    }

    /// Ranges of the non-empty lines of `bytes` (without their `\n` or `\r\n`), with their 1-based line numbers.
    static func lines(_ bytes: [UInt8]) -> [(number: Int, range: Range<Int>)] {
        var result: [(Int, Range<Int>)] = []
        var start = 0, number = 1
        bytes.withUnsafeBufferPointer { b in
            var i = 0
            while i <= b.count {
                if i == b.count || b[i] == UInt8(ascii: "\n") {
                    var end = i
                    if end > start && b[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                    if end > start { result.append((number, start..<end)) }
                    start = i + 1
                    number += 1
                }
                i += 1
            }
        }
        return result
    }

    /// Splits one line into fields, honouring double quotes (`""` inside quotes is a quote).
    static func fields(_ line: ArraySlice<UInt8>, delimiter: UInt8) -> [String] {
        var fields: [String] = []
        var current: [UInt8] = []
        var inQuotes = false
        // Where the last closing quote of the field left `current`: a quoted field keeps its
        // spaces (a name " B" written quoted reads back as written); an unquoted one is trimmed.
        var quotedEnd: Int? = nil
        let space = UInt8(ascii: " ")
        func finish() {
            if let end = quotedEnd {
                while current.count > end, current.last == space { current.removeLast() }
                fields.append(String(decoding: current, as: UTF8.self))
            } else {
                fields.append(String(decoding: current, as: UTF8.self).trimmingSpaces())
            }
            current.removeAll(keepingCapacity: true)
            quotedEnd = nil
        }
        var i = line.startIndex
        while i < line.endIndex {
            let c = line[i]
            if inQuotes {
                if c == UInt8(ascii: "\"") {
                    if i + 1 < line.endIndex && line[i + 1] == UInt8(ascii: "\"") {
                        current.append(c)
                        i += 1
                    } else {
                        inQuotes = false
                        quotedEnd = current.count
                    }
                } else {
                    current.append(c)
                }
            } else if c == UInt8(ascii: "\"") {
                if quotedEnd == nil && current.allSatisfy({ $0 == space }) { current.removeAll() }
                inQuotes = true
            } else if c == delimiter {
                finish()
            } else {
                current.append(c)
            }
            i += 1
        }
        finish()
        return fields
    }

    /// The first duplicate in `values`, if any.
    static func firstDuplicate(_ values: [String]) -> String? {
        var seen = Set<String>()
        for v in values where !seen.insert(v).inserted { return v }
        return nil
    }
}

extension String {
    func replacingSuffix(_ suffix: String, with replacement: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) + replacement : self
    }

    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " { s = s.dropFirst() }
        while let l = s.last, l == " " { s = s.dropLast() }
        return String(s)
    }
}
