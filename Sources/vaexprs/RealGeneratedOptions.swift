import ArgumentParser
import Foundation
import VAExprs

/// The real and generated cells (and their labels) that `plot aug` and `evaluate` compare.
struct RealGeneratedOptions: ParsableArguments {
    @Option(help: "Real cells: CSV/TSV (.gz), 10x folder or .h5ad.")
    var real: String
    @Option(help: "Generated cells, same genes.")
    var generated: String
    @Option(help: "Labels of the real cells (cell,label).")
    var labels: String?
    @Option(help: "Labels of the generated cells (generate's --labels-output).")
    var generatedLabels: String?

    /// The input files by option, for `OutputSafety`.
    var inputs: [OutputSafety.NamedPath] {
        [("--real", real), ("--generated", generated), ("--labels", labels), ("--generated-labels", generatedLabels)]
    }
    @Option(
        help:
            "Label column of the label files (default: label); with an .h5ad and no label file, the obs column to use.")
    var labelColumn: String?
    @Flag(help: "The CSV/TSV files have genes in rows.")
    var genesInRows = false
    @Option(
        help:
            """
            Use at most this many cells of each file: a seeded uniform subsample above it (default: \
            \(CellSubsample.defaultMaxCells)).
            """
    )
    var maxCells = CellSubsample.defaultMaxCells

    /// Where the cells and labels come from, as the library takes them.
    func sources(seed: UInt64) -> AugmentationPlot.Sources {
        AugmentationPlot.Sources(
            real: real, generated: generated, realLabels: labels, generatedLabels: generatedLabels,
            labelColumn: labelColumn, genesInRows: genesInRows, maxCells: maxCells, seed: seed)
    }
}

/// The reducer named by `--method` with its `--option key=value` settings.
func reducerSpec(method: String, options: [String]) throws -> ComponentSpec {
    var spec = try ComponentSpec.parseItem(method, source: "--method")
    for item in options {
        guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
            throw VAExprsError.usage("--option '\(item)' must look like key=value")
        }
        spec.options[String(item[..<eq])] = String(item[item.index(after: eq)...])
    }
    spec.source = "--method \(spec.name)"
    return spec
}
