import CVAExprsAPI
import Foundation
import VAExprs

@_cdecl("vaexprs_evaluate")
public func vaexprs_evaluate(
    _ real: UnsafePointer<vaexprs_matrix>?, _ realLabels: UnsafePointer<vaexprs_labels>?,
    _ generated: UnsafePointer<vaexprs_matrix>?, _ generatedLabels: UnsafePointer<vaexprs_labels>?,
    _ optionsJSON: UnsafePointer<CChar>?, _ report: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ error: UnsafeMutablePointer<OpaquePointer?>?
) -> vaexprs_status {
    report?.pointee = nil
    return guarded(error) {
        guard let report else { throw usage("report_json", "is NULL; give the address where the report goes") }
        let o = try Options(optionsJSON)
        var options = RealismEvaluation.Options()
        if let n = try o.choice("normalization", Normalization.self) { options.normalization = n }
        if let seed = try o.seed("seed") { options.seed = seed }
        if let repeats = try o.int("repeats") {
            guard (1...100).contains(repeats) else {
                throw VAExprsError.usage("\(parameter: "repeats") must be a whole number from 1 to 100, got \(repeats)")
            }
            options.repeats = repeats
        }
        if let top = try o.int("topGenes") { options.topGenes = top }
        let threads = try o.int("threads")
        try o.checkAllRead(call: "evaluate")
        let input = try CellPair.read(real, realLabels, generated, generatedLabels)
        let result = try ThreadCount.using(threads) {
            try RealismEvaluation.evaluate(
                real: input.real, generated: input.generated, realLabels: input.realLabels,
                generatedLabels: input.generatedLabels, options: options)
        }
        report.pointee = mallocString(String(decoding: try RealismReportOutput.json(result.report), as: UTF8.self))
    }
}
