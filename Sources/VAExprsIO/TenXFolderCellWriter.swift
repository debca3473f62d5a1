import Foundation
import VAExprsCore

/// Streams counts to a 10x Matrix Market folder (`matrix.mtx.gz`, genes × cells, 1-based
/// `integer general` coordinates; `features.tsv.gz` with id, name and "Gene Expression";
/// `barcodes.tsv.gz`). The entry count heads the `.mtx` but is known only at the end, so the
/// entries go to a temporary file first and are copied behind the header by `finish()`.
/// A new folder is assembled beside the destination and renamed into place; an existing one
/// (empty, or an earlier output: `FolderOutput.check`) gets its three files written as
/// temporaries inside it and renamed over their namesakes, and nothing else in it is touched.
final class TenXFolderCellWriter: CellWriter {
    private let destination: String
    /// Where the files are assembled: a new temporary folder, or the destination itself.
    private let folder: String
    private let intoExisting: Bool
    private let layout: CellOutputLayout
    private let entriesPath: String
    private let barcodesPath: String
    private let entries: ByteSink
    private let barcodes: ByteSink
    private var written: [String: String] = [:]
    private var stored = 0
    private var cells = 0

    init(_ path: String, layout: CellOutputLayout) throws {
        destination = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        self.layout = layout
        intoExisting = try FolderOutput.check(destination, writes: FolderOutput.tenXFiles) == .intoExisting
        if intoExisting {
            folder = destination
        } else {
            folder = temporaryPath(beside: destination)
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
            } catch {
                TemporaryFiles.untrack(folder)
                throw VAExprsError(.cannotWrite, "\(destination): cannot create a folder beside it (\(error.localizedDescription))")
            }
        }
        // In an existing folder each file has a hidden temporary name; in a new one its own,
        // tracked after the folder so that an interruption removes it first.
        let into = intoExisting, base = folder
        func temporary(_ name: String) -> String {
            if into { return temporaryPath(beside: base + "/" + name) }
            TemporaryFiles.track(base + "/" + name)
            return base + "/" + name
        }
        entriesPath = temporary("entries")
        barcodesPath = temporary("barcodes.tsv.gz")
        written["barcodes.tsv.gz"] = barcodesPath
        do {
            entries = try ByteSink(entriesPath, gzip: false)
            barcodes = try ByteSink(barcodesPath, gzip: true)
        } catch {
            for path in [entriesPath, barcodesPath] { _ = unlink(path); TemporaryFiles.untrack(path) }
            if !intoExisting { _ = rmdir(folder); TemporaryFiles.untrack(folder) }
            throw error
        }
    }

    /// A file of the new temporary folder, tracked (after the folder) for removal on interruption.
    private func trackedInside(_ name: String) -> String {
        let path = folder + "/" + name
        TemporaryFiles.track(path)
        return path
    }

    func append(_ block: CellBlock) throws {
        for (r, id) in block.cellIDs.enumerated() {
            try barcodes.write(id + "\n")
            let column = cells + r + 1
            for j in 0..<block.values.columns {
                let v = block.values[r, j]
                if v != 0 {
                    try entries.write("\(j + 1) \(column) \(Int64(v))\n")
                    stored += 1
                }
            }
        }
        cells += block.cellIDs.count
    }

    func finish() throws -> [StagedFile] {
        do {
            try entries.close()
            try barcodes.close()
            let featuresPath = intoExisting ? temporaryPath(beside: folder + "/features.tsv.gz") : trackedInside("features.tsv.gz")
            written["features.tsv.gz"] = featuresPath
            let features = try ByteSink(featuresPath, gzip: true)
            for gene in layout.geneNames { try features.write("\(gene)\t\(gene)\tGene Expression\n") }
            try features.close()
            let matrixPath = intoExisting ? temporaryPath(beside: folder + "/matrix.mtx.gz") : trackedInside("matrix.mtx.gz")
            written["matrix.mtx.gz"] = matrixPath
            let matrix = try ByteSink(matrixPath, gzip: true)
            try matrix.write("%%MatrixMarket matrix coordinate integer general\n%metadata_json: {\"software_version\": \"vaexprs\"}\n")
            try matrix.write("\(layout.geneNames.count) \(cells) \(stored)\n")
            guard let input = fopen(entriesPath, "rb") else {
                throw VAExprsError(.cannotWrite, "\(entriesPath): cannot be read back")
            }
            defer { fclose(input) }
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, input) }
                if n == 0 { break }
                try matrix.write(chunk[0..<n])
            }
            try matrix.close()
            _ = unlink(entriesPath)
            TemporaryFiles.untrack(entriesPath)
            guard intoExisting else { return [StagedFile(temporary: folder, destination: destination)] }
            return written.sorted { $0.key < $1.key }.map { StagedFile(temporary: $0.value, destination: folder + "/" + $0.key) }
        } catch {
            discard()
            throw error
        }
    }

    func discard() {
        if intoExisting {
            // Only this writer's own temporaries: the folder and its other files stay as they were.
            for path in [entriesPath] + written.values {
                _ = unlink(path)
                TemporaryFiles.untrack(path)
            }
        } else {
            try? FileManager.default.removeItem(atPath: folder)
            TemporaryFiles.untrack(folder)
        }
    }
}
