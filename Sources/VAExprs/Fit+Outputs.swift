import Foundation

extension Fit {
    /// Refuses a model path the model file cannot be written to as named (`.gz`: model files
    /// are written uncompressed) and checks its folder is writable.
    /// - Throws: `VAExprsError` naming `output`.
    package static func checkModelOutput(_ path: String) throws {
        try AtomicOutput.checkDestination(path)
        if path.lowercased().hasSuffix(".gz") {
            throw VAExprsError.usage(
                """
                \(parameter: "output") \(path): model files are written uncompressed (their float32 weights \
                barely compress, and every command reads them directly); name it without .gz, e.g. model.vaexprs
                """
            )
        }
    }

    /// The overfitting warning for a model whose validation loss ended far above its training
    /// loss (nil when it did not).
    public static func overfittingNotice(_ history: TrainingHistory) -> Notice? {
        guard let kept = history.overfitting, let val = kept.valLoss else { return nil }
        return Notice(
            String(
                format:
                    """
                    warning: at epoch %d the validation loss (%.4g) is %@ the training loss (%.4g): the model \
                    describes its training cells far better than cells it never saw (overfitting), and generated \
                    cells may copy them. Try fewer epochs with 
                    """,
                kept.epoch, val, kept.loss > 0 ? String(format: "%.1f×", val / kept.loss) : "far above", kept.loss)
                    + """
                    \(parameter: "patience") (early stopping on val_loss), a smaller network (\(parameter: "encoder") \
                    dense:64:relu \(parameter: "decoder") dense:64:relu), a larger \(parameter: "regularization"), \
                    \(parameter: "topGenes"), or more cells.
                    """
        )
    }
}
