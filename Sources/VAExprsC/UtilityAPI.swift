import CVAExprsAPI
import Foundation
import VAExprs

@_cdecl("vaexprs_utility")
public func vaexprs_utility(
    _ cells: UnsafePointer<vaexprs_matrix>?, _ labels: UnsafePointer<vaexprs_labels>?,
    _ optionsJSON: UnsafePointer<CChar>?, _ progress: vaexprs_progress?, _ context: UnsafeMutableRawPointer?,
    _ report: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ error: UnsafeMutablePointer<OpaquePointer?>?
) -> vaexprs_status {
    report?.pointee = nil
    return guarded(error) {
        guard let report else { throw usage("report_json", "is NULL; give the address where the report goes") }
        let o = try Options(optionsJSON)
        let data = try Inputs.matrix(cells, parameter: "cells")
        guard let given = try Inputs.labels(labels, cells: data.cellCount, parameter: "labels") else {
            throw usage("labels", "is NULL; the utility test needs each cell's label")
        }
        let kept = try o.int("kept"), added = try o.int("added"), repeats = try o.int("repeats")
        let heldOut = try o.double("heldOutFraction"), designs = try o.stringList("designs")
        let fit = try FitOptions.request(
            data, labels: given, validation: nil, options: o, call: "utility", defaultEpochs: 300)
        var request = UtilityRequest(fit: fit)
        request.seed = fit.training.seed
        if let kept { request.kept = kept }
        if let added { request.added = added }
        if let repeats { request.repeats = repeats }
        if let heldOut { request.heldOutFraction = heldOut }
        if let designs {
            request.designs = try designs.map { name in
                guard let design = UtilityDesign(rawValue: name) else {
                    throw VAExprsError.usage(
                        """
                        \(parameter: "designs"): '\(name)' is not a design; give \
                        \(UtilityDesign.allCases.map(\.rawValue).joined(separator: ", "))
                        """
                    )
                }
                return design
            }
        }
        let observer = progress.map { CallbackProgress($0, context: context) }
        let result = try AugmentationUtility.run(
            request, registry: try LibraryRegistry.shared.current(), training: observer)
        report.pointee = mallocString(String(decoding: try result.json(), as: UTF8.self))
    }
}
