import ArgumentParser
import Foundation
import VAExprs

/// `vaexprs inspect`: a model file's architecture, preprocessing and history as JSON.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Print a model's architecture, preprocessing, labels and loss history as JSON.")

    @Argument(help: "Model file.")
    var model: String

    @OptionGroup var plugins: PluginOptions

    func run() throws {
        let trained = try TrainedModel.load(model, registry: try plugins.registry())
        let network = trained.network
        let history = trained.history
        let object: [String: Any] = [
            "format_version": Int(ModelFile.formatVersion),
            "genes": trained.geneNames.count,
            "training_cells": trained.trainingCellIDs.count,
            "encoder": network.spec.encoder.map(\.description),
            "decoder": network.spec.decoder.map(\.description),
            "latent_dim": network.spec.latentDimension,
            "likelihood": network.spec.likelihood.description,
            "prior": network.spec.prior.description,
            "regularization": network.spec.regularization,
            "normalization": trained.preprocessing.normalization.rawValue,
            "likelihood_data": (trained.preprocessing.target ?? .scaled).rawValue,
            "setup": trained.setup?.choice as Any,
            "setup_notes": trained.setup?.notes as Any,
            "training_processes": trained.setup?.trainingProcesses ?? 1,
            "gene_selection": trained.setup?.geneSelection.map { s -> [String: Any] in
                ["flavor": s.flavor.rawValue, "genes": s.selected.count, "of_input_genes": s.inputGenes]
            } as Any,
            "conditions": trained.conditions.map { c in Dictionary(uniqueKeysWithValues: zip(c.columns, c.classes)) } as Any,
            "parameters": network.parameters.reduce(0) { $0 + $1.value.count },
            "seed": trained.seed,
            "monitor": history.monitor,
            "restored_epoch": history.restoredEpoch as Any,
            "stopped_early": history.stoppedEarly,
            "history": history.epochs.map { e -> [String: Any] in
                var row: [String: Any] = ["epoch": e.epoch, "loss": e.loss, "reconstruction": e.reconstruction, "kl": e.kl]
                if let v = e.valLoss { row["val_loss"] = v }
                return row
            },
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}
