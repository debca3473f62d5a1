import Foundation

extension TrainedModel {
    /// The model's architecture, preprocessing, setup, labels and loss history (what `inspect`
    /// prints), as a JSON object with sorted keys.
    public func inspectionJSON() throws -> String {
        let object: [String: Any] = [
            "format_version": Int(ModelFile.formatVersion),
            "genes": geneNames.count,
            "training_cells": trainingCellIDs.count,
            "encoder": network.spec.encoder.map(\.description),
            "decoder": network.spec.decoder.map(\.description),
            "latent_dim": network.spec.latentDimension,
            "likelihood": network.spec.likelihood.description,
            "prior": network.spec.prior.description,
            "regularization": NumberConversions.jsonValue(network.spec.regularization),
            "normalization": preprocessing.normalization.rawValue,
            "likelihood_data": (preprocessing.target ?? .scaled).rawValue,
            // Fitted on log-normalised counts (recovered): generated cells come back on that scale.
            "log_normalised_input": preprocessing.logInput.map(\.base.formula) as Any,
            // The latent mixture search done once at the end of the fit (older models: none).
            "latent_mixtures": latentMixtures.map { m in
                ["sampler": m.sampler, "groups": m.groups.map(\.summary)] as [String: Any]
            } as Any,
            // Per-label offsets on the decoder's outputs that generate adds (0.11; older models: none).
            "output_offsets": outputOffsets.map { o in
                ["groups": o.groups.map(\.label), "median_abs_offset": o.medianMagnitude] as [String: Any]
            } as Any,
            // How far latent draws stay from each label's centre, chosen on validation cells (0.13).
            "latent_shrinkage": latentShrinkage.map { l in
                [
                    "factor": l.factor,
                    "validation_log_likelihood": l.scores.map { ["factor": $0.factor, "mean": $0.logLikelihood] }
                ] as [String: Any]
            } as Any,
            "setup": setup?.choice as Any,
            "setup_notes": setup?.notes as Any,
            "training_processes": setup?.trainingProcesses ?? 1,
            "gene_selection": setup?.geneSelection.map { s -> [String: Any] in
                ["flavor": s.flavor.rawValue, "genes": s.selected.count, "of_input_genes": s.inputGenes]
            } as Any,
            "conditions": conditions.map { c in Dictionary(uniqueKeysWithValues: zip(c.columns, c.classes)) } as Any,
            "parameters": network.parameters.reduce(0) { $0 + $1.value.count },
            "seed": seed,
            "monitor": history.monitor,
            "restored_epoch": history.restoredEpoch as Any,
            "stopped_early": history.stoppedEarly,
            "history": history.epochs.map { e -> [String: Any] in
                // Non-finite losses (a damaged or diverged history) as strings, not a JSON error.
                var row: [String: Any] = [
                    "epoch": e.epoch, "loss": NumberConversions.jsonValue(e.loss),
                    "reconstruction": NumberConversions.jsonValue(e.reconstruction),
                    "kl": NumberConversions.jsonValue(e.kl)
                ]
                if let v = e.valLoss { row["val_loss"] = NumberConversions.jsonValue(v) }
                return row
            }
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}
