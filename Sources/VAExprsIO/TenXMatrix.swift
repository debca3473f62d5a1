import Foundation
import VAExprsCore

/// Reads a 10x Genomics-style Matrix Market folder: `matrix.mtx[.gz]` (genes × cells,
/// `coordinate` `integer`/`real` `general`, 1-based), `features.tsv[.gz]` (or the older
/// `genes.tsv[.gz]`; gene ids in column 1) and `barcodes.tsv[.gz]` (cell ids). Cells become
/// rows and gene ids columns, as in the CSV layout.
package enum TenXMatrix {
    /// True when `path` is a folder holding a `matrix.mtx` or `matrix.mtx.gz`.
    package static func isTenXFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return false
        }
        return ["matrix.mtx", "matrix.mtx.gz"].contains { FileManager.default.fileExists(atPath: path + "/" + $0) }
    }

    /// Reads the folder at `path`.
    package static func read(_ path: String) throws -> ExpressionMatrix {
        guard let matrixPath = try find(path, ["matrix.mtx"]) else {
            throw VAExprsError(
                .missingInput, "\(path): no matrix.mtx or matrix.mtx.gz in this folder; give a 10x folder or a CSV file"
            )
        }
        guard let featuresPath = try find(path, ["features.tsv", "genes.tsv"]) else {
            throw VAExprsError(.missingInput, "\(path): no features.tsv(.gz) or genes.tsv(.gz) beside matrix.mtx")
        }
        guard let barcodesPath = try find(path, ["barcodes.tsv"]) else {
            throw VAExprsError(.missingInput, "\(path): no barcodes.tsv(.gz) beside matrix.mtx")
        }
        let genes = try firstColumn(featuresPath)
        let cells = try firstColumn(barcodesPath)
        if let dup = DelimitedText.firstDuplicate(genes) {
            throw VAExprsError.badData("\(featuresPath): gene id '\(dup)' appears twice; ids must be unique")
        }
        if let dup = DelimitedText.firstDuplicate(cells) {
            throw VAExprsError.badData("\(barcodesPath): barcode '\(dup)' appears twice; ids must be unique")
        }
        let values = try readEntries(matrixPath, genes: genes.count, cells: cells.count)
        return ExpressionMatrix(cellIDs: cells, geneNames: genes, cells: .sparse(values))
    }

    /// The first of `stems` present, gzipped or not; nil when none is.
    /// - Throws: when both `stem` and `stem.gz` are there (two versions of one file: which
    ///   one is meant cannot be told).
    private static func find(_ folder: String, _ stems: [String]) throws -> String? {
        for stem in stems {
            let present = [stem + ".gz", stem].filter { FileManager.default.fileExists(atPath: folder + "/" + $0) }
            if present.count == 2 {
                throw VAExprsError.badData(
                    """
                    \(folder): holds both \(stem) and \(stem).gz, two versions of one file, and which one is \
                    meant cannot be told; remove or rename one
                    """
                )
            }
            if let file = present.first { return folder + "/" + file }
        }
        return nil
    }

    private static func firstColumn(_ path: String) throws -> [String] {
        let bytes = try Gzip.readAll(path)
        return DelimitedText.lines(bytes).map { line in
            let slice = bytes[line.range]
            let end = slice.firstIndex(of: UInt8(ascii: "\t")) ?? slice.endIndex
            return String(decoding: slice[slice.startIndex..<end], as: UTF8.self)
        }
    }

    /// The cells × genes matrix (CSR) from the coordinate entries of a genes × cells `.mtx`.
    private static func readEntries(_ path: String, genes: Int, cells: Int) throws -> SparseMatrix {
        var bytes = try Gzip.readAll(path)
        let lines = DelimitedText.lines(bytes)
        guard let banner = lines.first,
            String(decoding: bytes[banner.range], as: UTF8.self).lowercased().hasPrefix(
                "%%matrixmarket matrix coordinate")
        else {
            throw VAExprsError.badData(
                """
                \(path): not a Matrix Market coordinate file (the first line must start with '%%MatrixMarket \
                matrix coordinate')
                """
            )
        }
        let bannerText = String(decoding: bytes[banner.range], as: UTF8.self).lowercased()
        guard bannerText.hasSuffix("general"), !bannerText.contains("complex"), !bannerText.contains("pattern") else {
            throw VAExprsError.badData(
                "\(path): only 'integer' or 'real' 'general' matrices are supported (banner: \(bannerText))")
        }
        var index = 1
        while index < lines.count && bytes[lines[index].range.lowerBound] == UInt8(ascii: "%") { index += 1 }
        guard index < lines.count else { throw VAExprsError.badData("\(path): no size line after the comments") }
        let size = String(decoding: bytes[lines[index].range], as: UTF8.self).split(separator: " ").compactMap {
            Int($0)
        }
        guard size.count == 3 else {
            throw VAExprsError.badData("\(path): line \(lines[index].number): expected 'rows columns entries'")
        }
        guard size[0] == genes, size[1] == cells else {
            throw VAExprsError.badData(
                """
                \(path): \(size[0]) × \(size[1]) (genes × cells), but the features file lists \(genes) genes and \
                the barcodes file \(cells) cells
                """
            )
        }
        guard genes > 0, cells > 0 else { throw VAExprsError.badData("\(path): no \(genes == 0 ? "genes" : "cells")") }
        guard lines.count - index - 1 == size[2] else {
            throw VAExprsError.badData(
                """
                \(path): announces \(size[2]) entries but holds \(lines.count - index - 1); the file is truncated \
                or damaged
                """
            )
        }
        let entries = size[2]
        var cellOf = [Int32](repeating: 0, count: entries), geneOf = [Int32](repeating: 0, count: entries)
        var valueOf = [Float](repeating: 0, count: entries)
        var entry = 0
        bytes.append(0)
        try bytes.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            for line in lines[(index + 1)...] {
                var cursor = UnsafeMutablePointer(mutating: base + line.range.lowerBound)
                var numbers = [Double](repeating: 0, count: 3)
                for k in 0..<3 {
                    var stop: UnsafeMutablePointer<CChar>? = nil
                    numbers[k] = strtod(cursor, &stop)
                    guard let stop, stop != cursor, stop - UnsafeMutablePointer(mutating: base) <= line.range.upperBound
                    else {
                        throw VAExprsError.badData("\(path): line \(line.number): expected 'gene cell value'")
                    }
                    cursor = stop
                }
                guard let gene = Int(exactly: numbers[0]), let cell = Int(exactly: numbers[1]),
                    (1...genes).contains(gene), (1...cells).contains(cell)
                else {
                    throw VAExprsError.badData(
                        """
                        \(path): line \(line.number): gene \(numbers[0]) or cell \(numbers[1]) is not a whole \
                        number or is outside 1…\(genes) × 1…\(cells)
                        """
                    )
                }
                guard numbers[2].isFinite else {
                    throw VAExprsError.badData("\(path): line \(line.number): the value is not a finite number")
                }
                guard Float(numbers[2]).isFinite else {
                    throw VAExprsError.badData(
                        """
                        \(path): line \(line.number): the value \(numbers[2]) is beyond the range of 32-bit \
                        floats (±3.4e38) that VAExprs computes in; rescale the data
                        """
                    )
                }
                cellOf[entry] = Int32(cell - 1)
                geneOf[entry] = Int32(gene - 1)
                valueOf[entry] = Float(numbers[2])
                entry += 1
            }
        }
        // Coordinates to CSR by cell (a counting sort); duplicates are summed by validation.
        var starts = [Int](repeating: 0, count: cells + 1)
        for c in cellOf { starts[Int(c) + 1] += 1 }
        for i in 0..<cells { starts[i + 1] += starts[i] }
        var next = starts
        var indices = [Int32](repeating: 0, count: entries), values = [Float](repeating: 0, count: entries)
        for k in 0..<entries {
            let c = Int(cellOf[k])
            indices[next[c]] = geneOf[k]
            values[next[c]] = valueOf[k]
            next[c] += 1
        }
        return try SparseMatrix(
            validatingRows: cells, columns: genes, rowStarts: starts, columnIndices: indices,
            values: values, describe: path)
    }
}
