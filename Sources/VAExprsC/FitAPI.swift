import CVAExprsAPI
import Foundation
import VAExprs

/// The host's progress callback as the trainer's progress: called after each batch, with the
/// last epoch's losses; a nonzero return stops the fit.
final class CallbackProgress: TrainingProgress {
    let callback: vaexprs_progress
    let context: UnsafeMutableRawPointer?
    private var loss = Double.nan, validationLoss = Double.nan
    private var stop = false

    init(_ callback: vaexprs_progress, context: UnsafeMutableRawPointer?) {
        self.callback = callback
        self.context = context
    }

    func batchFinished(epoch: Int, epochs: Int, batch: Int, batches: Int) {
        if callback(context, Int32(epoch), Int32(epochs), Int32(batch), Int32(batches), loss, validationLoss) != 0 {
            stop = true
        }
    }

    func epochFinished(_ record: EpochRecord, epochs: Int, seconds: Double, cellsPerSecond: Double) {
        loss = record.loss
        validationLoss = record.valLoss ?? .nan
    }

    func shouldStop() -> Bool { stop }
}

/// The fit request of a call's options (the library's parameter names).
enum FitOptions {
    /// - Parameter defaultEpochs: without "epochs", this many with early stopping on a tenth of
    ///   the cells (patience 20) unless those are given; nil: "epochs" is required.
    static func request(
        _ cells: ExpressionMatrix, labels: (columns: [String], values: [[String]])?,
        validation: (ExpressionMatrix, [[String]]?)?, options o: Options, call: String = "fit",
        defaultEpochs: Int? = nil
    ) throws -> FitRequest {
        let givenEpochs = try o.int("epochs")
        guard let epochs = givenEpochs ?? defaultEpochs else {
            throw VAExprsError.usage("\(parameter: "epochs") is required: give the number of passes over the cells")
        }
        var optimizer = try o.spec("optimizer") ?? ComponentSpec(name: "adam")
        if let rate = try o.double("learningRate") { optimizer.options["lr"] = "\(rate)" }
        var training = TrainingOptions(
            epochs: epochs, batchSize: try o.int("batchSize") ?? 32, optimizer: optimizer,
            monitor: try o.string("monitor"), patience: try o.int("patience") ?? (givenEpochs == nil ? 20 : nil),
            seed: try o.seed("seed") ?? 1)
        if let sparse = try o.choice("sparseInput", SparseInputUse.self) { training.sparseInput = sparse }
        if let precision = try o.choice("precision", ProductPrecision.self) { training.precision = precision }
        var request = FitRequest(cells: cells, labels: labels?.values, training: training)
        request.labelColumns = labels?.columns
        request.validation = validation.map { .matrix($0.0, labels: $0.1) }
        request.validationSplit = try o.double("validationSplit") ?? (givenEpochs == nil ? 0.1 : nil)
        request.topGenes = try o.int("topGenes")
        request.geneSelection = try o.choice("geneSelection", GeneSelection.Flavor.self)
        request.threads = try o.int("threads")
        var choices = FitSetupChoices()
        if let preset = try o.choice("preset", FitPreset.self) { choices.preset = preset }
        choices.likelihood = try o.spec("likelihood")
        choices.normalization = try o.choice("normalization", Normalization.self)
        choices.encoder = try o.specList("encoder")
        choices.decoder = try o.specList("decoder")
        choices.latentDimension = try o.int("latentDimension")
        choices.regularization = try o.double("regularization")
        if let prior = try o.spec("prior") { choices.prior = prior }
        request.choices = choices
        try o.checkAllRead(call: call)
        return request
    }
}

@_cdecl("vaexprs_fit")
public func vaexprs_fit(
    _ cells: UnsafePointer<vaexprs_matrix>?, _ labels: UnsafePointer<vaexprs_labels>?,
    _ validation: UnsafePointer<vaexprs_matrix>?, _ validationLabels: UnsafePointer<vaexprs_labels>?,
    _ optionsJSON: UnsafePointer<CChar>?, _ progress: vaexprs_progress?, _ context: UnsafeMutableRawPointer?,
    _ model: UnsafeMutablePointer<OpaquePointer?>?, _ error: UnsafeMutablePointer<OpaquePointer?>?
) -> vaexprs_status {
    model?.pointee = nil
    return guarded(error) {
        guard let model else { throw usage("model", "is NULL; give the address where the model handle goes") }
        let options = try Options(optionsJSON)
        let data = try Inputs.matrix(cells, parameter: "cells")
        let given = try Inputs.labels(labels, cells: data.cellCount, parameter: "labels")
        var held: (ExpressionMatrix, [[String]]?)? = nil
        if validation != nil {
            let matrix = try Inputs.matrix(validation, parameter: "validation")
            let heldLabels = try Inputs.labels(
                validationLabels, cells: matrix.cellCount, parameter: "validation_labels")
            if let given, let heldLabels, heldLabels.columns != given.columns {
                throw usage(
                    "validation_labels", "has columns \(heldLabels.columns), the training labels \(given.columns)")
            }
            held = (matrix, heldLabels?.values)
        } else if validationLabels != nil {
            throw usage("validation_labels", "given without validation cells")
        }
        let request = try FitOptions.request(data, labels: given, validation: held, options: options)
        let observer = progress.map { CallbackProgress($0, context: context) }
        let trained = try Fit.run(request, registry: try LibraryRegistry.shared.current(), progress: observer)
        model.pointee = Handles.make(ModelBox(trained))
    }
}
