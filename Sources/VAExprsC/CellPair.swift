import CVAExprsAPI
import Foundation
import VAExprs

/// Real and generated cells given by the host, on the real cells' genes.
enum CellPair {
    static func read(
        _ real: UnsafePointer<vaexprs_matrix>?, _ realLabels: UnsafePointer<vaexprs_labels>?,
        _ generated: UnsafePointer<vaexprs_matrix>?, _ generatedLabels: UnsafePointer<vaexprs_labels>?
    ) throws -> AugmentationPlot.Input {
        let realCells = try Inputs.matrix(real, parameter: "real")
        var generatedCells = try Inputs.matrix(generated, parameter: "generated")
        if generatedCells.geneNames != realCells.geneNames {
            guard Set(generatedCells.geneNames) == Set(realCells.geneNames) else {
                throw usage("generated", "has other genes than the real cells; give both the same genes")
            }
            generatedCells = AugmentationPlot.reordered(generatedCells, genes: realCells.geneNames)
        }
        let a = try Inputs.labels(realLabels, cells: realCells.cellCount, parameter: "real_labels")
        let b = try Inputs.labels(generatedLabels, cells: generatedCells.cellCount, parameter: "generated_labels")
        guard (a == nil) == (b == nil) else {
            throw usage(
                "real_labels", "and generated_labels go together: label metrics compare the two; give both or neither")
        }
        return AugmentationPlot.Input(
            real: realCells, generated: generatedCells, realLabels: a?.values.map { $0.joined(separator: "|") },
            generatedLabels: b?.values.map { $0.joined(separator: "|") }, realTotal: realCells.cellCount,
            generatedTotal: generatedCells.cellCount, realGenesBeforeSelection: nil)
    }
}
