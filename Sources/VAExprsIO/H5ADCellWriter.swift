import Foundation
import VAExprsCore

/// Streams cells to an AnnData `.h5ad` (the anndata ≥ 0.8 on-disk encodings): `X` as a CSR
/// matrix of 32-bit integer counts (dense 32-bit floats for continuous values), `obs` indexed
/// by cell id with each label column as a categorical, `var` indexed by gene id,
/// `obsm["X_vaexprs"]` the latent coordinates and `uns["vaexprs"]` the settings as strings.
final class H5ADCellWriter: CellWriter {
    private let destination: String
    private let temporary: String
    private let layout: CellOutputLayout
    private let file: HDF5Writer
    private var cellIndex: HDF5Writer.GrowingDataset!
    private var codes: [HDF5Writer.GrowingDataset] = []
    private var categoryCode: [[String: Int32]] = []
    private var data: HDF5Writer.GrowingDataset?
    private var indices: HDF5Writer.GrowingDataset?
    private var pointers: HDF5Writer.GrowingDataset?
    private var dense: HDF5Writer.GrowingDataset?
    private var latent: HDF5Writer.GrowingDataset?
    private var stored = 0
    private var cells = 0

    init(_ path: String, layout: CellOutputLayout) throws {
        destination = path
        temporary = temporaryPath(beside: path)
        self.layout = layout
        file = try HDF5Writer(creating: temporary)  // exclusively: a path already taken fails here
        TemporaryFiles.track(temporary)
        do {
            try file.setAttribute("/", "encoding-type", "anndata")
            try file.setAttribute("/", "encoding-version", "0.1.0")
            if layout.integerCounts {
                try file.createGroup("/X")
                try file.setAttribute("/X", "encoding-type", "csr_matrix")
                try file.setAttribute("/X", "encoding-version", "0.1.0")
                data = try .init(file, "/X/data", kind: .int32, columns: 1)
                indices = try .init(file, "/X/indices", kind: .int32, columns: 1)
                pointers = try .init(file, "/X/indptr", kind: .int64, columns: 1)
                try pointers!.append([Int64(0)])
            } else {
                dense = try .init(
                    file, "/X", kind: .float32, columns: max(1, layout.geneNames.count), matrix: true,
                    deflateOnAllCores: true)
            }
            try dataframe("/obs", columns: layout.labelColumns)
            cellIndex = try .init(file, "/obs/_index", kind: .string, columns: 1, chunkRows: 16_384)
            for (column, categories) in zip(layout.labelColumns, layout.labelCategories) {
                let group = "/obs/" + column
                try file.createGroup(group)
                try file.setAttribute(group, "encoding-type", "categorical")
                try file.setAttribute(group, "encoding-version", "0.2.0")
                try file.setAttribute(group, "ordered", bool: false)
                try file.writeStrings(group + "/categories", categories)
                try stringArrayAttributes(group + "/categories")
                codes.append(
                    try .init(file, group + "/codes", kind: categories.count < 128 ? .int8 : .int32, columns: 1))
                categoryCode.append(
                    Dictionary(categories.enumerated().map { ($1, Int32($0)) }, uniquingKeysWith: { a, _ in a }))
            }
            try dataframe("/var", columns: [])
            try file.writeStrings("/var/_index", layout.geneNames)
            try stringArrayAttributes("/var/_index")
            for group in ["/obsm", "/obsp", "/varm", "/varp", "/layers", "/uns", "/uns/vaexprs"] {
                try dictionary(group)
            }
            for (key, value) in layout.settings {
                try file.writeScalar("/uns/vaexprs/" + key, string: value)
                try file.setAttribute("/uns/vaexprs/" + key, "encoding-type", "string")
                try file.setAttribute("/uns/vaexprs/" + key, "encoding-version", "0.2.0")
            }
        } catch {
            try? file.close()
            TemporaryFiles.remove(temporary)
            throw error
        }
    }

    private func dataframe(_ group: String, columns: [String]) throws {
        try file.createGroup(group)
        try file.setAttribute(group, "encoding-type", "dataframe")
        try file.setAttribute(group, "encoding-version", "0.2.0")
        try file.setAttribute(group, "_index", "_index")
        try file.setAttribute(group, "column-order", strings: columns)
    }

    private func dictionary(_ group: String) throws {
        try file.createGroup(group)
        try file.setAttribute(group, "encoding-type", "dict")
        try file.setAttribute(group, "encoding-version", "0.1.0")
    }

    private func stringArrayAttributes(_ dataset: String) throws {
        try file.setAttribute(dataset, "encoding-type", "string-array")
        try file.setAttribute(dataset, "encoding-version", "0.2.0")
    }

    func append(_ block: CellBlock) throws {
        try cellIndex.append(strings: block.cellIDs)
        if let data, let indices, let pointers {
            let (lengths, columns, values) = compressRows(block.values)
            try data.append(values.map { Int32($0) })
            try indices.append(columns)
            var offsets: [Int64] = []
            offsets.reserveCapacity(lengths.count)
            for n in lengths {
                stored += n
                offsets.append(Int64(stored))
            }
            try pointers.append(offsets)
        } else {
            try dense!.append(block.values.storage)
        }
        if let labels = block.labels {
            for (k, column) in codes.enumerated() {
                try column.append(labels.map { categoryCode[k][$0[k]] ?? -1 })
            }
        }
        if let blockLatent = block.latent {
            if latent == nil {
                latent = try .init(file, "/obsm/X_vaexprs", kind: .float32, columns: blockLatent.columns, matrix: true)
            }
            try latent!.append(blockLatent.storage)
        }
        cells += block.cellIDs.count
    }

    func finish() throws -> [StagedFile] {
        do {
            try stringArrayAttributes("/obs/_index")
            try dense?.finish()
            if layout.integerCounts {
                try file.setAttribute("/X", "shape", integers: [Int64(cells), Int64(layout.geneNames.count)])
            } else {
                try file.setAttribute("/X", "encoding-type", "array")
                try file.setAttribute("/X", "encoding-version", "0.2.0")
            }
            if latent != nil {
                try file.setAttribute("/obsm/X_vaexprs", "encoding-type", "array")
                try file.setAttribute("/obsm/X_vaexprs", "encoding-version", "0.2.0")
            }
            for d in [cellIndex, data, indices, pointers, dense, latent].compactMap({ $0 }) + codes { d.close() }
            try file.close()
            return [StagedFile(temporary: temporary, destination: destination)]
        } catch {
            discard()
            throw error
        }
    }

    func discard() {
        try? file.close()
        TemporaryFiles.remove(temporary)
    }
}
