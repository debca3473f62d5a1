import ArgumentParser
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
    @Option(help: "Label column.")
    var labelColumn = "label"
    @Flag(help: "The CSV/TSV files have genes in rows.")
    var genesInRows = false

    /// Both matrices, the generated one in the real one's gene order, with labels if given.
    func load() throws -> AugmentationPlot.Input {
        try AugmentationPlot.load(real: real, generated: generated, labels: labels, generatedLabels: generatedLabels,
                                  labelColumn: labelColumn, genesInRows: genesInRows)
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
