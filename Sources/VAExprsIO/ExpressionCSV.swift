import Foundation
import VAExprsCore

/// Reads and writes expression matrices as delimited text (CSV or TSV, optionally gzipped):
/// a header row `cell,<gene1>,<gene2>,...`, then one row per cell: its id, then its values.
/// With `genesInRows`, the transposed layout (header of cell ids, one row per gene).
package enum ExpressionCSV {
    /// Parses `path`. Every value must be a finite number; ids must be unique.
    package static func read(_ path: String, genesInRows: Bool = false) throws -> ExpressionMatrix {
        let table = try DelimitedText.read(path, expected: "a header row of gene names and one row per cell")
        var bytes = table.bytes
        let lines = table.lines, delimiter = table.delimiter
        var columnIDs = table.header
        let rowCount = lines.count - 1
        let rowKind = genesInRows ? "gene" : "cell", columnKind = genesInRows ? "cell" : "gene"
        guard rowCount > 0 else {
            throw VAExprsError.badData("\(path): no \(rowKind)s (only a header row)")
        }
        // R's write.csv leaves the row-name column unnamed: accept a header one field shorter.
        let firstDataFields = countFields(bytes[lines[1].range], delimiter: delimiter)
        if columnIDs.count == firstDataFields - 1 { columnIDs.insert("", at: 0) }
        columnIDs.removeFirst()
        guard !columnIDs.isEmpty else {
            throw VAExprsError.badData("\(path): no \(columnKind)s (the header has only the id column)")
        }
        if let dup = DelimitedText.firstDuplicate(columnIDs) {
            throw VAExprsError.badData(
                "\(path): \(columnKind) '\(dup)' appears twice in the header; ids must be unique")
        }
        let width = columnIDs.count
        var values = [Float](repeating: 0, count: rowCount * width)
        var rowIDs: [String] = []
        rowIDs.reserveCapacity(rowCount)
        bytes.append(0)  // strtod stops at the terminator at the very end
        try bytes.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            for (r, line) in lines.dropFirst().enumerated() {
                var position = line.range.lowerBound
                let end = line.range.upperBound
                // id field (may be quoted)
                var idEnd = position
                if buffer[position] == UInt8(ascii: "\"") {
                    // To the closing quote; a doubled quote inside is an escaped one.
                    idEnd += 1
                    while idEnd < end {
                        if buffer[idEnd] == UInt8(ascii: "\"") {
                            if idEnd + 1 < end && buffer[idEnd + 1] == UInt8(ascii: "\"") {
                                idEnd += 2
                                continue
                            }
                            break
                        }
                        idEnd += 1
                    }
                    idEnd = min(idEnd + 1, end)
                }
                while idEnd < end && buffer[idEnd] != delimiter { idEnd += 1 }
                let id = DelimitedText.fields(ArraySlice(buffer[position..<idEnd]), delimiter: delimiter).first ?? ""
                rowIDs.append(id)
                position = idEnd
                for c in 0..<width {
                    guard position < end, buffer[position] == delimiter else {
                        throw VAExprsError.badData(
                            """
                            \(path): line \(line.number) (\(rowKind) '\(id)') has \(c + 1) fields, the header has \
                            \(width + 1); every row needs an id and \(width) values
                            """
                        )
                    }
                    position += 1
                    var stop: UnsafeMutablePointer<CChar>? = nil
                    let start = base + position
                    let v = strtod(start, &stop)
                    let consumed = stop.map { $0 - UnsafeMutablePointer(mutating: start) } ?? 0
                    let next = position + consumed
                    if consumed == 0 || (next < end && buffer[next] != delimiter) || next > end || !v.isFinite {
                        var fieldEnd = position
                        while fieldEnd < end && buffer[fieldEnd] != delimiter { fieldEnd += 1 }
                        let text = String(decoding: buffer[position..<fieldEnd], as: UTF8.self)
                        let what = text.isEmpty ? "is empty" : "'\(text)' is not a finite number"
                        throw VAExprsError.badData(
                            """
                            \(path): line \(line.number) (\(rowKind) '\(id)'), column \(c + 2) (\(columnKind) \
                            '\(columnIDs[c])'): \(what); every value must be a finite number
                            """
                        )
                    }
                    guard Float(v).isFinite else {
                        throw VAExprsError.badData(
                            """
                            \(path): line \(line.number) (\(rowKind) '\(id)'), column \(c + 2) (\(columnKind) \
                            '\(columnIDs[c])'): \(v) is beyond the range of 32-bit floats (±3.4e38) that VAExprs \
                            computes in; rescale the data
                            """
                        )
                    }
                    values[r * width + c] = Float(v)
                    position = next
                }
                if position < end {
                    throw VAExprsError.badData(
                        """
                        \(path): line \(line.number) (\(rowKind) '\(id)') has more fields than the header's \
                        \(width + 1)
                        """
                    )
                }
            }
        }
        if let dup = DelimitedText.firstDuplicate(rowIDs) {
            throw VAExprsError.badData("\(path): \(rowKind) id '\(dup)' appears twice; ids must be unique")
        }
        let matrix = Matrix(rows: rowCount, columns: width, storage: values)
        if genesInRows {
            return ExpressionMatrix(cellIDs: columnIDs, geneNames: rowIDs, values: matrix.transposed())
        }
        return ExpressionMatrix(cellIDs: rowIDs, geneNames: columnIDs, values: matrix)
    }

    private static func countFields(_ line: ArraySlice<UInt8>, delimiter: UInt8) -> Int {
        DelimitedText.fields(line, delimiter: delimiter).count
    }

    /// The matrix as delimited text in the reading layout: header `cell,<genes…>`, one row per
    /// cell (with `genesInRows`, header `gene,<cells…>` and one row per gene). Tab-delimited
    /// when `path` names a `.tsv`/`.tab`/`.txt` file (optionally `.gz`), else comma. Values are
    /// the shortest decimals that round-trip; whole numbers without decimals.
    package static func encode(_ data: ExpressionMatrix, genesInRows: Bool = false, path: String = "out.csv") -> [UInt8]
    {
        let name = path.lowercased().replacingSuffix(".gz", with: "")
        let tab = name.hasSuffix(".tsv") || name.hasSuffix(".tab") || name.hasSuffix(".txt")
        let delimiter = tab ? "\t" : ","
        let header = genesInRows ? "gene" : "cell"
        let rowIDs: [String] = genesInRows ? data.geneNames : data.cellIDs
        let columnIDs: [String] = genesInRows ? data.cellIDs : data.geneNames
        func field(_ text: String) -> String { quoteIfNeeded(text) }
        let values = data.dense()
        var out: [UInt8] = []
        out.reserveCapacity(values.storage.count * 8)
        out.append(contentsOf: ([header] + columnIDs).map(field).joined(separator: delimiter).utf8)
        out.append(UInt8(ascii: "\n"))
        let d = Array(delimiter.utf8)
        for (r, id) in rowIDs.enumerated() {
            out.append(contentsOf: field(id).utf8)
            for c in columnIDs.indices {
                out.append(contentsOf: d)
                out.append(contentsOf: format(genesInRows ? values[c, r] : values[r, c]).utf8)
            }
            out.append(UInt8(ascii: "\n"))
        }
        return out
    }

    /// The shortest text for `value` that reads back to the same `Float`.
    static func format(_ value: Float) -> String {
        if value == 0 { return "0" }
        // every whole Float up to 2^24 is exact
        if value == value.rounded() && abs(value) <= 16_777_216 { return String(Int(value)) }
        return value.description
    }

    /// `field`, quoted for CSV (and TSV) when it holds a comma, quote, tab, line end or any
    /// other control character, or starts or ends with a space (which readers trim from unquoted
    /// fields), so that every value reads back as written.
    package static func quoteIfNeeded(_ field: String) -> String {
        guard
            field.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0.value < 0x20 || $0.value == 0x7F })
                || field.hasPrefix(" ") || field.hasSuffix(" ")
        else { return field }
        // Quotes doubled byte by byte: a quote followed by a combining mark is one Character,
        // which a Character-level replacement would miss.
        var bytes: [UInt8] = [UInt8(ascii: "\"")]
        for b in field.utf8 {
            bytes.append(b)
            if b == UInt8(ascii: "\"") { bytes.append(b) }
        }
        bytes.append(UInt8(ascii: "\""))
        return String(decoding: bytes, as: UTF8.self)
    }
}
