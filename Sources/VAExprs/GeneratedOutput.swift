import Foundation

/// Writes generated cells and their companions atomically, all or nothing.
package enum GeneratedOutput {
    /// Writes the generated matrix (CSV, or TSV for `.tsv`; gzipped when the path ends in
    /// `.gz`; transposed with `genesInRows`, like the input), optionally its labels
    /// (`cell,<columns…>`) and the training cells' latent means (`cell,z1,…`).
    package static func write(
        _ cells: GeneratedCells, model: TrainedModel, to path: String, genesInRows: Bool = false,
        labelsPath: String?, latentPath: String?
    ) throws {
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
            let latent = ExpressionMatrix(
                cellIDs: model.trainingCellIDs,
                geneNames: (1...model.trainingLatentMeans.columns).map { "z\($0)" },
                values: model.trainingLatentMeans)
            try output.stage(ExpressionCSV.encode(latent, path: latentPath), at: latentPath)
        }
        try output.commit()
    }
}

/// Generation streamed to disk: cells are produced a block at a time and written in the
/// format the path (or `format`) names, so any number of cells fits in bounded memory.
package struct GenerationStream {
    /// The model to generate from.
    package var model: TrainedModel
    /// What to generate.
    package var options: GenerationOptions
    /// Where the matrix goes.
    package var path: String
    /// Its format.
    package var format: CellOutputFormat
    /// CSV only: genes in rows (transposed; held in memory).
    package var genesInRows = false
    /// A CSV of each generated cell's labels (CVAE), or nil.
    package var labelsPath: String?
    /// A CSV of the training cells' latent means, or nil.
    package var latentPath: String?
    /// Settings recorded with the cells (`uns["vaexprs"]` of an `.h5ad`).
    package var settings: [(key: String, value: String)] = []
    /// Keep an even sample of at most this many generated cells in memory (for `--evaluate`).
    package var keepSample = 0

    /// A stream of `options` to `path` in `format`.
    package init(model: TrainedModel, options: GenerationOptions, path: String, format: CellOutputFormat) {
        self.model = model
        self.options = options
        self.path = path
        self.format = format
    }

    /// What was written.
    package struct Result {
        /// Number of generated cells.
        package var cells: Int
        /// One line per fitted latent distribution.
        package var samplerSummaries: [String]
        /// The kept sample (nil when `keepSample` is 0).
        package var sample: GeneratedCells?
    }

    /// Generates and writes every output, all or nothing: `beforeCommit` (an evaluation of the
    /// kept sample, say) runs once every file is complete and before any is renamed into place,
    /// and if it or anything else fails, no destination changes.
    package func run(registry: Registry, threads: Int? = nil, beforeCommit: ((Result) throws -> Void)? = nil) throws
        -> Result
    {
        try ThreadCount.using(threads) { try write(registry: registry, beforeCommit: beforeCommit) }
    }

    /// `run` on the current threads.
    private func write(registry: Registry, beforeCommit: ((Result) throws -> Void)?) throws -> Result {
        let encoding = model.conditions
        // Whole counts only when they are drawn: the decoder mean of a count model (expected
        // counts) is written as the floats it is, or refused by formats that hold counts only.
        let drawsCounts =
            model.preprocessing.modelsCounts && (model.preprocessing.logInput == nil || options.asCounts)
            && (options.decode ?? model.network.likelihood.defaultDecodeMode) == .sample
        let layout = CellOutputLayout(
            geneNames: model.geneNames, integerCounts: drawsCounts,
            labelColumns: encoding?.columns ?? [], labelCategories: encoding?.classes ?? [],
            settings: settings)
        // Each count capped, so the sum cannot overflow; the generator refuses too large a total.
        let total =
            options.perLabel.map { $0.reduce(0) { $0 + min(max(0, $1.count), Generator.maximumCells) } }
            ?? options.count
        let stride = keepSample > 0 ? max(1, (total + keepSample - 1) / keepSample) : 0
        let writer = try CellWriters.open(path, format: format, layout: layout, genesInRows: genesInRows)
        let outputs = AtomicOutput()
        var labels: ByteSink? = nil
        var kept = (ids: [String](), values: [Float](), labels: [[String]](), latent: [Float]())
        var written = 0
        // The writer and the labels file are touched by the writing thread only, until `finish`.
        let writes = PipelinedWrites()
        do {
            if let labelsPath, let encoding {
                labels = try outputs.open(labelsPath)
                try labels!.write(
                    (["cell"] + encoding.columns).map(ExpressionCSV.quoteIfNeeded).joined(separator: ",") + "\n")
            }
            let labelsSink = labels
            let summaries = try Generator(model: model, registry: registry).generate(options) { block in
                let ids = (0..<block.values.rows).map { "gen\(block.firstRow + $0 + 1)" }
                try writes.submit {
                    try writer.append(
                        CellBlock(cellIDs: ids, values: block.values, labels: block.labels, latent: block.latent))
                    if let sink = labelsSink, let rows = block.labels {
                        for (id, row) in zip(ids, rows) {
                            try sink.write(
                                ([id] + row).map(ExpressionCSV.quoteIfNeeded).joined(separator: ",") + "\n")
                        }
                    }
                }
                if stride > 0 {
                    for r in 0..<block.values.rows where (block.firstRow + r) % stride == 0 {
                        kept.ids.append(ids[r])
                        kept.values +=
                            block.values.storage[(r * block.values.columns)..<((r + 1) * block.values.columns)]
                        kept.latent +=
                            block.latent.storage[(r * block.latent.columns)..<((r + 1) * block.latent.columns)]
                        if let rows = block.labels { kept.labels.append(rows[r]) }
                    }
                }
                written += block.values.rows
            }
            try writes.finish()
            try labels?.close()
            outputs.adopt(try writer.finish())
            if let latentPath {
                let latent = ExpressionMatrix(
                    cellIDs: model.trainingCellIDs,
                    geneNames: (1...model.trainingLatentMeans.columns).map { "z\($0)" },
                    values: model.trainingLatentMeans)
                try outputs.stage(ExpressionCSV.encode(latent, path: latentPath), at: latentPath)
            }
            var sample: GeneratedCells? = nil
            if stride > 0 {
                let width = model.trainingLatentMeans.columns
                sample = GeneratedCells(
                    data: ExpressionMatrix(
                        cellIDs: kept.ids, geneNames: model.geneNames,
                        values: Matrix(rows: kept.ids.count, columns: model.geneNames.count, storage: kept.values)),
                    labels: encoding == nil ? nil : kept.labels,
                    latent: Matrix(rows: kept.ids.count, columns: width, storage: kept.latent),
                    samplerSummaries: summaries)
            }
            let result = Result(cells: written, samplerSummaries: summaries, sample: sample)
            try beforeCommit?(result)
            try outputs.commit()
            return result
        } catch {
            _ = try? writes.finish()  // no write may still run when the temporaries go
            writer.discard()
            outputs.discard()
            throw error
        }
    }
}

/// `gen_exprs` in memory: generates cells from a trained model, numeric work on `threads`
/// (default `ThreadCount.default`; the process's count is restored after).
package func generateExpression(
    _ model: TrainedModel, options: GenerationOptions, registry: Registry,
    threads: Int? = nil
) throws -> GeneratedCells {
    try ThreadCount.using(threads) { try Generator(model: model, registry: registry).generate(options) }
}
