/// Writes generated cells and their companions atomically, all or nothing.
public enum GeneratedOutput {
    /// Writes the generated matrix (CSV, or TSV for `.tsv`; gzipped when the path ends in
    /// `.gz`; transposed with `genesInRows`, like the input), optionally its labels
    /// (`cell,<columns…>`) and the training cells' latent means (`cell,z1,…`).
    public static func write(_ cells: GeneratedCells, model: TrainedModel, to path: String, genesInRows: Bool = false,
                             labelsPath: String?, latentPath: String?) throws {
        let output = AtomicOutput()
        try output.stage(ExpressionCSV.encode(cells.data, genesInRows: genesInRows, path: path), at: path)
        if let labelsPath, let labels = cells.labels, let encoding = model.conditions {
            var text = (["cell"] + encoding.columns).map(ExpressionCSV.quoteIfNeeded).joined(separator: ",") + "\n"
            for (id, row) in zip(cells.data.cellIDs, labels) {
                text += ([id] + row).map(ExpressionCSV.quoteIfNeeded).joined(separator: ",") + "\n"
            }
            try output.stage(text: text, at: labelsPath)
        }
        if let latentPath {
            let latent = ExpressionMatrix(cellIDs: model.trainingCellIDs,
                                          geneNames: (1...model.trainingLatentMeans.columns).map { "z\($0)" },
                                          values: model.trainingLatentMeans)
            try output.stage(ExpressionCSV.encode(latent, path: latentPath), at: latentPath)
        }
        try output.commit()
    }
}
