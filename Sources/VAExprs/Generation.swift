import Foundation

/// `generate` (the original's `gen_exprs`): cells drawn from a model and written.
public enum Generation {
    /// Generates the cells `request` asks for from its model (`model` when already loaded, else
    /// the file `request.modelPath`) and writes every output (all or none: the evaluation, when
    /// asked for, runs before any file is renamed into place).
    /// - Throws: `VAExprsError` naming the parameter or file at fault.
    public static func run(_ request: GenerationRequest, registry: Registry, model loaded: TrainedModel? = nil) throws
        -> GenerationResult
    {
        let model = try loaded ?? TrainedModel.load(request.modelPath, registry: registry)
        try request.check(model: model)
        try CellOutputFormat.requireText(request.latentOutput, parameter: "latentOutput")
        try CellOutputFormat.requireText(request.labelsOutput, parameter: "labelsOutput")
        if let reference = request.evaluationReference {
            try ExpressionReader.checkReadable(reference, parameter: "evaluationReference")
        }
        var stream = GenerationStream(
            model: model, options: request.options, path: request.output, format: request.format)
        stream.genesInRows = request.genesInRows
        stream.labelsPath = request.labelsPath(for: model)
        stream.latentPath = request.latentOutput
        stream.keepSample = request.evaluationReference == nil ? 0 : GenerationRequest.evaluatedCells
        let options = request.options
        stream.settings =
            [
                ("model", request.modelPath), ("likelihood", model.network.spec.likelihood.description),
                ("latent_dimension", "\(model.network.spec.latentDimension)"), ("sampler", options.sampler.description),
                ("decode", (options.decode ?? model.network.likelihood.defaultDecodeMode).rawValue),
                ("seed", "\(options.seed)")
            ]
            + (model.preprocessing.modelsCounts ? [("library", (options.library ?? .logNormal).rawValue)] : [])
            + [("conditions", model.conditions?.columns.joined(separator: ",") ?? "")]
        var notes: [Notice] = []
        var evaluation: RealismReport?
        let result = try stream.run(registry: registry, threads: request.threads) { result in
            guard let reference = request.evaluationReference, let sample = result.sample else { return }
            if sample.data.cellCount < result.cells {
                let every = (result.cells + GenerationRequest.evaluatedCells - 1) / GenerationRequest.evaluatedCells
                notes.append(
                    Notice(
                        """
                        \(parameter: "evaluationReference"): comparing \(sample.data.cellCount) of the \(result.cells) \
                        generated cells (every \(every)th)
                        """
                    ))
            }
            evaluation = try RealismEvaluation.againstReference(
                reference, generated: sample, model: model, normalization: request.normalization,
                seed: options.seed, notes: &notes)
        }
        return GenerationResult(
            cells: result.cells, samplerSummaries: result.samplerSummaries, labelsPath: stream.labelsPath,
            evaluation: evaluation, notes: notes)
    }
}
