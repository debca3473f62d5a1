import CVAExprsAPI
import Foundation
import VAExprs

@_cdecl("vaexprs_generate")
public func vaexprs_generate(
    _ model: OpaquePointer?, _ optionsJSON: UnsafePointer<CChar>?, _ cells: UnsafeMutablePointer<OpaquePointer?>?,
    _ error: UnsafeMutablePointer<OpaquePointer?>?
) -> vaexprs_status {
    cells?.pointee = nil
    return guarded(error) {
        guard let box = Handles.object(model, as: ModelBox.self) else { throw usage("model", "is NULL") }
        guard let cells else { throw usage("cells", "is NULL; give the address where the cells handle goes") }
        let o = try Options(optionsJSON)
        var options = GenerationOptions(
            count: try o.int("count") ?? 0, sampler: try o.spec("sampler") ?? ComponentSpec(name: "mclust"),
            perLabel: try o.counts("perLabel"), decode: try o.choice("decode", DecodeMode.self),
            seed: try o.seed("seed") ?? 1, library: try o.choice("library", LibrarySizeModel.self))
        options.asCounts = try o.bool("asCounts") ?? false
        let threads = try o.int("threads")
        try o.checkAllRead(call: "generate")
        // generate's own rules (a count or counts per label, ...), as for the CLI and Swift callers.
        try GenerationRequest(modelPath: "the model", options: options, output: "", format: .csv).check(
            model: box.model)
        let generated = try generateExpression(
            box.model, options: options, registry: try LibraryRegistry.shared.current(), threads: threads)
        cells.pointee = Handles.make(CellsBox(generated))
    }
}

@_cdecl("vaexprs_cells_count")
public func vaexprs_cells_count(_ cells: OpaquePointer?) -> Int64 {
    Int64(Handles.object(cells, as: CellsBox.self)?.cells.data.cellCount ?? 0)
}

@_cdecl("vaexprs_cells_genes")
public func vaexprs_cells_genes(_ cells: OpaquePointer?) -> Int64 {
    Int64(Handles.object(cells, as: CellsBox.self)?.cells.data.geneCount ?? 0)
}

@_cdecl("vaexprs_cells_values")
public func vaexprs_cells_values(
    _ cells: OpaquePointer?, _ layout: Int32, _ out: UnsafeMutablePointer<Double>?, _ capacity: Int64,
    _ error: UnsafeMutablePointer<OpaquePointer?>?
) -> vaexprs_status {
    guarded(error) {
        guard let box = Handles.object(cells, as: CellsBox.self) else { throw usage("cells", "is NULL") }
        let values = box.cells.data.dense()
        switch layout {
        case Int32(VAEXPRS_DENSE_ROW_MAJOR.rawValue):
            try Outputs.copy(values.storage, into: out, capacity: capacity, parameter: "out")
        case Int32(VAEXPRS_DENSE_COLUMN_MAJOR.rawValue):
            try Outputs.copy(values.transposed().storage, into: out, capacity: capacity, parameter: "out")
        default:
            throw usage(
                "layout",
                "is \(layout); give 0 (dense row-major) or 1 (dense column-major), or read CSR with vaexprs_cells_csr")
        }
    }
}

@_cdecl("vaexprs_cells_stored")
public func vaexprs_cells_stored(_ cells: OpaquePointer?) -> Int64 {
    Int64(Handles.object(cells, as: CellsBox.self)?.csr.storedCount ?? 0)
}

@_cdecl("vaexprs_cells_csr")
public func vaexprs_cells_csr(
    _ cells: OpaquePointer?, _ pointers: UnsafeMutablePointer<Int64>?, _ indices: UnsafeMutablePointer<Int32>?,
    _ values: UnsafeMutablePointer<Double>?, _ stored: Int64, _ error: UnsafeMutablePointer<OpaquePointer?>?
) -> vaexprs_status {
    guarded(error) {
        guard let box = Handles.object(cells, as: CellsBox.self) else { throw usage("cells", "is NULL") }
        let csr = box.csr
        guard let pointers, let indices, let values else { throw usage("pointers", "indices or values is NULL") }
        guard stored == Int64(csr.storedCount) else {
            throw usage("stored", "is \(stored); the cells store \(csr.storedCount) entries (vaexprs_cells_stored)")
        }
        for (k, start) in csr.rowStarts.enumerated() { pointers[k] = Int64(start) }
        for k in 0..<csr.storedCount {
            indices[k] = csr.columnIndices[k]
            values[k] = Double(csr.values[k])
        }
    }
}

@_cdecl("vaexprs_cells_label_columns")
public func vaexprs_cells_label_columns(_ cells: OpaquePointer?) -> Int32 {
    Int32(Handles.object(cells, as: CellsBox.self)?.labels.first?.count ?? 0)
}

@_cdecl("vaexprs_cells_label")
public func vaexprs_cells_label(_ cells: OpaquePointer?, _ cell: Int64, _ column: Int32) -> UnsafePointer<CChar>? {
    guard let box = Handles.object(cells, as: CellsBox.self), cell >= 0, cell < Int64(box.labels.count),
        column >= 0, column < Int32(box.labels[Int(cell)].count)
    else { return nil }
    return box.labels[Int(cell)][Int(column)].pointer
}

@_cdecl("vaexprs_cells_latent_dimension")
public func vaexprs_cells_latent_dimension(_ cells: OpaquePointer?) -> Int32 {
    Int32(Handles.object(cells, as: CellsBox.self)?.cells.latent.columns ?? 0)
}

@_cdecl("vaexprs_cells_latent")
public func vaexprs_cells_latent(
    _ cells: OpaquePointer?, _ out: UnsafeMutablePointer<Double>?, _ capacity: Int64,
    _ error: UnsafeMutablePointer<OpaquePointer?>?
) -> vaexprs_status {
    guarded(error) {
        guard let box = Handles.object(cells, as: CellsBox.self) else { throw usage("cells", "is NULL") }
        try Outputs.copy(box.cells.latent.storage, into: out, capacity: capacity, parameter: "out")
    }
}

@_cdecl("vaexprs_cells_free")
public func vaexprs_cells_free(_ cells: OpaquePointer?) { Handles.free(cells, as: CellsBox.self) }
