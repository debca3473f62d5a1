import Foundation
import VAExprsCore

/// Streams cells to CSV/TSV text (gzipped for `.gz`), cells in rows. With `genesInRows` the
/// matrix is transposed, which needs every block in memory until `finish()`.
final class CSVCellWriter: CellWriter {
    private let destination: String
    private let temporary: String
    private let layout: CellOutputLayout
    private let genesInRows: Bool
    private let sink: ByteSink
    private let tab: Bool
    private var held: [CellBlock] = []

    init(_ path: String, layout: CellOutputLayout, genesInRows: Bool) throws {
        destination = path
        temporary = temporaryPath(beside: path)
        self.layout = layout
        self.genesInRows = genesInRows
        let name = path.hasSuffix(".gz") ? String(path.dropLast(3)) : path
        tab = name.hasSuffix(".tsv") || name.hasSuffix(".tab") || name.hasSuffix(".txt")
        sink = try ByteSink(temporary, gzip: path.hasSuffix(".gz"))
        if !genesInRows { try sink.write(headerLine(first: "cell", layout.geneNames)) }
    }

    private func field(_ text: String) -> String { ExpressionCSV.quoteIfNeeded(text) }

    private func headerLine(first: String, _ names: [String]) -> String {
        ([first] + names).map(field).joined(separator: tab ? "\t" : ",") + "\n"
    }

    func append(_ block: CellBlock) throws {
        if genesInRows {
            held.append(block)
            return
        }
        let delimiter = UInt8(ascii: tab ? "\t" : ",")
        var line: [UInt8] = []
        for (r, id) in block.cellIDs.enumerated() {
            line.removeAll(keepingCapacity: true)
            line.append(contentsOf: field(id).utf8)
            for j in 0..<block.values.columns {
                line.append(delimiter)
                line.append(contentsOf: ExpressionCSV.format(block.values[r, j]).utf8)
            }
            line.append(UInt8(ascii: "\n"))
            try sink.write(line)
        }
    }

    func finish() throws -> [StagedFile] {
        do {
            if genesInRows {
                let ids = held.flatMap(\.cellIDs)
                let values = Matrix(
                    rows: ids.count, columns: layout.geneNames.count, storage: held.flatMap(\.values.storage))
                held = []
                try sink.write(
                    ExpressionCSV.encode(
                        ExpressionMatrix(cellIDs: ids, geneNames: layout.geneNames, values: values),
                        genesInRows: true, path: destination))
            }
            try sink.close()
            return [StagedFile(temporary: temporary, destination: destination)]
        } catch {
            discard()
            throw error
        }
    }

    func discard() {
        TemporaryFiles.remove(temporary)
    }

    deinit { if FileManager.default.fileExists(atPath: temporary) { discard() } }
}
