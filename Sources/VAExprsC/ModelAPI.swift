import CVAExprsAPI
import Foundation
import VAExprs

@_cdecl("vaexprs_model_load")
public func vaexprs_model_load(
    _ path: UnsafePointer<CChar>?, _ model: UnsafeMutablePointer<OpaquePointer?>?,
    _ error: UnsafeMutablePointer<OpaquePointer?>?
) -> vaexprs_status {
    model?.pointee = nil
    return guarded(error) {
        guard let model else { throw usage("model", "is NULL; give the address where the model handle goes") }
        let file = try Inputs.string(path, parameter: "path")
        model.pointee = Handles.make(
            ModelBox(try TrainedModel.load(file, registry: try LibraryRegistry.shared.current())))
    }
}

@_cdecl("vaexprs_model_save")
public func vaexprs_model_save(
    _ model: OpaquePointer?, _ path: UnsafePointer<CChar>?, _ error: UnsafeMutablePointer<OpaquePointer?>?
) -> vaexprs_status {
    guarded(error) {
        guard let box = Handles.object(model, as: ModelBox.self) else { throw usage("model", "is NULL") }
        let file = try Inputs.string(path, parameter: "path")
        try Fit.checkModelOutput(file)
        try box.model.save(to: file)
    }
}

@_cdecl("vaexprs_model_json")
public func vaexprs_model_json(
    _ model: OpaquePointer?, _ json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ error: UnsafeMutablePointer<OpaquePointer?>?
) -> vaexprs_status {
    json?.pointee = nil
    return guarded(error) {
        guard let box = Handles.object(model, as: ModelBox.self) else { throw usage("model", "is NULL") }
        guard let json else { throw usage("json", "is NULL; give the address where the string goes") }
        json.pointee = mallocString(try box.model.inspectionJSON())
    }
}

@_cdecl("vaexprs_model_genes")
public func vaexprs_model_genes(_ model: OpaquePointer?) -> Int64 {
    Int64(Handles.object(model, as: ModelBox.self)?.model.geneNames.count ?? 0)
}

@_cdecl("vaexprs_model_gene")
public func vaexprs_model_gene(_ model: OpaquePointer?, _ index: Int64) -> UnsafePointer<CChar>? {
    guard let box = Handles.object(model, as: ModelBox.self), index >= 0, index < Int64(box.geneNames.count) else {
        return nil
    }
    return box.geneNames[Int(index)].pointer
}

@_cdecl("vaexprs_model_training_cells")
public func vaexprs_model_training_cells(_ model: OpaquePointer?) -> Int64 {
    Int64(Handles.object(model, as: ModelBox.self)?.model.trainingCellIDs.count ?? 0)
}

@_cdecl("vaexprs_model_training_cell")
public func vaexprs_model_training_cell(_ model: OpaquePointer?, _ index: Int64) -> UnsafePointer<CChar>? {
    guard let box = Handles.object(model, as: ModelBox.self), index >= 0, index < Int64(box.trainingCellIDs.count)
    else { return nil }
    return box.trainingCellIDs[Int(index)].pointer
}

@_cdecl("vaexprs_model_latent_dimension")
public func vaexprs_model_latent_dimension(_ model: OpaquePointer?) -> Int32 {
    Int32(Handles.object(model, as: ModelBox.self)?.model.trainingLatentMeans.columns ?? 0)
}

@_cdecl("vaexprs_model_latent_means")
public func vaexprs_model_latent_means(
    _ model: OpaquePointer?, _ out: UnsafeMutablePointer<Double>?, _ capacity: Int64,
    _ error: UnsafeMutablePointer<OpaquePointer?>?
) -> vaexprs_status {
    guarded(error) {
        guard let box = Handles.object(model, as: ModelBox.self) else { throw usage("model", "is NULL") }
        try Outputs.copy(box.model.trainingLatentMeans.storage, into: out, capacity: capacity, parameter: "out")
    }
}

@_cdecl("vaexprs_model_free")
public func vaexprs_model_free(_ model: OpaquePointer?) { Handles.free(model, as: ModelBox.self) }

/// Copies into buffers the host owns, after checking that they are large enough.
enum Outputs {
    static func copy(_ values: [Float], into out: UnsafeMutablePointer<Double>?, capacity: Int64, parameter: String)
        throws
    {
        guard let out else { throw usage(parameter, "is NULL; give a buffer of \(values.count) doubles") }
        guard capacity >= Int64(values.count) else {
            throw usage(parameter, "holds \(capacity) doubles; \(values.count) are needed")
        }
        for (k, v) in values.enumerated() { out[k] = Double(v) }
    }
}
